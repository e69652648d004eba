import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The hop's authentication: the server opens every connection with a random challenge, the
 * client answers with HMAC-SHA256(secret, challenge) and may send nothing else until the server
 * welcomes it. The secret is the lab's (LAB_SECRET), shared by the gateway and the replicas, so
 * a process on the same host or network that does not hold it can neither read a session nor
 * write a cart nor crash a replica through a replica's port. One proof per connection: the
 * connections are long-lived, so it costs nothing per message.
 */
const CONTEXT = 'statelab-hop-v1:';

export function newChallenge(): string {
  return randomBytes(24).toString('base64url');
}

export function proveChallenge(secret: string, challenge: string): string {
  return createHmac('sha256', secret).update(CONTEXT + challenge).digest('base64url');
}

/** Constant-time check of a client's proof. */
export function verifyProof(secret: string, challenge: string, proof: unknown): boolean {
  if (typeof proof !== 'string' || proof.length > 100) return false;
  const expected = Buffer.from(proveChallenge(secret, challenge));
  const given = Buffer.from(proof);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
