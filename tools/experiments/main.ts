/**
 * `npm run experiment -- <name>`: one scripted experiment, a progress line, a results table,
 * optionally JSON (--json) and an HTML report (--report).
 * Exit codes: 0 done, 1 the experiment failed, 2 bad options, 130 interrupted.
 */
import { configFromProcessEnv, loadClientConfig } from '@app/config';
import { jsonText, onInterrupt, runCommand, writeOutputFile } from '../kit/cli';
import { EXPERIMENT_USAGE, ExperimentOptions, parseExperimentOptions } from './options';
import { formatResults, renderReport, runExperiment } from './runner';

async function main(options: ExperimentOptions): Promise<number> {
  if (options.name === undefined) throw new Error('name an experiment (see --help)');
  const interrupt = onInterrupt('stopping: tearing the labs down (Ctrl-C again to quit at once)', ['SIGINT', 'SIGTERM']);
  try {
    const result = await runExperiment(options.name, {
      settings: options.settings,
      target: options.target,
      only: options.only,
      adminToken: options.adminToken,
      progress: process.stderr,
      signal: interrupt.signal,
    });
    process.stdout.write(`\n${formatResults(result)}`);
    if (options.jsonFile) process.stdout.write(`\nwrote ${await writeOutputFile(options.jsonFile, jsonText(result))}`);
    if (options.reportFile) process.stdout.write(`\nwrote ${await writeOutputFile(options.reportFile, renderReport(result))}`);
    process.stdout.write('\n');
    return 0;
  } catch (error) {
    if (interrupt.signal.aborted) return 130;
    throw error;
  } finally {
    interrupt.dispose();
  }
}

runCommand({
  parse: (argv) => parseExperimentOptions(argv, { LAB_ADMIN_TOKEN: configFromProcessEnv(loadClientConfig).adminToken }),
  usage: EXPERIMENT_USAGE,
  main,
});
