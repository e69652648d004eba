import * as os from 'node:os';
import { round } from '../kit/format';

/** The machine a result was measured on: numbers from another machine are not comparable. */
export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  platform: string;
  arch: string;
  memoryGiB: number;
  /** 1-minute load average when described: other work on the machine skews every number. */
  loadAverage: number;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model.trim() || 'unknown CPU',
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    loadAverage: round(os.loadavg()[0]),
  };
}

export function machineLine(machine: Machine): string {
  return (
    `machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.platform}/${machine.arch}; ` +
    `load average ${machine.loadAverage} when the section started`
  );
}

/**
 * Where timed loops fold their results. Exported and read by nobody on purpose: V8 cannot prove
 * the value unused, so it cannot drop the work being timed.
 */
export let blackhole = 0;

export interface PerOpTiming {
  /** Median of the rounds. */
  nsPerOp: number;
  /** ns/op of every timed round, in order. */
  rounds: number[];
  iterations: number;
}

/**
 * Nanoseconds per call of `op`, timed as whole batches of `iterations` calls (so the clock's own
 * cost stays out), after one untimed warm-up batch that lets the JIT optimise; the median of
 * `rounds` batches tames a noisy machine. `op` returns a number to fold into {@link blackhole}.
 */
export function timePerOp(op: (i: number) => number, iterations: number, rounds = 3): PerOpTiming {
  assertCount('iterations', iterations);
  assertCount('rounds', rounds);
  let sink = 0;
  for (let i = 0; i < iterations; i++) sink ^= op(i);
  const perRound: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink ^= op(i);
    perRound.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  blackhole ^= sink;
  return { nsPerOp: median(perRound), rounds: perRound, iterations };
}

/** Latency of one operation, in microseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/**
 * Awaits `op` `count` times one after another (never two in flight) and times each call with
 * the monotonic clock, after `warmup` untimed calls. Each sample includes one clock read
 * (tens of ns), which matters only for sub-microsecond operations.
 */
export async function timeSequential(op: (i: number) => Promise<unknown>, count: number, warmup: number, signal?: AbortSignal): Promise<LatencySummary> {
  assertCount('count', count);
  for (let i = 0; i < warmup; i++) await op(i);
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    if ((i & 1023) === 0) signal?.throwIfAborted();
    const start = process.hrtime.bigint();
    await op(i);
    samples[i] = Number(process.hrtime.bigint() - start);
  }
  return summarize(samples, 1000);
}

export interface Throughput {
  ops: number;
  inFlight: number;
  elapsedMs: number;
  opsPerSecond: number;
}

/** Runs `total` calls of `op` with `inFlight` of them outstanding at any time; ops per second. */
export async function timeConcurrent(op: (i: number) => Promise<unknown>, total: number, inFlight: number, signal?: AbortSignal): Promise<Throughput> {
  assertCount('total', total);
  assertCount('inFlight', inFlight);
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      if ((i & 1023) === 0) signal?.throwIfAborted();
      await op(i);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, worker));
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { ops: total, inFlight, elapsedMs, opsPerSecond: (total / elapsedMs) * 1000 };
}

/** Nearest-rank percentile of ascending-sorted values (0 < p <= 100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Summary of raw samples, each divided by `divisor` (ns samples / 1000 = µs). */
function summarize(samples: Float64Array, divisor: number): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50) / divisor,
    p99: percentile(sorted, 99) / divisor,
    mean: sum / sorted.length / divisor,
    min: sorted[0] / divisor,
    max: sorted[sorted.length - 1] / divisor,
  };
}

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}
