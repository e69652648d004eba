import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import type { Routing, StateMode } from '@app/config';
import { DEMO_PASSWORD } from '@app/contracts';
import { Lab } from '../../lab/lab';
import { freePort, freePortBlock } from '../../kit/ports';
import { RedisServerProcess } from '../../lab/redis-server';
import { cookieFromSetCookie } from '../../kit/headers';
import { delay } from '../../kit/wait';
import { labCpuSeconds, processCpuSeconds, redisCpuSeconds } from '../cpu';
import { ROOT } from '../../kit/dist';
import { PeerProcess } from './peer-process';
import {
  CartLine,
  CartView,
  cartView,
  FLOOR_CART_PREFIX,
  FLOOR_COOKIE,
  FLOOR_SESSION_PREFIX,
  FLOOR_TTL_SECONDS,
  newSessionId,
  signSessionId,
} from './protocol';

/** Every target of the peers bench, in the order it runs them. */
export const PEERS_TARGETS = [
  'statelab-redis-round-robin',
  'statelab-redis-sticky-ring',
  'statelab-stateful-sticky-ring',
  'express-connect-redis',
  'express-memorystore',
  'floor-one-process',
  'floor-same-shape',
] as const;
export type PeersTargetName = (typeof PEERS_TARGETS)[number];

/** How a target's sessions came to be. */
export type SessionSource = 'login' | 'written';

/** A target started fresh, its sessions ready: what the bench drives and measures. */
export interface RunningTarget {
  name: PeersTargetName;
  description: string;
  url: string;
  /** One cookie header per session, in session order. */
  cookies: string[];
  /** The cart each session must read, in the same order. */
  expectedCarts: CartView[];
  sessions: SessionSource;
  /** OS processes serving requests (Redis not counted). */
  processCount: number;
  /** user + system CPU seconds of those processes; undefined when /proc cannot tell. */
  cpuSeconds(): number | undefined;
  /** CPU seconds and commands so far of the target's redis-server; undefined without Redis. */
  redisCounters(): Promise<RedisCounters | undefined>;
  /** Processes that died without being stopped, as `id (how)`. */
  exited(): string[];
  /** The pids of the processes serving requests (the ones `cpuSeconds` counts). */
  pids(): number[];
  stop(): Promise<void>;
}

export interface StartTargetOptions {
  sessions: number;
  progress: (message: string) => void;
}

export interface RedisCounters {
  cpuSeconds: number | undefined;
  /** INFO stats total_commands_processed: the bench's own INFO calls count too (a few per run). */
  commands: number | undefined;
}

async function redisCounters(client: Redis): Promise<RedisCounters> {
  const cpuSeconds = await redisCpuSeconds(client);
  const stats = await client.info('stats').catch(() => '');
  const commands = Number(/^total_commands_processed:(\d+)/m.exec(stats)?.[1]);
  return { cpuSeconds, commands: Number.isFinite(commands) ? commands : undefined };
}

/** The lab's demo password; every target accepts it for user1…userN. */
/** The lab's processes read OTEL_*: cleared so the shell cannot switch tracing on for one target. */
const OTEL_CLEARED: Record<string, undefined> = {
  OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_PROTOCOL: undefined,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: undefined,
  OTEL_TRACES_EXPORTER: undefined,
  OTEL_TRACES_SAMPLER: undefined,
  OTEL_TRACES_SAMPLER_ARG: undefined,
  OTEL_SDK_DISABLED: undefined,
};
const LOGINS_IN_FLIGHT = 10;

const PRODUCTS_FILE = path.join(ROOT, 'fixtures', 'products.json');
let catalog: Map<string, number> | undefined;

/** The one-line cart of session `index` (0-based): product p-(index+1) at its catalog price. */
export function cartLineOf(index: number): CartLine {
  catalog ??= new Map((JSON.parse(readFileSync(PRODUCTS_FILE, 'utf8')) as { id: string; priceCents: number }[]).map((p) => [p.id, p.priceCents]));
  const productId = `p-${index + 1}`;
  const priceCents = catalog.get(productId);
  if (priceCents === undefined) throw new Error(`the catalog has no ${productId}: use fewer sessions`);
  return { productId, quantity: 1, priceCents };
}

/** Installed version of a package (read from disk: some packages do not export package.json). */
export function installedVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/**
 * What must be undone if a start fails half-way: pushed as things start, run in reverse.
 * Never throws; every step runs whatever the others did.
 */
class Teardown {
  private readonly steps: (() => Promise<unknown>)[] = [];
  push(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step().catch(() => undefined);
  }
}

/** A fresh private redis-server (AOF everysec, as `npm run lab` starts) and a client of it. */
async function startRedis(teardown: Teardown): Promise<{ url: string; client: Redis }> {
  const server = new RedisServerProcess({ port: await freePort(), appendOnly: true });
  teardown.push(() => server.stop());
  await server.start();
  const client = new Redis(server.url, { maxRetriesPerRequest: 1, commandTimeout: 5000 });
  client.on('error', () => undefined);
  teardown.push(() => client.quit());
  await client.ping();
  return { url: server.url, client };
}

