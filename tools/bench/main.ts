/**
 * `npm run bench`: measures the seed's claims on this machine. Progress goes to stderr, the
 * tables to stdout. Exit codes: 0 done, 1 a bench failed, 2 bad options, 130 interrupted.
 * Every lab, redis-server and sink it starts is stopped before it exits, also on failure.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatHttpBench, runHttpBench } from './http';
import { describeMachine, Machine } from './measure';
import { BENCH_USAGE, BenchName, BenchOptions, BenchOptionsError, parseBenchOptions } from './options';
import { formatPeersBench, runPeersBench } from './peers/peers-bench';
import { BenchResources } from './resources';
import { formatRoutingBench, runRoutingBench } from './routing';
import { formatStoreBench, runStoreBench } from './store';
import { formatTelemetryCost, runTelemetryCost } from './telemetry-cost';
import { formatTokensBench, runTokensBench } from './tokens';

/** Sizes of a full run (about four minutes, and 2.5 more for peers) and of --quick (about one, and 1.5 more). */
const PRESETS = {
  full: {
    store: { sequentialOps: 20_000, warmupOps: 2_000, concurrentOps: 100_000, inFlight: 50, mapOps: 1_000_000, sessions: 1_000 },
    tokens: { iterations: 100_000, rounds: 5 },
    routing: { picks: 1_000_000, rounds: 5 },
    http: { connections: 50, durationSeconds: 10, warmupSeconds: 3, cartLines: 3 },
    telemetry: { connections: 20, durationSeconds: 10, warmupSeconds: 3, runs: 2 },
    peers: { connections: 50, durationSeconds: 10, warmupSeconds: 3 },
  },
  quick: {
    store: { sequentialOps: 5_000, warmupOps: 500, concurrentOps: 20_000, inFlight: 50, mapOps: 200_000, sessions: 1_000 },
    tokens: { iterations: 20_000, rounds: 3 },
    routing: { picks: 200_000, rounds: 3 },
    http: { connections: 50, durationSeconds: 4, warmupSeconds: 1, cartLines: 3 },
    telemetry: { connections: 20, durationSeconds: 2, warmupSeconds: 1, runs: 2 },
    peers: { connections: 50, durationSeconds: 3, warmupSeconds: 1 },
  },
} as const;

interface Context {
  options: BenchOptions;
  machine: Machine;
  resources: BenchResources;
  signal: AbortSignal;
  progress: (message: string) => void;
}

type Section = (context: Context) => Promise<{ result: unknown; text: string }>;

const SECTIONS: Record<BenchName, Section> = {
  async store({ options, machine, resources, signal }) {
    const preset = PRESETS[options.quick ? 'quick' : 'full'].store;
    const redis = BenchResources.redisAvailable() ? await resources.redisServer() : undefined;
    const result = await runStoreBench({
      ...preset,
      redis: redis && { url: redis.url, version: redis.version, appendOnly: redis.appendOnly },
      signal,
    });
    return { result, text: formatStoreBench(result, machine) };
  },
  async tokens({ options, machine }) {
    const result = runTokensBench(PRESETS[options.quick ? 'quick' : 'full'].tokens);
    return { result, text: formatTokensBench(result, machine) };
  },
  async routing({ options, machine }) {
    const result = runRoutingBench(PRESETS[options.quick ? 'quick' : 'full'].routing);
    return { result, text: formatRoutingBench(result, machine) };
  },
  async http({ options, machine, resources, signal, progress }) {
    requireRedis('http');
    const result = await runHttpBench(resources, { ...PRESETS[options.quick ? 'quick' : 'full'].http, signal, progress });
    return { result, text: formatHttpBench(result, machine) };
  },
  async 'telemetry-cost'({ options, machine, resources, signal, progress }) {
    requireRedis('telemetry-cost');
    const result = await runTelemetryCost(resources, { ...PRESETS[options.quick ? 'quick' : 'full'].telemetry, signal, progress });
    return { result, text: formatTelemetryCost(result, machine) };
  },
  async peers({ options, machine, signal, progress }) {
    requireRedis('peers');
    const result = await runPeersBench({ ...PRESETS[options.quick ? 'quick' : 'full'].peers, signal, progress });
    return { result, text: formatPeersBench(result, machine) };
  },
};

function requireRedis(bench: string): void {
  if (!BenchResources.redisAvailable()) throw new Error(`${bench} needs a redis-server binary on PATH (apt-get install redis-server)`);
}

async function main(options: BenchOptions): Promise<number> {
  const t0 = performance.now();
  const progress = (message: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
  const machine = describeMachine();
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping (Ctrl-C again to quit at once)\n');
    abort.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);

  const resources = new BenchResources(progress);
  const report = {
    startedAt: new Date().toISOString(),
    preset: options.quick ? 'quick' : 'full',
    machine,
    sections: {} as Partial<Record<BenchName, unknown>>,
    failures: {} as Partial<Record<BenchName, string>>,
  };
  process.stdout.write(`statelab bench (${report.preset}): ${options.benches.join(', ')}\n\n`);
  try {
    for (const name of options.benches) {
      if (abort.signal.aborted) break;
      progress(`${name}: running`);
      try {
        // Described per section: the load average says how busy the machine was meanwhile.
        const sectionMachine = describeMachine();
        const { result, text } = await SECTIONS[name]({ options, machine: sectionMachine, resources, signal: abort.signal, progress });
        report.sections[name] = { machine: sectionMachine, result };
        process.stdout.write(`${text}\n`);
      } catch (error) {
        if (abort.signal.aborted) break;
        const message = error instanceof Error ? error.message : String(error);
        report.failures[name] = message;
        process.stderr.write(`error: ${name} failed: ${message}\n`);
      }
    }
  } finally {
    progress('stopping everything the bench started');
    await resources.stopAll();
    process.removeListener('SIGINT', onSigint);
  }
  if (options.jsonFile) {
    const file = path.resolve(options.jsonFile);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    progress(`wrote ${file}`);
  }
  progress(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (abort.signal.aborted) return 130;
  return Object.keys(report.failures).length > 0 ? 1 : 0;
}

let options: BenchOptions;
try {
  options = parseBenchOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof BenchOptionsError)) throw error;
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(BENCH_USAGE);
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
