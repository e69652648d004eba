import type Redis from 'ioredis';
import type { RedisServerProcess } from '../../../tools/lab/redis-server';
import { startPrivateRedis } from '../../../test/support/redis';
import { closeRedisClient, createRedisClient } from './redis-client';
import { RedisCartStore } from './redis-cart-store';
import { RedisSessionStore } from './redis-session-store';
import { cartStoreContract } from './testing/cart-store.contract';
import { sessionStoreContract } from './testing/session-store.contract';
import { eventually } from './testing/wait';

let server: RedisServerProcess;
let client: Redis;

beforeAll(async () => {
  server = await startPrivateRedis();
  client = createRedisClient(server.url);
  await eventually('the client to connect', () => client.status === 'ready');
});

afterAll(async () => {
  await closeRedisClient(client);
  await server.stop();
});

beforeEach(async () => {
  await client.flushall();
});

afterEach(() => {
  jest.restoreAllMocks();
});

const alice = { userId: 'u-1', username: 'alice' };
const limits = { maxLines: 3, maxQuantity: 5 };
const item = { productId: 'p1', quantity: 1, priceCents: 100 };

/** Moves this process' clock (the one stores slide by) `ms` ahead of Redis'. */
function clockAhead(ms: number): void {
  const now = Date.now;
  jest.spyOn(Date, 'now').mockImplementation(() => now() + ms);
}

