import { DEFAULT_KEY_PREFIX, type RedisClient } from '@app/state';
import type { LabTokenClaims } from '@app/tokens';

/**
 * The Redis keys of jwt mode. Every key of a user carries the hash tag `{<userId>}`, so they live
 * in one Redis Cluster slot and one MGET (or script) reads them together:
 *
 * | key | value |
 * |---|---|
 * | `<prefix>jwt:{<userId>}:deny:<jti>` | `1`: the access token was logged out; expires with the token |
 * | `<prefix>jwt:{<userId>}:nbf` | Unix ms of the last logout-all: tokens issued before it are revoked |
 * | `<prefix>jwt:{<userId>}:fam:<family>` | the jti of the family's current refresh token; gone = family ended |
 */
export class TokenKeyspace {
  constructor(readonly prefix: string = DEFAULT_KEY_PREFIX) {}

  deny(userId: string, jti: string): string {
    return `${this.prefix}jwt:{${userId}}:deny:${jti}`;
  }

  notBefore(userId: string): string {
    return `${this.prefix}jwt:{${userId}}:nbf`;
  }

  family(userId: string, family: string): string {
    return `${this.prefix}jwt:{${userId}}:fam:${family}`;
  }
}

/** Rotation of a refresh token: done, a reuse (the family is now revoked), or the family already ended. */
export type RotateOutcome = 'rotated' | 'reused' | 'revoked';

/**
 * KEYS: family, not-before. ARGV: presented jti, new jti, family lifetime ms, presented iat ms.
 * → 1 rotated | -1 reused (family deleted) | 0 family gone or logged out everywhere since.
 */
const ROTATE = `
local nbf = redis.call('GET', KEYS[2])
if nbf and tonumber(nbf) > tonumber(ARGV[4]) then redis.call('DEL', KEYS[1]); return 0 end
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if current ~= ARGV[1] then redis.call('DEL', KEYS[1]); return -1 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

interface RevocationScripts {
  statelabJwtRotate(familyKey: string, notBeforeKey: string, presented: string, next: string, lifetimeMs: number, iatMs: number): Promise<number>;
}

/** Raised when Redis cannot answer; the gateway turns it into a fast 503. */
export class RevocationStoreError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`redis ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RevocationStoreError';
  }
}

async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new RevocationStoreError(operation, error);
  }
}

/**
 * What jwt mode remembers in Redis: logged-out tokens (denylist), per-user logout-all instants,
 * and refresh families (the current refresh token of each login). A request's check is one round
 * trip (MGET of three keys of one slot); a rotation is one script, so two refreshes racing with
 * the same token cannot both win. The client belongs to the caller.
 */
export class TokenRevocations {
  private readonly scripts: RevocationScripts;
  /** Families and not-before instants must outlive every token they can revoke. */
  private readonly lifetimeMs: number;

  constructor(
    private readonly client: RedisClient,
    ttls: { accessTtlSeconds: number; refreshTtlSeconds: number },
    private readonly keys = new TokenKeyspace(),
    private readonly now: () => number = Date.now,
  ) {
    this.lifetimeMs = Math.max(ttls.accessTtlSeconds, ttls.refreshTtlSeconds) * 1000;
    client.defineCommand('statelabJwtRotate', { numberOfKeys: 2, lua: ROTATE });
    this.scripts = client as unknown as RevocationScripts;
  }

  /** True when an access token no longer counts: logged out, logged out everywhere since it was issued, or its family ended. */
  async isRevoked(claims: LabTokenClaims): Promise<boolean> {
    const [denied, notBefore, family] = await call('check', () =>
      this.client.mget(this.keys.deny(claims.sub, claims.jti), this.keys.notBefore(claims.sub), this.keys.family(claims.sub, claims.fam)),
    );
    return denied !== null || (notBefore !== null && Number(notBefore) > Math.round(claims.iat * 1000)) || family === null;
  }

  /** A login's refresh family starts with its first refresh token. */
  async startFamily(refresh: LabTokenClaims): Promise<void> {
    await call('start_family', () => this.client.set(this.keys.family(refresh.sub, refresh.fam), refresh.jti, 'PX', this.lifetimeMs));
  }

  /** Swaps the family's current refresh token for `nextJti` when `presented` is it; a stale one ends the family. */
  async rotate(presented: LabTokenClaims, nextJti: string): Promise<RotateOutcome> {
    const result = await call('rotate', () =>
      this.scripts.statelabJwtRotate(
        this.keys.family(presented.sub, presented.fam),
        this.keys.notBefore(presented.sub),
        presented.jti,
        nextJti,
        this.lifetimeMs,
        Math.round(presented.iat * 1000),
      ),
    );
    return result === 1 ? 'rotated' : result === -1 ? 'reused' : 'revoked';
  }

  /**
   * Logout: the access token's jti is denylisted for the rest of its life (when `denylist` is on)
   * and its family ends, so its refresh token is dead too. One round trip.
   */
  async logout(access: LabTokenClaims, denylist: boolean): Promise<void> {
    const remainingMs = Math.max(1, Math.ceil(access.exp * 1000 - this.now()));
    const familyKey = this.keys.family(access.sub, access.fam);
    await call<unknown>('logout', () =>
      denylist
        ? this.client.multi().set(this.keys.deny(access.sub, access.jti), '1', 'PX', remainingMs).del(familyKey).exec()
        : this.client.del(familyKey),
    );
  }

  /** Logout everywhere: every token of the user issued before now is revoked. */
  async logoutAll(userId: string): Promise<void> {
    await call('logout_all', () => this.client.set(this.keys.notBefore(userId), String(this.now()), 'PX', this.lifetimeMs));
  }
}
