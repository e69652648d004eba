import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DEMO_PASSWORD } from '@app/contracts';
import { errorCode, GatewayClient, httpRequest } from './http';
import { Shopper } from './shopper';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A stand-in gateway: answers by path, remembers every request. */
async function startFakeGateway(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      if (request.url === '/api/login') {
        response.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['sid=abc.sig; Path=/; HttpOnly'], 'x-served-by': 'user-2' });
        return response.end('{"userId":"u-1"}');
      }
      if (request.url === '/api/logout') {
        response.writeHead(204, { 'set-cookie': 'sid=; Path=/; Max-Age=0' });
        return response.end();
      }
      if (request.url === '/slow') return; // never answers
      if (request.url === '/text') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        return response.end('not json');
      }
      response.writeHead(request.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'x-served-by': 'user-1, cart-3' });
      response.end(request.url === '/missing' ? '{"error":{"code":"not_found","message":"no"}}' : '{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('GatewayClient', () => {
  let gateway: Awaited<ReturnType<typeof startFakeGateway>>;
  let client: GatewayClient;
  beforeAll(async () => {
    gateway = await startFakeGateway();
    client = new GatewayClient(gateway.url, { adminToken: 'admin-secret', timeoutMs: 500 });
  });
  afterAll(async () => {
    client.close();
    await gateway.close();
  });

  it('parses the JSON body, x-served-by in call order and the headers', async () => {
    const reply = await client.get('/api/cart');
    expect(reply).toMatchObject({ status: 200, body: { ok: true }, servedBy: ['user-1', 'cart-3'] });
    expect(reply.headers.get('content-type')).toBe('application/json');
  });

  it('gives an undefined body for a body that is not JSON, and reads error codes', async () => {
    expect((await client.get('/text')).body).toBeUndefined();
    expect(errorCode(await client.get('/missing'))).toBe('not_found');
  });

  it('sends a JSON body as JSON, a raw body as it is, and lets the call set its own content type', async () => {
    await client.post('/api/cart/items', { productId: 'p-1', quantity: 2 });
    await client.request('POST', '/raw', { rawBody: 'username=user1', headers: { 'Content-Type': 'text/plain' } });
    const [json, raw] = gateway.seen.slice(-2);
    expect(json).toMatchObject({ method: 'POST', body: '{"productId":"p-1","quantity":2}' });
    expect(json.headers['content-type']).toBe('application/json');
    expect(raw).toMatchObject({ body: 'username=user1' });
    expect(raw.headers['content-type']).toBe('text/plain');
  });

  it('sends its admin token on /lab calls only', async () => {
    await client.get('/lab/topology');
    await client.get('/api/me');
    const [lab, api] = gateway.seen.slice(-2);
    expect(lab.headers.authorization).toBe('Bearer admin-secret');
    expect(api.headers.authorization).toBeUndefined();
  });

  it('rejects when no answer comes within the timeout, and text() on another status than 200', async () => {
    await expect(client.get('/slow', { timeoutMs: 50 })).rejects.toThrow(`GET ${gateway.url}/slow got no answer within 50 ms`);
    await expect(client.text('/missing')).rejects.toThrow('answered 404');
  });

  it('answers with any status through httpRequest, rejecting only on socket errors', async () => {
    expect((await httpRequest(`${gateway.url}/missing`)).status).toBe(404);
    await expect(httpRequest('http://127.0.0.1:1/')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('Shopper', () => {
  let gateway: Awaited<ReturnType<typeof startFakeGateway>>;
  let shopper: Shopper;
  const lastCookieSent = () => gateway.seen[gateway.seen.length - 1].headers.cookie;
  beforeAll(async () => {
    gateway = await startFakeGateway();
  });
  beforeEach(() => {
    shopper = new Shopper(gateway.url, 'user7');
  });
  afterEach(() => shopper.client.close());
  afterAll(async () => {
    await gateway.close();
  });

  it('logs in with the demo password and sends the session cookie from then on', async () => {
    expect(shopper.cookie).toBeUndefined();
    await shopper.login();
    expect(JSON.parse(gateway.seen[gateway.seen.length - 1].body)).toEqual({ username: 'user7', password: DEMO_PASSWORD });
    expect(shopper.cookie).toBe('sid=abc.sig');
    await shopper.get('/api/cart');
    expect(lastCookieSent()).toBe('sid=abc.sig');
  });

  it('drops the cookie the gateway clears, and can replay an old one', async () => {
    await shopper.login();
    const old = shopper.cookie;
    await shopper.post('/api/logout');
    expect(shopper.cookie).toBeUndefined();
    shopper.cookie = old;
    await shopper.get('/api/me');
    expect(lastCookieSent()).toBe('sid=abc.sig');
  });

  it('sends the cookie a call names instead of its own', async () => {
    await shopper.login();
    await shopper.get('/api/me', { headers: { cookie: 'sid=forged.sig' } });
    expect(lastCookieSent()).toBe('sid=forged.sig');
  });
});
