import { DEMO_PASSWORD } from '@app/contracts';
import { startLab, StartedLab, waitUntil } from '../tools/kit';
import { labCall, Shopper } from './support/shopper';

/*
 * /lab/faults against a real redis-mode lab: each fault changes what it says it changes, by about
 * the value set (latencies are medians of several calls; the machine is shared, so tolerances
 * are wide on the slow side and tight on the fast side: a fault must never be free).
 */

async function fastest(times: number, call: () => Promise<unknown>): Promise<number> {
  return (await timings(times, call))[0];
}

async function median(times: number, call: () => Promise<unknown>): Promise<number> {
  const samples = await timings(times, call);
  return samples[Math.floor(samples.length / 2)];
}

/** Milliseconds each of `times` calls took, in order from the fastest. */
async function timings(times: number, call: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

describe('fault injection (/lab/faults)', () => {
  let lab: StartedLab;
  let shopper: Shopper;
  const put = (name: string, value: number) => labCall(lab.url, 'PUT', `/lab/faults/${name}`, { value });

  beforeAll(async () => {
    // 1.5 s: short enough for the timeout tests, long enough for a login (an scrypt hash, plus
    // login.slow's 400 ms) on a busy machine.
    lab = await startLab({ mode: 'redis', env: { RPC_TIMEOUT_MS: '1500' } });
    shopper = new Shopper(lab.url, 'user61');
    await shopper.login();
    await shopper.post('/api/cart/items', { productId: 'p-2', quantity: 1 });
  }, 90_000);

  afterEach(async () => {
    expect((await labCall(lab.url, 'DELETE', '/lab/faults')).status).toBe(204);
  });
  afterAll(() => lab?.stop());

  it('lists every fault with its value, variants and description, all off at first', async () => {
    const reply = await labCall(lab.url, 'GET', '/lab/faults');
    const names = reply.body.faults.map((f: { name: string }) => f.name);
    expect(names).toEqual(
      expect.arrayContaining(['latency.user', 'latency.cart', 'latency.product', 'failure.user', 'failure.cart', 'failure.product', 'latency.redis', 'login.slow', 'hang.cart-1', 'hang.user-3']),
    );
    for (const fault of reply.body.faults) {
      expect(fault).toMatchObject({ value: 0, variants: expect.any(Array), description: expect.any(String) });
    }
  });

  it('refuses an unknown fault with 404 and a value out of range with 400', async () => {
    expect((await put('latency.billing', 10)).body.error.code).toBe('unknown_fault');
    expect((await put('failure.cart', 101)).status).toBe(400);
    expect((await put('hang.cart-1', 0.5)).status).toBe(400);
    expect((await labCall(lab.url, 'PUT', '/lab/faults/latency.cart', { value: 'slow' })).status).toBe(400);
  });

  it('latency.cart adds about its value to every cart call, and shows in lab_fault_active', async () => {
    const before = await median(9, () => shopper.get('/api/cart'));
    expect((await put('latency.cart', 150)).body).toMatchObject({ name: 'latency.cart', value: 150 });
    const after = await median(9, () => shopper.get('/api/cart'));
    expect(after - before).toBeGreaterThan(130);
    expect(after - before).toBeLessThan(450);
    expect(await (await fetch(`${lab.url}/metrics`)).text()).toMatch(/^lab_fault_active\{fault="latency.cart"\} 150$/m);
    const catalog = await median(5, () => shopper.get('/api/products/p-1'));
    expect(catalog).toBeLessThan(130);
  });

  it('latency.redis adds about its value to each store call: a logged-in cart view makes two', async () => {
    const before = await median(9, () => shopper.get('/api/cart'));
    await put('latency.redis', 60);
    const after = await median(9, () => shopper.get('/api/cart'));
    expect(after - before).toBeGreaterThan(100);
    expect(after - before).toBeLessThan(400);
  });

  it('failure.product fails about its share of product calls with 500 injected_failure, and nothing else', async () => {
    await put('failure.product', 40);
    const statuses: string[] = [];
    for (let i = 0; i < 200; i++) {
      const reply = await shopper.get(`/api/products/p-${1 + (i % 50)}`);
      statuses.push(reply.status === 200 ? 'ok' : `${reply.status} ${reply.body.error.code}`);
    }
    const failed = statuses.filter((s) => s !== 'ok');
    expect(new Set(failed)).toEqual(new Set(['500 injected_failure']));
    // 200 draws at 40 %: the share lies within ±0.12 with probability far above 99.9 %.
    expect(failed.length / statuses.length).toBeGreaterThan(0.28);
    expect(failed.length / statuses.length).toBeLessThan(0.52);
    expect((await shopper.get('/api/cart')).status).toBe(200);
  });

  it('hang.<replica> keeps the replica answering health checks while its calls time out', async () => {
    await put('hang.product-2', 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const topology = await labCall(lab.url, 'GET', '/lab/topology');
    expect(topology.body.services.product.find((r: { id: string }) => r.id === 'product-2').up).toBe(true);
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) {
      const reply = await shopper.get('/api/products/p-3');
      answers.push(`${reply.servedBy[0]} ${reply.status}`);
    }
    expect(answers.filter((a) => a.startsWith('product-2')).every((a) => a.endsWith('503'))).toBe(true);
    expect(answers.filter((a) => !a.startsWith('product-2')).every((a) => a.endsWith('200'))).toBe(true);
  });

  it('login.slow adds about its value to a login', async () => {
    // Fastest of 3 each way: a busy machine only ever makes a login slower, never faster, so the
    // fastest login is the one least disturbed (an scrypt hash alone can take 100–300 ms then).
    const login = () => new Shopper(lab.url, 'user62').login(DEMO_PASSWORD);
    const before = await fastest(3, login);
    await put('login.slow', 400);
    const after = await fastest(3, login);
    expect({ after: after >= 395, added: after - before > 250 }).toEqual({ after: true, added: true });
  });

  it('answers a checkout that did not answer in time with 503 outcome_unknown; its retry under the same Idempotency-Key gets the order it made', async () => {
    const buyer = new Shopper(lab.url, 'user63');
    expect((await buyer.login()).status).toBe(200);
    await buyer.post('/api/cart/items', { productId: 'p-11', quantity: 2 });
    await put('latency.cart', 2500); // longer than the gateway's RPC_TIMEOUT_MS of 1500
    const key = { headers: { 'idempotency-key': 'checkout-user63-1' } };
    const first = await buyer.post('/api/checkout', undefined, key);
    expect({ status: first.status, code: first.body.error.code }).toEqual({ status: 503, code: 'outcome_unknown' });
    await labCall(lab.url, 'DELETE', '/lab/faults');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the slow checkout finishes on the replica
    const retry = await buyer.post('/api/checkout', undefined, key);
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ items: [{ productId: 'p-11', quantity: 2 }], orderId: expect.any(String) });
    const again = await buyer.post('/api/checkout', undefined, key);
    expect(again.body.orderId).toBe(retry.body.orderId);
    // Without a key the retry could only have said the cart was empty, hiding the order.
    expect((await buyer.post('/api/checkout')).body.error.code).toBe('empty_cart');
    expect((await buyer.post('/api/checkout', undefined, { headers: { 'idempotency-key': 'checkout-user63-1' } })).status).toBe(201);
  });

  it('refuses an Idempotency-Key used for a different change with 422', async () => {
    const buyer = new Shopper(lab.url, 'user64');
    expect((await buyer.login()).status).toBe(200);
    const key = { headers: { 'idempotency-key': 'add-1' } };
    expect((await buyer.post('/api/cart/items', { productId: 'p-12', quantity: 1 }, key)).status).toBe(201);
    expect((await buyer.post('/api/cart/items', { productId: 'p-12', quantity: 1 }, key)).body.items).toEqual([expect.objectContaining({ quantity: 1 })]);
    const other = await buyer.post('/api/cart/items', { productId: 'p-13', quantity: 1 }, key);
    expect({ status: other.status, code: other.body.error.code }).toEqual({ status: 422, code: 'idempotency_key_reused' });
  });

  it('keeps a fault on a replica that restarts', async () => {
    await put('latency.cart', 150);
    const crash = await labCall(lab.url, 'POST', '/lab/replicas/cart-1/crash');
    expect(crash.status).toBe(202);
    await waitUntil('cart-1 to restart', async () => {
      const topology = await labCall(lab.url, 'GET', '/lab/topology');
      const cart1 = topology.body.services.cart.find((r: { id: string }) => r.id === 'cart-1');
      return cart1.up && cart1.pid !== crash.body.pid;
    }, { timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1200)); // one health round hands the faults over
    const cart1Times: number[] = [];
    for (let i = 0; i < 12; i++) {
      const started = performance.now();
      const view = await shopper.get('/api/cart');
      expect(view.status).toBe(200);
      if (view.servedBy.at(-1) === 'cart-1') cart1Times.push(performance.now() - started);
    }
    expect(cart1Times.length).toBeGreaterThan(1);
    for (const time of cart1Times) expect(time).toBeGreaterThan(140);
  });
});
