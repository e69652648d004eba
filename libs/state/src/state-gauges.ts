import type { StateKind, StoreBackend } from './stores';

/** How much state of one kind is live, and who holds it: a replica id, or `redis` when shared. */
export interface StateCount {
  replica: string;
  count: number;
}

/**
 * Where StateModule publishes the live-state gauges, `lab_sessions_active` and
 * `lab_carts_active` (ReplicaTelemetry is one). `count` is called at scrape time and costs one
 * ledger read: O(TTL / expiry step) in memory, one Redis command in Redis. Provide it under
 * STATE_GAUGES.
 */
export interface StateGauges {
  trackState(kind: StateKind, count: () => Promise<StateCount>): void;
}

/**
 * The `replica` label of a store's state: its own replica's id when the state lives in this
 * process, `redis` when every replica shares it, so all of them report one and the same series
 * and `sum(max by (replica) (…))` totals both modes alike.
 */
export function stateHolder(backend: StoreBackend, replicaId: string): string {
  return backend === 'redis' ? 'redis' : replicaId;
}
