import { connect, Socket } from 'node:net';
import { DEMO_PASSWORD } from '@app/contracts';
import { LabTcpClient } from '@app/transport';
import { delay, startLab, StartedLab, waitUntil } from '../tools/kit';
import { labCall, Shopper } from './support/shopper';

/*
 * What a hostile but fair user tried against the lab and what it now does instead (the
 * hardening issue). Each case failed on the code before its fix.
 */

/** Sends raw bytes to the gateway and resolves with everything it answered until it closed. */
function rawExchange(url: string, chunks: Array<string | { pauseMs: number }>, timeoutMs = 15_000): Promise<{ answer: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket: Socket = connect({ host: hostname, port: Number(port) });
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the gateway kept the connection open for ${timeoutMs} ms; answered: ${answer}`));
    }, timeoutMs);
    socket.on('data', (data) => (answer += data.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (typeof chunk === 'string') socket.write(chunk);
        else await delay(chunk.pauseMs);
        if (socket.destroyed) return;
      }
    });
  });
}

function jsonBodyOf(rawAnswer: string): unknown {
  return JSON.parse(rawAnswer.slice(rawAnswer.indexOf('\r\n\r\n') + 4));
}

describe('hardening: the stateful lab', () => {
  let lab: StartedLab;

  beforeAll(async () => {
    lab = await startLab({ mode: 'stateful', env: { LAB_ADMIN_TOKEN: 'secret-admin-token', REQUEST_TIMEOUT_MS: '1000', COOKIE_SECURE: 'on' } });
  }, 90_000);
  afterAll(() => lab?.stop());

  describe('the internal hop', () => {
    it('refuses a process that does not hold the lab secret: it cannot read a session, write a cart or crash a replica', async () => {
      const shopper = new Shopper(lab.url, 'user41');
      await shopper.login();
      const sid = /^sid=([^.]+)/.exec(shopper.cookie ?? '')?.[1];
      const topology = await labCall(lab.url, 'GET', '/lab/topology', undefined, 'secret-admin-token');
      for (const replica of [...topology.body.services.user, ...topology.body.services.cart]) {
        const [host, port] = String(replica.address).split(':');
        const intruder = new LabTcpClient({ host, port: Number(port), secret: 'not-the-lab-secret-but-long-enough-000000' });
        for (const [pattern, data] of [
          ['user.session.get', { sid }],
          ['cart.items.add', { sid, productId: 'p-1', quantity: 1, priceCents: 0 }],
          ['lab.crash', {}],
        ] as const) {
          await expect(intruder.request(pattern, data, { timeoutMs: 2000 })).rejects.toMatchObject({ failure: 'unavailable', sent: false });
        }
        intruder.close();
      }
      expect((await shopper.get('/api/cart')).body).toEqual({ items: [], totalCents: 0 });
      expect(lab.lab.restarts('user-1') + lab.lab.restarts('cart-1')).toBe(0);
    });

    it('prices a cart line from the catalog, whatever the caller sends', async () => {
      const shopper = new Shopper(lab.url, 'user42');
      await shopper.login();
      const product = await shopper.get('/api/products/p-17');
      const added = await shopper.post('/api/cart/items', { productId: 'p-17', quantity: 2, priceCents: 0 });
      expect(added.status).toBe(400);
      const cart = await shopper.post('/api/cart/items', { productId: 'p-17', quantity: 2 });
      expect(cart.body.items).toEqual([{ productId: 'p-17', quantity: 2, priceCents: product.body.priceCents }]);
    });
  });

  describe('request bodies', () => {
    it('answers deep JSON with 400 malformed_json, fast, and logs nothing for it', async () => {
      const deep = '{"username":' + '['.repeat(3000) + ']'.repeat(3000) + ',"password":"x"}';
      const started = Date.now();
      for (let i = 0; i < 50; i++) {
        const reply = await new Shopper(lab.url).request('POST', '/api/login', { rawBody: deep });
        expect({ status: reply.status, code: reply.body?.error?.code }).toEqual({ status: 400, code: 'malformed_json' });
      }
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(lab.output.filter((line) => /RangeError|Maximum call stack/.test(line))).toEqual([]);
    });

    it('closes a connection whose body never completes, with a 408 in the JSON error shape', async () => {
      const { answer, closedAfterMs } = await rawExchange(lab.url, [
        'POST /api/login HTTP/1.1\r\nHost: lab\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user',
      ]);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(jsonBodyOf(answer)).toEqual({ error: { code: 'request_timeout', message: expect.any(String) } });
      expect(closedAfterMs).toBeLessThan(5000);
    });

    it('closes a connection that trickles its body a byte at a time', async () => {
      const trickle: Array<string | { pauseMs: number }> = ['POST /api/login HTTP/1.1\r\nHost: lab\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n'];
      for (let i = 0; i < 40; i++) trickle.push('x', { pauseMs: 400 });
      const { answer, closedAfterMs } = await rawExchange(lab.url, trickle);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedAfterMs).toBeLessThan(5000);
    });

    it("answers the HTTP parser's own errors in the JSON error shape: a broken request line, oversized headers", async () => {
      const broken = await rawExchange(lab.url, ['NOT A REQUEST\r\n\r\n']);
      expect(broken.answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(jsonBodyOf(broken.answer)).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
      const huge = await rawExchange(lab.url, [`GET /api/me HTTP/1.1\r\nHost: lab\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
      expect(huge.answer).toMatch(/^HTTP\/1\.1 431 /);
      expect(jsonBodyOf(huge.answer)).toEqual({ error: { code: 'headers_too_large', message: expect.any(String) } });
    });
  });

  describe('logins', () => {
    it('throttles failed logins of one account with 429 and Retry-After, and not a good password of another', async () => {
      const attacker = new Shopper(lab.url, 'user43');
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await attacker.login('wrong-password')).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
      const limited = await attacker.login(DEMO_PASSWORD);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.body.error.code).toBe('too_many_attempts');
      expect((await new Shopper(lab.url, 'user44').login()).status).toBe(200);
    });

    it('hashes one password at a time per replica: a burst of logins succeeds or is told to retry, and the catalog answers meanwhile', async () => {
      const shoppers = Array.from({ length: 60 }, (_, i) => new Shopper(lab.url, `user${100 + i}`));
      const catalogReads: number[] = [];
      const reader = (async () => {
        for (let i = 0; i < 20; i++) {
          const started = Date.now();
          expect((await new Shopper(lab.url).get('/api/products?limit=5')).status).toBe(200);
          catalogReads.push(Date.now() - started);
        }
      })();
      const first = await Promise.all(shoppers.map((shopper) => shopper.login(DEMO_PASSWORD, { patient: false })));
      await reader;
      for (const login of first) expect([200, 503]).toContain(login.status);
      const busy = first.filter((login) => login.status === 503);
      for (const login of busy) {
        expect(login.body.error.code).toBe('login_busy');
        expect(Number(login.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      // A client that honours Retry-After gets in: nothing was lost, only deferred.
      let waiting = shoppers.filter((_, i) => first[i].status === 503);
      for (let round = 0; round < 20 && waiting.length > 0; round++) {
        await delay(1000);
        const again = await Promise.all(waiting.map((shopper) => shopper.login(DEMO_PASSWORD, { patient: false })));
        waiting = waiting.filter((_, i) => again[i].status !== 200);
      }
      expect(waiting).toEqual([]);
      // Generous for a shared 2-core machine: without the bound, reads queue behind every hash.
      expect(Math.max(...catalogReads)).toBeLessThan(2000);
    });
  });

  describe('cookies', () => {
    it('marks the session cookie Secure when COOKIE_SECURE=on', async () => {
      const login = await new Shopper(lab.url, 'user45').login();
      expect(login.headers.getSetCookie()[0]).toMatch(/; HttpOnly; SameSite=Lax; Secure; Max-Age=\d+$/);
    });

    it('says nosniff on every answer, errors with reflected ids included', async () => {
      const reply = await new Shopper(lab.url).get(`/api/products/${encodeURIComponent('<script>')}`);
      expect(reply.status).toBe(404);
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });

  describe('lab control', () => {
    it('checks the token before it parses a body', async () => {
      const malformed = await new Shopper(lab.url).request('POST', '/lab/scale', { rawBody: '{"service":' });
      expect({ status: malformed.status, code: malformed.body.error.code }).toEqual({ status: 401, code: 'unauthorized' });
    });

    it('takes the Bearer scheme in any case', async () => {
      const lower = await new Shopper(lab.url).request('GET', '/lab/topology', { headers: { authorization: 'bearer secret-admin-token' } });
      expect(lower.status).toBe(200);
    });

    it('stops the replicas a rescale down removes: a cart they held never comes back on a rescale up', async () => {
      const token = 'secret-admin-token';
      expect((await labCall(lab.url, 'POST', '/lab/scale', { service: 'cart', replicas: 5 }, token)).status).toBe(200);
      let shopper: Shopper | undefined;
      for (let i = 0; i < 60 && !shopper; i++) {
        const candidate = new Shopper(lab.url, `user${300 + i}`);
        await candidate.login();
        const added = await candidate.post('/api/cart/items', { productId: 'p-3', quantity: 1 });
        if (['cart-4', 'cart-5'].includes(added.servedBy.at(-1) ?? '')) shopper = candidate;
      }
      if (!shopper) throw new Error('no shopper landed on cart-4 or cart-5 in 60 tries');
      expect((await labCall(lab.url, 'POST', '/lab/scale', { service: 'cart', replicas: 3 }, token)).status).toBe(200);
      expect(lab.lab.pidOf('cart-4')).toBeUndefined();
      expect((await shopper.get('/api/cart')).body.items).toEqual([]);
      expect((await labCall(lab.url, 'POST', '/lab/scale', { service: 'cart', replicas: 5 }, token)).status).toBe(200);
      const again = await shopper.get('/api/cart');
      expect(['cart-4', 'cart-5']).toContain(again.servedBy.at(-1));
      expect(again.body.items).toEqual([]);
      expect((await shopper.post('/api/checkout')).body.error.code).toBe('empty_cart');
      expect((await labCall(lab.url, 'POST', '/lab/scale', { service: 'cart', replicas: 3 }, token)).status).toBe(200);
    });

    it('crashes a replica once when asked twice in a row', async () => {
      const [first, second] = await Promise.all([
        labCall(lab.url, 'POST', '/lab/replicas/product-2/crash', undefined, 'secret-admin-token'),
        delay(5).then(() => labCall(lab.url, 'POST', '/lab/replicas/product-2/crash', undefined, 'secret-admin-token')),
      ]);
      expect(first.status).toBe(202);
      expect(second.status).toBe(503);
      expect(['replica_crashing', 'replica_unavailable']).toContain(second.body.error.code);
      await waitUntil('product-2 to restart', () => lab.lab.restarts('product-2') === 1, { timeoutMs: 20_000 });
      await delay(500);
      expect(lab.lab.restarts('product-2')).toBe(1);
    });
  });
});

describe('hardening: sessions outlive a gateway restart and keep sliding (redis mode)', () => {
  let lab: StartedLab;

  beforeAll(async () => {
    lab = await startLab({ mode: 'redis', sessionTtlSeconds: 4 });
  }, 90_000);
  afterAll(() => lab?.stop());

  it('keeps every shopper logged in across a gateway restart: one secret per lab run', async () => {
    const shopper = new Shopper(lab.url, 'user46');
    expect((await shopper.login()).status).toBe(200);
    const before = lab.lab.pidOf('gateway');
    process.kill(before as number, 'SIGKILL');
    await waitUntil('the gateway to come back', async () => lab.lab.pidOf('gateway') !== before && (await fetch(`${lab.url}/readyz`).then((r) => r.ok, () => false)), {
      timeoutMs: 30_000,
    });
    const me = await shopper.get('/api/me');
    expect({ status: me.status, username: me.body.username }).toEqual({ status: 200, username: 'user46' });
  });

  it('sends the cookie again as the session slides, so an active shopper is never logged out at login + TTL', async () => {
    const shopper = new Shopper(lab.url, 'user47');
    const login = await shopper.login();
    let cookieExpiresAt = Date.now() + Number(/Max-Age=(\d+)/.exec(login.headers.getSetCookie()[0])?.[1]) * 1000;
    const started = Date.now();
    while (Date.now() - started < 10_000) {
      // A browser stops sending a cookie past its Max-Age; this shopper would too.
      expect(Date.now()).toBeLessThan(cookieExpiresAt);
      const me = await shopper.get('/api/me');
      expect(me.status).toBe(200);
      const reissued = me.headers.getSetCookie()[0];
      if (reissued) cookieExpiresAt = Date.now() + Number(/Max-Age=(\d+)/.exec(reissued)?.[1]) * 1000;
      await delay(500);
    }
  });
});
