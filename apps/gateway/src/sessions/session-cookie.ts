import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SESSION_ID_PATTERN } from '@app/contracts';

export const SESSION_COOKIE = 'sid';
/** A signed id is 22 + 1 + 43 characters; anything much longer is not ours. */
const MAX_COOKIE_VALUE = 128;

export type CookieSession = { state: 'absent' } | { state: 'invalid' } | { state: 'valid'; sid: string };

/**
 * Issues and checks `sid` cookies: 128 random bits, HMAC-SHA256 signed, so the gateway can
 * tell a lost session (good signature, store does not have it) from a forged or malformed one.
 */
export class SessionCookies {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly maxAgeSeconds: number,
  ) {
    this.key = Buffer.from(secret, 'utf8');
  }

  newSessionId(): string {
    return randomBytes(16).toString('base64url');
  }

  /** The Set-Cookie header value for a session id. */
  serialize(sid: string): string {
    return `${SESSION_COOKIE}=${sid}.${this.sign(sid)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${this.maxAgeSeconds}`;
  }

  /** The Set-Cookie header value that removes the cookie. */
  serializeCleared(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
  }

  /** Reads the `sid` cookie of a Cookie header. */
  read(cookieHeader: string | undefined): CookieSession {
    const value = cookieValue(cookieHeader, SESSION_COOKIE);
    if (value === undefined) return { state: 'absent' };
    if (value.length > MAX_COOKIE_VALUE) return { state: 'invalid' };
    const dot = value.indexOf('.');
    if (dot < 0) return { state: 'invalid' };
    const sid = value.slice(0, dot);
    const signature = Buffer.from(value.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.sign(sid), 'utf8');
    if (!SESSION_ID_PATTERN.test(sid) || signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      return { state: 'invalid' };
    }
    return { state: 'valid', sid };
  }

  /** The session id of a validly signed cookie, whether or not its session still exists. */
  signedSessionId(cookieHeader: string | undefined): string | undefined {
    const cookie = this.read(cookieHeader);
    return cookie.state === 'valid' ? cookie.sid : undefined;
  }

  private sign(sid: string): string {
    return createHmac('sha256', this.key).update(sid).digest('base64url');
  }
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
