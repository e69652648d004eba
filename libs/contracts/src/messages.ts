/**
 * Request bodies of the gateway's HTTP API and the messages of the internal hop. The gateway
 * validates every body at the edge (JSON schemas, apps/gateway/src/http/schemas.ts) and the hop
 * is authenticated, so replicas take these shapes as given: no validation pass per message.
 */

export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const PRODUCT_ID_PATTERN = /^p-\d{1,6}$/;
export const MAX_ITEM_QUANTITY = 99;
export const MAX_CART_LINES = 50;
export const MAX_USERNAME_LENGTH = 64;
export const MAX_PASSWORD_LENGTH = 128;
export const MAX_PAGE_SIZE = 100;

/** Body of POST /api/login. */
export interface Credentials {
  username: string;
  password: string;
}

/** Body of POST /api/cart/items. */
export interface AddCartItemBody {
  productId: string;
  quantity: number;
}

/** Query of GET /api/products. */
export interface ListProductsQuery {
  limit?: number;
  offset?: number;
}

// ---- messages of the TCP hop -------------------------------------------------------------

/** Names the session a message is about (and the cart, which is keyed by the same id). */
export interface SessionRef {
  sid: string;
}

/** user.login: check the credentials and create the session under the id the gateway chose. */
export interface LoginMessage extends SessionRef, Credentials {}

/** A cart write with the client's Idempotency-Key header, when it sent one: done once per key. */
export interface OnceRef {
  idempotencyKey?: string;
}

/** `Idempotency-Key`: what the client names one change by (an UUID fits). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

/** cart.items.add: the cart prices the line from its own copy of the catalog. */
export interface AddItemMessage extends SessionRef, AddCartItemBody, OnceRef {}

export interface RemoveItemMessage extends SessionRef, OnceRef {
  productId: string;
}

export interface CheckoutMessage extends SessionRef, OnceRef {
  userId: string;
}

export interface ListProductsMessage {
  limit: number;
  offset: number;
}

export interface ProductRef {
  id: string;
}
