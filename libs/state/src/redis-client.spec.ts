import type Redis from 'ioredis';
import type { RedisServerProcess } from '../../../tools/lab/redis-server';
import { freePort } from '../../../test/support/ports';
import { startPrivateRedis } from '../../../test/support/redis';
import { closeRedisClient, createRedisClient, REDIS_ERROR_LOG_INTERVAL_MS } from './redis-client';
import { RedisCartStore } from './redis-cart-store';
import { RedisSessionStore } from './redis-session-store';
import { StoreUnavailableError } from './stores';
import { eventually } from './testing/wait';

const alice = { userId: 'u-1', username: 'alice' };
const limits = { maxLines: 3, maxQuantity: 5 };

/** How long `call` took to reject, and with what. */
async function rejection(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const startedAt = Date.now();
  try {
    await call();
  } catch (error) {
    return { error, ms: Date.now() - startedAt };
  }
  throw new Error('expected the call to reject');
}

describe('createRedisClient', () => {
  let server: RedisServerProcess;
  let client: Redis;
  let sessions: RedisSessionStore;
  let carts: RedisCartStore;

  beforeEach(async () => {
    server = await startPrivateRedis();
    client = createRedisClient(server.url);
    await eventually('the client to connect', () => client.status === 'ready');
    sessions = new RedisSessionStore(client, 60);
    carts = new RedisCartStore(client, 60);
  });

  afterEach(async () => {
    await closeRedisClient(client);
    await server.stop();
  });

  it('rejects store calls with StoreUnavailableError within 1.5 s once Redis is killed', async () => {
    await sessions.create('sid-1', alice);
    await server.kill();
    for (const call of [() => sessions.get('sid-1'), () => carts.addItem('cart-1', { productId: 'p1', quantity: 1, priceCents: 1 }, limits), () => carts.count()]) {
      const { error, ms } = await rejection(call);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).cause).toBeInstanceOf(Error);
      expect(ms).toBeLessThan(1500);
    }
    expect(await sessions.ping()).toBe(false);
  });

  it('rejects within about a second while Redis is frozen, and answers again once it resumes', async () => {
    await sessions.create('sid-1', alice);
    server.pause();
    try {
      const { error, ms } = await rejection(() => sessions.get('sid-1'));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(ms).toBeLessThan(1200);
      const pingedAt = Date.now();
      expect(await carts.ping()).toBe(false);
      expect(Date.now() - pingedAt).toBeLessThan(1200);
    } finally {
      server.resume();
    }
    await eventually('the store to answer again', () => sessions.ping(), 5000);
    expect(await sessions.get('sid-1')).toEqual(alice);
  });

  it('says a change sent to a frozen Redis may have been applied, and it was: the retry under its key answers the first outcome', async () => {
    await sessions.create('cart-9', alice);
    await carts.addItem('cart-9', { productId: 'p1', quantity: 2, priceCents: 100 }, limits);
    const once = { key: 'pay-1', fingerprint: 'checkout' };
    server.pause();
    let error: unknown;
    try {
      ({ error } = await rejection(() => carts.checkout('cart-9', { orderId: 'o-9', userId: 'u-1', createdAt: 'now' }, once)));
    } finally {
      server.resume();
    }
    expect(error).toMatchObject({ name: 'StoreUnavailableError', mayHaveApplied: true });
    await eventually('the store to answer again', () => carts.ping(), 5000);
    // The frozen Redis ran the script when it woke: the order exists although the caller saw a failure.
    const retry = await carts.checkout('cart-9', { orderId: 'o-10', userId: 'u-1', createdAt: 'now' }, once);
    expect(retry).toMatchObject({ orderId: 'o-9', totalCents: 200 });
  });

  it('says a change refused while Redis is down was surely not applied', async () => {
    await server.kill();
    await eventually('the client to notice', () => client.status !== 'ready');
    const { error } = await rejection(() => carts.checkout('cart-9', { orderId: 'o-1', userId: 'u-1', createdAt: 'now' }));
    expect(error).toMatchObject({ name: 'StoreUnavailableError', mayHaveApplied: false });
    await server.start();
  });

  it('recovers by itself when Redis comes back on the same port', async () => {
    await server.kill();
    await expect(sessions.create('sid-1', alice)).rejects.toBeInstanceOf(StoreUnavailableError);
    await server.start();
    await eventually('the store to answer again', () => sessions.ping(), 5000);
    await sessions.create('sid-1', alice);
    expect(await sessions.get('sid-1')).toEqual(alice);
    await sessions.create('cart-1', alice);
    // The restarted Redis has no scripts cached: the cart scripts load again.
    expect(await carts.addItem('cart-1', { productId: 'p1', quantity: 1, priceCents: 1 }, limits)).toMatchObject({ ok: true });
  });
});

describe('createRedisClient without a Redis', () => {
  it('fails a command sent before the first connection at once', async () => {
    const client = createRedisClient(`redis://127.0.0.1:${await freePort()}`);
    try {
      const { error, ms } = await rejection(() => new RedisSessionStore(client, 60).get('sid-1'));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(ms).toBeLessThan(100);
    } finally {
      await closeRedisClient(client);
    }
  });

  it(`keeps reconnecting and reports at most one error per ${REDIS_ERROR_LOG_INTERVAL_MS / 1000} s`, async () => {
    const onError = jest.fn();
    const client = createRedisClient(`redis://127.0.0.1:${await freePort()}`, { onError });
    let attempts = 0;
    client.on('reconnecting', () => attempts++);
    try {
      await eventually('several reconnection attempts', () => attempts >= 4, 5000);
      expect(onError).toHaveBeenCalledTimes(1);
      expect(onError.mock.calls[0][0]).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await closeRedisClient(client);
    }
  });

  it('reconnects at least every 500 ms while Redis is away', async () => {
    const client = createRedisClient(`redis://127.0.0.1:${await freePort()}`);
    const delays: number[] = [];
    client.on('reconnecting', (delay: number) => delays.push(delay));
    try {
      await eventually('a dozen reconnection attempts', () => delays.length >= 12, 10000);
      expect(Math.max(...delays)).toBeLessThanOrEqual(500);
      expect(client.status).not.toBe('end');
    } finally {
      await closeRedisClient(client);
    }
  });
});
