import { cpuMsPerRequest } from '../cpu';
import { CartViewRun, driveCartViews } from '../http';
import { Machine } from '../measure';
import { count, num, times } from '../../kit/format';
import { formatSection } from '../report';
import type { CartView } from './protocol';
import { PEERS_TARGETS, PeersTargetName, RunningTarget, SessionSource, startTarget } from './targets';

export interface PeersBenchOptions {
  /** Connections of the load generator; one distinct logged-in session per connection. */
  connections: number;
  durationSeconds: number;
  /** An unmeasured run first, so every target is measured warm (JIT, connections). */
  warmupSeconds: number;
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

async function measureTarget(name: PeersTargetName, options: PeersBenchOptions, progress: (message: string) => void): Promise<PeersRow> {
  progress(`peers: ${name}: starting`);
  const target = await startTarget(name, { sessions: options.connections, progress });
  try {
    const verifiedBefore = await verifyCarts(target, 'before the load');
    progress(
      `peers: ${name}: ${target.cookies.length} sessions (${target.sessions === 'login' ? 'logged in through its own endpoint' : 'written to its Redis'}), ` +
        `each cart checked; warm-up ${options.warmupSeconds} s`,
    );
    await driveCartViews(target.url, target.cookies, options.warmupSeconds, options.signal);
    progress(`peers: ${name}: measuring ${options.durationSeconds} s`);
    const cpuBefore = target.cpuSeconds();
    const redisBefore = await target.redisCounters();
    const run = await driveCartViews(target.url, target.cookies, options.durationSeconds, options.signal);
    const cpu = cpuMsPerRequest(cpuBefore, target.cpuSeconds(), run.requests);
    const redisAfter = await target.redisCounters();
    const redisCpu = cpuMsPerRequest(redisBefore?.cpuSeconds, redisAfter?.cpuSeconds, run.requests);
    const redisCommands =
      redisBefore?.commands !== undefined && redisAfter?.commands !== undefined && run.requests > 0
        ? (redisAfter.commands - redisBefore.commands) / run.requests
        : undefined;
    const exitedDuringRun = target.exited();
    const verifiedAfter = exitedDuringRun.length === 0 ? await verifyCarts(target, 'after the load') : 0;
    const clean = run.non2xx === 0 && run.errors === 0 && exitedDuringRun.length === 0;
    progress(
      `peers: ${name}: ${num(run.throughputRps)} req/s, p50 ${num(run.latencyMs.p50)} ms, p99 ${num(run.latencyMs.p99)} ms, ` +
        `non-2xx ${run.non2xx}, errors ${run.errors}${clean ? '' : ' NOT CLEAN'}`,
    );
    return {
      target: name,
      description: target.description,
      sessions: target.sessions,
      processCount: target.processCount,
      ...run,
      verifiedSessions: Math.min(verifiedBefore, verifiedAfter),
      cpuMsPerRequest: cpu,
      redisCpuMsPerRequest: redisCpu,
      redisCommandsPerRequest: redisCommands,
      exitedDuringRun,
      clean,
    };
  } finally {
    await target.stop();
  }
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
 * Logged-in `GET /api/cart` against statelab (three configurations) and the peers beside it,
 * each started fresh and measured alone, one after the other, with the same load.
 */
export async function runPeersBench(options: PeersBenchOptions): Promise<PeersBenchResult> {
  const progress = options.progress ?? (() => undefined);
  const rows: PeersRow[] = [];
  for (const name of options.targets ?? PEERS_TARGETS) {
    options.signal?.throwIfAborted();
    rows.push(await measureTarget(name, options, progress));
  }
  return {
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    rows,
    ratios: comparePeers(rows),
  };
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
    'every target is started fresh (its own processes and its own private redis-server, AOF everysec as npm run lab starts it) and stopped before the next; ' +
      'each session\'s cart is read and checked (200, exactly its own one-line cart) before the warm-up and after the measured run',
    ...result.rows.map((row) => `${row.target}: ${row.description}`),
  );
  return formatSection(
    {
      title: 'peers: logged-in GET /api/cart, statelab beside the seed\'s Express example and two floors',
      measured: [
        `autocannon, ${result.connections} connections, pipelining 1, ${result.durationSeconds} s per target after a ${result.warmupSeconds} s warm-up; ` +
          `each connection sends its own session's cookie; every cart holds one line`,
        'targets one after another in the order shown; load generator, targets and Redis share the machine: compare ratios, not absolute req/s',
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
