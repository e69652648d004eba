import { cpuMsPerRequest } from '../cpu';
import { CartViewRun, driveCartViews } from '../http';
import { LatencyHistogram } from '../../load/latency-histogram';
import { Machine } from '../measure';
import { count, num, times } from '../../kit/format';
import { formatSection } from '../report';
import type { CartView } from './protocol';
import { PEERS_TARGETS, PeersTargetName, RunningTarget, SessionSource, startTarget } from './targets';
import { freezeProcesses, RESUME_WARMUP_SECONDS } from '../freeze';

export interface PeersBenchOptions {
  /** Connections of the load generator; one distinct logged-in session per connection. */
  connections: number;
  /** Measured seconds per target, over all rounds. */
  durationSeconds: number;
  /** An unmeasured run first, so every target is measured warm (JIT, connections). */
  warmupSeconds: number;
  /** Measured slices per target, taken in rotation with the other targets'. Default 1. */
  rounds?: number;
  /** Default: all of {@link PEERS_TARGETS}. */
  targets?: readonly PeersTargetName[];
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

export interface PeersRow extends CartViewRun {
  target: PeersTargetName;
  description: string;
  /** `login`: through the target's own POST /api/login; `written`: keys put in its Redis, cookie signed with its secret. */
  sessions: SessionSource;
  processCount: number;
  /** Sessions whose GET /api/cart answered 200 with exactly their own cart, before and after the load. */
  verifiedSessions: number;
  /** user + system CPU of the target's processes per response (Linux /proc). */
  cpuMsPerRequest: number | undefined;
  /** CPU of the target's redis-server per response (INFO cpu); targets without Redis: undefined. */
  redisCpuMsPerRequest: number | undefined;
  /** Commands its redis-server processed per response (INFO stats); targets without Redis: undefined. */
  redisCommandsPerRequest: number | undefined;
  /** Processes that died (or, in a supervised lab, were restarted) during the run. */
  exitedDuringRun: string[];
  /** No non-2xx, no error, nothing died. */
  clean: boolean;
}

export type PeersVerdict = 'meets' | 'misses' | 'no target' | 'NOT CLEAN' | 'not measured';

export interface PeersRatio {
  subject: PeersTargetName;
  baseline: PeersTargetName;
  /** req/s of the subject over req/s of the baseline, same run. */
  throughputRatio: number | undefined;
  /** CPU per request (processes + Redis) of the baseline over the subject's: above 1, the subject costs less. */
  cpuRatio: number | undefined;
  /** The issue's target for throughputRatio, when it sets one. */
  atLeast: number | undefined;
  verdict: PeersVerdict;
}

export interface PeersBenchResult {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  rows: PeersRow[];
  ratios: PeersRatio[];
}

/** The comparisons printed, with the issue's targets (default replicas 3/3/3). */
export const PEERS_COMPARISONS: readonly { subject: PeersTargetName; baseline: PeersTargetName; atLeast?: number }[] = [
  { subject: 'statelab-redis-round-robin', baseline: 'express-connect-redis', atLeast: 1.0 },
  { subject: 'statelab-redis-sticky-ring', baseline: 'express-connect-redis' },
  { subject: 'statelab-stateful-sticky-ring', baseline: 'express-connect-redis', atLeast: 1.3 },
  { subject: 'statelab-redis-round-robin', baseline: 'floor-same-shape', atLeast: 0.5 },
];

/** Why `body` is not exactly `expected` as the lab's cart contract reads it; undefined when it is. */
export function cartMismatch(body: unknown, expected: CartView): string | undefined {
  if (typeof body !== 'object' || body === null) return 'not a JSON object';
  const { items, totalCents } = body as { items?: unknown; totalCents?: unknown };
  if (!Array.isArray(items)) return 'no items array';
  if (items.length !== expected.items.length) return `${items.length} items, expected ${expected.items.length}`;
  for (const [index, want] of expected.items.entries()) {
    const got = items[index] as Record<string, unknown> | null;
    for (const field of ['productId', 'quantity', 'priceCents'] as const) {
      if (got?.[field] !== want[field]) return `items[${index}].${field} is ${JSON.stringify(got?.[field])}, expected ${JSON.stringify(want[field])}`;
    }
  }
  if (totalCents !== expected.totalCents) return `totalCents is ${JSON.stringify(totalCents)}, expected ${expected.totalCents}`;
  return undefined;
}

/** Reads every session's cart once; throws on the first that is not 200 with exactly its own cart. */
async function verifyCarts(target: RunningTarget, when: string): Promise<number> {
  for (const [index, cookie] of target.cookies.entries()) {
    const response = await fetch(`${target.url}/api/cart`, { headers: { cookie } });
    const text = await response.text();
    let problem: string | undefined;
    if (response.status !== 200) problem = `status ${response.status}`;
    else {
      try {
        problem = cartMismatch(JSON.parse(text), target.expectedCarts[index]);
      } catch {
        problem = 'not JSON';
      }
    }
    if (problem) throw new Error(`${target.name}: GET /api/cart of session ${index + 1} ${when}: ${problem}: ${text.slice(0, 200)}`);
  }
  return target.cookies.length;
}

/** What the measured slices of one target added up to. */
interface Tally {
  target: RunningTarget;
  latencies: LatencyHistogram;
  seconds: number;
  requests: number;
  non2xx: number;
  errors: number;
  statusCounts: Record<string, number>;
  cpuSeconds: number | undefined;
  redisCpuSeconds: number | undefined;
  redisCommands: number | undefined;
  verifiedBefore: number;
}

const addOrUndefined = (total: number | undefined, before: number | undefined, after: number | undefined) =>
  total === undefined || before === undefined || after === undefined ? undefined : total + (after - before);

/** Starts one target, checks every session's cart, and warms it up. */
async function prepareTarget(name: PeersTargetName, options: PeersBenchOptions, progress: (message: string) => void): Promise<Tally> {
  progress(`peers: ${name}: starting`);
  const target = await startTarget(name, { sessions: options.connections, progress });
  const tally: Tally = {
    target,
    latencies: new LatencyHistogram(),
    seconds: 0,
    requests: 0,
    non2xx: 0,
    errors: 0,
    statusCounts: {},
    cpuSeconds: 0,
    redisCpuSeconds: 0,
    redisCommands: 0,
    verifiedBefore: 0,
  };
  try {
    tally.verifiedBefore = await verifyCarts(target, 'before the load');
    progress(
      `peers: ${name}: ${target.cookies.length} sessions (${target.sessions === 'login' ? 'logged in through its own endpoint' : 'written to its Redis'}), ` +
        `each cart checked; warm-up ${options.warmupSeconds} s`,
    );
    await driveCartViews(target.url, target.cookies, options.warmupSeconds, options.signal);
    freeze(target, true);
    return tally;
  } catch (error) {
    await target.stop();
    throw error;
  }
}

/** Freezes or thaws a target's serving processes (see freezeProcesses); target.exited() reports one that is gone. */
function freeze(target: RunningTarget, frozen: boolean): void {
  freezeProcesses(target.pids(), frozen);
}

/** One measured slice of one target, added to its tally. */
async function measureSlice(tally: Tally, seconds: number, signal: AbortSignal | undefined): Promise<CartViewRun> {
  const { target } = tally;
  freeze(target, false);
  await driveCartViews(target.url, target.cookies, RESUME_WARMUP_SECONDS, signal);
  const cpuBefore = target.cpuSeconds();
  const redisBefore = await target.redisCounters();
  const run = await driveCartViews(target.url, target.cookies, seconds, signal, tally.latencies);
  tally.cpuSeconds = addOrUndefined(tally.cpuSeconds, cpuBefore, target.cpuSeconds());
  const redisAfter = await target.redisCounters();
  tally.redisCpuSeconds = addOrUndefined(tally.redisCpuSeconds, redisBefore?.cpuSeconds, redisAfter?.cpuSeconds);
  tally.redisCommands = addOrUndefined(tally.redisCommands, redisBefore?.commands, redisAfter?.commands);
  freeze(target, true);
  tally.seconds += run.durationSeconds;
  tally.requests += run.requests;
  tally.non2xx += run.non2xx;
  tally.errors += run.errors;
  for (const [status, n] of Object.entries(run.statusCounts)) tally.statusCounts[status] = (tally.statusCounts[status] ?? 0) + n;
  return run;
}

/** The row of a target whose slices are all measured: carts checked again, totals turned into rates. */
async function finishTarget(tally: Tally, progress: (message: string) => void): Promise<PeersRow> {
  const { target } = tally;
  freeze(target, false);
  const exitedDuringRun = target.exited();
  const verifiedAfter = exitedDuringRun.length === 0 ? await verifyCarts(target, 'after the load') : 0;
  const clean = tally.non2xx === 0 && tally.errors === 0 && exitedDuringRun.length === 0;
  const latencies = tally.latencies;
  const row: PeersRow = {
    target: target.name,
    description: target.description,
    sessions: target.sessions,
    processCount: target.processCount,
    durationSeconds: tally.seconds,
    requests: tally.requests,
    throughputRps: tally.seconds > 0 ? tally.requests / tally.seconds : 0,
    latencyMs: { p50: latencies.percentile(50), p99: latencies.percentile(99), mean: latencies.mean, max: latencies.max },
    non2xx: tally.non2xx,
    errors: tally.errors,
    statusCounts: tally.statusCounts,
    verifiedSessions: Math.min(tally.verifiedBefore, verifiedAfter),
    cpuMsPerRequest: cpuMsPerRequest(0, tally.cpuSeconds, tally.requests),
    redisCpuMsPerRequest: cpuMsPerRequest(0, tally.redisCpuSeconds, tally.requests),
    redisCommandsPerRequest: tally.redisCommands === undefined || tally.requests === 0 ? undefined : tally.redisCommands / tally.requests,
    exitedDuringRun,
    clean,
  };
  progress(
    `peers: ${row.target}: ${num(row.throughputRps)} req/s over ${num(row.durationSeconds)} s, p50 ${num(row.latencyMs.p50)} ms, p99 ${num(row.latencyMs.p99)} ms, ` +
      `non-2xx ${row.non2xx}, errors ${row.errors}${clean ? '' : ' NOT CLEAN'}`,
  );
  return row;
}

export function comparePeers(rows: readonly PeersRow[]): PeersRatio[] {
  const totalCpu = (row: PeersRow) => (row.cpuMsPerRequest === undefined ? undefined : row.cpuMsPerRequest + (row.redisCpuMsPerRequest ?? 0));
  return PEERS_COMPARISONS.map(({ subject, baseline, atLeast }) => {
    const a = rows.find((row) => row.target === subject);
    const b = rows.find((row) => row.target === baseline);
    const throughputRatio = a && b && b.throughputRps > 0 ? a.throughputRps / b.throughputRps : undefined;
    const cpuA = a && totalCpu(a);
    const cpuB = b && totalCpu(b);
    const cpuRatio = cpuA !== undefined && cpuB !== undefined && cpuA > 0 ? cpuB / cpuA : undefined;
    let verdict: PeersVerdict;
    if (!a || !b || throughputRatio === undefined) verdict = 'not measured';
    else if (!a.clean || !b.clean) verdict = 'NOT CLEAN';
    else if (atLeast === undefined) verdict = 'no target';
    else verdict = throughputRatio >= atLeast ? 'meets' : 'misses';
    return { subject, baseline, throughputRatio, cpuRatio, atLeast, verdict };
  });
}

/**
 * Logged-in `GET /api/cart` against statelab (three configurations) and the peers beside it.
 * Every target is started (each with its own processes and redis-server) and warmed up first;
 * then `rounds` rounds each measure every target for `durationSeconds / rounds`, the order
 * rotating from round to round. A machine whose speed drifts over minutes (a shared VM) then
 * slows every target alike instead of whichever ran during the slow minute.
 */
export async function runPeersBench(options: PeersBenchOptions): Promise<PeersBenchResult> {
  const progress = options.progress ?? (() => undefined);
  const rounds = Math.max(1, Math.floor(options.rounds ?? 1));
  const tallies: Tally[] = [];
  try {
    for (const name of options.targets ?? PEERS_TARGETS) {
      options.signal?.throwIfAborted();
      tallies.push(await prepareTarget(name, options, progress));
    }
    const slice = options.durationSeconds / rounds;
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < tallies.length; i++) {
        options.signal?.throwIfAborted();
        const tally = tallies[(i + round) % tallies.length];
        const run = await measureSlice(tally, slice, options.signal);
        progress(`peers: round ${round + 1}/${rounds}: ${tally.target.name}: ${num(run.throughputRps)} req/s`);
      }
    }
    const rows: PeersRow[] = [];
    for (const tally of tallies) rows.push(await finishTarget(tally, progress));
    return {
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      rounds,
      rows,
      ratios: comparePeers(rows),
    };
  } finally {
    for (const tally of tallies) freeze(tally.target, false);
    await Promise.all(tallies.map((tally) => tally.target.stop()));
  }
}

