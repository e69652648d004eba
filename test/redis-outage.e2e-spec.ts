import { startLab, StartedLab, startPrivateRedis, waitUntil } from '../tools/kit';
import { Shopper } from './support/shopper';
import type { RedisServerProcess } from '../tools/lab/redis-server';

describe('a Redis outage in redis mode', () => {
  let redis: RedisServerProcess;
  let lab: StartedLab;
  let shopper: Shopper;

  beforeAll(async () => {
    redis = await startPrivateRedis({ appendOnly: true });
    lab = await startLab({ mode: 'redis', redisUrl: redis.url });
    shopper = new Shopper(lab.url, 'user40');
    await shopper.login();
    await shopper.post('/api/cart/items', { productId: 'p-9', quantity: 4 });
  }, 90000);

  afterAll(async () => {
    await lab?.stop();
    await redis?.stop();
  });

  it('answers 503 within a second while Redis is down, and /readyz says so', async () => {
    await redis.kill();
    const started = Date.now();
    const reply = await shopper.get('/api/cart');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(reply.status).toBe(503);
    expect(reply.body.error.code).toBe('state_store_unavailable');
    await waitUntil(
      '/readyz to report the outage',
      async () => {
        const ready = await fetch(`${lab.url}/readyz`);
        return ready.status === 503 && ((await ready.json()) as { stateStore: string }).stateStore === 'down';
      },
      { timeoutMs: 5000 },
    );
  });

  it('answers 503 within a second while Redis is frozen', async () => {
    await redis.start();
    await waitUntil('the lab to recover', async () => (await shopper.get('/api/cart')).status === 200, { timeoutMs: 10000 });
    redis.pause();
    try {
      const started = Date.now();
      const reply = await shopper.post('/api/cart/items', { productId: 'p-9', quantity: 1 });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(reply.status).toBe(503);
    } finally {
      redis.resume();
    }
  });

  it('recovers by itself when Redis is back, with the AOF-persisted session and cart intact', async () => {
    await waitUntil('the lab to be ready again', async () => (await fetch(`${lab.url}/readyz`)).status === 200, { timeoutMs: 15000 });
    const cart = await shopper.get('/api/cart');
    expect(cart.status).toBe(200);
    // The add issued while Redis was frozen failed as a whole: still exactly 4.
    expect(cart.body.items).toEqual([expect.objectContaining({ productId: 'p-9', quantity: 4 })]);
  });
});
