import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { change, count, num, tally } from '../kit/format';
import { GatewayClient } from '../kit/http';
import { Shopper } from '../kit/shopper';
import { mapLimit, range } from '../kit/wait';
import { LatencyHistogram } from '../load/latency-histogram';
import { cpuMsPerRequest, labCpuSeconds, redisCpuSeconds } from './cpu';
import { Machine } from './measure';
import { formatSection } from './report';
import type { BenchLabName, BenchResources, BenchLab } from './resources';

export interface HttpBenchOptions {
  connections: number;
  durationSeconds: number;
  /** An unmeasured run first, so both labs are measured warm (JIT, connection pools). */
  warmupSeconds: number;
  /** Lines put in every cart before the run, so the cart read returns something. */
  cartLines: number;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

export interface CartViewRun {
  durationSeconds: number;
  requests: number;
  throughputRps: number;
  latencyMs: { p50: number; p99: number; mean: number; max: number };
  non2xx: number;
  errors: number;
  statusCounts: Record<string, number>;
}

export interface HttpMeasurement extends CartViewRun {
  lab: BenchLabName;
  mode: string;
  description: string;
  /** CPU of the gateway and all replicas per response (Linux /proc); steadier than req/s on a busy machine. */
  labCpuMsPerRequest: number | undefined;
  /** CPU of redis-server per response (INFO cpu); redis mode only. */
  redisCpuMsPerRequest: number | undefined;
}

export interface HttpBenchResult {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  cartLines: number;
  rows: HttpMeasurement[];
}

/** Logs `connections` demo users in and fills their carts; one session cookie (`sid`, or jwt mode's `at`) per connection. */
export async function prepareSessions(url: string, connections: number, cartLines: number): Promise<string[]> {
  const client = new GatewayClient(url);
  const login = async (index: number): Promise<string> => {
    const shopper = new Shopper(client, `user${index + 1}`);
    const answer = await shopper.login();
    // What a browser sends to /api/cart: jwt mode's refresh token (Path=/api/refresh) stays home.
    const cookie = shopper.cookieFor('/api/cart');
    if (answer.status !== 200 || !cookie) throw new Error(`login of ${shopper.username} answered ${answer.status}`);
    for (let line = 1; line <= cartLines; line++) {
      const add = await shopper.post('/api/cart/items', { productId: `p-${index * cartLines + line}`, quantity: 1 });
      if (add.status !== 201) throw new Error(`adding to the cart of ${shopper.username} answered ${add.status}`);
    }
    return cookie;
  };
  try {
    // A few at a time: every login is an scrypt on a user replica.
    return await mapLimit(range(connections), 10, login);
  } finally {
    client.close();
  }
}

/**
 * `durationSeconds` of logged-in `GET /api/cart` from `cookies.length` connections, each with its
 * own session. `latencies`, when given, collects this run's latencies on top of what it holds
 * (the returned percentiles are then those of all of them: a bench's rounds merge there).
 * `requestsPerSecond` holds the load at that rate (over all connections) instead of saturating.
 */
export async function driveCartViews(
  url: string,
  cookies: readonly string[],
  durationSeconds: number,
  signal?: AbortSignal,
  latencies: LatencyHistogram = new LatencyHistogram(),
  requestsPerSecond?: number,
): Promise<CartViewRun> {
  const statusCounts: Record<string, number> = Object.create(null) as Record<string, number>;
  let next = 0;
  let responses = 0;
  let non2xx = 0;
  const instance = autocannon({
    url,
    connections: cookies.length,
    duration: durationSeconds,
    pipelining: 1,
    timeout: 10,
    ...(requestsPerSecond !== undefined && { overallRate: requestsPerSecond }),
    setupClient: (client) => client.setRequests([{ method: 'GET', path: '/api/cart', headers: { cookie: cookies[next++ % cookies.length] } }]),
  });
  const started = performance.now();
  instance.on('response', (_client, status, _bytes, latencyMs) => {
    responses++;
    if (status < 200 || status > 299) non2xx++;
    tally(statusCounts, String(status));
    latencies.record(latencyMs);
  });
  const stop = () => instance.stop();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const result = await instance;
    signal?.throwIfAborted();
    const seconds = (performance.now() - started) / 1000;
    return {
      durationSeconds: seconds,
      requests: responses,
      throughputRps: responses / seconds,
      latencyMs: { p50: latencies.percentile(50), p99: latencies.percentile(99), mean: latencies.mean, max: latencies.max },
      non2xx,
      errors: result.errors,
      statusCounts: { ...statusCounts },
    };
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/** Logged-in cart reads end to end, stateful lab vs redis lab vs jwt lab, one after the other. */
export async function runHttpBench(resources: BenchResources, options: HttpBenchOptions): Promise<HttpBenchResult> {
  const rows: HttpMeasurement[] = [];
  const progress = options.progress ?? (() => undefined);
  for (const name of ['stateful', 'redis', 'jwt'] as const) {
    options.signal?.throwIfAborted();
    const running: BenchLab = await resources.lab(name);
    try {
      const cookies = await prepareSessions(running.url, options.connections, options.cartLines);
      progress(`http: ${name}: ${cookies.length} sessions with ${options.cartLines} cart lines each; warm-up ${options.warmupSeconds} s`);
      await driveCartViews(running.url, cookies, options.warmupSeconds, options.signal);
      progress(`http: ${name}: measuring ${options.durationSeconds} s`);
      const redis = running.mode !== 'stateful' ? await resources.redisInfoClient() : undefined;
      const labBefore = labCpuSeconds(running.lab);
      const redisBefore = redis && (await redisCpuSeconds(redis));
      const run = await driveCartViews(running.url, cookies, options.durationSeconds, options.signal);
      const labCpuMsPerRequest = cpuMsPerRequest(labBefore, labCpuSeconds(running.lab), run.requests);
      const redisCpuMsPerRequest = redis && cpuMsPerRequest(redisBefore, await redisCpuSeconds(redis), run.requests);
      progress(`http: ${name}: ${num(run.throughputRps)} req/s, p50 ${num(run.latencyMs.p50)} ms, p99 ${num(run.latencyMs.p99)} ms, non-2xx ${run.non2xx}`);
      rows.push({ lab: name, mode: running.mode, description: running.description, ...run, labCpuMsPerRequest, redisCpuMsPerRequest });
    } finally {
      await resources.stopLab(name);
    }
  }
  return { connections: options.connections, durationSeconds: options.durationSeconds, warmupSeconds: options.warmupSeconds, cartLines: options.cartLines, rows };
}

export function formatHttpBench(result: HttpBenchResult, machine: Machine): string {
  const stateful = result.rows.find((row) => row.lab === 'stateful');
  const redis = result.rows.find((row) => row.lab === 'redis');
  const jwt = result.rows.find((row) => row.lab === 'jwt');
  const notes: string[] = [];
  if (stateful && redis) {
    const cpu = (row: HttpMeasurement) => (row.labCpuMsPerRequest ?? NaN) + (row.redisCpuMsPerRequest ?? 0);
    notes.push(
      `redis vs stateful: throughput ${change(redis.throughputRps, stateful.throughputRps)}, p50 ${change(redis.latencyMs.p50, stateful.latencyMs.p50)}, ` +
        `p99 ${change(redis.latencyMs.p99, stateful.latencyMs.p99)}; CPU per request (lab + Redis) ${change(cpu(redis), cpu(stateful))}`,
    );
  }
  if (jwt && redis) {
    notes.push(`jwt vs redis: throughput ${change(jwt.throughputRps, redis.throughputRps)}, p50 ${change(jwt.latencyMs.p50, redis.latencyMs.p50)}, p99 ${change(jwt.latencyMs.p99, redis.latencyMs.p99)}`);
  }
  const failed = result.rows.filter((row) => row.non2xx > 0 || row.errors > 0);
  if (failed.length > 0) notes.push(`NOT CLEAN: ${failed.map((row) => `${row.lab} ${JSON.stringify(row.statusCounts)} errors ${row.errors}`).join('; ')}`);
  notes.push(
    'lab CPU ms/req: user + system CPU of the gateway and the 9 replicas (/proc) over the measured run, per response; redis CPU ms/req: INFO cpu of redis-server; both move less than req/s when other work shares the cores',
    'per request: gateway checks the cookie HMAC, asks a user replica for the session, then a cart replica for the cart (2 TCP hops); in redis mode each replica does one Redis round trip',
    'jwt: the gateway verifies the access token itself (HS256) and does one Redis MGET for revocations, then asks a cart replica (1 TCP hop, 2 Redis round trips in all)',
    'FIELD-NOTES (same request, autocannon -c 50): the seed\'s Express + express-session + connect-redis ~3.9k req/s; a bare node:http + ioredis server ~17.9k req/s',
  );
  return formatSection(
    {
      title: 'http: logged-in GET /api/cart end to end, stateful vs redis vs jwt',
      measured: [
        `autocannon, ${result.connections} connections, pipelining 1, ${result.durationSeconds} s after a ${result.warmupSeconds} s warm-up; each connection has its own logged-in session (cookie sent) and a cart of ${result.cartLines} lines`,
        'a real native lab per mode: gateway + 3 user + 3 cart + 3 product replicas as OS processes, LOG_LEVEL=warn; load generator, lab and Redis share the machine',
      ],
      tables: [
        {
          headers: ['lab', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'lab CPU ms/req', 'redis CPU ms/req', 'requests', 'non-2xx', 'errors'],
          rows: result.rows.map((row) => [
            row.description,
            count(row.throughputRps),
            num(row.latencyMs.p50),
            num(row.latencyMs.p99),
            num(row.latencyMs.mean),
            num(row.labCpuMsPerRequest),
            row.mode !== 'stateful' ? num(row.redisCpuMsPerRequest) : '',
            count(row.requests),
            row.non2xx,
            row.errors,
          ]),
        },
      ],
      notes,
    },
    machine,
  );
}