export function formatPeersBench(result: PeersBenchResult, machine: Machine): string {
  const notes: string[] = [];
  const failed = result.rows.filter((row) => !row.clean);
  if (failed.length > 0) {
    notes.push(
      `NOT CLEAN: ${failed
        .map((row) => `${row.target} ${JSON.stringify(row.statusCounts)} errors ${row.errors}${row.exitedDuringRun.length > 0 ? ` died: ${row.exitedDuringRun.join(', ')}` : ''}`)
        .join('; ')}`,
    );
  }
  notes.push(
    'targets (the issue, default replicas 3/3/3): statelab redis round-robin >= 1.0x the Express + connect-redis peer; stateful sticky-ring >= 1.3x that peer; redis round-robin >= 0.5x the same-shape floor. ' +
      'Verdicts are on req/s of this run; a pair with a NOT CLEAN row gets none',
    'sessions: login = user1…userN logged in through the target\'s own POST /api/login and one item put in the cart through its own endpoint; ' +
      'written = the floors have no login: session and cart keys written to their Redis, cookies signed with the HMAC secret the floor was started with',
    'CPU ms/req: user + system CPU of the target\'s processes (/proc) over the measured run, per response; redis CPU ms/req: INFO cpu of its redis-server. ' +
      'redis cmds/req: commands its redis-server processed per response (INFO stats). connect-redis runs on node-redis, which pipelines the commands of one tick; ' +
      'the floors use ioredis, which does not by default. ' +
      'CPU/req ratio = baseline CPU (processes + Redis) over the subject\'s: above 1x the subject does the request with less CPU; it moves less than req/s when other work shares the cores',
    'every target is started fresh (its own processes and its own private redis-server, AOF everysec as npm run lab starts it), all of them before the first measurement, and stopped at the end; ' +
      `the others sit frozen (SIGSTOP) while one is measured, and each slice follows ${RESUME_WARMUP_SECONDS} s of unmeasured load after the thaw. ` +
      "Each session's cart is read and checked (200, exactly its own one-line cart) before the warm-up and after the last round",
    ...result.rows.map((row) => `${row.target}: ${row.description}`),
  );
  return formatSection(
    {
      title: 'peers: logged-in GET /api/cart, statelab beside the seed\'s Express example and two floors',
      measured: [
        `autocannon, ${result.connections} connections, pipelining 1, ${result.durationSeconds} s per target after a ${result.warmupSeconds} s warm-up; ` +
          `each connection sends its own session's cookie; every cart holds one line`,
        `${result.rounds} round${result.rounds === 1 ? '' : 's'} of ${num(result.durationSeconds / result.rounds)} s per target, the targets in rotation (each round starts one target later), ` +
          'so a drift in the machine\'s speed reaches every target; load generator, targets and Redis share the machine: compare ratios, not absolute req/s',
      ],
      tables: [
        {
          headers: ['target', 'procs', 'sessions', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'CPU ms/req', 'redis CPU ms/req', 'redis cmds/req', 'requests', 'non-2xx', 'errors'],
          rows: result.rows.map((row) => [
            row.target,
            row.processCount,
            row.sessions,
            count(row.throughputRps),
            num(row.latencyMs.p50),
            num(row.latencyMs.p99),
            num(row.latencyMs.mean),
            num(row.cpuMsPerRequest),
            row.redisCpuMsPerRequest === undefined ? '' : num(row.redisCpuMsPerRequest),
            row.redisCommandsPerRequest === undefined ? '' : num(row.redisCommandsPerRequest),
            count(row.requests),
            row.non2xx,
            row.errors,
          ]),
        },
        {
          caption: 'ratios (same run):',
          headers: ['subject', 'over', 'req/s ratio', 'target', 'verdict', 'CPU/req ratio'],
          rows: result.ratios.map((ratio) => [
            ratio.subject,
            ratio.baseline,
            ratio.throughputRatio === undefined ? '-' : times(ratio.throughputRatio),
            ratio.atLeast === undefined ? '' : `>= ${ratio.atLeast.toFixed(1)}x`,
            ratio.verdict,
            ratio.cpuRatio === undefined ? '-' : times(ratio.cpuRatio),
          ]),
        },
      ],
      notes,
    },
    machine,
  );
}
