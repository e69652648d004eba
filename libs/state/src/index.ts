/**
 * The `state` library: where sessions, carts and orders live. One port per kind of state
 * (SessionStore, CartStore), a memory adapter and a Redis adapter for each, and a dynamic
 * module that picks the adapters once at boot from the state mode.
 */
export * from './stores';
export * from './tokens';
export { StateModule } from './state.module';
export type { StateModuleOptions, StateKind, StateStoreMode } from './state.module';
export { ObservedSessionStore, ObservedCartStore } from './observed-stores';
export type { StoreObserver } from './observed-stores';
export { MemorySessionStore, MemoryCartStore } from './memory-stores';
export type { MemoryStoreOptions } from './memory-stores';
export { RedisSessionStore } from './redis-session-store';
export { RedisCartStore } from './redis-cart-store';
export { DEFAULT_KEY_PREFIX } from './redis-support';
export {
  createRedisClient,
  closeRedisClient,
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  REDIS_MAX_RECONNECT_DELAY_MS,
  REDIS_ERROR_LOG_INTERVAL_MS,
} from './redis-client';
export type { RedisClientOptions } from './redis-client';
