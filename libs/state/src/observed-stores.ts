import type { CartItem, Order, SessionUser } from '@app/contracts';
import type { AddItemOutcome, CartLimits, CartStore, Idempotency, SessionStore, StoreBackend } from './stores';

/**
 * Receives the duration of every store call (for example a `lab_state_store_duration_seconds`
 * histogram). Provide it under `STORE_OBSERVER`; it must not throw.
 */
export interface StoreObserver {
  /** `operation`: `create`, `get`, `destroy`, `count`, `add_item`, `remove_item`, `checkout`, `discard`, `count_orders`, `ping`. */
  observe(store: StoreBackend, operation: string, seconds: number): void;
  /** Milliseconds to add to each call, as a slower store would (the lab's `latency.redis` fault); 0 for none. */
  injectedLatencyMs?(): number;
}

/** Times `call` alone (not the caller's work around it), failures and injected latency included. */
async function timed<T>(observer: StoreObserver, store: StoreBackend, operation: string, call: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  try {
    const injected = operation === 'ping' || operation.startsWith('count') ? 0 : (observer.injectedLatencyMs?.() ?? 0);
    if (injected > 0) await new Promise((resolve) => setTimeout(resolve, injected));
    return await call();
  } finally {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    try {
      observer.observe(store, operation, seconds);
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

  create(sid: string, user: SessionUser): Promise<void> {
    return timed(this.observer, this.backend, 'create', () => this.inner.create(sid, user));
  }

  get(sid: string): Promise<SessionUser | null> {
    return timed(this.observer, this.backend, 'get', () => this.inner.get(sid));
  }

  destroy(sid: string): Promise<boolean> {
    return timed(this.observer, this.backend, 'destroy', () => this.inner.destroy(sid));
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

  get(cartId: string): Promise<CartItem[]> {
    return timed(this.observer, this.backend, 'get', () => this.inner.get(cartId));
  }

  addItem(cartId: string, item: CartItem, limits: CartLimits, once?: Idempotency): Promise<AddItemOutcome> {
    return timed(this.observer, this.backend, 'add_item', () => this.inner.addItem(cartId, item, limits, once));
  }

  removeItem(cartId: string, productId: string, once?: Idempotency): Promise<CartItem[] | null> {
    return timed(this.observer, this.backend, 'remove_item', () => this.inner.removeItem(cartId, productId, once));
  }

  checkout(cartId: string, order: Omit<Order, 'items' | 'totalCents'>, once?: Idempotency): Promise<Order | null> {
    return timed(this.observer, this.backend, 'checkout', () => this.inner.checkout(cartId, order, once));
  }

  discard(cartId: string): Promise<void> {
    return timed(this.observer, this.backend, 'discard', () => this.inner.discard(cartId));
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
