/** Injection token of the {@link SessionStore} chosen by `StateModule.register()`. */
export const SESSION_STORE = Symbol('SESSION_STORE');

/** Injection token of the {@link CartStore} chosen by `StateModule.register()`. */
export const CART_STORE = Symbol('CART_STORE');

/**
 * Optional injection token of a {@link StoreObserver}. When the application provides one
 * (from a global module, or a module passed in `StateModule.register({imports})`), every
 * store call is timed and reported to it.
 */
export const STORE_OBSERVER = Symbol('STORE_OBSERVER');

/**
 * Optional injection token of a {@link StateGauges}. When the application provides one (as
 * STORE_OBSERVER), StateModule registers the live-state gauge of every store it provides:
 * services never count, label or ask which backend they have.
 */
export const STATE_GAUGES = Symbol('STATE_GAUGES');

/**
 * Injection token of this process's {@link TransferableState}: every entry of its memory stores,
 * for a deploy's hand-off; null in redis mode, where the state is shared and nothing moves.
 */
export const STATE_TRANSFER = Symbol('STATE_TRANSFER');
