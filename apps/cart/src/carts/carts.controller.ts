import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AddItemMessage, CartPatterns, CartView, CheckoutMessage, Order, RemoveItemMessage, SessionRef } from '@app/contracts';
import { CartsService } from './carts.service';

@Controller()
export class CartsController {
  constructor(private readonly carts: CartsService) {}

  @MessagePattern(CartPatterns.get)
  get(@Payload() message: SessionRef): Promise<CartView> {
    return this.carts.view(message.sid);
  }

  @MessagePattern(CartPatterns.addItem)
  add(@Payload() message: AddItemMessage): Promise<CartView> {
    return this.carts.addItem(message.sid, message.productId, message.quantity);
  }

  @MessagePattern(CartPatterns.removeItem)
  remove(@Payload() message: RemoveItemMessage): Promise<CartView> {
    return this.carts.removeItem(message.sid, message.productId);
  }

  @MessagePattern(CartPatterns.checkout)
  checkout(@Payload() message: CheckoutMessage): Promise<Order> {
    return this.carts.checkout(message.sid, message.userId);
  }

  @MessagePattern(CartPatterns.discard)
  async discard(@Payload() message: SessionRef): Promise<{ discarded: true }> {
    await this.carts.discard(message.sid);
    return { discarded: true };
  }
}
