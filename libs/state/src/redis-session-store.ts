import type { SessionUser } from '@app/contracts';
import type { RedisClient } from './redis-client';
import { ExpiryGrid } from './expiry';
import { RedisLedger } from './redis-ledger';
import { redisCall, RedisKeyspace, redisPing, RedisStoreOptions, ReplicationWait, stamp, unstamp } from './redis-support';
import type { SessionStore, StoreBackend, TraceParent } from './stores';

/**
 * Sessions in Redis as `<prefix>session:{<sid>}` → `<expiresAtMs>|<user JSON>`, expiring at
 * that millisecond (see RedisKeyspace). Every call is one round trip: create is SET … PXAT … GET,
 * destroy is GETDEL, get is a plain GET; when the expiry read with it is due to slide (at most
 * once per expiry step, see ExpiryGrid), a script slides it in the background. The sessions
 * ledger (RedisLedger) follows every change, so `count()` is one command whatever the keyspace.
 * Every replica sees the same sessions. With `waitReplicas`, create and destroy answer only once
 * that many replicas have the change (ReplicationWait). Redis failures reject with StoreUnavailableError. The
 * client belongs to the caller: `close()` leaves it open.
 */
export class RedisSessionStore implements SessionStore {
  readonly backend: StoreBackend = 'redis';
  private readonly keys: RedisKeyspace;
  private readonly ledger: RedisLedger;
  private readonly replication: ReplicationWait;

  constructor(
    private readonly client: RedisClient,
    ttlSeconds: number,
    options: RedisStoreOptions = {},
  ) {
    this.keys = new RedisKeyspace(options.keyPrefix);
    this.ledger = new RedisLedger(client, this.keys.ledger('sessions'), new ExpiryGrid(ttlSeconds, options.expiryStepMs));
    this.replication = new ReplicationWait(client, options);
  }

  async create(sid: string, user: SessionUser, parent?: TraceParent): Promise<void> {
    const expiresAt = this.ledger.expiryNow();
    const value = stamp(expiresAt, JSON.stringify({ userId: user.userId, username: user.username }));
    const key = this.keys.session(sid);
    const replaced = await redisCall('create', () => this.client.set(key, value, 'PXAT', expiresAt, 'GET'), parent);
    this.ledger.move(replaced === null ? null : (unstamp(replaced)?.expiresAt ?? null), expiresAt);
    await this.replication.after('create', key, parent);
  }

  async get(sid: string, parent?: TraceParent): Promise<SessionUser | null> {
    const key = this.keys.session(sid);
    const raw = await redisCall('get', () => this.client.get(key), parent);
    const entry = raw === null ? null : unstamp(raw);
    if (!entry) return null;
    this.ledger.slide(key, entry.expiresAt);
    const user = JSON.parse(entry.payload) as SessionUser;
    return { userId: user.userId, username: user.username };
  }

  async destroy(sid: string, parent?: TraceParent): Promise<boolean> {
    const key = this.keys.session(sid);
    const raw = await redisCall('destroy', () => this.client.getdel(key), parent);
    if (raw === null) return false;
    this.ledger.move(unstamp(raw)?.expiresAt ?? null, null);
    await this.replication.after('destroy', key, parent);
    return true;
  }

  count(): Promise<number> {
    return this.ledger.live('count');
  }

  ping(): Promise<boolean> {
    return redisPing(this.client);
  }

  /** Waits for ledger updates in flight; the client is shared and owned by whoever created it. */
  close(): Promise<void> {
    return this.ledger.settled();
  }
}
