import { trace } from '@opentelemetry/api';
import type { CartItem, Order, SessionUser } from '@app/contracts';
import type { AddItemOutcome, CartLimits, CartStore, Idempotency, SessionStore, StoreBackend, TraceParent } from './stores';

/**
 * Receives the duration of every store call (for example a `lab_state_store_duration_seconds`
 * histogram). Provide it under `STORE_OBSERVER`; it must not throw.
 */
export interface StoreObserver {
  /** `operation`: `create`, `get`, `destroy`, `count`, `add_item`, `remove_item`, `checkout`, `discard`, `count_orders`, `ping`. */
  observe(store: StoreBackend, operation: string, seconds: number, traceId?: string): void;
  /** Milliseconds to add to each call, as a slower store would (the lab's `latency.redis` fault); 0 for none. */
  injectedLatencyMs?(): number;
}

/**
 * Times `call` alone (not the caller's work around it), failures and injected latency included;
 * a traced call's trace id goes with the duration (an exemplar).
 */
async function timed<T>(observer: StoreObserver, store: StoreBackend, operation: string, call: () => Promise<T>, parent?: TraceParent): Promise<T> {
  const start = process.hrtime.bigint();
  try {
    const injected = operation === 'ping' || operation.startsWith('count') ? 0 : (observer.injectedLatencyMs?.() ?? 0);
    if (injected > 0) await new Promise((resolve) => setTimeout(resolve, injected));
    return await call();
  } finally {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    try {
      observer.observe(store, operation, seconds, parent && trace.getSpanContext(parent)?.traceId);
    } catch {
      // A broken metric must not fail the store call it measured.
    }
  }
}

/** A SessionStore that reports the duration of each call of `inner` to `observer`. */
export class ObservedSessionStore implements SessionStore {
  readonly backend: StoreBackend;

  constructor(private readonly inner: SessionStore, private readonly observer: StoreObserver) {
    this.backend = inner.backend;
  }

  create(sid: string, user: SessionUser, parent?: TraceParent): Promise<void> {
    return timed(this.observer, this.backend, 'create', () => this.inner.create(sid, user, parent), parent);
  }

  get(sid: string, parent?: TraceParent): Promise<SessionUser | null> {
    return timed(this.observer, this.backend, 'get', () => this.inner.get(sid, parent), parent);
  }

  destroy(sid: string, parent?: TraceParent): Promise<boolean> {
    return timed(this.observer, this.backend, 'destroy', () => this.inner.destroy(sid, parent), parent);
  }

  count(): Promise<number> {
    return timed(this.observer, this.backend, 'count', () => this.inner.count());
  }

  ping(): Promise<boolean> {
    return timed(this.observer, this.backend, 'ping', () => this.inner.ping());
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A CartStore that reports the duration of each call of `inner` to `observer`. */
export class ObservedCartStore implements CartStore {
  readonly backend: StoreBackend;

  constructor(private readonly inner: CartStore, private readonly observer: StoreObserver) {
    this.backend = inner.backend;
  }

  get(cartId: string, parent?: TraceParent): Promise<CartItem[]> {
    return timed(this.observer, this.backend, 'get', () => this.inner.get(cartId, parent), parent);
  }

  addItem(cartId: string, item: CartItem, limits: CartLimits, once?: Idempotency, parent?: TraceParent): Promise<AddItemOutcome> {
    return timed(this.observer, this.backend, 'add_item', () => this.inner.addItem(cartId, item, limits, once, parent), parent);
  }

  removeItem(cartId: string, productId: string, once?: Idempotency, parent?: TraceParent): Promise<CartItem[] | null> {
    return timed(this.observer, this.backend, 'remove_item', () => this.inner.removeItem(cartId, productId, once, parent), parent);
  }

  checkout(cartId: string, order: Omit<Order, 'items' | 'totalCents'>, once?: Idempotency, parent?: TraceParent): Promise<Order | null> {
    return timed(this.observer, this.backend, 'checkout', () => this.inner.checkout(cartId, order, once, parent), parent);
  }

  discard(cartId: string, parent?: TraceParent): Promise<void> {
    return timed(this.observer, this.backend, 'discard', () => this.inner.discard(cartId, parent), parent);
  }

  count(): Promise<number> {
    return timed(this.observer, this.backend, 'count', () => this.inner.count());
  }

  countOrders(): Promise<number> {
    return timed(this.observer, this.backend, 'count_orders', () => this.inner.countOrders());
  }

  ping(): Promise<boolean> {
    return timed(this.observer, this.backend, 'ping', () => this.inner.ping());
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
