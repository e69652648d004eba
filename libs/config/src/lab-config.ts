import { Env, EnvReader, ConfigError } from './env';
import { RedisConfig, readRedisConfig } from './redis-config';

/** `jwt`: pure stateless, see GatewayConfig.jwt: signed tokens the gateway checks itself, carts in Redis by user. */
export const STATE_MODES = ['stateful', 'redis', 'jwt'] as const;
export type StateMode = (typeof STATE_MODES)[number];

/**
 * How the gateway picks a user or cart replica: `round-robin`; by a hash of the session id
 * (`sticky-modulo`, `sticky-ring`); by an `lb` cookie naming the replicas chosen at the first
 * request (`sticky-cookie`); by a hash of the client address (`ip-hash`).
 */
export const ROUTINGS = ['round-robin', 'sticky-modulo', 'sticky-ring', 'sticky-cookie', 'ip-hash'] as const;
export type Routing = (typeof ROUTINGS)[number];

/** `chat` holds WebSocket connections (§8); the others answer the HTTP API's calls over the hop. */
export const SERVICES = ['user', 'cart', 'product', 'chat'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const MAX_REPLICAS = 16;

/**
 * REPLICA_PORTS: `per-replica` gives replica N of a service its own ports (every replica on one
 * host: the native lab, compose); `per-service` gives every replica of a service replica 1's
 * ports (one host per replica: a Kubernetes pod).
 */
export const REPLICA_PORT_LAYOUTS = ['per-replica', 'per-service'] as const;
export type ReplicaPortLayout = (typeof REPLICA_PORT_LAYOUTS)[number];

/**
 * How the gateway learns how many replicas each service has: `static` from USER_REPLICAS & co.
 * (and POST /lab/scale); `dns` also from the SRV records of REPLICA_SRV_NAME, polled.
 */
export type ReplicaDiscoveryConfig = { mode: 'static' } | { mode: 'dns'; srvNameTemplate: string };

/** REPLICA_HOST: letters, digits, `.:_-`, and the placeholders `{id}` and `{service}`. */
const REPLICA_HOST_PATTERN = /^(?=.{1,253}$)(?:[A-Za-z0-9.:_-]|\{id\}|\{service\})+$/;
/** REPLICA_SRV_NAME: a DNS name with `{service}` in it, e.g. `_rpc._tcp.{service}.statelab.svc.cluster.local`. */
const SRV_NAME_PATTERN = /^(?=.{1,253}$)(?=.*\{service\})(?:[A-Za-z0-9._-]|\{service\})+$/;

/** LAB_ADMIN_TOKEN: the Bearer token guarding /lab/*, read by the gateway and its clients alike. */
function readAdminToken(read: EnvReader): string | undefined {
  return read.pattern('LAB_ADMIN_TOKEN', /^[\x21-\x7e]{8,256}$/, '8 to 256 printable ASCII characters');
}

/** Port offsets from LAB_PORT_BASE: user 1xx, cart 2xx, product 3xx, chat 4xx; metrics = rpc + 50, chat's WebSocket = rpc + 25. */
const SERVICE_PORT_OFFSET: Record<ServiceName, number> = { user: 0, cart: 100, product: 200, chat: 300 };
const METRICS_PORT_OFFSET = 50;
const WS_PORT_OFFSET = 25;

export interface ReplicaAddress {
  /** e.g. `cart-2` */
  id: string;
  service: ServiceName;
  /** 1-based */
  index: number;
  host: string;
  rpcPort: number;
  metricsPort: number;
}

/**
 * CHAT_DELIVERY: `at-most-once` (pub/sub or direct forwarding: a message finds its recipient's
 * connections now or never) or `at-least-once` (each user's messages also kept in a Redis
 * Stream, replayed to a client that reconnects with the id of the last one it got; redis mode).
 */
export const CHAT_DELIVERIES = ['at-most-once', 'at-least-once'] as const;
export type ChatDelivery = (typeof CHAT_DELIVERIES)[number];

/** Everything the lab's processes read from the environment, validated once. */
export interface LabConfig {
  stateMode: StateMode;
  routing: Routing;
  replicas: Record<ServiceName, number>;
  redisUrl: string;
  /** REDIS_TOPOLOGY (single, sentinel, cluster) with its addresses, and REDIS_WAIT_REPLICAS. */
  redis: RedisConfig;
  sessionTtlSeconds: number;
  gatewayPort: number;
  /** Bearer token guarding /lab/*; undefined leaves the control API open (local lab). */
  adminToken: string | undefined;
  demoUsers: number;
  portBase: number;
  /** Host of a replica; `{id}` and `{service}` are replaced (compose uses `{id}`, Kubernetes `{id}.{service}`). */
  replicaHostTemplate: string;
  replicaPorts: ReplicaPortLayout;
  replicaDiscovery: ReplicaDiscoveryConfig;
  bindHost: string;
  rpcTimeoutMs: number;
  /** LOG_LEVEL: how much a process prints. */
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  chatDelivery: ChatDelivery;
}

/** True for the modes that keep state in Redis (`redis`, and `jwt`'s carts and revocations). */
export function usesRedis(mode: StateMode): boolean {
  return mode !== 'stateful';
}

/** Reads and validates the variables every process of the lab reads. */
export function loadLabConfig(env: Env): LabConfig {
  const read = new EnvReader(env);
  const stateMode = read.oneOf('STATE_MODE', STATE_MODES, 'stateful');
  const replicas = {
    user: read.int('USER_REPLICAS', 1, MAX_REPLICAS, 3),
    cart: read.int('CART_REPLICAS', 1, MAX_REPLICAS, 3),
    product: read.int('PRODUCT_REPLICAS', 1, MAX_REPLICAS, 3),
    chat: read.int('CHAT_REPLICAS', 1, MAX_REPLICAS, 3),
  };
  const portBase = read.int('LAB_PORT_BASE', 1024, 65535 - 400, 7100);
  const redisUrl = read.url('REDIS_URL', ['redis', 'rediss'], 'redis://127.0.0.1:6379');
  return {
    stateMode,
    routing: read.oneOf('ROUTING', ROUTINGS, stateMode === 'stateful' ? 'sticky-ring' : 'round-robin'),
    replicas,
    redisUrl,
    redis: readRedisConfig(read, redisUrl),
    sessionTtlSeconds: read.int('SESSION_TTL_SECONDS', 1, 30 * 24 * 3600, 1800),
    gatewayPort: read.port('GATEWAY_PORT', 8080),
    adminToken: readAdminToken(read),
    demoUsers: read.int('DEMO_USERS', 1, 1000, 1000),
    portBase,
    replicaHostTemplate: read.pattern('REPLICA_HOST', REPLICA_HOST_PATTERN, 'a host name, an IP, or a template with {id} and {service}') ?? '127.0.0.1',
    replicaPorts: read.oneOf('REPLICA_PORTS', REPLICA_PORT_LAYOUTS, 'per-replica'),
    replicaDiscovery: readReplicaDiscovery(read),
    bindHost: read.pattern('BIND_HOST', /^[A-Za-z0-9.:_-]{1,253}$/, 'a host name or IP') ?? '127.0.0.1',
    rpcTimeoutMs: read.int('RPC_TIMEOUT_MS', 50, 60000, 2000),
    logLevel: read.oneOf('LOG_LEVEL', ['error', 'warn', 'info', 'debug'] as const, 'info'),
    chatDelivery: readChatDelivery(read, stateMode),
  };
}

function readChatDelivery(read: EnvReader, stateMode: StateMode): ChatDelivery {
  const delivery = read.oneOf('CHAT_DELIVERY', CHAT_DELIVERIES, 'at-most-once');
  if (delivery === 'at-least-once' && stateMode === 'stateful') {
    throw new ConfigError('CHAT_DELIVERY', delivery, 'at-most-once in stateful mode (at-least-once keeps messages in Redis: STATE_MODE=redis)');
  }
  return delivery;
}

function readReplicaDiscovery(read: EnvReader): ReplicaDiscoveryConfig {
  if (read.oneOf('REPLICA_DISCOVERY', ['static', 'dns'] as const, 'static') === 'static') return { mode: 'static' };
  const allowed = 'a DNS name with {service} in it, e.g. _rpc._tcp.{service}.statelab.svc.cluster.local (REPLICA_DISCOVERY=dns)';
  const srvNameTemplate = read.pattern('REPLICA_SRV_NAME', SRV_NAME_PATTERN, allowed);
  if (srvNameTemplate === undefined) throw new ConfigError('REPLICA_SRV_NAME', '', allowed);
  return { mode: 'dns', srvNameTemplate };
}

/**
 * Where replica `index` of `service` listens. Ports: LAB_PORT_BASE + the service's offset + the
 * index (`per-replica`: the native lab, compose), or + 1 for every replica (`per-service`: one
 * pod per replica, so all use replica 1's ports). Host: REPLICA_HOST with `{id}` and `{service}`
 * filled in.
 */
export function replicaAddress(
  config: Pick<LabConfig, 'portBase' | 'replicaHostTemplate'> & Partial<Pick<LabConfig, 'replicaPorts'>>,
  service: ServiceName,
  index: number,
): ReplicaAddress {
  const id = `${service}-${index}`;
  const rpcPort = config.portBase + SERVICE_PORT_OFFSET[service] + (config.replicaPorts === 'per-service' ? 1 : index);
  return {
    id,
    service,
    index,
    host: config.replicaHostTemplate.replaceAll('{id}', id).replaceAll('{service}', service),
    rpcPort,
    metricsPort: rpcPort + METRICS_PORT_OFFSET,
  };
}

/** Where a chat replica accepts the WebSocket connections the gateway proxies to it (its rpc port + 25). */
export function chatWsPort(address: Pick<ReplicaAddress, 'rpcPort'>): number {
  return address.rpcPort + WS_PORT_OFFSET;
}

/** Parses `cart-2` into its service and index; undefined when it names no possible replica. */
export function parseReplicaId(id: string): { service: ServiceName; index: number } | undefined {
  const match = /^(user|cart|product|chat)-([1-9]\d?)$/.exec(id);
  if (!match) return undefined;
  const index = Number(match[2]);
  return index <= MAX_REPLICAS ? { service: match[1] as ServiceName, index } : undefined;
}

/** The identity of a replica process: REPLICA_ID must name one of the given service's replicas. */
export function loadReplicaIdentity(env: Env, service: ServiceName): { id: string; index: number } {
  const read = new EnvReader(env);
  const id = read.raw('REPLICA_ID') ?? `${service}-1`;
  const parsed = parseReplicaId(id);
  if (!parsed || parsed.service !== service) {
    throw new ConfigError('REPLICA_ID', id, `${service}-1 … ${service}-${MAX_REPLICAS}`);
  }
  return { id, index: parsed.index };
}

/** What only the native launcher (`npm run lab`) reads. */
export interface LauncherConfig {
  prometheusPort: number;
  redisExporterPort: number;
  /** Where a native Grafana listens when one is on PATH. */
  grafanaPort: number;
}

export function loadLauncherConfig(env: Env): LauncherConfig {
  const read = new EnvReader(env);
  return {
    prometheusPort: read.port('PROMETHEUS_PORT', 9090),
    redisExporterPort: read.port('REDIS_EXPORTER_PORT', 9121),
    grafanaPort: read.port('GRAFANA_PORT', 3000),
  };
}

/** What the lab's clients (load driver, experiments) read: where the gateway is. */
export interface ClientConfig {
  /** GATEWAY_URL; undefined when unset. */
  gatewayUrl: string | undefined;
  /** LAB_ADMIN_TOKEN, for the /lab calls of experiments. */
  adminToken: string | undefined;
}

export function loadClientConfig(env: Env): ClientConfig {
  const read = new EnvReader(env);
  return {
    gatewayUrl: read.raw('GATEWAY_URL') === undefined ? undefined : read.url('GATEWAY_URL', ['http', 'https'], ''),
    adminToken: readAdminToken(read),
  };
}