/** What Redis Cluster hashes a key by: the first non-empty `{…}`, else the whole key. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** Live and pending calls of the commands Redis ran since the last CONFIG RESETSTAT. */
async function commandCalls(): Promise<Record<string, number>> {
  const calls: Record<string, number> = {};
  for (const [, command, count] of (await client.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[command] = Number(count);
  return calls;
}

describe('RedisSessionStore', () => {
  sessionStoreContract((ttlSeconds) => new RedisSessionStore(client, ttlSeconds));

  it('keeps a session under statelab:session:{<sid>}, stamped with the 1 s boundary at least one TTL ahead it expires at', async () => {
    const before = Date.now();
    await new RedisSessionStore(client, 60).create('sid-1', alice);
    const raw = (await client.get('statelab:session:{sid-1}'))!;
    const [stamp, json] = [raw.slice(0, raw.indexOf('|')), raw.slice(raw.indexOf('|') + 1)];
    expect(JSON.parse(json)).toEqual(alice);
    expect(await client.pexpiretime('statelab:session:{sid-1}')).toBe(Number(stamp));
    expect(Number(stamp) % 1000).toBe(0);
    expect(Number(stamp)).toBeGreaterThanOrEqual(before + 60_000);
    expect(Number(stamp)).toBeLessThan(Date.now() + 61_000);
    expect(await client.hgetall('statelab:ledger:{sessions}')).toEqual({ [stamp]: '1' });
  });

  it('slides the expiry on get() once a later boundary is due, once per boundary, and the ledger with it', async () => {
    const store = new RedisSessionStore(client, 60);
    await store.create('sid-1', alice);
    const created = await client.pexpiretime('statelab:session:{sid-1}');
    clockAhead(5_000);
    await client.config('RESETSTAT');
    for (let i = 0; i < 3; i++) expect(await store.get('sid-1')).toEqual(alice);
    expect(await store.count()).toBe(1);
    const slid = await client.pexpiretime('statelab:session:{sid-1}');
    expect(slid - created).toBeGreaterThanOrEqual(4_000);
    expect(await client.hgetall('statelab:ledger:{sessions}')).toEqual({ [String(slid)]: '1' });
    // Three GETs (a fourth inside the slide script), one slide: the later reads found it done.
    // Then one ledger move and one count. (A script's first call on a connection is an EVAL.)
    const calls = await commandCalls();
    expect(calls.get).toBe(4);
    expect((calls.eval ?? 0) + (calls.evalsha ?? 0)).toBe(3);
  });

  it('writes under its own key prefix and counts only its own sessions', async () => {
    const mine = new RedisSessionStore(client, 60, { keyPrefix: 'lab-a:' });
    const theirs = new RedisSessionStore(client, 60);
    await mine.create('sid-1', alice);
    await theirs.create('sid-1', { userId: 'u-2', username: 'bob' });
    await theirs.create('sid-2', { userId: 'u-2', username: 'bob' });
    expect(await client.exists('lab-a:session:{sid-1}')).toBe(1);
    expect(await mine.count()).toBe(1);
    expect(await theirs.count()).toBe(2);
  });

  it('counts sessions among many other keys with one command and no SCAN', async () => {
    const store = new RedisSessionStore(client, 60);
    await Promise.all(Array.from({ length: 2500 }, (_, i) => store.create(`s-${i}`, alice)));
    const pipeline = client.pipeline();
    for (let i = 0; i < 5000; i++) pipeline.set(`statelab:cart:c-${i}`, '[]', 'EX', 60);
    await pipeline.exec();
    await store.count();
    await client.config('RESETSTAT');
    expect(await store.count()).toBe(2500);
    const { 'config|resetstat': _reset, ...calls } = await commandCalls();
    expect(calls).toEqual({ evalsha: 1, time: 1, hgetall: 1 });
  });
});

describe('RedisCartStore', () => {
  cartStoreContract((ttlSeconds) => {
    const sessions = new RedisSessionStore(client, 3600);
    const store = new RedisCartStore(client, ttlSeconds);
    return {
      store,
      startSession: (cartId) => sessions.create(cartId, alice),
      endSession: async (cartId) => {
        await sessions.destroy(cartId);
        await store.discard(cartId);
      },
    };
  });

  let sessions: RedisSessionStore;
  beforeEach(() => {
    sessions = new RedisSessionStore(client, 3600);
  });

  it('keeps the session, cart and orders of one session id in one Redis Cluster slot', async () => {
    const store = new RedisCartStore(client, 60);
    await sessions.create('Abc_-123', alice);
    await store.addItem('Abc_-123', item, limits);
    await store.checkout('Abc_-123', { orderId: 'o-1', userId: 'u-1', createdAt: '2025-01-01T00:00:00.000Z' });
    await store.addItem('Abc_-123', item, limits);
    const keys = (await client.keys('statelab:*')).filter((key) => !key.startsWith('statelab:ledger:'));
    expect(keys.sort()).toEqual(['statelab:cart:{Abc_-123}', 'statelab:order:{Abc_-123}:o-1', 'statelab:session:{Abc_-123}']);
    expect(new Set(keys.map(hashTag))).toEqual(new Set(['Abc_-123']));
  });

  it("writes a user's cart (ownedBy: 'user', jwt mode) with no session at all, under statelab:cart:{<userId>}", async () => {
    const byUser = new RedisCartStore(client, 60, { ownedBy: 'user' });
    expect(await byUser.addItem('u-42', item, limits)).toEqual({ ok: true, items: [item] });
    expect(await byUser.removeItem('u-42', 'p9')).toBeNull();
    expect(await byUser.checkout('u-42', { orderId: 'o-9', userId: 'u-42', createdAt: '2025-01-01T00:00:00.000Z' })).toMatchObject({
      orderId: 'o-9',
      totalCents: 100,
    });
    expect(await client.exists('statelab:order:{u-42}:o-9')).toBe(1);
    // A session-owned store on the same client still refuses a cart without its session.
    await expect(new RedisCartStore(client, 60).addItem('u-43', item, limits)).rejects.toThrow('has ended');
  });

  it('stores an order under statelab:order:{<cartId>}:<orderId>, expiring one TTL (rounded up) after checkout', async () => {
    const store = new RedisCartStore(client, 60);
    await sessions.create('cart-1', alice);
    await store.addItem('cart-1', item, limits);
    await store.checkout('cart-1', { orderId: 'o-1', userId: 'u-1', createdAt: '2025-01-01T00:00:00.000Z' });
    expect(JSON.parse((await client.get('statelab:order:{cart-1}:o-1'))!)).toMatchObject({ orderId: 'o-1', totalCents: 100 });
    expect(await client.pttl('statelab:order:{cart-1}:o-1')).toBeGreaterThan(59_000);
    expect(await client.exists('statelab:cart:{cart-1}')).toBe(0);
    expect(await store.countOrders()).toBe(1);
  });

  it.each([
    ['get()', (store: RedisCartStore) => store.get('cart-1')],
    ['a refused addItem()', (store: RedisCartStore) => store.addItem('cart-1', { ...item, quantity: 9 }, limits)],
    ['removeItem() of an absent product', (store: RedisCartStore) => store.removeItem('cart-1', 'p9')],
  ])('slides the cart expiry on %s once a later boundary is due, and the ledger with it', async (_name, access) => {
    const store = new RedisCartStore(client, 60);
    await sessions.create('cart-1', alice);
    await store.addItem('cart-1', item, limits);
    const created = await client.pexpiretime('statelab:cart:{cart-1}');
    clockAhead(5_000);
    await access(store);
    expect(await store.count()).toBe(1);
    const slid = await client.pexpiretime('statelab:cart:{cart-1}');
    expect(slid - created).toBeGreaterThanOrEqual(4_000);
    expect(await client.hgetall('statelab:ledger:{carts}')).toEqual({ [String(slid)]: '1' });
  });

  it('refuses a write in the same script once the session key is gone, even one that expired', async () => {
    const store = new RedisCartStore(client, 60);
    await sessions.create('cart-1', alice);
    await store.addItem('cart-1', item, limits);
    await client.pexpire('statelab:session:{cart-1}', 1);
    await eventually('the session key to expire', async () => (await client.exists('statelab:session:{cart-1}')) === 0, 2000);
    await expect(store.addItem('cart-1', item, limits)).rejects.toMatchObject({ name: 'SessionEndedError', cartId: 'cart-1' });
    expect(await store.get('cart-1')).toEqual([item]);
  });

  it('keeps working after Redis forgot its scripts', async () => {
    const store = new RedisCartStore(client, 60);
    await sessions.create('cart-1', alice);
    await store.addItem('cart-1', item, limits);
    await client.script('FLUSH');
    expect(await store.addItem('cart-1', item, limits)).toEqual({ ok: true, items: [{ ...item, quantity: 2 }] });
    expect(await store.count()).toBe(1);
  });

  it('keeps product ids with JSON, glob and stamp characters intact', async () => {
    const store = new RedisCartStore(client, 60);
    const odd = { productId: 'p"*?[x]|\\/ü', quantity: 1, priceCents: 100 };
    await sessions.create('cart-*', alice);
    await store.addItem('cart-*', odd, limits);
    expect(await store.get('cart-*')).toEqual([odd]);
    expect(await store.removeItem('cart-*', odd.productId)).toEqual([]);
  });
});
