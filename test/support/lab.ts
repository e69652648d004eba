import { Lab, LabOptions } from '../../tools/lab/lab';
import { freePort, freePortBlock } from './ports';

export interface TestLab {
  lab: Lab;
  url: string;
  /** Every output line of every process, for failure messages. */
  output: string[];
  stop(): Promise<void>;
}

/** Starts a real lab (compiled from dist/) on free ports; its output is kept, not printed. */
export async function startTestLab(options: Partial<LabOptions> & Pick<LabOptions, 'mode'>): Promise<TestLab> {
  const output: string[] = [];
  const lab = await Lab.start({
    gatewayPort: await freePort(),
    portBase: await freePortBlock(),
    restartDelayMs: 100,
    onLine: (id, line) => {
      output.push(`${id} ${line}`);
      if (output.length > 2000) output.shift();
    },
    ...options,
    env: { LOG_LEVEL: 'warn', ...options.env },
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n--- lab output ---\n${output.slice(-40).join('\n')}`);
  });
  return { lab, url: lab.gatewayUrl, output, stop: () => lab.stop() };
}
