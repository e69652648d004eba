import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The user a proxied WebSocket upgrade belongs to, as the gateway vouches for it to a chat
 * replica: `x-lab-user: <userId>.<issuedAtMs>.<nonce>.<HMAC-SHA256(LAB_SECRET, …)>`. The
 * gateway authenticated the session and strips any such header the client sent; a local
 * process without the lab secret cannot forge one, and a captured one is refused after
 * {@link UPGRADE_IDENTITY_MAX_AGE_MS} or once it was used (the nonce).
 */
export const UPGRADE_IDENTITY_HEADER = 'x-lab-user';
export const UPGRADE_IDENTITY_MAX_AGE_MS = 10_000;

const CONTEXT = 'statelab-ws-upgrade-v1:';
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(CONTEXT + payload).digest('base64url');
}

export function signUpgradeIdentity(secret: string, userId: string, now = Date.now()): string {
  if (!USER_ID.test(userId)) throw new Error('a user id is 1 to 64 of A-Z a-z 0-9 _ -');
  const payload = `${userId}.${now}.${randomBytes(12).toString('base64url')}`;
  return `${payload}.${mac(secret, payload)}`;
}

/** Checks signed identities, remembering the nonces it accepted for as long as they are valid. */
export class UpgradeIdentityVerifier {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user id, or undefined when the value is absent, forged, stale or replayed. */
  verify(value: string | string[] | undefined): string | undefined {
    if (typeof value !== 'string' || value.length > 256) return undefined;
    const parts = value.split('.');
    if (parts.length !== 4) return undefined;
    const [userId, issued, nonce, given] = parts;
    const expected = Buffer.from(mac(this.secret, `${userId}.${issued}.${nonce}`));
    const actual = Buffer.from(given);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
    const now = this.now();
    const age = now - Number(issued);
    if (!USER_ID.test(userId) || !Number.isFinite(age) || age < -1000 || age > UPGRADE_IDENTITY_MAX_AGE_MS) return undefined;
    this.forgetExpired(now);
    if (this.seen.has(nonce)) return undefined;
    this.seen.set(nonce, now);
    return userId;
  }

  private forgetExpired(now: number): void {
    for (const [nonce, at] of this.seen) {
      if (now - at <= UPGRADE_IDENTITY_MAX_AGE_MS + 1000) break;
      this.seen.delete(nonce);
    }
  }
}
