import { DEMO_PASSWORD } from '@app/contracts';
import type { Client, Request as AutocannonRequest, ResponseHeaders } from 'autocannon';
import { createShopperFlow, createShopperStats, DEFAULT_MIX, mixProblem, planCycle, ShopperFlow, ShopperMix } from './shopper-flow';

const LOGIN_OK: ResponseHeaders = { 'Set-Cookie': ['theme=dark; Path=/', 'sid=s%3Aabc.sig; HttpOnly; SameSite=Lax; Path=/'], 'x-served-by': 'user-2' };
const SESSION_LOST = JSON.stringify({ error: { code: 'session_lost', message: 'your session was lost' } });

/** What autocannon does with a slot: merge the defaults, call setupRequest with the context. */
function build(slot: AutocannonRequest, baseHeaders: Record<string, string> = {}): AutocannonRequest {
  const request = { hostname: '127.0.0.1', port: 8080, ...slot, headers: { ...baseHeaders } };
  const built = slot.setupRequest?.(request, {});
  if (!built) throw new Error('setupRequest returned nothing');
  return built;
}

function answer(slot: AutocannonRequest, status: number, body = '{}', headers: ResponseHeaders = {}): void {
  slot.onResponse?.(status, body, {}, headers);
}

/** One request of a slot as autocannon makes it: built, then answered; resolves with the request. */
function exchange(slot: AutocannonRequest, status: number, body = '{}', headers: ResponseHeaders = {}): AutocannonRequest {
  const request = build(slot);
  answer(slot, status, body, headers);
  return request;
}

function flowWith(mix: ShopperMix = DEFAULT_MIX, extra: Partial<Parameters<typeof createShopperFlow>[0]> = {}): ShopperFlow {
  let seed = 0;
  return createShopperFlow({ mix, random: () => (seed = (seed + 0.37) % 1), ...extra });
}

/** A flow of the default mix and the request slots of its first connection. */
function firstConnection(): { flow: ShopperFlow; slots: AutocannonRequest[] } {
  const flow = flowWith();
  return { flow, slots: flow.requestsFor(flow.nextShopper()) };
}

describe('planCycle()', () => {
  it('spreads the default mix over four rounds and ends the cycle with the checkout', () => {
    expect(planCycle(DEFAULT_MIX)).toEqual(['browse', 'browse', 'add', 'view', 'browse', 'browse', 'add', 'view', 'checkout']);
  });

  it('holds each action exactly as many times as the mix says', () => {
    const mix = { browse: 3, add: 5, view: 1, checkout: 2 };
    const cycle = planCycle(mix);
    for (const action of ['browse', 'add', 'view', 'checkout'] as const) {
      expect(cycle.filter((a) => a === action)).toHaveLength(mix[action]);
    }
  });

  it('spreads two checkouts so each follows half of the adds', () => {
    const cycle = planCycle({ browse: 2, add: 2, view: 0, checkout: 2 });
    expect(cycle).toEqual(['browse', 'add', 'checkout', 'browse', 'add', 'checkout']);
  });

  it('never checks out when the checkout count is 0', () => {
    expect(planCycle({ browse: 1, add: 1, view: 1, checkout: 0 })).toEqual(['browse', 'add', 'view']);
  });

  it('rejects a mix of checkouts only, negative or fractional counts', () => {
    expect(() => planCycle({ browse: 0, add: 0, view: 0, checkout: 1 })).toThrow('at least one of browse, add, view');
    expect(mixProblem({ browse: -1, add: 1, view: 1, checkout: 1 })).toMatch(/browse=-1/);
    expect(mixProblem({ browse: 1.5, add: 1, view: 1, checkout: 1 })).toMatch(/browse=1.5/);
    expect(mixProblem(DEFAULT_MIX)).toBeUndefined();
  });
});

