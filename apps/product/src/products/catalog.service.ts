import { Injectable } from '@nestjs/common';
import { Product, ProductPage, ProductRecord, readFixture } from '@app/contracts';

/** The product catalog: reference data, identical on every replica, loaded once at boot. */
@Injectable()
export class CatalogService {
  private readonly products: readonly Product[] = readFixture<ProductRecord[]>('products.json');
  private readonly byId = new Map(this.products.map((p) => [p.id, p]));

  list(limit: number, offset: number): ProductPage {
    return { items: this.products.slice(offset, offset + limit), total: this.products.length };
  }

  find(id: string): Product | undefined {
    return this.byId.get(id);
  }
}
