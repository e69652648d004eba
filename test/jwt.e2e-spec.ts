import Redis from 'ioredis';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cookieValue } from '@app/tokens';
import { parseMetrics, startLab, StartedLab, waitUntil } from '../tools/kit';
import { Shopper } from './support/shopper';

/** A shopper's current access token, from its cookie jar. */
const accessTokenOf = (shopper: Shopper): string => {
  const token = cookieValue(shopper.cookie, 'at');
  if (!token) throw new Error(`no access token in ${shopper.cookie}`);
  return token;
};
const refreshTokenOf = (shopper: Shopper): string => cookieValue(shopper.cookie, 'rt') ?? '';

/** The same calls with only `Authorization: Bearer <token>`, no cookie. */
const bearer = (token: string) => ({ cookie: undefined, headers: { authorization: `Bearer ${token}` } });

async function tokenChecks(lab: StartedLab): Promise<Map<string, number>> {
  const samples = parseMetrics(await (await fetch(`${lab.url}/metrics`)).text()).filter((s) => s.name === 'lab_token_checks_total');
  return new Map(samples.map((s) => [`${s.labels.result}/${s.labels.reason}`, s.value]));
}

describe('jwt mode (JWT_DENYLIST=on)', () => {
  let lab: StartedLab;

  beforeAll(async () => {
    lab = await startLab({ mode: 'jwt', replicas: { user: 1, cart: 2, product: 1 } });
  }, 90000);

  afterAll(async () => {
    await lab?.stop();
  });

  it('logs in with an access cookie for every path and a refresh cookie for /api/refresh only, and checks tokens without a user replica', async () => {
    const shopper = new Shopper(lab.url, 'user11');
    const login = await shopper.login();
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ userId: 'u-11', username: 'user11', accessExpiresAt: expect.any(String) });
    const expiresIn = Date.parse(login.body.accessExpiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(880_000);
    expect(expiresIn).toBeLessThan(902_000);
    const setCookies = login.headers.getSetCookie();
    expect(setCookies).toEqual([
      expect.stringMatching(/^at=[\w-]+\.[\w-]+\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=900$/),
      expect.stringMatching(/^rt=[\w-]+\.[\w-]+\.[\w-]{43}; Path=\/api\/refresh; HttpOnly; SameSite=Lax; Max-Age=86400$/),
    ]);
    const claims = JSON.parse(Buffer.from(accessTokenOf(shopper).split('.')[1], 'base64url').toString());
    expect(claims).toEqual({
      sub: 'u-11',
      name: 'user11',
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      typ: 'access',
      fam: expect.any(String),
    });

    const me = await shopper.get('/api/me');
    expect(me.body).toEqual({ userId: 'u-11', username: 'user11' });
    expect(me.servedBy).toEqual([]);
  });

  it('runs the shopper journey: browse, fill and empty a cart, check out, with one cart replica call per cart request', async () => {
    const shopper = new Shopper(lab.url, 'user18');
    await shopper.login();
    expect((await shopper.get('/api/products?limit=5&offset=10')).body.items).toHaveLength(5);
    const product = (await shopper.get('/api/products/p-42')).body;
    expect((await shopper.post('/api/cart/items', { productId: 'p-42', quantity: 2 })).status).toBe(201);
    const added = await shopper.post('/api/cart/items', { productId: 'p-7', quantity: 1 });
    expect(added.servedBy).toEqual([expect.stringMatching(/^cart-\d$/)]);
    const removed = await shopper.delete('/api/cart/items/p-7');
    expect(removed.body).toEqual({ items: [{ productId: 'p-42', quantity: 2, priceCents: product.priceCents }], totalCents: 2 * product.priceCents });
    const order = await shopper.post('/api/checkout');
    expect(order.status).toBe(201);
    expect(order.body).toEqual({ orderId: expect.any(String), items: removed.body.items, totalCents: 2 * product.priceCents });
    expect((await shopper.post('/api/checkout')).body.error.code).toBe('empty_cart');
    expect((await shopper.login('wrong-password')).body.error.code).toBe('bad_credentials');
  });

  it('accepts Authorization: Bearer without any cookie', async () => {
    const shopper = new Shopper(lab.url, 'user12');
    await shopper.login();
    const me = await shopper.client.get('/api/me', bearer(accessTokenOf(shopper)));
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ userId: 'u-12', username: 'user12' });
  });

  it("keeps a user's cart across two logins on two devices, whichever cart replica serves them", async () => {
    const laptop = new Shopper(lab.url, 'user13');
    const phone = new Shopper(lab.url, 'user13');
    await laptop.login();
    expect((await laptop.post('/api/cart/items', { productId: 'p-5', quantity: 2 })).status).toBe(201);
    await phone.login();
    const replicasSeen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const cart = await phone.get('/api/cart');
      expect(cart.body.items).toEqual([{ productId: 'p-5', quantity: 2, priceCents: expect.any(Number) }]);
      cart.servedBy.forEach((id) => replicasSeen.add(id));
    }
    expect(replicasSeen).toEqual(new Set(['cart-1', 'cart-2']));
    await laptop.post('/api/logout');
    expect((await phone.get('/api/cart')).body.items).toHaveLength(1);
    expect((await phone.post('/api/checkout')).status).toBe(201);
  });

  it('denylists a logged-out token: replayed, it is 401 token_revoked', async () => {
    const shopper = new Shopper(lab.url, 'user14');
    await shopper.login();
    const token = accessTokenOf(shopper);
    const { jti } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { jti: string };
    const logout = await shopper.post('/api/logout');
    expect(logout.status).toBe(204);
    expect(shopper.cookie).toBeUndefined();
    // The jti sits on the denylist for the rest of the token's life (~900 s), no longer.
    const redis = new Redis(lab.redis!.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      const ttl = await redis.pttl(`statelab:jwt:{u-14}:deny:${jti}`);
      expect(ttl).toBeGreaterThan(880_000);
      expect(ttl).toBeLessThanOrEqual(901_000);
    } finally {
      redis.disconnect();
    }
    const replay = await shopper.client.get('/api/cart', bearer(token));
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('token_revoked');
  });

  it('revokes every token of the user on logout-all, and lets a later login in', async () => {
    const laptop = new Shopper(lab.url, 'user15');
    const phone = new Shopper(lab.url, 'user15');
    await laptop.login();
    await phone.login();
    const phoneRefresh = refreshTokenOf(phone);
    expect((await laptop.post('/api/logout-all')).status).toBe(204);
    expect((await phone.get('/api/me')).body.error.code).toBe('token_revoked');
    expect((await phone.client.post('/api/refresh', undefined, { cookie: `rt=${phoneRefresh}` })).body.error.code).toBe('token_revoked');
    await laptop.login();
    expect((await laptop.get('/api/me')).status).toBe(200);
  });

  it('rotates the refresh token, and a reused one revokes the whole family', async () => {
    const shopper = new Shopper(lab.url, 'user16');
    await shopper.login();
    const first = refreshTokenOf(shopper);
    const rotated = await shopper.post('/api/refresh');
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ userId: 'u-16', accessExpiresAt: expect.any(String) });
    const second = refreshTokenOf(shopper);
    expect(second).not.toBe(first);
    expect((await shopper.get('/api/me')).status).toBe(200);

    const thief = await shopper.client.post('/api/refresh', undefined, { cookie: `rt=${first}` });
    expect(thief.status).toBe(401);
    expect(thief.body.error.code).toBe('refresh_reused');
    // The family is gone: the legitimate refresh token and the access token issued with it too.
    expect((await shopper.get('/api/me')).body.error.code).toBe('token_revoked');
    expect((await shopper.client.post('/api/refresh', undefined, { cookie: `rt=${second}` })).body.error.code).toBe('token_revoked');
  });

  it('refuses a refresh token as an access token (wrong_token_type) and a tampered token (bad_signature), and counts each check', async () => {
    const before = await tokenChecks(lab);
    const shopper = new Shopper(lab.url, 'user17');
    await shopper.login();
    const wrongType = await shopper.client.get('/api/me', bearer(refreshTokenOf(shopper)));
    expect(wrongType.status).toBe(401);
    expect(wrongType.body.error.code).toBe('wrong_token_type');

    const [header, payload, signature] = accessTokenOf(shopper).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'u-1', name: 'user1' })).toString('base64url');
    const tampered = await shopper.client.get('/api/cart', bearer(`${header}.${forged}.${signature}`));
    expect(tampered.status).toBe(401);
    expect(tampered.body.error.code).toBe('bad_signature');
    expect((await shopper.client.get('/api/cart', bearer('not-a-token'))).body.error.code).toBe('token_malformed');
    expect((await shopper.get('/api/cart')).status).toBe(200);

    const after = await tokenChecks(lab);
    const grew = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
    expect(grew('rejected/wrong_type')).toBe(1);
    expect(grew('rejected/bad_signature')).toBe(1);
    expect(grew('rejected/malformed')).toBe(1);
    expect(grew('ok/none')).toBe(1);
  });

  // Last in this lab: it stops Redis.
  it('answers a fast 503 state_store_unavailable when Redis is down, never letting a token through unchecked', async () => {
    const shopper = new Shopper(lab.url, 'user19');
    await shopper.login();
    await lab.redis!.stop();
    const started = Date.now();
    const me = await shopper.get('/api/me');
    expect(me.status).toBe(503);
    expect(me.body.error.code).toBe('state_store_unavailable');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('jwt mode with JWT_DENYLIST=off and ACCESS_TTL_SECONDS=3', () => {
  let lab: StartedLab;

  beforeAll(async () => {
    lab = await startLab({ mode: 'jwt', replicas: { user: 1, cart: 1, product: 1 }, env: { JWT_DENYLIST: 'off', ACCESS_TTL_SECONDS: '3' } });
  }, 90000);

  afterAll(async () => {
    await lab?.stop();
  });

  it('still serves a logged-out access token replayed before it expires, then refuses it as token_expired', async () => {
    const shopper = new Shopper(lab.url, 'user21');
    await shopper.login();
    const token = accessTokenOf(shopper);
    const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp as number;
    expect((await shopper.post('/api/logout')).status).toBe(204);

    const replay = await shopper.client.get('/api/cart', bearer(token));
    expect(Date.now() / 1000).toBeLessThan(exp); // the replay happened inside the token's life
    expect(replay.status).toBe(200);

    await waitUntil('the access token to expire', () => Date.now() / 1000 >= exp + 0.05, { timeoutMs: 6000 });
    const expired = await shopper.client.get('/api/cart', bearer(token));
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('token_expired');
  });
});

describe('jwt mode with JWT_ALG=EdDSA', () => {
  let lab: StartedLab;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'statelab-ed25519-'));
    const keyFile = path.join(dir, 'jwt.pem');
    writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    lab = await startLab({ mode: 'jwt', replicas: { user: 1, cart: 1, product: 1 }, env: { JWT_ALG: 'EdDSA', JWT_KEY_FILE: keyFile } });
  }, 90000);

  afterAll(async () => {
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs with the Ed25519 key of JWT_KEY_FILE and refuses a token changed after signing', async () => {
    const shopper = new Shopper(lab.url, 'user31');
    expect((await shopper.login()).status).toBe(200);
    const [header, payload, signature] = accessTokenOf(shopper).split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'EdDSA', typ: 'JWT' });
    expect(Buffer.from(signature, 'base64url')).toHaveLength(64);
    expect((await shopper.get('/api/me')).body).toEqual({ userId: 'u-31', username: 'user31' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400 })).toString('base64url');
    expect((await shopper.client.get('/api/me', bearer(`${header}.${forged}.${signature}`))).body.error.code).toBe('bad_signature');
  });
});