/** Logs user1…userN in through the target's own endpoint and puts one line in each cart. */
async function logInAll(
  url: string,
  sessions: number,
  cookieName: string,
  addToCart: { path: string; status: number },
): Promise<{ cookies: string[]; expectedCarts: CartView[] }> {
  const one = async (index: number): Promise<string> => {
    const username = `user${index + 1}`;
    // statelab answers 503 login_busy with Retry-After while a user replica hashes other passwords: wait and try again.
    let login: Response;
    for (let attempt = 1; ; attempt++) {
      login = await fetch(`${url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: DEMO_PASSWORD }),
      });
      await login.arrayBuffer();
      if (login.status !== 503 || attempt >= 20) break;
      await delay(1000 * Math.max(1, Number(login.headers.get('retry-after')) || 1));
    }
    const value = cookieFromSetCookie({ 'set-cookie': login.headers.getSetCookie() }, cookieName);
    if (login.status !== 200 || typeof value !== 'string') throw new Error(`login of ${username} answered ${login.status} without a ${cookieName} cookie`);
    const cookie = `${cookieName}=${value}`;
    const add = await fetch(`${url}${addToCart.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ productId: cartLineOf(index).productId, quantity: 1 }),
    });
    await add.arrayBuffer();
    if (add.status !== addToCart.status) throw new Error(`adding to the cart of ${username} answered ${add.status}`);
    return cookie;
  };
  const cookies: string[] = [];
  // A few at a time: a statelab login is an scrypt on a user replica.
  for (let i = 0; i < sessions; i += LOGINS_IN_FLIGHT) {
    cookies.push(...(await Promise.all(Array.from({ length: Math.min(LOGINS_IN_FLIGHT, sessions - i) }, (_, j) => one(i + j)))));
  }
  return { cookies, expectedCarts: cookies.map((_, index) => cartView([cartLineOf(index)])) };
}

/** Writes N sessions and their one-line carts straight into the floor's Redis; cookies signed with `key`. */
async function writeFloorSessions(redis: Redis, sessions: number, key: Buffer): Promise<{ cookies: string[]; expectedCarts: CartView[] }> {
  const cookies: string[] = [];
  const pipeline = redis.pipeline();
  for (let index = 0; index < sessions; index++) {
    const sid = newSessionId();
    const userId = `u-${index + 1}`;
    pipeline.set(FLOOR_SESSION_PREFIX + sid, JSON.stringify({ userId, username: `user${index + 1}` }), 'EX', FLOOR_TTL_SECONDS);
    pipeline.set(FLOOR_CART_PREFIX + userId, JSON.stringify([cartLineOf(index)]), 'EX', FLOOR_TTL_SECONDS);
    cookies.push(`${FLOOR_COOKIE}=${signSessionId(sid, key)}`);
  }
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0] as Error;
  return { cookies, expectedCarts: cookies.map((_, index) => cartView([cartLineOf(index)])) };
}

function peersCpu(peers: readonly PeerProcess[]): number | undefined {
  let total = 0;
  for (const peer of peers) {
    const seconds = peer.pid === undefined ? undefined : processCpuSeconds(peer.pid);
    if (seconds === undefined) return undefined;
    total += seconds;
  }
  return total;
}

async function startStatelab(
  name: PeersTargetName,
  mode: StateMode,
  routing: Routing,
  options: StartTargetOptions,
  teardown: Teardown,
): Promise<RunningTarget> {
  const redis = mode === 'redis' ? await startRedis(teardown) : undefined;
  const output: string[] = [];
  const lab = await Lab.start(
    {
      mode,
      routing,
      gatewayPort: await freePort(),
      portBase: await freePortBlock(),
      redisUrl: redis?.url,
      env: { LOG_LEVEL: 'warn', ...OTEL_CLEARED },
      onLine: (id, line) => {
        output.push(`${id} ${line}`);
        if (output.length > 200) output.shift();
      },
    },
    90_000,
  ).catch((error: Error) => {
    throw new Error(`the ${name} lab did not start: ${error.message}\n--- lab output ---\n${output.slice(-40).join('\n')}`);
  });
  teardown.push(() => lab.stop());
  const processCount = lab.targets().length;
  const { cookies, expectedCarts } = await logInAll(lab.gatewayUrl, options.sessions, 'sid', { path: '/api/cart/items', status: 201 });
  return {
    name,
    description: `statelab, STATE_MODE=${mode}, ROUTING=${routing}: gateway + 3 user + 3 cart + 3 product replicas, lab defaults (metrics on), tracing off, LOG_LEVEL=warn`,
    url: lab.gatewayUrl,
    cookies,
    expectedCarts,
    sessions: 'login',
    processCount,
    cpuSeconds: () => labCpuSeconds(lab),
    redisCounters: async () => (redis ? redisCounters(redis.client) : undefined),
    // A supervised lab restarts what dies: a restart count is how a death shows.
    exited: () => lab.targets().flatMap((target) => (lab.restarts(target.instance) > 0 ? [`${target.instance} (restarted ${lab.restarts(target.instance)}x)`] : [])),
    pids: () => lab.targets().flatMap((target) => lab.pidOf(target.instance) ?? []),
    stop: () => teardown.run(),
  };
}

