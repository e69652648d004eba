/** Injection token of the lab secret: verifies the gateway's signed upgrades and authenticates calls to peers. */
export const CHAT_HOP_SECRET = Symbol('CHAT_HOP_SECRET');
