import { DynamicModule, Module } from '@nestjs/common';
import { ReplicaContext, STORE_PROBE } from '@app/replica';
import { CART_STORE, StateModule } from '@app/state';
import { CartController } from './cart/cart.controller';
import { CartService } from './cart/cart.service';

/** Carts and orders. Where they live is StateModule's choice, made once at boot. */
@Module({})
export class CartModule {
  static register({ config, address }: ReplicaContext): DynamicModule {
    return {
      module: CartModule,
      imports: [
        StateModule.register({
          mode: config.stateMode,
          redisUrl: config.redisUrl,
          redis: config.redis,
          ttlSeconds: config.sessionTtlSeconds,
          kinds: ['carts'],
          replicaId: address.id,
        }),
      ],
      controllers: [CartController],
      providers: [CartService, { provide: STORE_PROBE, useExisting: CART_STORE }],
    };
  }
}
