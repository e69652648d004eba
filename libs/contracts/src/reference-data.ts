import * as fs from 'node:fs';
import * as path from 'node:path';

/** Shapes of the committed reference data in fixtures/. */
export const DEMO_PASSWORD = 'demo-password';

/** scrypt cost N=2^14, r=8, p=1: Percival's interactive-login parameters, ~45 ms here. */
export const SCRYPT_PARAMS = { N: 16384, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 } as const;

export interface UserRecord {
  userId: string;
  username: string;
  salt: string;
  hash: string;
}

export interface ProductRecord {
  id: string;
  name: string;
  priceCents: number;
}

/**
 * Reads a committed fixture (fixtures/<name>) by walking up from this file, so the same code
 * works from dist/ and from the TypeScript sources under Jest.
 */
export function readFixture<T>(name: string): T {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'fixtures', name);
    if (fs.existsSync(candidate)) return JSON.parse(fs.readFileSync(candidate, 'utf8')) as T;
    if (path.dirname(dir) === dir) throw new Error(`fixture ${name} not found above ${__dirname}`);
  }
}

export interface UsersFixture {
  scrypt: { N: number; r: number; p: number; keylen: number; maxmem: number };
  users: UserRecord[];
}

/**
 * The product catalog: reference data, identical on every replica that needs it (the product
 * service serves it; the cart service prices lines from it, so a caller cannot set a price).
 */
export class Catalog {
  private readonly byId: ReadonlyMap<string, ProductRecord>;

  constructor(readonly products: readonly ProductRecord[]) {
    this.byId = new Map(products.map((p) => [p.id, p]));
  }

  /** The committed catalog (fixtures/products.json). */
  static load(): Catalog {
    return new Catalog(readFixture<ProductRecord[]>('products.json'));
  }

  find(id: string): ProductRecord | undefined {
    return this.byId.get(id);
  }

  page(limit: number, offset: number): { items: ProductRecord[]; total: number } {
    return { items: this.products.slice(offset, offset + limit), total: this.products.length };
  }
}
