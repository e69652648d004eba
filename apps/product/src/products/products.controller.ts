import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ErrorCodes, labError, ListProductsMessage, Product, ProductPage, ProductPatterns, ProductRef } from '@app/contracts';
import { ProductsService } from './products.service';

@Controller()
export class ProductsController {
  constructor(private readonly catalog: ProductsService) {}

  @MessagePattern(ProductPatterns.list)
  list(@Payload() message: ListProductsMessage): ProductPage {
    return this.catalog.list(message.limit, message.offset);
  }

  @MessagePattern(ProductPatterns.get)
  get(@Payload() message: ProductRef): Product {
    const product = this.catalog.find(message.id);
    if (!product) throw labError(404, ErrorCodes.productNotFound, `no product ${message.id}`);
    return product;
  }
}
