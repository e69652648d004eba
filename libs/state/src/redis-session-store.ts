import type { SessionUser } from '@app/contracts';
import type Redis from 'ioredis';
import { countKeys, DEFAULT_KEY_PREFIX, redisCall, redisPing } from './redis-support';
import type { SessionStore, StoreKind } from './stores';
import { assertTtlSeconds } from './ttl';

/**
 * Sessions in Redis as `<prefix>session:<sid>` → JSON with `EX ttl`; `get` slides the expiry in
 * the same round trip (GETEX … EX). Every replica sees the same sessions. Redis failures reject
 * with StoreUnavailableError. The client belongs to the caller: `close()` leaves it open.
 */
export class RedisSessionStore implements SessionStore {
  readonly kind: StoreKind = 'redis';
  private readonly prefix: string;

  constructor(
    private readonly client: Redis,
    private readonly ttlSeconds: number,
    keyPrefix: string = DEFAULT_KEY_PREFIX,
  ) {
    assertTtlSeconds(ttlSeconds);
    this.prefix = `${keyPrefix}session:`;
  }

  async create(sid: string, user: SessionUser): Promise<void> {
    const value = JSON.stringify({ userId: user.userId, username: user.username });
    await redisCall('create', () => this.client.set(this.key(sid), value, 'EX', this.ttlSeconds));
  }

  async get(sid: string): Promise<SessionUser | null> {
    const raw = await redisCall('get', () => this.client.getex(this.key(sid), 'EX', this.ttlSeconds));
    if (raw === null) return null;
    const user = JSON.parse(raw) as SessionUser;
    return { userId: user.userId, username: user.username };
  }

  async destroy(sid: string): Promise<boolean> {
    return (await redisCall('destroy', () => this.client.del(this.key(sid)))) > 0;
  }

  async count(): Promise<number> {
    return countKeys(this.client, this.prefix, 'count');
  }

  ping(): Promise<boolean> {
    return redisPing(this.client);
  }

  async close(): Promise<void> {
    // The client is shared and owned by whoever created it.
  }

  private key(sid: string): string {
    return this.prefix + sid;
  }
}
