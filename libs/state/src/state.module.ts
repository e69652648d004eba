import { DynamicModule, Logger, Module, ModuleMetadata, OnApplicationShutdown, Provider } from '@nestjs/common';
import { formatNodeList, RedisConfig, RedisTopology, StateMode, usesRedis } from '@app/config';
import { MemoryCartStore, MemorySessionStore, StateSnapshot, TransferableState } from './memory-stores';
import { ObservedCartStore, ObservedSessionStore, StoreObserver } from './observed-stores';
import { closeRedisClient, createTopologyClient, RedisClient } from './redis-client';
import { RedisCartStore } from './redis-cart-store';
import { RedisSessionStore } from './redis-session-store';
import { StateGauges, stateHolder } from './state-gauges';
import type { CartStore, SessionStore, StateKind } from './stores';
import { CART_STORE, SESSION_STORE, STATE_GAUGES, STATE_TRANSFER, STORE_OBSERVER } from './tokens';

/** Options of {@link StateModule.register}. */
export interface StateModuleOptions {
  /** `stateful`: this replica's memory; `redis`: Redis, shared by every replica; `jwt`: Redis, carts owned by users. */
  mode: StateMode;
  /** Used in `redis` mode only. */
  redisUrl: string;
  /** REDIS_TOPOLOGY and REDIS_WAIT_REPLICAS (redis mode); default: a single Redis at `redisUrl`, no WAIT. */
  redis?: RedisConfig;
  /** Sliding expiry of sessions and carts (and lifetime of orders), whole seconds. */
  ttlSeconds: number;
  /** The stores to provide: `sessions` → SESSION_STORE, `carts` → CART_STORE. */
  kinds: StateKind[];
  /** This replica's id: the `replica` label of its state gauges while the state is its own (stateful mode). */
  replicaId: string;
  /** Modules to import, e.g. a non-global one that provides STORE_OBSERVER. */
  imports?: ModuleMetadata['imports'];
  /** Prefix of every Redis key. Default `statelab:`. */
  keyPrefix?: string;
  /** Redis command timeout. Default 500 ms. */
  commandTimeoutMs?: number;
}

const REDIS_CLIENT = Symbol('STATE_REDIS_CLIENT');
const RAW_STORE: Record<StateKind, symbol> = {
  sessions: Symbol('RAW_SESSION_STORE'),
  carts: Symbol('RAW_CART_STORE'),
};
const PORT: Record<StateKind, symbol> = { sessions: SESSION_STORE, carts: CART_STORE };
const GAUGES_REGISTERED = Symbol('STATE_GAUGES_REGISTERED');
/** How long boot waits for the first Redis connection before going on without it. */
const INITIAL_CONNECT_WAIT_MS = 1500;

/** Closes the stores, then the Redis client they share, once the application has stopped serving. */
class StateResources implements OnApplicationShutdown {
  private closed: Promise<void> | undefined;

  constructor(
    private readonly stores: Array<SessionStore | CartStore>,
    private readonly client: RedisClient | undefined,
  ) {}

  onApplicationShutdown(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all(this.stores.map((store) => store.close()));
      if (this.client) await closeRedisClient(this.client);
    })();
    return this.closed;
  }
}

/** Redacts credentials: the URL may carry a password. */
function describeRedis(topology: RedisTopology): string {
  if (topology.kind === 'sentinel') return `master ${topology.masterName} of Sentinels ${formatNodeList(topology.sentinels)}`;
  if (topology.kind === 'cluster') return `cluster ${formatNodeList(topology.nodes)}`;
  try {
    const parsed = new URL(topology.url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'Redis';
  }
}

function topologyOf(options: StateModuleOptions): RedisTopology {
  return options.redis?.topology ?? { kind: 'single', url: options.redisUrl };
}

async function connectRedis(options: StateModuleOptions, logger: Logger): Promise<RedisClient> {
  const where = describeRedis(topologyOf(options));
  const client = createTopologyClient(topologyOf(options), {
    commandTimeoutMs: options.commandTimeoutMs,
    onError: (error) => logger.warn(`Redis at ${where} unavailable: ${error.message}`),
  });
  // Without an offline queue, commands fail until the first connection is ready: give it a
  // moment at boot, but boot anyway (stores answer 503 until Redis is there).
  const ready = await new Promise<boolean>((resolve) => {
    const onReady = () => settle(true);
    const timer = setTimeout(() => settle(false), INITIAL_CONNECT_WAIT_MS);
    const settle = (ok: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ok);
    };
    if (client.status === 'ready') settle(true);
    else client.once('ready', onReady);
  });
  if (!ready) logger.warn(`Redis at ${where} not reachable yet; retrying in the background`);
  return client;
}

