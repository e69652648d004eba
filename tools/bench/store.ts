import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { SessionUser } from '@app/contracts';
import { closeRedisClient, createRedisClient, MemorySessionStore, RedisKeyspace, RedisSessionStore, SessionStore } from '@app/state';
import { count, num, times } from '../kit/format';
import { waitUntil } from '../kit/wait';
import { LatencySummary, Machine, timeConcurrent, timePerOp, timeSequential } from './measure';
import { formatSection } from './report';

export interface StoreBenchOptions {
  /** Timed sequential gets per subject. */
  sequentialOps: number;
  /** Untimed gets before them. */
  warmupOps: number;
  /** Gets of the throughput run. */
  concurrentOps: number;
  inFlight: number;
  /** Map.get calls per timed round. */
  mapOps: number;
  /** Sessions created before reading; gets cycle through them. */
  sessions: number;
  /** A Redis of the bench's own; without one only the memory rows are measured. */
  redis?: { url: string; version: string; appendOnly: boolean };
  signal?: AbortSignal;
}

export type StoreSubject = 'Map.get' | 'MemorySessionStore.get' | 'ioredis GET' | 'RedisSessionStore.get';

export interface StoreMeasurement {
  subject: StoreSubject;
  /** µs per op, one at a time; absent for the batched Map.get. */
  sequential?: LatencySummary;
  /** ns per op over a batched loop (Map.get only). */
  batchedNs?: number;
  concurrent?: { inFlight: number; ops: number; opsPerSecond: number };
}

export interface StoreBenchResult {
  options: Omit<StoreBenchOptions, 'signal'>;
  rows: StoreMeasurement[];
  /** Redis / memory, when Redis was measured. */
  ratios?: {
    p50VsMemoryStore: number;
    meanVsMemoryStore: number;
    p50VsMapGet: number;
    memoryStoreThroughputVsRedis: number;
  };
}

const TTL_SECONDS = 1800;
const KEY_PREFIX = 'statelab-bench:';

function sessionIds(n: number): string[] {
  return Array.from({ length: n }, () => randomBytes(16).toString('base64url'));
}

const userOf = (i: number): SessionUser => ({ userId: `u-${i + 1}`, username: `user${i + 1}` });

/** Sequential latency and concurrent throughput of one store's `get`. */
async function measureGets(subject: StoreSubject, get: (i: number) => Promise<unknown>, options: StoreBenchOptions): Promise<StoreMeasurement> {
  const sequential = await timeSequential(get, options.sequentialOps, options.warmupOps, options.signal);
  const concurrent = await timeConcurrent(get, options.concurrentOps, options.inFlight, options.signal);
  return { subject, sequential, concurrent: { inFlight: concurrent.inFlight, ops: concurrent.ops, opsPerSecond: concurrent.opsPerSecond } };
}

/** The session store's read path: in-process memory vs a Redis round trip on loopback. */
export async function runStoreBench(options: StoreBenchOptions): Promise<StoreBenchResult> {
  const sids = sessionIds(options.sessions);
  const n = sids.length;
  const rows: StoreMeasurement[] = [];

  const map = new Map<string, SessionUser>(sids.map((sid, i) => [sid, userOf(i)]));
  const mapTiming = timePerOp((i) => (map.get(sids[i % n]) === undefined ? 0 : 1), options.mapOps, 3);
  rows.push({ subject: 'Map.get', batchedNs: mapTiming.nsPerOp });

  const memory = new MemorySessionStore(TTL_SECONDS);
  try {
    await fill(memory, sids);
    rows.push(await measureGets('MemorySessionStore.get', (i) => memory.get(sids[i % n]), options));
  } finally {
    await memory.close();
  }

  if (options.redis) {
    const client = createRedisClient(options.redis.url, { commandTimeoutMs: 2000 });
    try {
      await waitUntil('the bench redis client to connect', () => client.status === 'ready', { timeoutMs: 10_000, intervalMs: 20, signal: options.signal });
      const store = new RedisSessionStore(client, TTL_SECONDS, { keyPrefix: KEY_PREFIX });
      await fill(store, sids);
      const keyspace = new RedisKeyspace(KEY_PREFIX);
      const keys = sids.map((sid) => keyspace.session(sid));
      rows.push(await measureGets('ioredis GET', (i) => client.get(keys[i % n]), options));
      rows.push(await measureGets('RedisSessionStore.get', (i) => store.get(sids[i % n]), options));
      await store.close();
      await deleteKeys(client, [...keys, keyspace.ledger('sessions')]);
    } finally {
      await closeRedisClient(client);
    }
  }

  const { signal: _signal, ...rest } = options;
  return { options: rest, rows, ratios: ratios(rows) };
}

