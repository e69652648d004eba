import type { CartItem, Order, SessionUser } from '@app/contracts';

/** Where sessions live: one replica's memory, or Redis. Expiry slides on every `get`. */
export interface SessionStore {
  readonly kind: StoreKind;
  create(sid: string, user: SessionUser): Promise<void>;
  /** The session, its expiry pushed back by the TTL; null when unknown or expired. */
  get(sid: string): Promise<SessionUser | null>;
  /** True when a session was there to destroy. */
  destroy(sid: string): Promise<boolean>;
  /** Live sessions this store holds. */
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

/** Where carts and the orders made from them live. Expiry slides on every access. */
export interface CartStore {
  readonly kind: StoreKind;
  /** Lines in insertion order; empty when there is no cart. */
  get(cartId: string): Promise<CartItem[]>;
  /** Adds quantity to a line (creating it); refuses, changing nothing, past the limits. */
  addItem(cartId: string, item: CartItem, limits: CartLimits): Promise<AddItemOutcome>;
  /** The remaining lines, or null (nothing changed) when the product was not in the cart. */
  removeItem(cartId: string, productId: string): Promise<CartItem[] | null>;
  /** Atomically turns the cart into an order and empties it; null when the cart is empty. */
  checkout(cartId: string, order: Omit<Order, 'items' | 'totalCents'>): Promise<Order | null>;
  clear(cartId: string): Promise<void>;
  /** Non-empty carts this store holds. */
  count(): Promise<number>;
  /** Orders this store holds. */
  countOrders(): Promise<number>;
  /** True when the backend answers now (memory: always; Redis: PING within the command timeout). Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type StoreKind = 'memory' | 'redis';

/** Raised by a store whose backend cannot answer now; services turn it into a fast 503. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
