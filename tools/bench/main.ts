/**
 * `npm run bench`: measures the seed's claims on this machine. Progress goes to stderr, the
 * tables to stdout. Exit codes: 0 done, 1 a bench failed, 2 bad options, 130 interrupted.
 * Every lab, redis-server and sink it starts is stopped before it exits, also on failure.
 */
import { performance } from 'node:perf_hooks';
import { jsonText, onInterrupt, runCommand, writeOutputFile } from '../kit/cli';
import { formatHttpBench, runHttpBench } from './http';
import { describeMachine, Machine } from './measure';
import { BENCH_USAGE, BenchName, BenchOptions, parseBenchOptions } from './options';
import { BenchResources } from './resources';
import { formatRoutingBench, runRoutingBench } from './routing';
import { formatStoreBench, runStoreBench } from './store';
import { formatTelemetryCost, runTelemetryCost } from './telemetry-cost';
import { formatTokensBench, runTokensBench } from './tokens';

/** Sizes of a full run (about four minutes) and of --quick (about one). */
const PRESETS = {
  full: {
    store: { sequentialOps: 20_000, warmupOps: 2_000, concurrentOps: 100_000, inFlight: 50, mapOps: 1_000_000, sessions: 1_000 },
    tokens: { iterations: 100_000, rounds: 5 },
    routing: { picks: 1_000_000, rounds: 5 },
    http: { connections: 50, durationSeconds: 10, warmupSeconds: 3, cartLines: 3 },
    telemetry: { connections: 20, durationSeconds: 10, warmupSeconds: 3, runs: 2 },
  },
  quick: {
    store: { sequentialOps: 5_000, warmupOps: 500, concurrentOps: 20_000, inFlight: 50, mapOps: 200_000, sessions: 1_000 },
    tokens: { iterations: 20_000, rounds: 3 },
    routing: { picks: 200_000, rounds: 3 },
    http: { connections: 50, durationSeconds: 4, warmupSeconds: 1, cartLines: 3 },
    telemetry: { connections: 20, durationSeconds: 2, warmupSeconds: 1, runs: 2 },
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
};

function requireRedis(bench: string): void {
  if (!BenchResources.redisAvailable()) throw new Error(`${bench} needs a redis-server binary on PATH (apt-get install redis-server)`);
}

async function main(options: BenchOptions): Promise<number> {
  const t0 = performance.now();
  const progress = (message: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
  const machine = describeMachine();
  const interrupt = onInterrupt('stopping (Ctrl-C again to quit at once)');
  const { signal } = interrupt;

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
      if (signal.aborted) break;
      progress(`${name}: running`);
      try {
        // Described per section: the load average says how busy the machine was meanwhile.
        const sectionMachine = describeMachine();
        const { result, text } = await SECTIONS[name]({ options, machine: sectionMachine, resources, signal, progress });
        report.sections[name] = { machine: sectionMachine, result };
        process.stdout.write(`${text}\n`);
      } catch (error) {
        if (signal.aborted) break;
        const message = error instanceof Error ? error.message : String(error);
        report.failures[name] = message;
        process.stderr.write(`error: ${name} failed: ${message}\n`);
      }
    }
  } finally {
    progress('stopping everything the bench started');
    await resources.stopAll();
    interrupt.dispose();
  }
  if (options.jsonFile) progress(`wrote ${await writeOutputFile(options.jsonFile, jsonText(report))}`);
  progress(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (signal.aborted) return 130;
  return Object.keys(report.failures).length > 0 ? 1 : 0;
}

runCommand({ parse: parseBenchOptions, usage: BENCH_USAGE, main });
