import type { Context } from '@opentelemetry/api';
import type { CartItem, Order, SessionUser } from '@app/contracts';

/**
 * The trace a store call belongs to: the context of the replica's SERVER span for the call
 * (LabTcpContext.getTraceParent()), undefined when the call is not traced. The Redis adapters
 * make their commands' spans children of it; the replicas keep no async context to look it up in.
 */
export type TraceParent = Context | undefined;

/**
 * Where a store keeps its entries: this process' memory, or Redis. It is the `store` label of
 * `lab_state_store_duration_seconds`. Not to be confused with the state mode (`StateMode` of
 * libs/config), which picks the backend once at boot.
 */
export type StoreBackend = 'memory' | 'redis';

/** The kinds of state a service can ask StateModule for: `sessions` → SESSION_STORE, `carts` → CART_STORE. */
export type StateKind = 'sessions' | 'carts';

/**
 * Where sessions live: one replica's memory, or Redis. Expiry slides on every `get`: a session
 * lives at least one TTL after its last use, and ends on the first expiry boundary after that
 * (boundaries are at most 10 s apart, see ExpiryGrid).
 */
export interface SessionStore {
  readonly backend: StoreBackend;
  create(sid: string, user: SessionUser, parent?: TraceParent): Promise<void>;
  /** The session, its expiry slid; null when unknown or expired. */
  get(sid: string, parent?: TraceParent): Promise<SessionUser | null>;
  /** True when a session was there to destroy. */
  destroy(sid: string, parent?: TraceParent): Promise<boolean>;
  /** Live sessions this store holds, exact at the call, without visiting each session. */
  count(): Promise<number>;
  /** True when the backend answers now (memory: always; Redis: PING within the command timeout). Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type AddItemOutcome =
  | { ok: true; items: CartItem[] }
  | { ok: false; reason: 'cart_full' | 'quantity_limit' };

export interface CartLimits {
  maxLines: number;
  maxQuantity: number;
}

/**
 * A client's Idempotency-Key on a cart write, and what the write was (its operation and
 * arguments). The first write with a key stores its outcome with the cart, atomically with the
 * write; a retry with the same key gets that outcome back and changes nothing, so a client that
 * could not tell whether a write happened (a 503 `outcome_unknown`) can simply send it again.
 * The same key for a different write is refused (IdempotencyKeyReusedError).
 */
export interface Idempotency {
  key: string;
  /** e.g. `add p-42 2`: a retry must say the same. */
  fingerprint: string;
}

/**
 * Where carts and the orders made from them live. A cart belongs to the session of the same id
 * and expires as sessions do (sliding on every access). Its writes (addItem, removeItem,
 * checkout) reject with SessionEndedError, changing nothing, once its session has ended: the
 * Redis adapter checks the session in the same script as the write; the memory adapter, whose
 * replica cannot see sessions, learns the end from `discard`.
 */
export interface CartStore {
  readonly backend: StoreBackend;
  /** Lines in insertion order; empty when there is no cart. */
  get(cartId: string, parent?: TraceParent): Promise<CartItem[]>;
  /** Adds quantity to a line (creating it); refuses, changing nothing, past the limits. */
  addItem(cartId: string, item: CartItem, limits: CartLimits, once?: Idempotency, parent?: TraceParent): Promise<AddItemOutcome>;
  /** The remaining lines, or null (nothing changed) when the product was not in the cart. */
  removeItem(cartId: string, productId: string, once?: Idempotency, parent?: TraceParent): Promise<CartItem[] | null>;
  /** Atomically turns the cart into an order and empties it; null when the cart is empty. */
  checkout(cartId: string, order: Omit<Order, 'items' | 'totalCents'>, once?: Idempotency, parent?: TraceParent): Promise<Order | null>;
  /**
   * The cart's session has ended (logout, or a new login replacing it): drops the cart, and
   * every write that reaches the store later is refused with SessionEndedError.
   */
  discard(cartId: string, parent?: TraceParent): Promise<void>;
  /** Non-empty carts this store holds, exact at the call, without visiting each cart. */
  count(): Promise<number>;
  /** Orders this store holds. */
  countOrders(): Promise<number>;
  /** True when the backend answers now (memory: always; Redis: PING within the command timeout). Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Raised by a store whose backend cannot answer now; services turn it into a fast 503.
 * `mayHaveApplied` says whether the command left for the backend before it failed (it timed out,
 * or the connection dropped under it): a write may then have happened, and the 503 says so.
 */
export class StoreUnavailableError extends Error {
  readonly mayHaveApplied: boolean;

  constructor(message: string, options?: { cause?: unknown; mayHaveApplied?: boolean }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
    this.mayHaveApplied = options?.mayHaveApplied ?? false;
  }
}

/** Raised by a cart write whose Idempotency-Key was first used for a different write. Nothing was written. */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly key: string) {
    super(`the Idempotency-Key ${key.slice(0, 64)} was used for a different change`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** Raised by a cart write whose session has ended; services turn it into a 401 `session_ended`. Nothing was written. */
export class SessionEndedError extends Error {
  constructor(readonly cartId: string) {
    super(`the session of cart ${cartId} has ended`);
    this.name = 'SessionEndedError';
  }
}