function rawStoreProvider(kind: StateKind, options: StateModuleOptions): Provider {
  const { ttlSeconds, keyPrefix } = options;
  const storeOptions = { keyPrefix, ...options.redis?.durability };
  switch (options.mode) {
    case 'stateful':
      return {
        provide: RAW_STORE[kind],
        useFactory: () => (kind === 'sessions' ? new MemorySessionStore(ttlSeconds) : new MemoryCartStore(ttlSeconds)),
      };
    case 'redis':
    case 'jwt':
      return {
        provide: RAW_STORE[kind],
        useFactory: (client: RedisClient) =>
          kind === 'sessions'
            ? new RedisSessionStore(client, ttlSeconds, storeOptions)
            : // jwt mode: a cart id names a user, and the cart outlives every login.
              new RedisCartStore(client, ttlSeconds, { ...storeOptions, ownedBy: options.mode === 'jwt' ? 'user' : 'session' }),
        inject: [REDIS_CLIENT],
      };
    default: {
      const unknown: never = options.mode;
      throw new Error(`StateModule: unknown mode ${String(unknown)}`);
    }
  }
}

/**
 * Provides SESSION_STORE and/or CART_STORE: memory adapters in `stateful` mode, Redis
 * adapters sharing one fail-fast client in `redis` mode. Services inject the port and never
 * branch on the mode. When STORE_OBSERVER is resolvable, every store call is timed and
 * reported; when STATE_GAUGES is, the live-state gauge of each store is registered there,
 * labelled with its holder (this replica, or `redis`). On application shutdown the stores, then
 * the Redis client, are closed.
 */
@Module({})
export class StateModule {
  static register(options: StateModuleOptions): DynamicModule {
    const kinds = [...new Set(options.kinds)];
    if (kinds.length === 0) throw new Error('StateModule.register: kinds must name at least one store');
    const logger = new Logger('StateModule');

    const providers: Provider[] = kinds.map((kind) => rawStoreProvider(kind, options));
    if (usesRedis(options.mode)) {
      providers.push({ provide: REDIS_CLIENT, useFactory: () => connectRedis(options, logger) });
    }
    if (kinds.includes('sessions')) {
      providers.push({
        provide: SESSION_STORE,
        useFactory: (store: SessionStore, observer?: StoreObserver) => (observer ? new ObservedSessionStore(store, observer) : store),
        inject: [RAW_STORE.sessions, { token: STORE_OBSERVER, optional: true }],
      });
    }
    if (kinds.includes('carts')) {
      providers.push({
        provide: CART_STORE,
        useFactory: (store: CartStore, observer?: StoreObserver) => (observer ? new ObservedCartStore(store, observer) : store),
        inject: [RAW_STORE.carts, { token: STORE_OBSERVER, optional: true }],
      });
    }
    providers.push({
      provide: GAUGES_REGISTERED,
      useFactory: (gauges: StateGauges | undefined, ...stores: Array<SessionStore | CartStore>) => {
        kinds.forEach((kind, i) => {
          const store = stores[i];
          const replica = stateHolder(store.backend, options.replicaId);
          gauges?.trackState(kind, async () => ({ replica, count: await store.count() }));
        });
        return gauges !== undefined;
      },
      inject: [{ token: STATE_GAUGES, optional: true }, ...kinds.map((kind) => PORT[kind])],
    });
    providers.push({
      provide: STATE_TRANSFER,
      useFactory: (...stores: Array<Partial<TransferableState>>): TransferableState | null => {
        const transferable = stores.filter((store): store is TransferableState => typeof store.exportState === 'function');
        if (transferable.length !== stores.length) return null;
        return {
          exportState: () => Object.assign({}, ...transferable.map((store) => store.exportState())) as StateSnapshot,
          importState: (snapshot) => transferable.reduce((taken, store) => taken + store.importState(snapshot), 0),
        };
      },
      inject: kinds.map((kind) => RAW_STORE[kind]),
    });
    const resourceTokens = [...kinds.map((kind) => RAW_STORE[kind]), ...(usesRedis(options.mode) ? [REDIS_CLIENT] : [])];
    providers.push({
      provide: StateResources,
      useFactory: (...resources: unknown[]) =>
        new StateResources(
          resources.slice(0, kinds.length) as Array<SessionStore | CartStore>,
          resources[kinds.length] as RedisClient | undefined,
        ),
      inject: resourceTokens,
    });

    return {
      module: StateModule,
      imports: options.imports ?? [],
      providers,
      exports: [...kinds.map((kind) => PORT[kind]), STATE_TRANSFER],
    };
  }
}
