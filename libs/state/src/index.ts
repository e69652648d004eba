/**
 * The `state` library: where sessions, carts and orders live. One port per kind of state
 * (SessionStore, CartStore), a memory adapter and a Redis adapter for each, and a dynamic
 * module that picks the adapters once at boot from the state mode and registers their gauges.
 */
export * from './stores';
export * from './tokens';
export { StateModule } from './state.module';
export type { StateModuleOptions } from './state.module';
export { stateHolder } from './state-gauges';
export type { StateCount, StateGauges } from './state-gauges';
export { ObservedSessionStore, ObservedCartStore } from './observed-stores';
export type { StoreObserver } from './observed-stores';
export { MemorySessionStore, MemoryCartStore } from './memory-stores';
export type { MemoryStoreOptions, StateSnapshot, TransferableState, TransferEntry } from './memory-stores';
export { ExpiryGrid, MAX_EXPIRY_STEP_MS, defaultExpiryStepMs } from './expiry';
export { RedisSessionStore } from './redis-session-store';
export { RedisCartStore } from './redis-cart-store';
export { RedisLedger } from './redis-ledger';
export { DEFAULT_KEY_PREFIX, RedisKeyspace, REDIS_TRACER_NAME, redisCall } from './redis-support';
export type { LedgerName, RedisStoreOptions } from './redis-support';
export {
  createRedisClient,
  createTopologyClient,
  closeRedisClient,
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  REDIS_MAX_RECONNECT_DELAY_MS,
  REDIS_ERROR_LOG_INTERVAL_MS,
} from './redis-client';
export type { RedisClient, RedisClientOptions } from './redis-client';
