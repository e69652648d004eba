import { createHmac, createPrivateKey, createPublicKey, KeyObject, sign as signBytes, timingSafeEqual, verify as verifyBytes } from 'node:crypto';

/**
 * A minimal JSON Web Token codec (RFC 7519, compact JWS of RFC 7515) on node:crypto alone:
 * HS256 (HMAC-SHA256) or EdDSA (Ed25519, RFC 8037). Only what a careful verifier must do: the
 * algorithm pinned by the key, never read from the token; the signature checked before the
 * payload is trusted; `exp` required, `nbf` honoured. Keys are imported once ({@link hs256Key},
 * {@link ed25519Key}): importing per verify is the usual hidden cost.
 */

export type JwtClaims = Record<string, unknown>;

/** Why a token was refused. */
export type JwtRejection = 'malformed' | 'bad_algorithm' | 'bad_signature' | 'expired' | 'not_yet_valid';

export type JwtVerdict = { valid: true; claims: JwtClaims } | { valid: false; reason: JwtRejection };

/** A signing key with its algorithm, imported once. */
export interface JwtKey {
  readonly alg: 'HS256' | 'EdDSA';
  /** The base64url signature of the signing input. */
  sign(signingInput: string): string;
  /** True when `signature` (base64url text) is this key's signature of the input. */
  verify(signingInput: string, signature: string): boolean;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Far above any sane token; bounds the work an attacker can ask for. */
const MAX_TOKEN_LENGTH = 8192;

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** An HS256 key: the secret's UTF-8 bytes (or the given bytes). */
export function hs256Key(secret: string | Buffer): JwtKey {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  const mac = (input: string) => createHmac('sha256', key).update(input).digest('base64url');
  return {
    alg: 'HS256',
    sign: mac,
    verify(signingInput, signature) {
      // Comparing the base64url text, not decoded bytes, rejects non-canonical encodings of the
      // right MAC (a different last character that decodes to the same 32 bytes).
      const given = Buffer.from(signature, 'utf8');
      const expected = Buffer.from(mac(signingInput), 'utf8');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/** An EdDSA (Ed25519) key from a PEM private key: signs with it, verifies with its public half. */
export function ed25519Key(privateKeyPem: string): JwtKey {
  const privateKey: KeyObject = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`an EdDSA key must be Ed25519, not ${privateKey.asymmetricKeyType}`);
  const publicKey = createPublicKey(privateKey);
  return {
    alg: 'EdDSA',
    sign: (input) => signBytes(null, Buffer.from(input, 'utf8'), privateKey).toString('base64url'),
    verify(signingInput, signature) {
      if (signature.length !== 86 || !BASE64URL.test(signature)) return false; // 64 bytes, canonical base64url
      const bytes = Buffer.from(signature, 'base64url');
      return bytes.toString('base64url') === signature && verifyBytes(null, Buffer.from(signingInput, 'utf8'), publicKey, bytes);
    },
  };
}

const headers = new Map<string, string>();
function headerOf(alg: JwtKey['alg']): string {
  let header = headers.get(alg);
  if (header === undefined) headers.set(alg, (header = base64url(JSON.stringify({ alg, typ: 'JWT' }))));
  return header;
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

/** A compact token for `claims`, header `{"alg":<key's>,"typ":"JWT"}`. */
export function signJwt(claims: JwtClaims, key: JwtKey): string {
  const signingInput = `${headerOf(key.alg)}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${key.sign(signingInput)}`;
}

/**
 * Verifies a compact token: three base64url segments, header `alg` exactly the key's (no
 * `none`, no algorithm the key was not meant for, no `crit` extensions), a signature that
 * matches, then a JSON object payload whose numeric `exp` lies after `nowSeconds` (and whose
 * `nbf`, if any, does not).
 */
export function verifyJwt(token: string, key: JwtKey, nowSeconds = Date.now() / 1000): JwtVerdict {
  if (token.length > MAX_TOKEN_LENGTH) return { valid: false, reason: 'malformed' };
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return { valid: false, reason: 'malformed' };

  const header = parseObject(token.slice(0, first));
  if (!header) return { valid: false, reason: 'malformed' };
  if (header.alg !== key.alg || (header.typ !== undefined && header.typ !== 'JWT') || header.crit !== undefined) {
    return { valid: false, reason: 'bad_algorithm' };
  }
  if (!key.verify(token.slice(0, second), token.slice(second + 1))) return { valid: false, reason: 'bad_signature' };

  const claims = parseObject(token.slice(first + 1, second));
  if (!claims) return { valid: false, reason: 'malformed' };
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return { valid: false, reason: 'malformed' };
  if (nowSeconds >= claims.exp) return { valid: false, reason: 'expired' };
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || nowSeconds < claims.nbf)) return { valid: false, reason: 'not_yet_valid' };
  return { valid: true, claims };
}
