import { GatewayClient, startLab, StartedLab, waitUntil } from '../tools/kit';
import { AcknowledgedWriter } from '../tools/experiments/acknowledged-writes';
import { placeShoppers } from '../tools/experiments/probe-shoppers';
import type { PrivateRedisTopology } from '../tools/lab/redis-topology';
import { crashAndAwaitRestart, Shopper } from './support/shopper';

// Sentinel runs with REDIS_WAIT_REPLICAS=1 and min-replicas-to-write 1, the cluster with Redis' asynchronous default.
describe.each([
  ['sentinel', 1],
  ['cluster', 0],
] as const)('the lab on a Redis %s topology (WAIT replicas: %d)', (kind, waitReplicas) => {
  let lab: StartedLab;
  let redis: PrivateRedisTopology;
  let client: GatewayClient;

  beforeAll(async () => {
    lab = await startLab({
      mode: 'redis',
      replicas: { user: 2, cart: 2, product: 1 },
      privateRedis: { topology: kind, minReplicasToWrite: waitReplicas },
      env: { REDIS_WAIT_REPLICAS: String(waitReplicas) },
    });
    redis = lab.redisTopology as PrivateRedisTopology;
    client = new GatewayClient(lab.url);
  }, 90_000);

  afterAll(async () => {
    client?.close();
    await lab?.stop();
  });

  it('serves the shopper journey: login, cart, checkout, logout', async () => {
    const shopper = new Shopper(lab.url, 'user7');
    expect((await shopper.login()).status).toBe(200);
    expect((await shopper.post('/api/cart/items', { productId: 'p-42', quantity: 2 })).status).toBe(201);
    expect((await shopper.post('/api/cart/items', { productId: 'p-7', quantity: 1 })).status).toBe(201);
    const removed = await shopper.delete('/api/cart/items/p-7');
    expect(removed.body.items).toEqual([expect.objectContaining({ productId: 'p-42', quantity: 2 })]);
    const order = await shopper.post('/api/checkout');
    expect(order.status).toBe(201);
    expect((await shopper.get('/api/cart')).body).toEqual({ items: [], totalCents: 0 });
    const cookie = shopper.cookie;
    expect((await shopper.post('/api/logout')).status).toBe(204);
    shopper.cookie = cookie;
    expect((await shopper.get('/api/me')).status).toBe(401);
  });

  it('keeps every session and cart when a user and a cart replica crash', async () => {
    const placed = await placeShoppers(client, 12, { firstUser: 100 });
    await crashAndAwaitRestart(lab.url, 'user-1');
    await crashAndAwaitRestart(lab.url, 'cart-1');
    for (const { shopper, productId, quantity } of placed) {
      const cart = await shopper.get<{ items: { productId: string; quantity: number }[] }>('/api/cart');
      expect(cart.status).toBe(200);
      expect(cart.body?.items).toEqual([expect.objectContaining({ productId, quantity })]);
    }
  });

  it(`writes again within 20 s after ${kind === 'sentinel' ? 'the master' : 'one master of three'} is SIGKILLed${waitReplicas ? ', losing no acknowledged write' : ''}`, async () => {
    const probes = await placeShoppers(client, 12, { firstUser: 200 });
    const writer = new AcknowledgedWriter(probes, { intervalMs: 50 });
    writer.start();
    let failedAt = 0;
    try {
      await waitUntil('a few sweeps of acknowledged writes', () => writer.sweeps.length >= 3, { timeoutMs: 10_000 });
      const victim = await redis.victim();
      failedAt = Date.now();
      await victim.kill();
      await redis.waitFailover(victim, 20_000);
      await waitUntil('every probe shopper to write again', () => writer.recoveredAt(failedAt), { timeoutMs: 20_000 });
    } finally {
      await writer.stop();
    }
    expect((writer.recoveredAt(failedAt) as number) - failedAt).toBeLessThan(20_000);
    const check = await writer.check(() => waitUntil('the lab to be ready', async () => (await fetch(`${lab.url}/readyz`)).status === 200));
    expect(check.unknown).toBe(0);
    expect(check.acknowledged).toBeGreaterThan(12 * 3);
    if (waitReplicas) expect(check.lost).toBe(0);
    if (kind === 'cluster') expect(writer.unavailableShare(failedAt, writer.recoveredAt(failedAt) as number)).toBeLessThan(1);
  }, 60_000);
});
