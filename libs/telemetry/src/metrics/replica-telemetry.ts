import { CounterChild, LabHistogram, LabMetricsRegistry, MetricsIdentity, STORE_BUCKETS } from './lab-metrics';

/** A count of state held, labelled by the replica that holds it (`redis` when shared). */
export type StateCounter = () => Promise<{ replica: string; count: number }>;

/** What a user, cart or product replica records. With metrics disabled every method is a no-op. */
export class ReplicaTelemetry {
  readonly metrics: LabMetricsRegistry;
  private readonly store: LabHistogram<'store' | 'operation'>;
  private readonly server: LabHistogram<'pattern' | 'outcome'>;
  private readonly orders: CounterChild;

  constructor(
    identity: MetricsIdentity,
    readonly enabled: boolean,
  ) {
    const m = (this.metrics = new LabMetricsRegistry(identity));
    this.store = m.histogram('lab_state_store_duration_seconds', 'Duration of one state store call', ['store', 'operation'], STORE_BUCKETS);
    this.server = m.histogram('lab_rpc_server_duration_seconds', 'Duration of a message handler on a replica', ['pattern', 'outcome']);
    this.orders = m.counter('lab_orders_created_total', 'Orders created at checkout', []).child({});
  }

  /** StoreObserver: times the store call itself; `traceId` (a traced call's) becomes the exemplar. */
  observe(store: string, operation: string, seconds: number, traceId?: string): void {
    if (!this.enabled) return;
    this.store.observe({ store, operation }, seconds, traceId);
  }

  /** RpcServerObserver (libs/transport): times every handled call; `traceId` (a traced call's) becomes the exemplar. */
  handled(pattern: string, outcome: 'ok' | 'error', seconds: number, traceId?: string): void {
    if (!this.enabled) return;
    this.server.observe({ pattern, outcome }, seconds, traceId);
  }

  countOrder(): void {
    if (!this.enabled) return;
    this.orders.inc();
  }

  /**
   * Registers `lab_sessions_active` or `lab_carts_active`, computed at scrape time (StateModule
   * calls this for every store it provides). `count` reads an expiry ledger: no scan, one Redis
   * command in redis mode, exact at the scrape.
   */
  trackState(kind: 'sessions' | 'carts', count: StateCounter): void {
    const name = kind === 'sessions' ? 'lab_sessions_active' : 'lab_carts_active';
    const what = kind === 'sessions' ? 'Live sessions' : 'Non-empty live carts';
    const help =
      `${what}, by the replica that holds them (redis when shared; total = sum(max by (replica) (${name}))). ` +
      'Counted at scrape from an expiry ledger, without scanning: an entry leaves the count when it expires, ' +
      'one TTL after its last use rounded up to the next expiry boundary (at most 10 s later); in redis mode a ' +
      'count update lost to a failure is corrected within one TTL + 10 s';
    this.metrics.gauge(name, help, ['replica'], async (gauge) => {
      try {
        const { replica, count: value } = await count();
        gauge.reset();
        gauge.set({ replica }, value);
      } catch {
        gauge.reset(); // the store is down: no value is better than a stale one
      }
    });
  }
}
