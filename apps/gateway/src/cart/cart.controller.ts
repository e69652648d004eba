import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AddCartItemDto, CartPatterns, CartView, ErrorCodes, Order, Product, PRODUCT_ID_PATTERN, ProductPatterns } from '@app/contracts';
import { LabHttpException } from '../http/lab-http.exception';
import { ServedBy } from '../http/served-by';
import { ReplicaPool } from '../replicas/replica-pool';
import { SessionResolver } from '../sessions/session-resolver';

/** The cart of the caller's session, on the cart replica that owns the session id. */
@Controller('api')
export class CartController {
  constructor(
    private readonly pool: ReplicaPool,
    private readonly sessions: SessionResolver,
  ) {}

  @Get('cart')
  async view(@Req() request: FastifyRequest, @ServedBy() servedBy: string[]): Promise<CartView> {
    const { sid } = await this.sessions.require(request);
    return this.pool.send('cart', CartPatterns.get, { sid }, { key: sid, servedBy });
  }

  @Post('cart/items')
  @HttpCode(201)
  async add(@Body() body: AddCartItemDto, @Req() request: FastifyRequest, @ServedBy() servedBy: string[]): Promise<CartView> {
    const { sid } = await this.sessions.require(request);
    const product = await this.pool.send<Product>('product', ProductPatterns.get, { id: body.productId }, { servedBy });
    return this.pool.send('cart', CartPatterns.addItem, { sid, productId: product.id, quantity: body.quantity, priceCents: product.priceCents }, { key: sid, servedBy });
  }

  @Delete('cart/items/:productId')
  async remove(@Param('productId') productId: string, @Req() request: FastifyRequest, @ServedBy() servedBy: string[]): Promise<CartView> {
    const { sid } = await this.sessions.require(request);
    if (!PRODUCT_ID_PATTERN.test(productId)) throw new LabHttpException(404, ErrorCodes.itemNotInCart, 'no such product in the cart');
    return this.pool.send('cart', CartPatterns.removeItem, { sid, productId }, { key: sid, servedBy });
  }

  @Post('checkout')
  @HttpCode(201)
  async checkout(@Req() request: FastifyRequest, @ServedBy() servedBy: string[]): Promise<Pick<Order, 'orderId' | 'items' | 'totalCents'>> {
    const { sid, user } = await this.sessions.require(request);
    const order = await this.pool.send<Order>('cart', CartPatterns.checkout, { sid, userId: user.userId }, { key: sid, servedBy });
    return { orderId: order.orderId, items: order.items, totalCents: order.totalCents };
  }
}
