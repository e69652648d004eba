import { parseMetrics, startLab, StartedLab } from '../tools/kit';
import type { LatencyProxyProcess } from '../tools/lab/latency-proxy';
import { Shopper } from './support/shopper';

/** The added Redis round trip the physics is checked at: large enough to stand out of a noisy machine's jitter. */
const RTT_MS = 4;
const REQUESTS = 30;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Latencies of `count` GET /api/cart, one request at a time. */
async function cartTimes(shopper: Shopper, count = REQUESTS): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const sent = performance.now();
    const reply = await shopper.get('/api/cart');
    times.push(performance.now() - sent);
    expect(reply.status).toBe(200);
  }
  return times;
}

/** Redis store calls every replica has made so far (lab_state_store_duration_seconds_count{store="redis"}, summed). */
async function storeCalls(lab: StartedLab): Promise<number> {
  const topology = (await new Shopper(lab.url).get('/lab/topology')).body;
  let total = 0;
  for (const service of ['user', 'cart']) {
    for (const replica of topology.services[service]) {
      const samples = parseMetrics(await (await fetch(replica.metricsUrl)).text());
      for (const sample of samples) if (sample.name === 'lab_state_store_duration_seconds_count' && sample.labels.store === 'redis') total += sample.value;
    }
  }
  return total;
}

// One replica per service: every call of the measured shopper takes the same path.
describe.each(['redis', 'stateful'] as const)('the latency proxy between the replicas and Redis, %s mode', (mode) => {
  let lab: StartedLab;
  let proxy: LatencyProxyProcess;

  beforeAll(async () => {
    lab = await startLab({ mode, replicas: { user: 1, cart: 1, product: 1 }, privateRedis: { latencyProxyRttMs: 0 } });
    proxy = lab.redisProxy as LatencyProxyProcess;
  }, 90_000);

  afterAll(() => lab?.stop());

  it(mode === 'redis' ? 'slows each request by about the added RTT per store call on its path' : 'leaves a request as fast as it was: no store call crosses the proxy', async () => {
    const shopper = new Shopper(lab.url, 'user3');
    expect((await shopper.login()).status).toBe(200);
    expect((await shopper.post('/api/cart/items', { productId: 'p-1', quantity: 1 })).status).toBe(201);
    await cartTimes(shopper); // warm-up: connections, JIT

    const callsBefore = await storeCalls(lab);
    const baseTimes = await cartTimes(shopper);
    const callsPerRequest = Math.round((await storeCalls(lab)) - callsBefore) / REQUESTS;
    // Interleaved rounds, so a burst of load on the shared machine hits both sides alike.
    const slowedTimes: number[] = [];
    for (let round = 0; round < 3; round++) {
      await proxy.setRtt(RTT_MS);
      slowedTimes.push(...(await cartTimes(shopper, 15)));
      await proxy.setRtt(0);
      baseTimes.push(...(await cartTimes(shopper, 15)));
    }

    const added = median(slowedTimes) - median(baseTimes);
    if (mode === 'redis') {
      // Each GET /api/cart reads the session (user replica) then the cart (cart replica): sequential round trips.
      expect(callsPerRequest).toBeGreaterThanOrEqual(2);
      const expected = Math.round(callsPerRequest) * RTT_MS;
      expect(added).toBeGreaterThan(expected * 0.6);
      expect(added).toBeLessThan(expected * 1.5 + 3);
    } else {
      expect(callsPerRequest).toBe(0);
      expect(Math.abs(added)).toBeLessThan(RTT_MS / 2); // not one round trip's worth
    }
  }, 60_000);
});
