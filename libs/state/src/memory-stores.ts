import type { CartItem, Order, SessionUser } from '@app/contracts';
import { ExpiryGrid, MemoryLedger } from './expiry';
import { IdempotencyKeyReusedError, SessionEndedError } from './stores';
import type { AddItemOutcome, CartLimits, CartStore, Idempotency, SessionStore, StoreBackend } from './stores';

/** Options of the memory adapters. */
export interface MemoryStoreOptions {
  /** How often expired entries are dropped from memory. Default: the TTL, within 1 s … 60 s. */
  sweepIntervalMs?: number;
  /** Expiry boundaries (see ExpiryGrid). Default: a sixtieth of the TTL, within 100 ms … 10 s. */
  expiryStepMs?: number;
}

/** One entry as a hand-off carries it: key, value, expiry in ms since the epoch. */
export type TransferEntry<T> = [key: string, value: T, expiresAt: number];

/**
 * What a stateful replica hands to its successor in a deploy's hand-off (`lab.handoff-*`):
 * every live entry of its memory stores with its expiry, so nothing a client was told is lost
 * and nothing lives longer than it would have.
 */
export interface StateSnapshot {
  sessions?: Array<TransferEntry<SessionUser>>;
  carts?: Array<TransferEntry<CartItem[]>>;
  orders?: Array<TransferEntry<Order>>;
  ended?: Array<TransferEntry<true>>;
  outcomes?: Array<TransferEntry<{ fingerprint: string; outcome: string }>>;
}

/** A store whose entries can move to another process (the memory adapters). */
export interface TransferableState {
  exportState(): StateSnapshot;
  /** Entries taken (expired ones are skipped). */
  importState(snapshot: StateSnapshot): number;
}

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/**
 * A Map whose entries expire on the boundaries of an ExpiryGrid, one TTL (rounded up to the next
 * boundary) after they were last touched. Expired entries are invisible at once and dropped by
 * `sweep()`. Live entries are counted from a ledger kept per boundary, so counting costs
 * O(TTL / step) whatever the number of entries, and a touch costs one comparison (plus a ledger
 * move at most once per step).
 */
class ExpiringMap<T> {
  private readonly entries = new Map<string, Expiring<T>>();
  private readonly ledger = new MemoryLedger();

  constructor(private readonly grid: ExpiryGrid) {}

  /** The live value, its expiry slid to the boundary due now. */
  touch(key: string): T | undefined {
    const now = Date.now();
    const entry = this.live(key, now);
    if (!entry) return undefined;
    const expiresAt = this.grid.expiryAfterUseAt(now);
    if (expiresAt > entry.expiresAt) {
      this.ledger.move(entry.expiresAt, expiresAt);
      entry.expiresAt = expiresAt;
    }
    return entry.value;
  }

  /** True while the key is live; does not slide its expiry. */
  has(key: string): boolean {
    return this.live(key, Date.now()) !== undefined;
  }

  /** The live value without sliding its expiry. */
  peek(key: string): T | undefined {
    return this.live(key, Date.now())?.value;
  }

  set(key: string, value: T): void {
    const now = Date.now();
    const expiresAt = this.grid.expiryAfterUseAt(now);
    this.ledger.move(this.live(key, now)?.expiresAt ?? null, expiresAt);
    this.entries.set(key, { value, expiresAt });
  }

  delete(key: string): boolean {
    const entry = this.live(key, Date.now());
    if (!entry) return false;
    this.ledger.move(entry.expiresAt, null);
    return this.entries.delete(key);
  }

  countLive(): number {
    return this.ledger.live(Date.now());
  }

  /** Every live entry with its expiry (ms since the epoch), values as they are (callers copy). */
  dump(): Array<TransferEntry<T>> {
    const now = Date.now();
    const live: Array<TransferEntry<T>> = [];
    for (const [key, entry] of this.entries) if (entry.expiresAt > now) live.push([key, entry.value, entry.expiresAt]);
    return live;
  }

  /** Takes entries another process dumped, keeping their expiry; expired ones are skipped. Returns how many were taken. */
  load(entries: ReadonlyArray<TransferEntry<T>>): number {
    const now = Date.now();
    let taken = 0;
    for (const [key, value, expiresAt] of entries) {
      if (!(expiresAt > now)) continue;
      this.ledger.move(this.live(key, now)?.expiresAt ?? null, expiresAt);
      this.entries.set(key, { value, expiresAt });
      taken++;
    }
    return taken;
  }

  sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  /** An expired entry leaves the map here; the ledger needs no update: its boundary has passed. */
  private live(key: string, now: number): Expiring<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry;
    this.entries.delete(key);
    return undefined;
  }
}

/** One sweep timer per store; it never keeps the process alive and `stop()` clears it. */
class Sweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(ttlSeconds: number, options: MemoryStoreOptions, maps: Array<ExpiringMap<unknown>>) {
    const interval = options.sweepIntervalMs ?? Math.min(60_000, Math.max(1_000, ttlSeconds * 1000));
    this.timer = setInterval(() => maps.forEach((map) => map.sweep()), interval);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
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
export class MemorySessionStore implements SessionStore, TransferableState {
  readonly backend: StoreBackend = 'memory';
  private readonly sessions: ExpiringMap<SessionUser>;
  private readonly sweeper: Sweeper;

