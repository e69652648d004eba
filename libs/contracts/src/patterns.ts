/** Message patterns of the internal TCP hop, one constant per request/response pair. */
export const UserPatterns = {
  login: 'user.login',
  getSession: 'user.session.get',
  destroySession: 'user.session.destroy',
  /** jwt mode: check a password and create nothing; the gateway issues the tokens. */
  verifyCredentials: 'user.credentials.verify',
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
  /** A deploy's hand-off: the replica returns every entry it holds and refuses all later calls (it is about to stop). */
  handoffExport: 'lab.handoff-export',
  /** A deploy's hand-off: the restarted replica takes what its predecessor exported. */
  handoffImport: 'lab.handoff-import',
} as const;

/**
 * The calls that change state. When one of them got no answer after it was sent, the gateway
 * cannot know whether it was applied, and says so (503 `outcome_unknown`) instead of implying
 * that nothing happened.
 */
export const WRITE_PATTERNS: ReadonlySet<string> = new Set<string>([
  UserPatterns.destroySession,
  CartPatterns.addItem,
  CartPatterns.removeItem,
  CartPatterns.checkout,
  CartPatterns.discard,
]);
