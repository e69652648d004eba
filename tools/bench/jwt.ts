import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A minimal HS256 JSON Web Token (RFC 7519 / RFC 7515 compact form) on node:crypto alone, as
 * the stateless side of the `tokens` bench: what a gateway would run per request instead of
 * checking a signed session id. Only what a careful verifier must do: one algorithm, pinned;
 * signature checked before the payload is trusted; `exp` required, `nbf` honoured.
 */

export type JwtClaims = Record<string, unknown>;

export type JwtVerdict =
  | { valid: true; claims: JwtClaims }
  | { valid: false; reason: 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not_yet_valid' };

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Far above any sane token; bounds the work an attacker can ask for. */
const MAX_TOKEN_LENGTH = 8192;

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function sign(signingInput: string, key: Buffer): string {
  return createHmac('sha256', key).update(signingInput).digest('base64url');
}

function parseObject(segment: string): Record<string, unknown> | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A compact HS256 token for `claims`, header `{"alg":"HS256","typ":"JWT"}`. */
export function signHs256Jwt(claims: JwtClaims, key: Buffer): string {
  const signingInput = `${HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${sign(signingInput, key)}`;
}

/**
 * Verifies a compact HS256 token: three base64url segments, header `alg` exactly HS256 (no
 * `none`, no algorithm the key was not meant for, no `crit` extensions), an HMAC that matches
 * in constant time, then a JSON object payload whose numeric `exp` lies after `nowSeconds`
 * (and whose `nbf`, if any, does not).
 */
export function verifyHs256Jwt(token: string, key: Buffer, nowSeconds = Date.now() / 1000): JwtVerdict {
  if (token.length > MAX_TOKEN_LENGTH) return { valid: false, reason: 'malformed' };
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return { valid: false, reason: 'malformed' };

  const header = parseObject(token.slice(0, first));
  if (!header) return { valid: false, reason: 'malformed' };
  if (header.alg !== 'HS256' || (header.typ !== undefined && header.typ !== 'JWT') || header.crit !== undefined) {
    return { valid: false, reason: 'algorithm' };
  }

  // Comparing the base64url text, not decoded bytes, rejects non-canonical encodings of the
  // right MAC (a different last character that decodes to the same 32 bytes).
  const signature = Buffer.from(token.slice(second + 1), 'utf8');
  const expected = Buffer.from(sign(token.slice(0, second), key), 'utf8');
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return { valid: false, reason: 'signature' };

  const claims = parseObject(token.slice(first + 1, second));
  if (!claims) return { valid: false, reason: 'malformed' };
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return { valid: false, reason: 'malformed' };
  if (nowSeconds >= claims.exp) return { valid: false, reason: 'expired' };
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || nowSeconds < claims.nbf)) return { valid: false, reason: 'not_yet_valid' };
  return { valid: true, claims };
}
