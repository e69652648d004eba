import { Controller, Get, Param, Query } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ErrorCodes, ListProductsQuery, Product, PRODUCT_ID_PATTERN, ProductPage, ProductPatterns } from '@app/contracts';
import { LabHttpException } from '../http/lab-http.exception';
import { Hop, RequestHop } from '../http/request-hop';
import { LIST_PRODUCTS_SCHEMA, PRODUCT_SCHEMA } from '../http/schemas';

@Controller('api/products')
export class ProductsController {
  @Get()
  @RouteSchema(LIST_PRODUCTS_SCHEMA)
  list(@Query() query: ListProductsQuery, @Hop() hop: RequestHop): Promise<ProductPage> {
    return hop.call('product', ProductPatterns.list, { limit: query.limit ?? 20, offset: query.offset ?? 0 });
  }

  @Get(':id')
  @RouteSchema(PRODUCT_SCHEMA)
  get(@Param('id') id: string, @Hop() hop: RequestHop): Promise<Product> {
    if (!PRODUCT_ID_PATTERN.test(id)) throw new LabHttpException(404, ErrorCodes.productNotFound, `no product ${id.slice(0, 64)}`);
    return hop.call('product', ProductPatterns.get, { id });
  }
}
