import type { CartItem, Order, SessionUser } from '@app/contracts';
import { assertTtlSeconds } from './ttl';
import type { AddItemOutcome, CartLimits, CartStore, SessionStore, StoreKind } from './stores';

/** Options of the memory adapters. */
export interface MemoryStoreOptions {
  /** How often expired entries are dropped from memory. Default: the TTL, within 1 s … 60 s. */
  sweepIntervalMs?: number;
}

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/**
 * A Map whose entries expire `ttlMs` after they were last touched. Expired entries are
 * invisible at once and dropped by a periodic sweep; the sweep timer never keeps the process
 * alive and `close()` clears it.
 */
class ExpiringMap<T> {
  private readonly entries = new Map<string, Expiring<T>>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly ttlMs: number, sweepIntervalMs: number) {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweeper.unref();
  }

  /** The live value, its expiry pushed back to now + TTL. */
  touch(key: string): T | undefined {
    const entry = this.live(key);
    if (entry) entry.expiresAt = Date.now() + this.ttlMs;
    return entry?.value;
  }

  set(key: string, value: T): void {
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }

  delete(key: string): boolean {
    return this.live(key) !== undefined && this.entries.delete(key);
  }

  countLive(predicate: (value: T) => boolean = () => true): number {
    const now = Date.now();
    let count = 0;
    for (const entry of this.entries.values()) if (entry.expiresAt > now && predicate(entry.value)) count++;
    return count;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private live(key: string): Expiring<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry;
    this.entries.delete(key);
    return undefined;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

function sweepInterval(ttlSeconds: number, options: MemoryStoreOptions): number {
  return options.sweepIntervalMs ?? Math.min(60_000, Math.max(1_000, ttlSeconds * 1000));
}

const copyItem = (item: CartItem): CartItem => ({
  productId: item.productId,
  quantity: item.quantity,
  priceCents: item.priceCents,
});

/**
 * Sessions in this process' memory: lost when the process dies, invisible to other replicas.
 * Values are copied in and out, so callers never share state with the store.
 */
export class MemorySessionStore implements SessionStore {
  readonly kind: StoreKind = 'memory';
  private readonly sessions: ExpiringMap<SessionUser>;

  constructor(ttlSeconds: number, options: MemoryStoreOptions = {}) {
    assertTtlSeconds(ttlSeconds);
    this.sessions = new ExpiringMap(ttlSeconds * 1000, sweepInterval(ttlSeconds, options));
  }

  async create(sid: string, user: SessionUser): Promise<void> {
    this.sessions.set(sid, { userId: user.userId, username: user.username });
  }

  async get(sid: string): Promise<SessionUser | null> {
    const user = this.sessions.touch(sid);
    return user ? { userId: user.userId, username: user.username } : null;
  }

  async destroy(sid: string): Promise<boolean> {
    return this.sessions.delete(sid);
  }

  async count(): Promise<number> {
    return this.sessions.countLive();
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.sessions.close();
  }
}

/**
 * Carts and orders in this process' memory: lost when the process dies. A cart's expiry
 * slides on every access; an order expires one TTL after checkout (nothing reads orders back,
 * so nothing slides it): it bounds memory during long load runs, the same as in Redis.
 */
export class MemoryCartStore implements CartStore {
  readonly kind: StoreKind = 'memory';
  private readonly carts: ExpiringMap<CartItem[]>;
  private readonly orders: ExpiringMap<Order>;

  constructor(ttlSeconds: number, options: MemoryStoreOptions = {}) {
    assertTtlSeconds(ttlSeconds);
    const interval = sweepInterval(ttlSeconds, options);
    this.carts = new ExpiringMap(ttlSeconds * 1000, interval);
    this.orders = new ExpiringMap(ttlSeconds * 1000, interval);
  }

  async get(cartId: string): Promise<CartItem[]> {
    return (this.carts.touch(cartId) ?? []).map(copyItem);
  }

  async addItem(cartId: string, item: CartItem, limits: CartLimits): Promise<AddItemOutcome> {
    const existing = this.carts.touch(cartId);
    const lines = existing ?? [];
    const line = lines.find((l) => l.productId === item.productId);
    if (line) {
      if (line.quantity + item.quantity > limits.maxQuantity) return { ok: false, reason: 'quantity_limit' };
      line.quantity += item.quantity;
      line.priceCents = item.priceCents;
    } else {
      if (lines.length >= limits.maxLines) return { ok: false, reason: 'cart_full' };
      if (item.quantity > limits.maxQuantity) return { ok: false, reason: 'quantity_limit' };
      lines.push(copyItem(item));
      if (!existing) this.carts.set(cartId, lines);
    }
    return { ok: true, items: lines.map(copyItem) };
  }

  async removeItem(cartId: string, productId: string): Promise<CartItem[] | null> {
    const lines = this.carts.touch(cartId);
    const index = lines?.findIndex((l) => l.productId === productId) ?? -1;
    if (!lines || index < 0) return null;
    lines.splice(index, 1);
    if (lines.length === 0) this.carts.delete(cartId);
    return lines.map(copyItem);
  }

  async checkout(cartId: string, order: Omit<Order, 'items' | 'totalCents'>): Promise<Order | null> {
    const lines = this.carts.touch(cartId);
    if (!lines || lines.length === 0) return null;
    const items = lines.map(copyItem);
    const placed: Order = {
      orderId: order.orderId,
      userId: order.userId,
      items,
      totalCents: items.reduce((sum, l) => sum + l.quantity * l.priceCents, 0),
      createdAt: order.createdAt,
    };
    this.orders.set(placed.orderId, placed);
    this.carts.delete(cartId);
    return { ...placed, items: items.map(copyItem) };
  }

  async clear(cartId: string): Promise<void> {
    this.carts.delete(cartId);
  }

  async count(): Promise<number> {
    return this.carts.countLive((lines) => lines.length > 0);
  }

  async countOrders(): Promise<number> {
    return this.orders.countLive();
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.carts.close();
    this.orders.close();
  }
}
