/**
 * What the gateway signs and checks on every request: the `sid` session cookie, and, in jwt
 * mode, access and refresh tokens (a JWT codec on node:crypto). A library of its own so the
 * benches measure the gateway's real code.
 */
export * from './session-cookie';
export * from './jwt';
export * from './lab-tokens';
