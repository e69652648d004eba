import Redis from 'ioredis';
import { labCall, Shopper, Reply } from './support/shopper';
import { findReplica, parseMetrics, startLab, StartedLab, startPrivateRedis, Topology, waitUntil } from '../tools/kit';
import type { RedisServerProcess } from '../tools/lab/redis-server';

/** The session id inside a shopper's `sid=<id>.<signature>` cookie. */
function sessionIdOf(shopper: Shopper): string {
  const match = /sid=([A-Za-z0-9_-]{22})\./.exec(shopper.cookie ?? '');
  if (!match) throw new Error(`no session cookie in ${shopper.cookie}`);
  return match[1];
}

/** `sum(max by (replica) (metric))` over every replica of a service, as the dashboards total it. */
async function totalGauge(url: string, service: 'user' | 'cart', metric: string): Promise<number> {
  const topology = (await labCall<Topology>(url, 'GET', '/lab/topology')).body!;
  const byHolder = new Map<string, number>();
  for (const replica of topology.services[service]) {
    const text = await (await fetch(replica.metricsUrl)).text();
    for (const sample of parseMetrics(text).filter((s) => s.name === metric)) {
      byHolder.set(sample.labels.replica, Math.max(byHolder.get(sample.labels.replica) ?? 0, sample.value));
    }
  }
  return [...byHolder.values()].reduce((sum, value) => sum + value, 0);
}

/**
 * Logs a shopper out while adds to its cart are in flight on both sides of the logout: some
 * pass the session guard before the session ends and reach the cart replica after the logout
 * cleaned the cart.
 */
async function raceAddsAgainstLogout(shopper: Shopper, adds: number): Promise<{ logout: Reply; adds: Reply[] }> {
  const add = (i: number) => shopper.post('/api/cart/items', { productId: `p-${(i % 40) + 1}`, quantity: 1 });
  const before = Array.from({ length: adds / 2 }, (_, i) => add(i));
  const logout = shopper.post('/api/logout');
  const after = Array.from({ length: adds / 2 }, (_, i) => add(adds / 2 + i));
  return { logout: await logout, adds: await Promise.all([...before, ...after]) };
}

const LATE_ADD_CODES = ['session_ended', 'session_expired_or_unknown'];

describe.each(['stateful', 'redis'] as const)('ending a session in %s mode', (mode) => {
  let redis: RedisServerProcess | undefined;
  let client: Redis | undefined;
  let lab: StartedLab;

  beforeAll(async () => {
    redis = mode === 'redis' ? await startPrivateRedis() : undefined;
    // A crashed replica stays down for 4 s, long enough to log out while it is gone.
    lab = await startLab({ mode, redisUrl: redis?.url, restartDelayMs: 4000 });
    if (redis) client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  }, 90000);

  afterAll(async () => {
    client?.disconnect();
    await lab?.stop();
    await redis?.stop();
  });

  /** Keys of any kind (session, cart, order) that still name `sid`. */
  const keysOf = async (sid: string): Promise<string[]> => (client ? client.keys(`*${sid}*`) : []);

  it('leaves no cart behind when adds race a logout', async () => {
    expect(await totalGauge(lab.url, 'cart', 'lab_carts_active')).toBe(0);
    const shoppers = Array.from({ length: 12 }, (_, i) => new Shopper(lab.url, `user${200 + i}`));
    for (const shopper of shoppers) {
      expect((await shopper.login()).status).toBe(200);
      expect((await shopper.post('/api/cart/items', { productId: 'p-1', quantity: 1 })).status).toBe(201);
    }
    const sids = shoppers.map(sessionIdOf);

    const races = await Promise.all(shoppers.map((shopper) => raceAddsAgainstLogout(shopper, 32)));

    for (const { logout, adds } of races) {
      expect(logout.status).toBe(204);
      for (const reply of adds) {
        if (reply.status !== 201) {
          expect(reply.status).toBe(401);
          expect(LATE_ADD_CODES).toContain(reply.body.error.code);
        }
      }
    }
    // No cart outlives its session: the cart replicas hold none, and Redis has no key of a dead sid.
    expect(await totalGauge(lab.url, 'cart', 'lab_carts_active')).toBe(0);
    for (const sid of sids) expect(await keysOf(sid)).toEqual([]);
  });

  it('ends the old session and its cart when the shopper logs in again with a valid cookie', async () => {
    const shopper = new Shopper(lab.url, 'user220');
    await shopper.login();
    const old = sessionIdOf(shopper);
    expect((await shopper.post('/api/cart/items', { productId: 'p-5', quantity: 2 })).status).toBe(201);
    const oldCookie = shopper.cookie;

    expect((await shopper.login()).status).toBe(200);
    expect((await shopper.get('/api/cart')).body.items).toEqual([]);
    expect(await totalGauge(lab.url, 'cart', 'lab_carts_active')).toBe(0);
    expect(await keysOf(old)).toEqual([]);
    // A late write with the old cookie finds no session.
    const late = await shopper.post('/api/cart/items', { productId: 'p-5', quantity: 1 }, { cookie: oldCookie });
    expect(late.status).toBe(401);
    await shopper.post('/api/logout');
  });

  if (mode === 'stateful') {
    it('logs out while the cart replica is down: 204, cookie cleared, and later requests have no session', async () => {
      const shopper = new Shopper(lab.url, 'user230');
      await shopper.login();
      const added = await shopper.post('/api/cart/items', { productId: 'p-8', quantity: 1 });
      const cartReplica = added.servedBy[1];
      const oldCookie = shopper.cookie;

      const crash = await labCall(lab.url, 'POST', `/lab/replicas/${cartReplica}/crash`);
      expect(crash.status).toBe(202);
      await waitUntil('the gateway to see the cart replica down', async () => {
        const topology = (await labCall<Topology>(lab.url, 'GET', '/lab/topology')).body;
        return topology && findReplica(topology, cartReplica)?.up === false;
      });

      const logout = await shopper.post('/api/logout');
      expect(logout.status).toBe(204);
      expect(logout.headers.get('set-cookie')).toMatch(/^sid=; .*Max-Age=0/);
      const later = await shopper.get('/api/me');
      expect(later.status).toBe(401);
      expect(later.body.error.code).toBe('no_session');
      // Even the old cookie replayed is an ended session, not a lost one.
      const replay = await shopper.get('/api/me', { cookie: oldCookie });
      expect(replay.body.error.code).toBe('session_expired_or_unknown');

      await waitUntil('the lab to be ready again', async () => (await fetch(`${lab.url}/readyz`)).status === 200, { timeoutMs: 20000 });
    });
  }
});
