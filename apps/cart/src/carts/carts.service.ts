import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ReplicaAddress } from '@app/config';
import { CartItem, CartView, Catalog, ErrorCodes, labError, MAX_CART_LINES, MAX_ITEM_QUANTITY, Order } from '@app/contracts';
import { REPLICA_ADDRESS } from '@app/replica';
import { CART_STORE, CartStore } from '@app/state';
import { ReplicaTelemetry } from '@app/telemetry';

/**
 * Carts and checkout, wherever STATE_MODE put them. A cart belongs to one session id. Lines are
 * priced from the catalog (reference data every cart replica holds), never from the caller.
 */
@Injectable()
export class CartsService implements OnModuleInit {
  private readonly catalog = Catalog.load();

  constructor(
    @Inject(CART_STORE) private readonly store: CartStore,
    @Inject(REPLICA_ADDRESS) private readonly address: ReplicaAddress,
    private readonly telemetry: ReplicaTelemetry,
  ) {}

  onModuleInit(): void {
    const holder = this.store.kind === 'redis' ? 'redis' : this.address.id;
    this.telemetry.trackState('carts', async () => ({ replica: holder, count: await this.store.count() }));
  }

  async view(cartId: string): Promise<CartView> {
    return toView(await this.store.get(cartId));
  }

  async addItem(cartId: string, productId: string, quantity: number): Promise<CartView> {
    const product = this.catalog.find(productId);
    if (!product) throw labError(404, ErrorCodes.productNotFound, `no product ${productId}`);
    const item: CartItem = { productId, quantity, priceCents: product.priceCents };
    const outcome = await this.store.addItem(cartId, item, { maxLines: MAX_CART_LINES, maxQuantity: MAX_ITEM_QUANTITY });
    if (outcome.ok) return toView(outcome.items);
    throw outcome.reason === 'cart_full'
      ? labError(409, ErrorCodes.cartFull, `a cart holds at most ${MAX_CART_LINES} different products`)
      : labError(409, ErrorCodes.cartFull, `at most ${MAX_ITEM_QUANTITY} of one product per cart`);
  }

  async removeItem(cartId: string, productId: string): Promise<CartView> {
    const items = await this.store.removeItem(cartId, productId);
    if (!items) throw labError(404, ErrorCodes.itemNotInCart, `${productId} is not in the cart`);
    return toView(items);
  }

  async checkout(cartId: string, userId: string): Promise<Order> {
    const order = await this.store.checkout(cartId, { orderId: randomUUID(), userId, createdAt: new Date().toISOString() });
    if (!order) throw labError(409, ErrorCodes.emptyCart, 'the cart is empty');
    this.telemetry.countOrder();
    return order;
  }

  clear(cartId: string): Promise<void> {
    return this.store.clear(cartId);
  }
}

function toView(items: CartItem[]): CartView {
  return { items, totalCents: items.reduce((sum, item) => sum + item.quantity * item.priceCents, 0) };
}