async function startExpress(name: PeersTargetName, store: 'redis' | 'memory', options: StartTargetOptions, teardown: Teardown): Promise<RunningTarget> {
  const redis = store === 'redis' ? await startRedis(teardown) : undefined;
  const port = await freePort();
  const peer = await PeerProcess.start(name, 'express-peer', {
    PEER_PORT: String(port),
    PEER_STORE: store,
    PEER_PRODUCTS_FILE: PRODUCTS_FILE,
    PEER_SECRET: randomBytes(32).toString('base64url'),
    ...(redis ? { REDIS_URL: redis.url } : {}),
  });
  teardown.push(() => peer.stop());
  const url = `http://127.0.0.1:${port}`;
  const { cookies, expectedCarts } = await logInAll(url, options.sessions, 'connect.sid', { path: '/api/cart/add', status: 200 });
  const versions = `express ${installedVersion('express')}, express-session ${installedVersion('express-session')}`;
  return {
    name,
    description:
      store === 'redis'
        ? `the seed's example: ${versions}, connect-redis ${installedVersion('connect-redis')} on redis (node-redis) ${installedVersion('redis')}; resave false, saveUninitialized false; one process`
        : `the same Express program with express-session's MemoryStore (${versions}); one process`,
    url,
    cookies,
    expectedCarts,
    sessions: 'login',
    processCount: 1,
    cpuSeconds: () => peersCpu([peer]),
    redisCounters: async () => (redis ? redisCounters(redis.client) : undefined),
    exited: () => (peer.exited ? [`${peer.id} (${peer.exited})`] : []),
    pids: () => (peer.pid === undefined ? [] : [peer.pid]),
    stop: () => teardown.run(),
  };
}

async function startFloor(name: PeersTargetName, options: StartTargetOptions, teardown: Teardown): Promise<RunningTarget> {
  const redis = await startRedis(teardown);
  const secret = randomBytes(32).toString('base64url');
  const peers: PeerProcess[] = [];
  const start = async (id: string, program: Parameters<typeof PeerProcess.start>[1], env: Record<string, string>): Promise<number> => {
    const port = await freePort();
    const peer = await PeerProcess.start(id, program, { PEER_PORT: String(port), ...env });
    peers.push(peer);
    teardown.push(() => peer.stop());
    return port;
  };
  let port: number;
  let description: string;
  if (name === 'floor-one-process') {
    port = await start(name, 'floor-one-process', { REDIS_URL: redis.url, PEER_SECRET: secret });
    description = 'node:http + ioredis, one process: HMAC check of the sid cookie, GETEX session, GETEX cart, answer';
  } else {
    const replicas = async (role: 'user' | 'cart') =>
      Promise.all([1, 2, 3].map((i) => start(`${name}/${role}-${i}`, 'floor-replica', { PEER_ROLE: role, REDIS_URL: redis.url })));
    const userPorts = await replicas('user');
    const cartPorts = await replicas('cart');
    port = await start(`${name}/gateway`, 'floor-gateway', { PEER_SECRET: secret, USER_PORTS: userPorts.join(','), CART_PORTS: cartPorts.join(',') });
    description =
      'node:http gateway (HMAC check) + 3 user + 3 cart processes, newline-delimited JSON over TCP, one persistent connection per replica, ' +
      'round-robin; session (user replica GETEX) then cart (cart replica GETEX)';
  }
  const { cookies, expectedCarts } = await writeFloorSessions(redis.client, options.sessions, Buffer.from(secret, 'utf8'));
  return {
    name,
    description,
    url: `http://127.0.0.1:${port}`,
    cookies,
    expectedCarts,
    sessions: 'written',
    processCount: peers.length,
    cpuSeconds: () => peersCpu(peers),
    redisCounters: () => redisCounters(redis.client),
    exited: () => peers.flatMap((peer) => (peer.exited ? [`${peer.id} (${peer.exited})`] : [])),
    pids: () => peers.flatMap((peer) => peer.pid ?? []),
    stop: () => teardown.run(),
  };
}

/** Starts `name` fresh (its own processes, its own redis-server) with its sessions in place. */
export async function startTarget(name: PeersTargetName, options: StartTargetOptions): Promise<RunningTarget> {
  const teardown = new Teardown();
  try {
    switch (name) {
      case 'statelab-redis-round-robin':
        return await startStatelab(name, 'redis', 'round-robin', options, teardown);
      case 'statelab-redis-sticky-ring':
        return await startStatelab(name, 'redis', 'sticky-ring', options, teardown);
      case 'statelab-stateful-sticky-ring':
        return await startStatelab(name, 'stateful', 'sticky-ring', options, teardown);
      case 'express-connect-redis':
        return await startExpress(name, 'redis', options, teardown);
      case 'express-memorystore':
        return await startExpress(name, 'memory', options, teardown);
      case 'floor-one-process':
      case 'floor-same-shape':
        return await startFloor(name, options, teardown);
    }
  } catch (error) {
    await teardown.run();
    throw error;
  }
}