  constructor(ttlSeconds: number, options: MemoryStoreOptions = {}) {
    this.sessions = new ExpiringMap(new ExpiryGrid(ttlSeconds, options.expiryStepMs));
    this.sweeper = new Sweeper(ttlSeconds, options, [this.sessions]);
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

  exportState(): StateSnapshot {
    return { sessions: this.sessions.dump() };
  }

  importState(snapshot: StateSnapshot): number {
    return this.sessions.load(snapshot.sessions ?? []);
  }

  async count(): Promise<number> {
    return this.sessions.countLive();
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.sweeper.stop();
  }
}

/**
 * Carts and orders in this process' memory: lost when the process dies. A cart's expiry
 * slides on every access; an order expires one TTL after checkout (nothing reads orders back,
 * so nothing slides it): it bounds memory during long load runs, the same as in Redis.
 *
 * This replica cannot see sessions (they live on user replicas), so the end of a session reaches
 * it as `discard(cartId)`: the cart goes, and a tombstone refuses every later write to that cart
 * id for one TTL. Session ids are never reused, and a write still in flight after a TTL is not a
 * race the lab has.
 */
export class MemoryCartStore implements CartStore, TransferableState {
  readonly backend: StoreBackend = 'memory';
  private readonly carts: ExpiringMap<CartItem[]>;
  private readonly orders: ExpiringMap<Order>;
  private readonly ended: ExpiringMap<true>;
  /** Outcomes of writes made with an Idempotency-Key, by `<cartId>\0<key>`, for one TTL. */
  private readonly outcomes: ExpiringMap<{ fingerprint: string; outcome: string }>;
  private readonly sweeper: Sweeper;

  constructor(ttlSeconds: number, options: MemoryStoreOptions = {}) {
    const grid = new ExpiryGrid(ttlSeconds, options.expiryStepMs);
    this.carts = new ExpiringMap(grid);
    this.orders = new ExpiringMap(grid);
    this.ended = new ExpiringMap(grid);
    this.outcomes = new ExpiringMap(grid);
    this.sweeper = new Sweeper(ttlSeconds, options, [this.carts, this.orders, this.ended, this.outcomes]);
  }

  async get(cartId: string): Promise<CartItem[]> {
    return (this.carts.touch(cartId) ?? []).map(copyItem);
  }

  async addItem(cartId: string, item: CartItem, limits: CartLimits, once?: Idempotency): Promise<AddItemOutcome> {
    return this.onceFor(cartId, once, () => this.applyAdd(cartId, item, limits));
  }

  async removeItem(cartId: string, productId: string, once?: Idempotency): Promise<CartItem[] | null> {
    return this.onceFor(cartId, once, () => this.applyRemove(cartId, productId));
  }

  async checkout(cartId: string, order: Omit<Order, 'items' | 'totalCents'>, once?: Idempotency): Promise<Order | null> {
    return this.onceFor(cartId, once, () => this.applyCheckout(cartId, order));
  }

  /**
   * Runs a write once per Idempotency-Key: a first write stores its outcome (a copy) under the
   * key, a retry returns that copy, a different write under the same key is refused. A write
   * refused because the session ended stores nothing: nothing happened.
   */
  private onceFor<T>(cartId: string, once: Idempotency | undefined, write: () => T): T {
    this.refuseEnded(cartId);
    if (!once) return write();
    const slot = `${cartId}\u0000${once.key}`;
    const prior = this.outcomes.peek(slot);
    if (prior) {
      if (prior.fingerprint !== once.fingerprint) throw new IdempotencyKeyReusedError(once.key);
      return JSON.parse(prior.outcome) as T;
    }
    const outcome = write();
    this.outcomes.set(slot, { fingerprint: once.fingerprint, outcome: JSON.stringify(outcome) });
    return outcome;
  }

  private applyAdd(cartId: string, item: CartItem, limits: CartLimits): AddItemOutcome {
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

  private applyRemove(cartId: string, productId: string): CartItem[] | null {
    const lines = this.carts.touch(cartId);
    const index = lines?.findIndex((l) => l.productId === productId) ?? -1;
    if (!lines || index < 0) return null;
    lines.splice(index, 1);
    if (lines.length === 0) this.carts.delete(cartId);
    return lines.map(copyItem);
  }

  private applyCheckout(cartId: string, order: Omit<Order, 'items' | 'totalCents'>): Order | null {
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

  async discard(cartId: string): Promise<void> {
    this.carts.delete(cartId);
    this.ended.set(cartId, true);
  }

  /** Carts, orders, tombstones and stored outcomes: a retry after the hand-off still gets its first answer. */
  exportState(): StateSnapshot {
    return { carts: this.carts.dump(), orders: this.orders.dump(), ended: this.ended.dump(), outcomes: this.outcomes.dump() };
  }

  importState(snapshot: StateSnapshot): number {
    return (
      this.carts.load(snapshot.carts ?? []) +
      this.orders.load(snapshot.orders ?? []) +
      this.ended.load(snapshot.ended ?? []) +
      this.outcomes.load(snapshot.outcomes ?? [])
    );
  }

  async count(): Promise<number> {
    return this.carts.countLive();
  }

  async countOrders(): Promise<number> {
    return this.orders.countLive();
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.sweeper.stop();
  }

  private refuseEnded(cartId: string): void {
    if (this.ended.has(cartId)) throw new SessionEndedError(cartId);
  }
}
