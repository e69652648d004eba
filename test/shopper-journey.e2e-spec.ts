import { startLab, StartedLab, startPrivateRedis } from '../tools/kit';
import { Shopper } from './support/shopper';
import type { RedisServerProcess } from '../tools/lab/redis-server';

describe.each(['stateful', 'redis'] as const)('the shopper journey in %s mode', (mode) => {
  let redis: RedisServerProcess | undefined;
  let lab: StartedLab;

  beforeAll(async () => {
    redis = mode === 'redis' ? await startPrivateRedis() : undefined;
    lab = await startLab({ mode, redisUrl: redis?.url });
  }, 90000);

  afterAll(async () => {
    await lab?.stop();
    await redis?.stop();
  });

  it('logs in, browses, fills and empties a cart, checks out and logs out', async () => {
    const shopper = new Shopper(lab.url, 'user7');

    const login = await shopper.login();
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ userId: 'u-7', username: 'user7' });
    expect(login.headers.get('set-cookie')).toMatch(/^sid=[A-Za-z0-9_-]{22}\.[0-9a-z]{1,9}\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    expect(login.servedBy).toEqual([expect.stringMatching(/^user-\d$/)]);

    expect((await shopper.get('/api/me')).body).toEqual({ userId: 'u-7', username: 'user7' });

    const page = await shopper.get('/api/products?limit=5&offset=10');
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(500);
    expect(page.body.items.map((p: { id: string }) => p.id)).toEqual(['p-11', 'p-12', 'p-13', 'p-14', 'p-15']);
    expect(page.servedBy).toEqual([expect.stringMatching(/^product-\d$/)]);

    const product = await shopper.get('/api/products/p-42');
    expect(product.body).toEqual({ id: 'p-42', name: expect.any(String), priceCents: expect.any(Number) });
    const other = (await shopper.get('/api/products/p-7')).body;

    expect((await shopper.post('/api/cart/items', { productId: 'p-42', quantity: 2 })).status).toBe(201);
    await shopper.post('/api/cart/items', { productId: 'p-7', quantity: 1 });
    const added = await shopper.post('/api/cart/items', { productId: 'p-42', quantity: 1 });
    expect(added.status).toBe(201);
    // The cart prices the line from its own catalog: no product call, no price from the caller.
    expect(added.servedBy).toEqual([expect.stringMatching(/^user-/), expect.stringMatching(/^cart-/)]);
    expect(added.body).toEqual({
      items: [
        { productId: 'p-42', quantity: 3, priceCents: product.body.priceCents },
        { productId: 'p-7', quantity: 1, priceCents: other.priceCents },
      ],
      totalCents: 3 * product.body.priceCents + other.priceCents,
    });

    const removed = await shopper.delete('/api/cart/items/p-7');
    expect(removed.status).toBe(200);
    expect(removed.body.items).toEqual([{ productId: 'p-42', quantity: 3, priceCents: product.body.priceCents }]);
    expect((await shopper.get('/api/cart')).body.totalCents).toBe(3 * product.body.priceCents);

    const order = await shopper.post('/api/checkout');
    expect(order.status).toBe(201);
    expect(order.body).toEqual({ orderId: expect.any(String), items: removed.body.items, totalCents: 3 * product.body.priceCents });
    expect((await shopper.get('/api/cart')).body).toEqual({ items: [], totalCents: 0 });
    expect((await shopper.post('/api/checkout')).body.error.code).toBe('empty_cart');

    const cookie = shopper.cookie;
    const logout = await shopper.post('/api/logout');
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(/^sid=; .*Max-Age=0/);
    shopper.cookie = cookie; // replaying the old cookie must not work: the session is gone server-side
    const after = await shopper.get('/api/me');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('session_expired_or_unknown');
  });

  it('issues a new session id at every login and ends the one it replaces', async () => {
    const shopper = new Shopper(lab.url, 'user8');
    await shopper.login();
    const first = shopper.cookie;
    await shopper.login();
    expect(shopper.cookie).not.toEqual(first);
    const replay = await new Shopper(lab.url).request('GET', '/api/me', { headers: { cookie: first! } });
    expect(replay.status).toBe(401);
  });

  it('rejects a wrong password without a cookie', async () => {
    const shopper = new Shopper(lab.url, 'user9');
    const reply = await shopper.login('wrong-password');
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ error: { code: 'bad_credentials', message: expect.any(String) } });
    expect(reply.headers.get('set-cookie')).toBeNull();
  });

  it('keeps every call of a session on one user and one cart replica under its default routing', async () => {
    const shopper = new Shopper(lab.url, 'user10');
    await shopper.login();
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const reply = await shopper.get('/api/cart');
      expect(reply.status).toBe(200);
      reply.servedBy.forEach((id) => seen.add(id));
    }
    const users = [...seen].filter((id) => id.startsWith('user-'));
    const carts = [...seen].filter((id) => id.startsWith('cart-'));
    // Sticky in stateful mode; round-robin in redis mode spreads calls and still finds the session.
    if (mode === 'stateful') {
      expect(users).toHaveLength(1);
      expect(carts).toHaveLength(1);
    } else {
      expect(users.length).toBeGreaterThan(1);
      expect(carts.length).toBeGreaterThan(1);
    }
  });

  it('reports the topology with every replica up and its metrics URL', async () => {
    const topology = await new Shopper(lab.url).get('/lab/topology');
    expect(topology.body.mode).toBe(mode);
    expect(topology.body.routing).toBe(mode === 'stateful' ? 'sticky-ring' : 'round-robin');
    for (const service of ['user', 'cart', 'product']) {
      expect(topology.body.services[service]).toHaveLength(3);
      for (const replica of topology.body.services[service]) {
        expect(replica).toMatchObject({ up: true, active: true, metricsUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/) });
        const metrics = await fetch(replica.metricsUrl);
        expect(await metrics.text()).toMatch(new RegExp(`^lab_info\\{(?=[^}]*mode="${mode}")(?=[^}]*replica="${replica.id}")`, 'm'));
      }
    }
  });
});
