/**
 * `npm run load`: the shopper flow against a running gateway, with a progress bar and a summary.
 * Exit codes: 0 done, 1 the gateway did not answer, 2 bad options.
 */
import { configFromProcessEnv, loadClientConfig } from '@app/config';
import { jsonText, onInterrupt, runCommand, writeOutputFile } from '../kit/cli';
import { httpRequest } from '../kit/http';
import { LOAD_USAGE, LoadOptions, parseLoadOptions } from './options';
import { runLoad } from './run-load';
import { formatLoadSummary } from './summary';

/** Any HTTP answer from /healthz proves something listens; the run itself measures the rest. */
async function gatewayProblem(url: string): Promise<string | undefined> {
  try {
    await httpRequest(new URL('/healthz', url), { timeoutMs: 3000 });
    return undefined;
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return `no gateway answers at ${url} (${why}); start the lab with npm run lab or pass --url`;
  }
}

async function main(options: LoadOptions): Promise<number> {
  const problem = await gatewayProblem(options.url);
  if (problem) {
    process.stderr.write(`error: ${problem}\n`);
    return 1;
  }

  const interrupt = onInterrupt('stopping (Ctrl-C again to quit at once)');
  try {
    const result = await runLoad({
      url: options.url,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      mix: options.mix,
      shopper: { userCount: options.users },
      signal: interrupt.signal,
    });
    process.stdout.write(`\n${formatLoadSummary(result)}`);
    if (options.jsonFile) process.stdout.write(`\nwrote ${await writeOutputFile(options.jsonFile, jsonText(result))}\n`);
    if (result.requests === 0) {
      process.stderr.write(`error: no response from ${options.url} during the run\n`);
      return 1;
    }
    return 0;
  } finally {
    interrupt.dispose();
  }
}

runCommand({
  parse: (argv) => parseLoadOptions(argv, { GATEWAY_URL: configFromProcessEnv(loadClientConfig).gatewayUrl }),
  usage: LOAD_USAGE,
  main,
});
