/**
 * `npm run bench`: measures the seed's claims on this machine. Progress goes to stderr, the
 * tables to stdout. Exit codes: 0 done, 1 a bench failed, 2 bad options, 130 interrupted.
 * Every lab, redis-server and sink it starts is stopped before it exits, also on failure.
 */
import { performance } from 'node:perf_hooks';
import { jsonText, onInterrupt, runCommand, writeOutputFile } from '../kit/cli';
import { formatFootprintBench, runFootprintBench } from './footprint';
import { formatHttpBench, runHttpBench } from './http';
import { describeMachine, Machine } from './measure';
import { formatPeersBench, runPeersBench } from './peers/peers-bench';
import { formatProfileBench, runProfileBench } from './profile';
import { BENCH_USAGE, BenchName, BenchOptions, parseBenchOptions } from './options';
import { BenchResources } from './resources';
import { formatRoutingBench, runRoutingBench } from './routing';
import { formatStoreBench, runStoreBench } from './store';
import { formatTelemetryCost, runTelemetryCost } from './telemetry-cost';
import { formatTokensBench, runTokensBench } from './tokens';

interface Context {
  machine: Machine;
  resources: BenchResources;
  signal: AbortSignal;
  progress: (message: string) => void;
}

/** Per bench: the sizes of a full run (about four minutes for all of them) and what --quick changes (about one minute for all). */
const SIZES = {
  store: {
    full: { sequentialOps: 20_000, warmupOps: 2_000, concurrentOps: 100_000, inFlight: 50, mapOps: 1_000_000, sessions: 1_000 },
    quick: { sequentialOps: 5_000, warmupOps: 500, concurrentOps: 20_000, mapOps: 200_000 },
  },
  tokens: { full: { iterations: 100_000, rounds: 5 }, quick: { iterations: 20_000, rounds: 3 } },
  routing: { full: { picks: 1_000_000, rounds: 5 }, quick: { picks: 200_000, rounds: 3 } },
  http: { full: { connections: 50, durationSeconds: 10, warmupSeconds: 3, cartLines: 3 }, quick: { durationSeconds: 4, warmupSeconds: 1 } },
  telemetry: {
    full: { connections: 20, durationSeconds: 5, warmupSeconds: 3, runs: 4, fixedRate: { requestsPerSecond: 1000, sessions: 50, durationSeconds: 8, rounds: 3 } },
    quick: { durationSeconds: 2, warmupSeconds: 1, runs: 2, fixedRate: { requestsPerSecond: 500, sessions: 20, durationSeconds: 3, rounds: 1 } },
  },
  profile: { full: { connections: 50, warmupSeconds: 5, durationSeconds: 10, profileSeconds: 5 }, quick: { warmupSeconds: 3, durationSeconds: 3, profileSeconds: 2 } },
  // Warm-ups long enough for V8 to optimize the lab's ten processes: a cold lab measures its JIT.
  peers: { full: { connections: 50, durationSeconds: 12, warmupSeconds: 5, rounds: 4 }, quick: { durationSeconds: 4, warmupSeconds: 3, rounds: 2 } },
  resources: {
    full: { labs: ['stateful', 'redis'] as ('stateful' | 'redis')[], idleSeconds: 10, loadSeconds: 20, connections: 20, sampleMs: 500 },
    quick: { labs: ['redis'] as ('stateful' | 'redis')[], idleSeconds: 5, loadSeconds: 8 },
  },
};

interface Sizes<S> {
  full: S;
  quick: Partial<S>;
}

/** One bench: its sizes, how it runs and how its result reads. */
interface Section<S, Result> {
  sizes: Sizes<S>;
  /** Starts labs, which need redis-server on PATH. */
  needsRedis?: boolean;
  run(context: Context, sizes: S): Result | Promise<Result>;
  format(result: Result, machine: Machine): string;
}

/** A section that only computes in this process: its run needs nothing but its sizes. */
function computed<S, Result>(sizes: Sizes<S>, run: (sizes: S) => Result, format: Section<S, Result>['format']): Section<S, Result> {
  return { sizes, run: (_, chosen) => run(chosen), format };
}

/** A section on labs the bench starts: it needs redis-server and gets the shared resources, the signal and progress. */
function onLabs<S, Result>(
  sizes: Sizes<S>,
  run: (resources: BenchResources, options: S & Pick<Context, 'signal' | 'progress'>) => Promise<Result>,
  format: Section<S, Result>['format'],
): Section<S, Result> {
  return { sizes, needsRedis: true, run: ({ resources, signal, progress }, chosen) => run(resources, { ...chosen, signal, progress }), format };
}

const SECTIONS: Record<BenchName, Section<object, unknown>> = {
  store: {
    sizes: SIZES.store,
    async run({ resources, signal }, sizes: typeof SIZES.store.full) {
      // Without redis-server the memory rows are still measured.
      const redis = BenchResources.redisAvailable() ? await resources.redisServer() : undefined;
      return runStoreBench({ ...sizes, redis: redis && { url: redis.url, version: redis.version, appendOnly: redis.appendOnly }, signal });
    },
    format: formatStoreBench,
  },
  tokens: computed(SIZES.tokens, runTokensBench, formatTokensBench),
  routing: computed(SIZES.routing, runRoutingBench, formatRoutingBench),
  http: onLabs(SIZES.http, runHttpBench, formatHttpBench),
  'telemetry-cost': onLabs(SIZES.telemetry, runTelemetryCost, formatTelemetryCost),
  profile: {
    sizes: SIZES.profile,
    needsRedis: true,
    run: ({ signal, progress }, sizes: typeof SIZES.profile.full) => runProfileBench({ ...sizes, signal, progress }),
    format: formatProfileBench,
  },
  peers: {
    sizes: SIZES.peers,
    needsRedis: true,
    run: ({ signal, progress }, sizes: typeof SIZES.peers.full) => runPeersBench({ ...sizes, signal, progress }),
    format: formatPeersBench,
  },
  resources: onLabs(SIZES.resources, runFootprintBench, formatFootprintBench),
};

/** Runs one section at the preset's sizes; resolves with its result and its printed text. */
async function runSection(name: BenchName, context: Context, quick: boolean): Promise<{ result: unknown; text: string }> {
  const section = SECTIONS[name];
  if (section.needsRedis && !BenchResources.redisAvailable()) throw new Error(`${name} needs a redis-server binary on PATH (apt-get install redis-server)`);
  const { full, quick: quicker } = section.sizes;
  const result = await section.run(context, quick ? { ...full, ...quicker } : full);
  return { result, text: section.format(result, context.machine) };
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
        const { result, text } = await runSection(name, { machine: sectionMachine, resources, signal, progress }, options.quick);
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
