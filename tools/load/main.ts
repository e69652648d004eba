/**
 * `npm run load`: the shopper flow against a running gateway, with a progress bar and a summary.
 * Exit codes: 0 done, 1 the gateway did not answer, 2 bad options.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { LOAD_USAGE, LoadOptions, LoadOptionsError, parseLoadOptions } from './options';
import { runLoad } from './run-load';
import { formatLoadSummary } from './summary';
import { configFromProcessEnv, loadClientConfig } from '@app/config';

/**
 * Any HTTP answer from /healthz proves something listens; the run itself measures the rest.
 * node:http rather than fetch: fetch refuses "bad ports" (6000, 6665-6669, …) a lab may use.
 */
function gatewayProblem(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const target = new URL('/healthz', url);
    const request = (target.protocol === 'https:' ? https : http).get(target, { timeout: 3000 }, (response) => {
      response.resume();
      resolve(undefined);
    });
    const fail = (why: string) => resolve(`no gateway answers at ${url} (${why}); start the lab with npm run lab or pass --url`);
    request.on('timeout', () => {
      request.destroy();
      fail('no answer within 3 s');
    });
    request.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
  });
}

async function main(options: LoadOptions): Promise<number> {
  const problem = await gatewayProblem(options.url);
  if (problem) {
    process.stderr.write(`error: ${problem}\n`);
    return 1;
  }

  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping (Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await runLoad({
      url: options.url,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      mix: options.mix,
      shopper: { userCount: options.users },
      signal: abort.signal,
    });
    process.stdout.write(`\n${formatLoadSummary(result)}`);
    if (options.jsonFile) {
      const file = path.resolve(options.jsonFile);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(`\nwrote ${file}\n`);
    }
    if (result.requests === 0) {
      process.stderr.write(`error: no response from ${options.url} during the run\n`);
      return 1;
    }
    return 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

let options: LoadOptions;
try {
  options = parseLoadOptions(process.argv.slice(2), { GATEWAY_URL: configFromProcessEnv(loadClientConfig).gatewayUrl });
} catch (error) {
  if (!(error instanceof LoadOptionsError)) throw error;
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(LOAD_USAGE);
} else {
  main(options).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
