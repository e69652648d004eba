import { DEMO_PASSWORD } from '@app/contracts';
import { startLab, StartedLab } from '../tools/kit';
import { labCall, Reply, Shopper } from './support/shopper';

function expectError(reply: Reply, status: number, code?: string): void {
  expect({ status: reply.status, body: reply.body }).toEqual({
    status,
    body: { error: { code: code ?? expect.any(String), message: expect.any(String) } },
  });
}

describe('bad input at the gateway', () => {
  let lab: StartedLab;
  let shopper: Shopper;
  let cartBefore: unknown;

  beforeAll(async () => {
    lab = await startLab({ mode: 'stateful', env: { LAB_ADMIN_TOKEN: 'secret-admin-token' } });
    shopper = new Shopper(lab.url, 'user20');
    await shopper.login();
    await shopper.post('/api/cart/items', { productId: 'p-5', quantity: 1 });
    cartBefore = (await shopper.get('/api/cart')).body;
  }, 90000);

  afterAll(async () => {
    // Whatever was thrown at it, the cart is exactly as it was: nothing half-written.
    expect((await shopper.get('/api/cart')).body).toEqual(cartBefore);
    await lab?.stop();
  });

  describe('POST /api/login', () => {
    it.each([
      ['a missing password', { username: 'user1' }],
      ['an extra field', { username: 'user1', password: DEMO_PASSWORD, admin: true }],
      ['a number as username', { username: 42, password: DEMO_PASSWORD }],
      ['an empty username', { username: '', password: DEMO_PASSWORD }],
      ['an absurdly long password', { username: 'user1', password: 'x'.repeat(5000) }],
    ])('answers 400 to %s', async (_name, body) => {
      expectError(await new Shopper(lab.url).post('/api/login', body), 400, 'bad_request');
    });

    it('answers 400 malformed_json to broken JSON', async () => {
      expectError(await new Shopper(lab.url).request('POST', '/api/login', { rawBody: '{"username": "user1",' }), 400, 'malformed_json');
    });

    it('answers 413 to a body over 16 KiB', async () => {
      const reply = await new Shopper(lab.url).request('POST', '/api/login', { rawBody: JSON.stringify({ username: 'user1', password: 'p'.repeat(20000) }) });
      expectError(reply, 413, 'payload_too_large');
    });

    it('answers 415 to a body that is not JSON', async () => {
      const reply = await new Shopper(lab.url).request('POST', '/api/login', { rawBody: 'username=user1', headers: { 'content-type': 'text/plain' } });
      expectError(reply, 415, 'unsupported_media_type');
    });

    it('answers 401 to an unknown user', async () => {
      expectError(await new Shopper(lab.url, 'nobody').login(), 401, 'bad_credentials');
    });
  });

  describe('POST /api/cart/items', () => {
    it.each([
      ['a quantity of 0', { productId: 'p-1', quantity: 0 }],
      ['a negative quantity', { productId: 'p-1', quantity: -3 }],
      ['an absurd quantity', { productId: 'p-1', quantity: 1_000_000 }],
      ['a fractional quantity', { productId: 'p-1', quantity: 1.5 }],
      ['a quantity as a string', { productId: 'p-1', quantity: '2' }],
      ['a malformed product id', { productId: 'DROP TABLE', quantity: 1 }],
      ['an extra field', { productId: 'p-1', quantity: 1, priceCents: 1 }],
      ['an array body', [{ productId: 'p-1', quantity: 1 }]],
    ])('answers 400 to %s and changes nothing', async (_name, body) => {
      expectError(await shopper.post('/api/cart/items', body), 400, 'bad_request');
    });

    it('answers 404 to an unknown product and changes nothing', async () => {
      expectError(await shopper.post('/api/cart/items', { productId: 'p-99999', quantity: 1 }), 404, 'product_not_found');
    });

    it('answers 409 when a line would exceed 99 of a product, changing nothing', async () => {
      expectError(await shopper.post('/api/cart/items', { productId: 'p-5', quantity: 99 }), 409, 'cart_full');
    });

    it('answers 401 without a session', async () => {
      expectError(await new Shopper(lab.url).post('/api/cart/items', { productId: 'p-1', quantity: 1 }), 401, 'no_session');
    });
  });

  describe('session cookies', () => {
    const signedElsewhere = 'sid=AAAAAAAAAAAAAAAAAAAAAA.bm90LWEtc2lnbmF0dXJlLW9mLXRoaXMtZ2F0ZXdheS1hdC1hbGwx';
    it.each([
      ['a forged signature', signedElsewhere],
      ['a value without a signature', 'sid=AAAAAAAAAAAAAAAAAAAAAA'],
      ['garbage', 'sid=%%%;;;'],
      ['an oversized value', `sid=${'A'.repeat(3000)}`],
    ])('answers 401 invalid_session to %s', async (_name, cookie) => {
      const reply = await new Shopper(lab.url).request('GET', '/api/cart', { headers: { cookie } });
      expectError(reply, 401, 'invalid_session');
    });

    it('counts invalid cookies as misses with reason invalid', async () => {
      const metrics = await (await fetch(`${lab.url}/metrics`)).text();
      expect(metrics).toMatch(/^lab_session_lookups_total\{(?=[^}]*result="miss")(?=[^}]*reason="invalid")[^}]*\} [1-9]/m);
    });

    it('answers 401 to logout without a session', async () => {
      expectError(await new Shopper(lab.url).post('/api/logout'), 401, 'no_session');
    });
  });

  describe('paths and paging', () => {
    it.each(['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'offset=1.5'])('answers 400 to /api/products?%s', async (query) => {
      expectError(await shopper.get(`/api/products?${query}`), 400, 'bad_request');
    });

    it('answers 404 to an unknown product id', async () => {
      expectError(await shopper.get('/api/products/p-0'), 404, 'product_not_found');
      expectError(await shopper.get(`/api/products/${'x'.repeat(300)}`), 414, 'uri_too_long');
    });

    it('answers 404 when removing a product that is not in the cart', async () => {
      expectError(await shopper.delete('/api/cart/items/p-77'), 404, 'item_not_in_cart');
    });

    it('answers 404 JSON to an unknown route', async () => {
      expectError(await shopper.get('/api/nothing-here'), 404, 'not_found');
    });
  });

  describe('lab control with LAB_ADMIN_TOKEN set', () => {
    it('answers 401 without the token and 403 with a wrong one', async () => {
      expectError(await labCall(lab.url, 'GET', '/lab/topology'), 401, 'unauthorized');
      expectError(await labCall(lab.url, 'GET', '/lab/topology', undefined, 'wrong-token-123'), 403, 'forbidden');
      expect((await labCall(lab.url, 'GET', '/lab/topology', undefined, 'secret-admin-token')).status).toBe(200);
    });

    it('answers 404 to crashing a replica that does not exist', async () => {
      expectError(await labCall(lab.url, 'POST', '/lab/replicas/cart-9/crash', undefined, 'secret-admin-token'), 404, 'not_found');
      expectError(await labCall(lab.url, 'POST', '/lab/replicas/banana/crash', undefined, 'secret-admin-token'), 404, 'not_found');
    });

    it.each([
      [{ service: 'billing', replicas: 3 }],
      [{ service: 'cart', replicas: 0 }],
      [{ service: 'cart', replicas: 17 }],
      [{ service: 'cart' }],
    ])('answers 400 to scaling with %j', async (body) => {
      expectError(await labCall(lab.url, 'POST', '/lab/scale', body, 'secret-admin-token'), 400, 'bad_request');
    });
  });
});
