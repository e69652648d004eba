import { startLab, StartedLab, startPrivateRedis, waitUntil } from '../tools/kit';
import { crashAndAwaitRestart, labCall, placeShoppers, Shopper } from './support/shopper';
import type { RedisServerProcess } from '../tools/lab/redis-server';

/** Logs in `count` shoppers, each with one cart line, noting which replicas hold their state. */
const place = (url: string, count: number) => placeShoppers(url, count, { firstUser: 101, productId: 'p-3', quantity: 2 });

describe('crashing a replica', () => {
  describe('in stateful mode', () => {
    let lab: StartedLab;
    beforeAll(async () => (lab = await startLab({ mode: 'stateful' })), 90000);
    afterAll(() => lab?.stop());

    it('loses exactly the sessions and carts the crashed replicas held', async () => {
      const placed = await place(lab.url, 60);
      await crashAndAwaitRestart(lab.url, 'user-1');
      await crashAndAwaitRestart(lab.url, 'cart-1');

      let sessionsLost = 0;
      let cartsLost = 0;
      for (const { shopper, userReplica, cartReplica } of placed) {
        const cart = await shopper.get('/api/cart');
        if (userReplica === 'user-1') {
          expect(cart.status).toBe(401);
          expect(cart.body.error.code).toBe('session_lost');
          sessionsLost++;
        } else {
          expect(cart.status).toBe(200);
          const expected = cartReplica === 'cart-1' ? [] : [expect.objectContaining({ productId: 'p-3', quantity: 2 })];
          if (cartReplica === 'cart-1') cartsLost++;
          expect(cart.body.items).toEqual(expected);
        }
      }
      // Each replica owns about a third of the sessions; the crash took exactly its share.
      expect(sessionsLost).toBe(placed.filter((p) => p.userReplica === 'user-1').length);
      expect(sessionsLost).toBeGreaterThan(5);
      expect(cartsLost).toBeGreaterThan(3);
      expect(lab.lab.restarts('user-1')).toBe(1);
      expect(lab.lab.restarts('cart-1')).toBe(1);
    });

    it('answers 503 fast, never hangs, while a replica is gone', async () => {
      const shopper = new Shopper(lab.url, 'user300');
      await shopper.login();
      const cart = await shopper.get('/api/cart');
      const owner = cart.servedBy[1];
      const crash = await labCall(lab.url, 'POST', `/lab/replicas/${owner}/crash`);
      expect(crash.status).toBe(202);
      const started = Date.now();
      const during = await shopper.get('/api/cart');
      expect(Date.now() - started).toBeLessThan(2500);
      expect([200, 503]).toContain(during.status); // 200 only if the supervisor already restarted it
      if (during.status === 503) expect(during.body.error.code).toBe('replica_unavailable');
      await waitUntil('the lab to be ready again', async () => (await fetch(`${lab.url}/readyz`)).status === 200, { timeoutMs: 20000 });
    });
  });

  describe('in redis mode', () => {
    let redis: RedisServerProcess;
    let lab: StartedLab;
    beforeAll(async () => {
      redis = await startPrivateRedis();
      lab = await startLab({ mode: 'redis', redisUrl: redis.url });
    }, 90000);
    afterAll(async () => {
      await lab?.stop();
      await redis?.stop();
    });

    it('keeps every session and cart', async () => {
      const placed = await place(lab.url, 30);
      await crashAndAwaitRestart(lab.url, 'user-1');
      await crashAndAwaitRestart(lab.url, 'cart-1');
      for (const { shopper } of placed) {
        const cart = await shopper.get('/api/cart');
        expect(cart.status).toBe(200);
        expect(cart.body.items).toEqual([expect.objectContaining({ productId: 'p-3', quantity: 2 })]);
      }
    });
  });
});
