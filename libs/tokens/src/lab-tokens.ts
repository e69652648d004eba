import { randomBytes } from 'node:crypto';
import { JwtKey, JwtRejection, signJwt, verifyJwt } from './jwt';

/** `typ` claim: what a token may be used for. An access token never refreshes, a refresh token never authenticates. */
export type TokenType = 'access' | 'refresh';

/** The claims of the lab's tokens. */
export interface LabTokenClaims {
  /** The user id. */
  sub: string;
  /** The username. */
  name: string;
  /** Issued at, Unix seconds with millisecond precision (RFC 7519 allows non-integer dates): logout-all compares it. */
  iat: number;
  /** Expires at, whole Unix seconds. */
  exp: number;
  /** Unique id of this token: what a logout denylists. */
  jti: string;
  typ: TokenType;
  /** The login this token descends from (its refresh family): a logout or a reused refresh token ends the family. */
  fam: string;
}

/** Why a token was refused: the codec's reasons, or a token of the other type. */
export type TokenRejection = JwtRejection | 'wrong_type';

export type TokenCheck = { ok: true; claims: LabTokenClaims } | { ok: false; reason: TokenRejection };

export interface LabTokensOptions {
  key: JwtKey;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  now?: () => number;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A random 128-bit id, base64url (22 characters). */
export function newTokenId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Issues and checks the lab's access and refresh tokens (jwt mode): signed JWTs with `sub`,
 * `name`, `iat`, `exp`, `jti`, `typ` and `fam`. Checking needs no store: the signature, the
 * expiry and the type say everything the token can say; revocation is the caller's (Redis).
 */
export class LabTokens {
  private readonly now: () => number;

  constructor(private readonly options: LabTokensOptions) {
    this.now = options.now ?? Date.now;
  }

  get alg(): JwtKey['alg'] {
    return this.options.key.alg;
  }

  ttlSeconds(typ: TokenType): number {
    return typ === 'access' ? this.options.accessTtlSeconds : this.options.refreshTtlSeconds;
  }

  /** A new token of `typ` for the user, in `family` (a new family when none is given). */
  issue(user: { userId: string; username: string }, typ: TokenType, family: string = newTokenId()): { token: string; claims: LabTokenClaims } {
    const nowMs = this.now();
    const claims: LabTokenClaims = {
      sub: user.userId,
      name: user.username,
      iat: nowMs / 1000,
      exp: Math.ceil(nowMs / 1000) + this.ttlSeconds(typ),
      jti: newTokenId(),
      typ,
      fam: family,
    };
    return { token: signJwt(claims as unknown as Record<string, unknown>, this.options.key), claims };
  }

  /** Checks a token for use as `typ`: signature, expiry, then the claims' shapes and type. */
  check(token: string, typ: TokenType): TokenCheck {
    const verdict = verifyJwt(token, this.options.key, this.now() / 1000);
    if (!verdict.valid) return { ok: false, reason: verdict.reason };
    const c = verdict.claims;
    const shaped =
      typeof c.sub === 'string' &&
      ID_PATTERN.test(c.sub) &&
      typeof c.name === 'string' &&
      c.name.length <= 128 &&
      typeof c.iat === 'number' &&
      Number.isFinite(c.iat) &&
      typeof c.jti === 'string' &&
      ID_PATTERN.test(c.jti) &&
      typeof c.fam === 'string' &&
      ID_PATTERN.test(c.fam) &&
      (c.typ === 'access' || c.typ === 'refresh');
    if (!shaped) return { ok: false, reason: 'malformed' };
    if (c.typ !== typ) return { ok: false, reason: 'wrong_type' };
    return { ok: true, claims: c as unknown as LabTokenClaims };
  }
}
