import { ConfigError, Env, EnvReader } from './env';

export const REDIS_TOPOLOGIES = ['single', 'sentinel', 'cluster'] as const;
export type RedisTopologyKind = (typeof REDIS_TOPOLOGIES)[number];

/** One `host:port` of REDIS_SENTINELS or REDIS_CLUSTER_NODES. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/**
 * Where the Redis adapters connect:
 * - `single`: REDIS_URL;
 * - `sentinel`: the Sentinels of REDIS_SENTINELS, which name the master of REDIS_MASTER_NAME;
 * - `cluster`: any of REDIS_CLUSTER_NODES, from which the client learns the whole cluster.
 */
export type RedisTopology =
  | { kind: 'single'; url: string }
  | { kind: 'sentinel'; sentinels: RedisNodeAddress[]; masterName: string }
  | { kind: 'cluster'; nodes: RedisNodeAddress[] };

/** How the stores treat an acknowledged write. */
export interface RedisDurability {
  /** REDIS_WAIT_REPLICAS: after each write, WAIT until this many replicas have it (0: asynchronous replication, no WAIT). */
  waitReplicas: number;
  /** REDIS_WAIT_TIMEOUT_MS: how long that WAIT may block; a write not replicated in time answers 503 (outcome unknown). */
  waitTimeoutMs: number;
}

export interface RedisConfig {
  topology: RedisTopology;
  durability: RedisDurability;
}

const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253}):(\d{1,5})$/;
const ADDRESS_LIST = 'a comma-separated list of host:port';

/** Parses `host:port,host:port`; throws ConfigError naming the variable on anything else. */
export function parseNodeList(name: string, value: string): RedisNodeAddress[] {
  const items = value.split(',').map((item) => item.trim());
  const nodes = items.map((item) => {
    const match = HOST_PORT.exec(item);
    const port = match ? Number(match[1]) : NaN;
    if (!match || port < 1 || port > 65535) throw new ConfigError(name, value, ADDRESS_LIST);
    return { host: item.slice(0, item.lastIndexOf(':')).replace(/^\[|\]$/g, ''), port };
  });
  if (nodes.length === 0) throw new ConfigError(name, value, ADDRESS_LIST);
  return nodes;
}

/** Formats nodes back into the REDIS_SENTINELS / REDIS_CLUSTER_NODES form. */
export function formatNodeList(nodes: readonly RedisNodeAddress[]): string {
  return nodes.map((node) => `${node.host.includes(':') ? `[${node.host}]` : node.host}:${node.port}`).join(',');
}

/**
 * REDIS_TOPOLOGY and the variables it needs, validated: `sentinel` needs REDIS_SENTINELS (and
 * takes REDIS_MASTER_NAME, default `statelab`), `cluster` needs REDIS_CLUSTER_NODES. The native
 * launcher fills them in when it starts private ones.
 */
export function readRedisConfig(read: EnvReader, redisUrl: string): RedisConfig {
  const kind = read.oneOf('REDIS_TOPOLOGY', REDIS_TOPOLOGIES, 'single');
  const required = (name: string) => {
    const value = read.raw(name);
    if (value === undefined) throw new ConfigError(name, '', `${ADDRESS_LIST} (REDIS_TOPOLOGY=${kind})`);
    return parseNodeList(name, value);
  };
  let topology: RedisTopology;
  if (kind === 'sentinel') {
    topology = {
      kind,
      sentinels: required('REDIS_SENTINELS'),
      masterName: read.pattern('REDIS_MASTER_NAME', /^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ._- (at most 64)') ?? 'statelab',
    };
  } else if (kind === 'cluster') {
    topology = { kind, nodes: required('REDIS_CLUSTER_NODES') };
  } else {
    topology = { kind, url: redisUrl };
  }
  return {
    topology,
    durability: {
      waitReplicas: read.int('REDIS_WAIT_REPLICAS', 0, 5, 0),
      // Below the stores' 500 ms command timeout, which would otherwise cut the WAIT short.
      waitTimeoutMs: read.int('REDIS_WAIT_TIMEOUT_MS', 1, 400, 250),
    },
  };
}

/** REDIS_TOPOLOGY & co. on their own (tools that only need where Redis is). */
export function loadRedisConfig(env: Env): RedisConfig {
  const read = new EnvReader(env);
  return readRedisConfig(read, read.url('REDIS_URL', ['redis', 'rediss'], 'redis://127.0.0.1:6379'));
}

/**
 * What the native launcher must start itself: `sentinel` or `cluster` when STATE_MODE=redis asks
 * for that topology without naming its addresses (REDIS_SENTINELS / REDIS_CLUSTER_NODES), else
 * undefined (a single Redis, or one that is given).
 */
export function privateRedisTopologyWanted(env: Env): 'sentinel' | 'cluster' | undefined {
  const read = new EnvReader(env);
  if (read.raw('STATE_MODE') !== 'redis') return undefined;
  const kind = read.oneOf('REDIS_TOPOLOGY', REDIS_TOPOLOGIES, 'single');
  if (kind === 'sentinel' && read.raw('REDIS_SENTINELS') === undefined) return kind;
  if (kind === 'cluster' && read.raw('REDIS_CLUSTER_NODES') === undefined) return kind;
  return undefined;
}