async function fill(store: SessionStore, sids: readonly string[]): Promise<void> {
  for (let i = 0; i < sids.length; i++) await store.create(sids[i], userOf(i));
  const probe = await store.get(sids[0]);
  if (probe?.userId !== 'u-1') throw new Error(`the ${store.backend} store did not return the session it was given`);
}

async function deleteKeys(client: Redis, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
}

function ratios(rows: readonly StoreMeasurement[]): StoreBenchResult['ratios'] {
  const of = (subject: StoreSubject) => rows.find((row) => row.subject === subject);
  const memory = of('MemorySessionStore.get');
  const redis = of('RedisSessionStore.get');
  const map = of('Map.get');
  if (!memory?.sequential || !redis?.sequential || !memory.concurrent || !redis.concurrent || map?.batchedNs === undefined) return undefined;
  return {
    p50VsMemoryStore: redis.sequential.p50 / memory.sequential.p50,
    meanVsMemoryStore: redis.sequential.mean / memory.sequential.mean,
    p50VsMapGet: (redis.sequential.p50 * 1000) / map.batchedNs,
    memoryStoreThroughputVsRedis: memory.concurrent.opsPerSecond / redis.concurrent.opsPerSecond,
  };
}

export function formatStoreBench(result: StoreBenchResult, machine: Machine): string {
  const { options } = result;
  const memory = result.rows.find((row) => row.subject === 'MemorySessionStore.get');
  const redisLine = options.redis
    ? `private redis-server ${options.redis.version} on loopback (${options.redis.url}, AOF ${options.redis.appendOnly ? 'everysec' : 'off'}), client from createRedisClient (ioredis)`
    : 'no redis-server on PATH: Redis rows skipped';
  const rows = result.rows.map((row) => {
    if (row.batchedNs !== undefined) {
      return [row.subject, '', '', num(row.batchedNs / 1000), count(1e9 / row.batchedNs), '', 'raw Map, batched loop (no await)'];
    }
    const seq = row.sequential;
    const vsMemory = seq && memory?.sequential && row !== memory ? times(seq.p50 / memory.sequential.p50) : '';
    return [row.subject, num(seq?.p50), num(seq?.p99), num(seq?.mean), count(row.concurrent?.opsPerSecond), vsMemory, note(row.subject)];
  });
  const notes = [
    `seed claims: a memory lookup ~1 µs vs 1-2 ms per Redis fetch, "1000-5000x faster"; FIELD-NOTES: Map lookup ~10 ns, Redis GET ~63 µs p50 on loopback`,
  ];
  if (result.ratios) {
    const r = result.ratios;
    notes.unshift(
      `Redis/memory: p50 ${times(r.p50VsMemoryStore)} vs MemorySessionStore.get (mean ${times(r.meanVsMemoryStore)}), ${times(r.p50VsMapGet)} vs a raw Map.get; ` +
        `throughput with ${options.inFlight} in flight: memory ${times(r.memoryStoreThroughputVsRedis)} Redis`,
    );
  }
  return formatSection(
    {
      title: 'store: session store get, per operation',
      measured: [
        `sequential: ${options.sequentialOps} gets one at a time after ${options.warmupOps} warm-up gets (µs per get incl. await and one clock read); ${options.sessions} sessions, ids cycled`,
        `concurrent: ${options.concurrentOps} gets with ${options.inFlight} in flight, one client connection; Map.get: ${options.mapOps} calls per round, median of 3 rounds`,
        redisLine,
      ],
      tables: [
        {
          headers: ['operation', 'seq p50 µs', 'seq p99 µs', 'seq mean µs', `ops/s (${options.inFlight} in flight)`, 'p50 vs memory', 'what'],
          rows,
        },
      ],
      notes,
    },
    machine,
  );
}

function note(subject: StoreSubject): string {
  switch (subject) {
    case 'MemorySessionStore.get':
      return 'the stateful adapter: Map + expiry slide + copy';
    case 'ioredis GET':
      return 'one plain GET round trip';
    case 'RedisSessionStore.get':
      return 'the redis adapter: GETEX (slides TTL) + JSON.parse';
    default:
      return '';
  }
}
