import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CartItem, CartView, Catalog, ErrorCodes, labError, MAX_CART_LINES, MAX_ITEM_QUANTITY, Order } from '@app/contracts';
import { CART_STORE, CartStore, Idempotency, IdempotencyKeyReusedError, SessionEndedError, TraceParent } from '@app/state';
import { ReplicaTelemetry } from '@app/telemetry';

/**
 * Carts and checkout, wherever STATE_MODE put them. A cart belongs to one session id, and its
 * writes fail with 401 `session_ended` once that session has ended. Lines are priced from the
 * catalog (reference data every cart replica holds), never from the caller. A write that
 * carries the client's Idempotency-Key happens once: a retry answers the first outcome.
 */
@Injectable()
export class CartService {
  private readonly catalog = Catalog.load();

  constructor(
    @Inject(CART_STORE) private readonly store: CartStore,
    private readonly telemetry: ReplicaTelemetry,
  ) {}

  async view(cartId: string, parent?: TraceParent): Promise<CartView> {
    return toView(await this.store.get(cartId, parent));
  }

  async addItem(cartId: string, productId: string, quantity: number, idempotencyKey?: string, parent?: TraceParent): Promise<CartView> {
    const product = this.catalog.find(productId);
    if (!product) throw labError(404, ErrorCodes.productNotFound, `no product ${productId}`);
    const item: CartItem = { productId, quantity, priceCents: product.priceCents };
    const limits = { maxLines: MAX_CART_LINES, maxQuantity: MAX_ITEM_QUANTITY };
    const outcome = await refuseEnded(this.store.addItem(cartId, item, limits, once(idempotencyKey, `add ${productId} ${quantity}`), parent));
    if (outcome.ok) return toView(outcome.items);
    throw outcome.reason === 'cart_full'
      ? labError(409, ErrorCodes.cartFull, `a cart holds at most ${MAX_CART_LINES} different products`)
      : labError(409, ErrorCodes.cartFull, `at most ${MAX_ITEM_QUANTITY} of one product per cart`);
  }

  async removeItem(cartId: string, productId: string, idempotencyKey?: string, parent?: TraceParent): Promise<CartView> {
    const items = await refuseEnded(this.store.removeItem(cartId, productId, once(idempotencyKey, `remove ${productId}`), parent));
    if (!items) throw labError(404, ErrorCodes.itemNotInCart, `${productId} is not in the cart`);
    return toView(items);
  }

  async checkout(cartId: string, userId: string, idempotencyKey?: string, parent?: TraceParent): Promise<Order> {
    const head = { orderId: randomUUID(), userId, createdAt: new Date().toISOString() };
    const order = await refuseEnded(this.store.checkout(cartId, head, once(idempotencyKey, 'checkout'), parent));
    if (!order) throw labError(409, ErrorCodes.emptyCart, 'the cart is empty');
    this.telemetry.countOrder();
    return order;
  }

  /** The cart's session ended: the cart goes, and later writes to it are refused. */
  discard(cartId: string, parent?: TraceParent): Promise<void> {
    return this.store.discard(cartId, parent);
  }
}

/**
 * A write that reached the store after its session ended is a 401, as a request without a
 * session is; an Idempotency-Key first used for another change is a 422.
 */
async function refuseEnded<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof SessionEndedError) throw labError(401, ErrorCodes.sessionEnded, 'the session has ended; log in again');
    if (error instanceof IdempotencyKeyReusedError) throw labError(422, ErrorCodes.idempotencyKeyReused, 'this Idempotency-Key was used for a different change');
    throw error;
  }
}

function once(key: string | undefined, fingerprint: string): Idempotency | undefined {
  return key === undefined ? undefined : { key, fingerprint };
}

function toView(items: CartItem[]): CartView {
  return { items, totalCents: items.reduce((sum, item) => sum + item.quantity * item.priceCents, 0) };
}
