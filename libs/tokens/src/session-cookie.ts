import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SESSION_ID_PATTERN } from '@app/contracts';

export const SESSION_COOKIE = 'sid';
/** A signed cookie is 22 + 1 + ≤ 7 + 1 + 43 characters; anything much longer is not ours. */
const MAX_COOKIE_VALUE = 128;
const ISSUED_AT_PATTERN = /^[0-9a-z]{1,9}$/;

export type CookieSession =
  | { state: 'absent' }
  | { state: 'invalid' }
  | {
      state: 'valid';
      sid: string;
      /**
       * The cookie should be sent again: past half its life (the server slides the session, the
       * browser's Max-Age does not slide by itself) or signed with the previous key.
       */
      reissue: boolean;
    };

export interface SessionCookieOptions {
  /** Signs new cookies. */
  secret: string;
  /** Still accepted (a rotation in progress); cookies it signed are re-issued under `secret`. */
  previousSecret?: string;
  /** Max-Age of the cookie: the session TTL. */
  maxAgeSeconds: number;
  /** Adds `Secure` (HTTPS only). */
  secure?: boolean;
  now?: () => number;
}

/**
 * Issues and checks `sid` cookies: `sid=<id>.<issued-at>.<HMAC-SHA256>`, an unguessable id of
 * 128 random bits and the second it was issued (base 36), both signed, so the gateway can tell a
 * lost session (good signature, store does not have it) from a forged or malformed one, and
 * knows when to send the cookie again. HttpOnly, SameSite=Lax, Secure on request.
 */
export class SessionCookies {
  private readonly key: Buffer;
  private readonly previousKey: Buffer | undefined;
  private readonly attributes: string;
  private readonly now: () => number;

  constructor(private readonly options: SessionCookieOptions) {
    this.key = Buffer.from(options.secret, 'utf8');
    this.previousKey = options.previousSecret === undefined ? undefined : Buffer.from(options.previousSecret, 'utf8');
    this.attributes = `Path=/; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
    this.now = options.now ?? Date.now;
  }

  newSessionId(): string {
    return randomBytes(16).toString('base64url');
  }

  /** The Set-Cookie header value for a session id, issued now. */
  serialize(sid: string): string {
    const payload = `${sid}.${Math.floor(this.now() / 1000).toString(36)}`;
    return `${SESSION_COOKIE}=${payload}.${sign(this.key, payload)}; ${this.attributes}; Max-Age=${this.options.maxAgeSeconds}`;
  }

  /** The Set-Cookie header value that removes the cookie. */
  serializeCleared(): string {
    return `${SESSION_COOKIE}=; ${this.attributes}; Max-Age=0`;
  }

  /** Reads the `sid` cookie of a Cookie header. */
  read(cookieHeader: string | undefined): CookieSession {
    const value = cookieValue(cookieHeader, SESSION_COOKIE);
    if (value === undefined) return { state: 'absent' };
    if (value.length > MAX_COOKIE_VALUE) return { state: 'invalid' };
    const [sid, issued, signature, extra] = value.split('.');
    if (extra !== undefined || signature === undefined || !SESSION_ID_PATTERN.test(sid) || !ISSUED_AT_PATTERN.test(issued)) return { state: 'invalid' };
    const payload = `${sid}.${issued}`;
    const byCurrent = verify(this.key, payload, signature);
    if (!byCurrent && !(this.previousKey && verify(this.previousKey, payload, signature))) return { state: 'invalid' };
    const ageSeconds = this.now() / 1000 - parseInt(issued, 36);
    return { state: 'valid', sid, reissue: !byCurrent || ageSeconds > this.options.maxAgeSeconds / 2 };
  }

  /** The session id of a validly signed cookie, whether or not its session still exists. */
  signedSessionId(cookieHeader: string | undefined): string | undefined {
    const cookie = this.read(cookieHeader);
    return cookie.state === 'valid' ? cookie.sid : undefined;
  }
}

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

function verify(key: Buffer, payload: string, signature: string): boolean {
  const expected = Buffer.from(sign(key, payload));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The value of one cookie in a Cookie header; undefined when absent. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
