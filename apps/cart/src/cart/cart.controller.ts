import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AddItemMessage, CartPatterns, CartView, CheckoutMessage, Order, RemoveItemMessage, SessionRef } from '@app/contracts';
import { CartService } from './cart.service';

@Controller()
export class CartController {
  constructor(private readonly carts: CartService) {}

  @MessagePattern(CartPatterns.get)
  get(@Payload() message: SessionRef): Promise<CartView> {
    return this.carts.view(message.sid);
  }

  @MessagePattern(CartPatterns.addItem)
  add(@Payload() message: AddItemMessage): Promise<CartView> {
    return this.carts.addItem(message.sid, message.productId, message.quantity, message.idempotencyKey);
  }

  @MessagePattern(CartPatterns.removeItem)
  remove(@Payload() message: RemoveItemMessage): Promise<CartView> {
    return this.carts.removeItem(message.sid, message.productId, message.idempotencyKey);
  }

  @MessagePattern(CartPatterns.checkout)
  checkout(@Payload() message: CheckoutMessage): Promise<Order> {
    return this.carts.checkout(message.sid, message.userId, message.idempotencyKey);
  }

  @MessagePattern(CartPatterns.discard)
  async discard(@Payload() message: SessionRef): Promise<{ discarded: true }> {
    await this.carts.discard(message.sid);
    return { discarded: true };
  }
}
