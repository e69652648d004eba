import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CartItem, CartView, Catalog, ErrorCodes, labError, MAX_CART_LINES, MAX_ITEM_QUANTITY, Order } from '@app/contracts';
import { CART_STORE, CartStore, SessionEndedError } from '@app/state';
import { ReplicaTelemetry } from '@app/telemetry';

/**
 * Carts and checkout, wherever STATE_MODE put them. A cart belongs to one session id, and its
 * writes fail with 401 `session_ended` once that session has ended. Lines are priced from the
 * catalog (reference data every cart replica holds), never from the caller.
 */
@Injectable()
export class CartsService {
  private readonly catalog = Catalog.load();

  constructor(
    @Inject(CART_STORE) private readonly store: CartStore,
    private readonly telemetry: ReplicaTelemetry,
  ) {}

  async view(cartId: string): Promise<CartView> {
    return toView(await this.store.get(cartId));
  }

  async addItem(cartId: string, productId: string, quantity: number): Promise<CartView> {
    const product = this.catalog.find(productId);
    if (!product) throw labError(404, ErrorCodes.productNotFound, `no product ${productId}`);
    const item: CartItem = { productId, quantity, priceCents: product.priceCents };
    const outcome = await refuseEnded(this.store.addItem(cartId, item, { maxLines: MAX_CART_LINES, maxQuantity: MAX_ITEM_QUANTITY }));
    if (outcome.ok) return toView(outcome.items);
    throw outcome.reason === 'cart_full'
      ? labError(409, ErrorCodes.cartFull, `a cart holds at most ${MAX_CART_LINES} different products`)
      : labError(409, ErrorCodes.cartFull, `at most ${MAX_ITEM_QUANTITY} of one product per cart`);
  }

  async removeItem(cartId: string, productId: string): Promise<CartView> {
    const items = await refuseEnded(this.store.removeItem(cartId, productId));
    if (!items) throw labError(404, ErrorCodes.itemNotInCart, `${productId} is not in the cart`);
    return toView(items);
  }

  async checkout(cartId: string, userId: string): Promise<Order> {
    const order = await refuseEnded(this.store.checkout(cartId, { orderId: randomUUID(), userId, createdAt: new Date().toISOString() }));
    if (!order) throw labError(409, ErrorCodes.emptyCart, 'the cart is empty');
    this.telemetry.countOrder();
    return order;
  }

  /** The cart's session ended: the cart goes, and later writes to it are refused. */
  discard(cartId: string): Promise<void> {
    return this.store.discard(cartId);
  }
}

/** A write that reached the store after its session ended is a 401, as a request without a session is. */
async function refuseEnded<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof SessionEndedError) throw labError(401, ErrorCodes.sessionEnded, 'the session has ended; log in again');
    throw error;
  }
}

function toView(items: CartItem[]): CartView {
  return { items, totalCents: items.reduce((sum, item) => sum + item.quantity * item.priceCents, 0) };
}