describe('ConnectionShopper (through the slots of createShopperFlow())', () => {
  it('logs in first, with its own account, whatever step the slot holds', () => {
    const flow = flowWith();
    const first = flow.requestsFor(flow.nextShopper());
    const second = flow.requestsFor(flow.nextShopper());

    const login = build(first[3]);
    expect(login).toMatchObject({ method: 'POST', path: '/api/login', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(String(login.body))).toEqual({ username: 'user1', password: DEMO_PASSWORD });
    expect(login.headers).not.toHaveProperty('cookie');
    expect(JSON.parse(String(build(second[0]).body)).username).toBe('user2');
  });

  it('captures sid from the login set-cookie array and sends it as a cookie from then on', () => {
    const { flow, slots } = firstConnection();
    exchange(slots[0], 200, '{"userId":"u1"}', LOGIN_OK);

    expect(build(slots[1]).headers).toMatchObject({ cookie: 'sid=s%3Aabc.sig' });
    const list = build(slots[2]);
    expect(list.method).toBe('GET');
    expect(list.path).toMatch(/^\/api\/products\?limit=20&offset=\d+$/);
    expect(list.headers).toMatchObject({ cookie: 'sid=s%3Aabc.sig' });
    expect(flow.stats.logins).toBe(1);
  });

  it("keeps jwt mode's access token for every path, and the refresh token for /api/refresh only", () => {
    const { flow, slots } = firstConnection();
    exchange(slots[0], 200, '{}', { 'set-cookie': ['at=a.b.c; Path=/; HttpOnly', 'rt=r.s.t; Path=/api/refresh; HttpOnly'] });
    expect(flow.stats.logins).toBe(1);
    expect(build(slots[1]).headers).toMatchObject({ cookie: 'at=a.b.c' });
    exchange(slots[2], 401, JSON.stringify({ error: { code: 'token_expired', message: 'expired' } }));
    expect(build(slots[3]).path).toBe('/api/login');
  });

  it('accepts a single set-cookie string in the server casing', () => {
    const { slots } = firstConnection();
    exchange(slots[0], 200, '{}', { 'Set-Cookie': 'sid=plain; HttpOnly; SameSite=Lax; Path=/' });
    expect(build(slots[1]).headers).toMatchObject({ cookie: 'sid=plain' });
  });

  it('logs in again on the next request after a 401 session_lost and counts the lost session', () => {
    const { flow, slots } = firstConnection();
    exchange(slots[0], 200, '{}', LOGIN_OK);
    exchange(slots[1], 401, SESSION_LOST, { 'x-served-by': 'user-3' });

    const relogin = build(slots[2]);
    expect(relogin.path).toBe('/api/login');
    expect(relogin.headers).not.toHaveProperty('cookie');
    answer(slots[2], 200, '{}', { 'set-cookie': 'sid=fresh; Path=/' });
    expect(build(slots[3]).headers).toMatchObject({ cookie: 'sid=fresh' });

    expect(flow.stats).toMatchObject({ logins: 2, unauthorized: 1, sessionLost: 1, loginFailures: 0 });
  });

  it('counts a 401 without session_lost as unauthorized only', () => {
    const { flow, slots } = firstConnection();
    exchange(slots[0], 200, '{}', LOGIN_OK);
    exchange(slots[1], 401, JSON.stringify({ error: { code: 'session_invalid', message: 'bad signature' } }));
    expect(flow.stats).toMatchObject({ unauthorized: 1, sessionLost: 0 });
    expect(build(slots[2]).path).toBe('/api/login');
  });

  it('stays logged out after a failed login and tries again with the next request', () => {
    const { flow, slots } = firstConnection();
    exchange(slots[0], 503, '{"error":{"code":"unavailable","message":"user service down"}}');
    expect(build(slots[1]).path).toBe('/api/login');
    expect(flow.stats).toMatchObject({ logins: 0, loginFailures: 1 });
  });

  it('keeps its session when autocannon restarts the sequence (no login per pass)', () => {
    const { flow, slots } = firstConnection();
    for (let pass = 0; pass < 3; pass++) {
      for (const slot of slots) {
        exchange(slot, 200, '{}', pass === 0 && slot === slots[0] ? LOGIN_OK : {});
      }
    }
    expect(flow.stats.logins).toBe(1);
    expect(build(slots[0]).headers).toMatchObject({ cookie: 'sid=s%3Aabc.sig' });
  });

  it('forgets the session when a response deletes the cookie', () => {
    const { slots } = firstConnection();
    exchange(slots[0], 200, '{}', LOGIN_OK);
    exchange(slots[1], 200, '{}', { 'set-cookie': 'sid=; Max-Age=0; Path=/' });
    expect(build(slots[2]).path).toBe('/api/login');
  });

  it('tallies statuses and every replica of x-served-by in the shared stats', () => {
    const stats = createShopperStats();
    const flow = createShopperFlow({ mix: DEFAULT_MIX, stats });
    const a = flow.requestsFor(flow.nextShopper());
    const b = flow.requestsFor(flow.nextShopper());
    exchange(a[0], 200, '{}', LOGIN_OK);
    exchange(b[0], 200, '{}', { ...LOGIN_OK, 'x-served-by': 'user-1' });
    exchange(a[1], 200, '{}', { 'x-served-by': 'user-2,product-3' });
    exchange(b[1], 404, '{}', { 'x-served-by': 'user-1,product-3' });

    expect({ ...stats.statusCounts }).toEqual({ '200': 3, '404': 1 });
    expect({ ...stats.servedBy }).toEqual({ 'user-2': 2, 'user-1': 2, 'product-3': 2 });
  });

  it('builds each step of the journey: list, detail, add the product just viewed, view cart, checkout', () => {
    const flow = flowWith({ browse: 1, add: 1, view: 1, checkout: 1 }, { catalogSize: 500 });
    expect(flow.steps).toEqual(['list-products', 'product-detail', 'add-to-cart', 'view-cart', 'checkout']);
    const [list, detail, add, view, checkout] = flow.requestsFor(flow.nextShopper());
    exchange(list, 200, '{}', LOGIN_OK);

    const offset = Number(/offset=(\d+)/.exec(String(build(list).path))?.[1]);
    expect(offset % 20).toBe(0);
    expect(offset).toBeLessThanOrEqual(480);

    const productPath = String(build(detail).path);
    const productId = /^\/api\/products\/(p-\d+)$/.exec(productPath)?.[1];
    expect(Number(productId?.slice(2))).toBeGreaterThanOrEqual(1);
    expect(Number(productId?.slice(2))).toBeLessThanOrEqual(500);

    const added = build(add);
    expect(added).toMatchObject({ method: 'POST', path: '/api/cart/items', headers: { 'content-type': 'application/json' } });
    const body = JSON.parse(String(added.body)) as { productId: string; quantity: number };
    expect(body.productId).toBe(productId);
    expect(body.quantity).toBeGreaterThanOrEqual(1);
    expect(body.quantity).toBeLessThanOrEqual(3);

    expect(build(view)).toMatchObject({ method: 'GET', path: '/api/cart', body: undefined });
    const paid = build(checkout);
    expect(paid).toMatchObject({ method: 'POST', path: '/api/checkout', body: undefined });
    expect(paid.headers).not.toHaveProperty('content-type');
  });

  it('replaces cookie and content-type headers of the defaults but keeps the others', () => {
    const { slots } = firstConnection();
    const login = build(slots[0], { Cookie: 'sid=stale', 'Content-Type': 'text/plain', 'x-lab': '1' });
    expect(login.headers).toEqual({ 'x-lab': '1', 'content-type': 'application/json' });
  });
});

describe('createShopperFlow()', () => {
  function fakeClient(bytes: number): Client & { sequences: AutocannonRequest[][] } {
    const sequences: AutocannonRequest[][] = [];
    return {
      sequences,
      setRequests: (requests: AutocannonRequest[]) => sequences.push(requests),
      getRequestBuffer: () => Buffer.alloc(bytes),
    } as unknown as Client & { sequences: AutocannonRequest[][] };
  }

  it('gives every connection its own sequence and account in setupClient', () => {
    const flow = flowWith();
    const one = fakeClient(10);
    const two = fakeClient(10);
    flow.setupClient(one);
    flow.setupClient(two);
    expect(one.sequences).toHaveLength(1);
    expect(one.sequences[0]).toHaveLength(flow.steps.length);
    expect(JSON.parse(String(build(one.sequences[0][0]).body)).username).toBe('user1');
    expect(JSON.parse(String(build(two.sequences[0][0]).body)).username).toBe('user2');
  });

  it('counts the exact bytes of every request buffer the connection writes', () => {
    const flow = flowWith();
    const client = fakeClient(123);
    flow.setupClient(client);
    client.getRequestBuffer();
    client.getRequestBuffer();
    expect(flow.stats).toMatchObject({ requestsWritten: 2, requestBytesWritten: 246 });
  });

  it('wraps around the accounts and honours firstUser, userCount and userFor', () => {
    const usernames = (flow: ShopperFlow, n: number) => Array.from({ length: n }, () => flow.nextShopper().username);
    expect(usernames(flowWith(DEFAULT_MIX, { firstUser: 10, userCount: 2 }), 3)).toEqual(['user10', 'user11', 'user10']);
    expect(usernames(flowWith(DEFAULT_MIX, { userFor: (i) => (i < 2 ? 7 : 100 + i) }), 3)).toEqual(['user7', 'user7', 'user102']);
  });

  it('rejects a mix it cannot drive', () => {
    expect(() => createShopperFlow({ mix: { browse: 0, add: 0, view: 0, checkout: 0 } })).toThrow(RangeError);
  });
});
