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

describe('RedisSessionStore', () => {
  sessionStoreContract((ttlSeconds) => new RedisSessionStore(client, ttlSeconds));

  it('keeps a session under statelab:session:<sid> with the TTL, renewed by get()', async () => {
    const store = new RedisSessionStore(client, 60);
    await store.create('sid-1', { userId: 'u-1', username: 'alice' });
    expect(JSON.parse((await client.get('statelab:session:sid-1'))!)).toEqual({ userId: 'u-1', username: 'alice' });
    await client.expire('statelab:session:sid-1', 5);
    await store.get('sid-1');
    expect(await client.ttl('statelab:session:sid-1')).toBeGreaterThan(55);
  });

  it('writes under its own key prefix and counts only those keys', async () => {
    const mine = new RedisSessionStore(client, 60, 'lab-a:');
    const theirs = new RedisSessionStore(client, 60);
    await mine.create('sid-1', { userId: 'u-1', username: 'alice' });
    await theirs.create('sid-1', { userId: 'u-2', username: 'bob' });
    await theirs.create('sid-2', { userId: 'u-2', username: 'bob' });
    expect(await client.exists('lab-a:session:sid-1')).toBe(1);
    expect(await mine.count()).toBe(1);
    expect(await theirs.count()).toBe(2);
  });

  it('counts every session of a keyspace larger than one SCAN batch', async () => {
    const store = new RedisSessionStore(client, 60);
    const pipeline = client.pipeline();
    for (let i = 0; i < 2500; i++) pipeline.set(`statelab:session:s-${i}`, '{}', 'EX', 60);
    for (let i = 0; i < 500; i++) pipeline.set(`statelab:cart:c-${i}`, '[]', 'EX', 60);
    await pipeline.exec();
    expect(await store.count()).toBe(2500);
  });
});

describe('RedisCartStore', () => {
  cartStoreContract((ttlSeconds) => new RedisCartStore(client, ttlSeconds));

  const limits = { maxLines: 3, maxQuantity: 5 };
  const item = { productId: 'p1', quantity: 1, priceCents: 100 };

  it('stores an order under statelab:order:<orderId> with the TTL', async () => {
    const store = new RedisCartStore(client, 60);
    await store.addItem('cart-1', item, limits);
    await store.checkout('cart-1', { orderId: 'o-1', userId: 'u-1', createdAt: '2025-01-01T00:00:00.000Z' });
    expect(JSON.parse((await client.get('statelab:order:o-1'))!)).toMatchObject({ orderId: 'o-1', totalCents: 100 });
    expect(await client.ttl('statelab:order:o-1')).toBeGreaterThan(55);
    expect(await client.exists('statelab:cart:cart-1')).toBe(0);
  });

  it.each([
    ['get()', (store: RedisCartStore) => store.get('cart-1')],
    ['a refused addItem()', (store: RedisCartStore) => store.addItem('cart-1', { ...item, quantity: 9 }, limits)],
    ['removeItem() of an absent product', (store: RedisCartStore) => store.removeItem('cart-1', 'p9')],
  ])('renews the cart TTL on %s', async (_name, access) => {
    const store = new RedisCartStore(client, 60);
    await store.addItem('cart-1', item, limits);
    await client.expire('statelab:cart:cart-1', 5);
    await access(store);
    expect(await client.ttl('statelab:cart:cart-1')).toBeGreaterThan(55);
  });

  it('keeps working after Redis forgot its scripts', async () => {
    const store = new RedisCartStore(client, 60);
    await store.addItem('cart-1', item, limits);
    await client.script('FLUSH');
    expect(await store.addItem('cart-1', item, limits)).toEqual({ ok: true, items: [{ ...item, quantity: 2 }] });
  });

  it('keeps product ids with JSON and glob characters intact', async () => {
    const store = new RedisCartStore(client, 60);
    const odd = { productId: 'p"*?[x]\\/ü', quantity: 1, priceCents: 100 };
    await store.addItem('cart-*', odd, limits);
    expect(await store.get('cart-*')).toEqual([odd]);
    expect(await store.removeItem('cart-*', odd.productId)).toEqual([]);
  });
});
