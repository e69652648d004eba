import { DynamicModule, Module } from '@nestjs/common';
import { ProductsService } from './products/products.service';
import { ProductsController } from './products/products.controller';

/** The catalog service: stateless reference data, the same in every mode. */
@Module({})
export class ProductModule {
  static register(): DynamicModule {
    return { module: ProductModule, controllers: [ProductsController], providers: [ProductsService] };
  }
}
