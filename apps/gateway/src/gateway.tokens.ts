/** Injection token of the lab secret that authenticates the hop (LAB_SECRET). */
export const HOP_SECRET = Symbol('HOP_SECRET');

/** Injection token of the gateway's own GatewayConfig. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** Injection token of the DNS resolver REPLICA_DISCOVERY=dns asks (node:dns, or a fake in tests). */
export const SRV_RESOLVER = Symbol('SRV_RESOLVER');
