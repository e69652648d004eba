import { Injectable } from '@nestjs/common';
import { Catalog, Product, ProductPage } from '@app/contracts';

/** The product catalog: reference data, identical on every replica, loaded once at boot. */
@Injectable()
export class ProductsService {
  private readonly catalog = Catalog.load();

  list(limit: number, offset: number): ProductPage {
    return this.catalog.page(limit, offset);
  }

  find(id: string): Product | undefined {
    return this.catalog.find(id);
  }
}
