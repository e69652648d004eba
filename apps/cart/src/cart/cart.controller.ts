import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { AddItemMessage, CartPatterns, CartView, CheckoutMessage, Order, RemoveItemMessage, SessionRef } from '@app/contracts';
import { LabTcpContext } from '@app/transport';
import { CartService } from './cart.service';

@Controller()
export class CartController {
  constructor(private readonly carts: CartService) {}

  @MessagePattern(CartPatterns.get)
  get(@Payload() message: SessionRef, @Ctx() call: LabTcpContext): Promise<CartView> {
    return this.carts.view(message.sid, call.getTraceParent());
  }

  @MessagePattern(CartPatterns.addItem)
  add(@Payload() message: AddItemMessage, @Ctx() call: LabTcpContext): Promise<CartView> {
    return this.carts.addItem(message.sid, message.productId, message.quantity, message.idempotencyKey, call.getTraceParent());
  }

  @MessagePattern(CartPatterns.removeItem)
  remove(@Payload() message: RemoveItemMessage, @Ctx() call: LabTcpContext): Promise<CartView> {
    return this.carts.removeItem(message.sid, message.productId, message.idempotencyKey, call.getTraceParent());
  }

  @MessagePattern(CartPatterns.checkout)
  checkout(@Payload() message: CheckoutMessage, @Ctx() call: LabTcpContext): Promise<Order> {
    return this.carts.checkout(message.sid, message.userId, message.idempotencyKey, call.getTraceParent());
  }

  @MessagePattern(CartPatterns.discard)
  async discard(@Payload() message: SessionRef, @Ctx() call: LabTcpContext): Promise<{ discarded: true }> {
    await this.carts.discard(message.sid, call.getTraceParent());
    return { discarded: true };
  }
}
