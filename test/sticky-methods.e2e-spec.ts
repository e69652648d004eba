import { cookieValue } from '@app/tokens';
import { findReplica, parseMetrics, startLab, StartedLab, Topology, waitUntil } from '../tools/kit';
import { labCall, Shopper } from './support/shopper';

async function lbCounts(lab: StartedLab, result: string): Promise<number> {
  const samples = parseMetrics(await (await fetch(`${lab.url}/metrics`)).text());
  return samples.filter((s) => s.name === 'lab_lb_cookie_total' && s.labels.result === result).reduce((sum, s) => sum + s.value, 0);
}

const lbOf = (shopper: Shopper): string | undefined => cookieValue(shopper.cookie, 'lb');
/** The replica of `service` an lb cookie value names (`user-2.cart-1.<sig>`). */
const pinnedIn = (lb: string | undefined, service: string): string | undefined => lb?.split('.').find((part) => part.startsWith(`${service}-`));

describe('ROUTING=sticky-cookie in stateful mode', () => {
  let lab: StartedLab;

  // A crashed replica stays down 5 s: long enough to see a client pinned to it re-pinned.
  beforeAll(
    async () => (lab = await startLab({ mode: 'stateful', routing: 'sticky-cookie', replicas: { user: 3, cart: 2, product: 1 }, restartDelayMs: 5000 })),
    90000,
  );
  afterAll(() => lab?.stop());

  it('pins a shopper to the user replica that served its login, and its cart replica, with a signed lb cookie', async () => {
    const shopper = new Shopper(lab.url, 'user301');
    const login = await shopper.login();
    expect(login.status).toBe(200);
    expect(pinnedIn(lbOf(shopper), 'user')).toBe(login.servedBy[0]);
    for (let i = 0; i < 8; i++) {
      const me = await shopper.get('/api/me');
      expect(me.status).toBe(200);
      expect(me.servedBy).toEqual([login.servedBy[0]]);
    }
    const added = await shopper.post('/api/cart/items', { productId: 'p-3', quantity: 1 });
    expect(added.status).toBe(201);
    expect(pinnedIn(lbOf(shopper), 'cart')).toBe(added.servedBy[1]);
    for (let i = 0; i < 4; i++) expect((await shopper.get('/api/cart')).body.items).toHaveLength(1);
  });

  it('falls back to a fresh choice for a forged lb cookie, counts it, and sets a valid one', async () => {
    const before = await lbCounts(lab, 'forged');
    const shopper = new Shopper(lab.url, 'user302');
    shopper.cookie = 'lb=user-1.cart-1.not-our-signature';
    const login = await shopper.login();
    expect(login.status).toBe(200);
    expect(login.headers.getSetCookie().some((line) => line.startsWith('lb='))).toBe(true);
    expect(pinnedIn(lbOf(shopper), 'user')).toBe(login.servedBy[0]);
    expect((await shopper.get('/api/me')).status).toBe(200);
    expect(await lbCounts(lab, 'forged')).toBeGreaterThan(before);
  });

  it('shows a client pinned to a crashed replica: counted replica_gone, re-pinned, and its session reported lost', async () => {
    const shopper = new Shopper(lab.url, 'user303');
    const login = await shopper.login();
    const pinned = login.servedBy[0];
    const before = await lbCounts(lab, 'replica_gone');
    expect((await labCall(lab.url, 'POST', `/lab/replicas/${pinned}/crash`)).status).toBe(202);
    await waitUntil(
      `${pinned} to be seen down`,
      async () => findReplica((await labCall<Topology>(lab.url, 'GET', '/lab/topology')).body!, pinned)?.up === false,
      {
        timeoutMs: 4000,
      },
    );
    const me = await shopper.get('/api/me');
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('session_lost');
    expect(me.servedBy).not.toContain(pinned);
    expect(pinnedIn(lbOf(shopper), 'user')).toBe(me.servedBy[0]);
    expect(await lbCounts(lab, 'replica_gone')).toBeGreaterThan(before);
  });
});

describe.each([
  ['off', 1],
  ['on', 2],
] as const)('ROUTING=ip-hash with TRUST_PROXY=%s', (trustProxy, atLeastReplicas) => {
  let lab: StartedLab;

  beforeAll(
    async () => (lab = await startLab({ mode: 'stateful', routing: 'ip-hash', replicas: { user: 3, cart: 1, product: 1 }, env: { TRUST_PROXY: trustProxy } })),
    90000,
  );
  afterAll(() => lab?.stop());

  const loginFrom = async (address: string, user: string) => {
    const login = await new Shopper(lab.url, user).login(undefined, { headers: { 'x-forwarded-for': address } });
    expect(login.status).toBe(200);
    return login.servedBy[0];
  };

  it(`routes by ${trustProxy === 'on' ? 'the X-Forwarded-For address' : 'the socket address, ignoring X-Forwarded-For'}`, async () => {
    const addresses = Array.from({ length: 9 }, (_, i) => `203.0.113.${i * 17 + 1}`);
    const byAddress = await Promise.all(addresses.map((address, i) => loginFrom(address, `user${400 + i}`)));
    const replicas = new Set(byAddress);
    if (trustProxy === 'off') expect(replicas.size).toBe(1);
    else expect(replicas.size).toBeGreaterThanOrEqual(atLeastReplicas);
    // The same address lands where it landed before, whoever logs in from it.
    expect(await loginFrom(addresses[3], 'user420')).toBe(byAddress[3]);
  });
});
