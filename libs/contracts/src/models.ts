export interface SessionUser {
  userId: string;
  username: string;
}

export interface Product {
  id: string;
  name: string;
  priceCents: number;
}

export interface ProductPage {
  items: Product[];
  total: number;
}

export interface CartItem {
  productId: string;
  quantity: number;
  priceCents: number;
}

export interface CartView {
  items: CartItem[];
  totalCents: number;
}

export interface Order {
  orderId: string;
  userId: string;
  items: CartItem[];
  totalCents: number;
  createdAt: string;
}

export interface ReplicaHealth {
  id: string;
  pid: number;
  /** `up`/`down` for the state store this replica depends on; `none` when it has none. */
  store: 'up' | 'down' | 'none';
  startedAt: string;
  /** The sessions (user) or carts (cart) it holds; `shared` when they are Redis's, the same for every replica. */
  held?: { count: number; shared: boolean };
}
