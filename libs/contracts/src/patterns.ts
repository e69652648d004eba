/** Message patterns of the internal TCP hop, one constant per request/response pair. */
export const UserPatterns = {
  login: 'user.login',
  getSession: 'user.session.get',
  destroySession: 'user.session.destroy',
} as const;

export const CartPatterns = {
  get: 'cart.get',
  addItem: 'cart.items.add',
  removeItem: 'cart.items.remove',
  checkout: 'cart.checkout',
  /** The session ended: drop its cart and refuse later writes to it. */
  discard: 'cart.discard',
} as const;

export const ProductPatterns = {
  list: 'product.list',
  get: 'product.get',
} as const;

/** Answered by every replica, whatever its service. */
export const LabPatterns = {
  health: 'lab.health',
  crash: 'lab.crash',
} as const;
