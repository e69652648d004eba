/**
 * `npm run experiment -- <name>`: one scripted experiment, a progress line, a results table,
 * optionally JSON (--json) and an HTML report (--report).
 * Exit codes: 0 done, 1 the experiment failed, 2 bad options, 130 interrupted.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { EXPERIMENT_USAGE, ExperimentOptions, ExperimentOptionsError, parseExperimentOptions } from './options';
import { formatResults, renderReport, runExperiment } from './runner';
import { configFromProcessEnv, loadClientConfig } from '@app/config';

async function write(file: string, content: string): Promise<string> {
  const resolved = path.resolve(file);
  await mkdir(path.dirname(resolved), { recursive: true });
  await writeFile(resolved, content);
  return resolved;
}

async function main(options: ExperimentOptions & { name: NonNullable<ExperimentOptions['name']> }): Promise<number> {
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping: tearing the labs down (Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const result = await runExperiment(options.name, {
      settings: options.settings,
      target: options.target,
      adminToken: options.adminToken,
      progress: process.stderr,
      signal: abort.signal,
    });
    process.stdout.write(`\n${formatResults(result)}`);
    if (options.jsonFile) process.stdout.write(`\nwrote ${await write(options.jsonFile, `${JSON.stringify(result, null, 2)}\n`)}`);
    if (options.reportFile) process.stdout.write(`\nwrote ${await write(options.reportFile, renderReport(result))}`);
    process.stdout.write('\n');
    return 0;
  } catch (error) {
    if (abort.signal.aborted) return 130;
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigint);
  }
}

let options: ExperimentOptions;
try {
  options = parseExperimentOptions(process.argv.slice(2), { LAB_ADMIN_TOKEN: configFromProcessEnv(loadClientConfig).adminToken });
} catch (error) {
  if (!(error instanceof ExperimentOptionsError)) throw error;
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(2);
}
if (options.help || options.name === undefined) {
  process.stdout.write(EXPERIMENT_USAGE);
} else {
  main({ ...options, name: options.name }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`\nerror: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
