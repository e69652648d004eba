import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { AddCartItemBody, AddItemMessage, CartPatterns, CartView, ErrorCodes, IDEMPOTENCY_KEY_PATTERN, OnceRef, Order, PRODUCT_ID_PATTERN } from '@app/contracts';
import { LabHttpException } from '../http/lab-http.exception';
import { ChatPush } from '../realtime/chat-push';
import { Hop, RequestHop } from '../http/request-hop';
import { ADD_ITEM_SCHEMA, CART_SCHEMA, CHECKOUT_SCHEMA, REMOVE_ITEM_SCHEMA } from '../http/schemas';
import { AuthGuard } from '../auth/authenticator';
import { CurrentSession, ResolvedSession } from '../sessions/session.guard';

/**
 * The `Idempotency-Key` header of a cart write, checked: a change sent again with the same key
 * happens once and answers as it did the first time (so a 503 `outcome_unknown` can be retried).
 */
function idempotencyKey(header: string | undefined): OnceRef {
  if (header === undefined) return {};
  if (!IDEMPOTENCY_KEY_PATTERN.test(header)) throw new LabHttpException(400, ErrorCodes.badRequest, 'Idempotency-Key must be 1 to 100 of A-Z a-z 0-9 _ -');
  return { idempotencyKey: header };
}

/**
 * The cart of the caller's session (jwt mode: of the user), on the cart replica that owns its
 * id. The hop's `sid` field carries the cart id.
 */
@Controller('api')
@UseGuards(AuthGuard)
export class CartController {
  constructor(private readonly push: ChatPush) {}

  @Get('cart')
  @RouteSchema(CART_SCHEMA)
  view(@CurrentSession() { cartId }: ResolvedSession, @Hop() hop: RequestHop): Promise<CartView> {
    return hop.call('cart', CartPatterns.get, { sid: cartId }, cartId);
  }

  /** The cart replica prices the line from its own catalog: the caller never sends a price. */
  @Post('cart/items')
  @HttpCode(201)
  @RouteSchema(ADD_ITEM_SCHEMA)
  add(
    @Body() body: AddCartItemBody,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentSession() { cartId }: ResolvedSession,
    @Hop() hop: RequestHop,
  ): Promise<CartView> {
    const message: AddItemMessage = { sid: cartId, productId: body.productId, quantity: body.quantity, ...idempotencyKey(key) };
    return hop.call('cart', CartPatterns.addItem, message, cartId);
  }

  @Delete('cart/items/:productId')
  @RouteSchema(REMOVE_ITEM_SCHEMA)
  remove(
    @Param('productId') productId: string,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentSession() { cartId }: ResolvedSession,
    @Hop() hop: RequestHop,
  ): Promise<CartView> {
    if (!PRODUCT_ID_PATTERN.test(productId)) throw new LabHttpException(404, ErrorCodes.itemNotInCart, 'no such product in the cart');
    return hop.call('cart', CartPatterns.removeItem, { sid: cartId, productId, ...idempotencyKey(key) }, cartId);
  }

  /** The buyer's open WebSocket connections hear of the order (fire-and-forget: the checkout never waits for it). */
  @Post('checkout')
  @HttpCode(201)
  @RouteSchema(CHECKOUT_SCHEMA)
  async checkout(
    @Headers('idempotency-key') key: string | undefined,
    @CurrentSession() { cartId, user }: ResolvedSession,
    @Hop() hop: RequestHop,
  ): Promise<Pick<Order, 'orderId' | 'items' | 'totalCents'>> {
    const order = await hop.call<Order>('cart', CartPatterns.checkout, { sid: cartId, userId: user.userId, ...idempotencyKey(key) }, cartId);
    this.push.orderCreated(user.userId, order);
    return { orderId: order.orderId, items: order.items, totalCents: order.totalCents };
  }
}
