import { Controller, Get, Param, Query } from '@nestjs/common';
import { ErrorCodes, ListProductsQuery, Product, PRODUCT_ID_PATTERN, ProductPage, ProductPatterns } from '@app/contracts';
import { LabHttpException } from '../http/lab-http.exception';
import { ServedBy } from '../http/served-by';
import { ReplicaPool } from '../replicas/replica-pool';

@Controller('api/products')
export class ProductsController {
  constructor(private readonly pool: ReplicaPool) {}

  @Get()
  list(@Query() query: ListProductsQuery, @ServedBy() servedBy: string[]): Promise<ProductPage> {
    return this.pool.send('product', ProductPatterns.list, { limit: query.limit ?? 20, offset: query.offset ?? 0 }, { servedBy });
  }

  @Get(':id')
  get(@Param('id') id: string, @ServedBy() servedBy: string[]): Promise<Product> {
    if (!PRODUCT_ID_PATTERN.test(id)) throw new LabHttpException(404, ErrorCodes.productNotFound, `no product ${id.slice(0, 64)}`);
    return this.pool.send('product', ProductPatterns.get, { id }, { servedBy });
  }
}
