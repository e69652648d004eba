import { LoadMeter, loginFailure, runLoad } from './run-load';
import { createShopperStats, DEFAULT_MIX } from './shopper-flow';

const RUN = { url: 'http://127.0.0.1:8080', connections: 2, mix: DEFAULT_MIX, startedAt: new Date('2026-01-02T03:04:05.000Z') };

describe('LoadMeter', () => {
  describe('result()', () => {
    it('turns what was measured into a LoadResult', () => {
      const stats = createShopperStats();
      Object.assign(stats.statusCounts, { '200': 3, '401': 1 });
      Object.assign(stats.servedBy, { 'user-1': 2, 'cart-1': 2 });
      Object.assign(stats, { logins: 2, unauthorized: 1, sessionLost: 1, requestsWritten: 4, requestBytesWritten: 4 * 150 + 2 });
      const meter = new LoadMeter(stats);
      meter.response(100, 200, 300, 2);
      meter.response(600, 200, 300, 4);
      meter.response(1200, 200, 300, 6);
      meter.response(1700, 401, 100, 8);
      meter.error(1800);

      const result = meter.result({ ...RUN, elapsedMs: 2000, errors: 1, timeouts: 1 });

      expect(result).toMatchObject({
        url: RUN.url,
        connections: 2,
        mix: DEFAULT_MIX,
        startedAt: '2026-01-02T03:04:05.000Z',
        durationSeconds: 2,
        throughputRps: 2,
        requests: 4,
        errors: 1,
        timeouts: 1,
        non2xx: 1,
        statusCounts: { '200': 3, '401': 1 },
        servedBy: { 'user-1': 2, 'cart-1': 2 },
        requestBytes: 150.5,
        responseBytes: 250,
        sessions: { logins: 2, loginFailures: 0, unauthorized: 1, sessionLost: 1 },
      });
      expect(result.latencyMs.max).toBe(8);
      expect(result.latencyMs.p50).toBeCloseTo(4, 1);
      expect(result.latencyMs.p99).toBeCloseTo(8, 1);
      expect(result.timeline).toEqual([
        { t: 0, rps: 2, p50: expect.any(Number), p99: expect.any(Number), errors: 0, non2xx: 0 },
        { t: 1, rps: 2, p50: expect.any(Number), p99: expect.any(Number), errors: 1, non2xx: 1 },
      ]);
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    });

    it('reports zeros rather than NaN when nothing answered', () => {
      const result = new LoadMeter(createShopperStats()).result({ ...RUN, elapsedMs: 0, errors: 0, timeouts: 0 });
      expect(result).toMatchObject({ throughputRps: 0, requestBytes: 0, responseBytes: 0, latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 } });
    });
  });
});

describe('loginFailure()', () => {
  const run = { url: 'http://127.0.0.1:8080', connections: 3 };

  it('explains a run where every connection failed to log in, with the commonest statuses', () => {
    const stats = createShopperStats();
    Object.assign(stats, { loginFailures: 5 });
    Object.assign(stats.statusCounts, { '404': 4, '502': 1 });
    expect(loginFailure(stats, run, 1500)).toBe('no shopper could log in at http://127.0.0.1:8080: 5 failed logins (404 x4, 502 x1)');
  });

  it('gives the run a second and each connection a try before judging', () => {
    const stats = createShopperStats();
    Object.assign(stats, { loginFailures: 5 });
    expect(loginFailure(stats, run, 900)).toBeUndefined();
    Object.assign(stats, { loginFailures: 2 });
    expect(loginFailure(stats, run, 5000)).toBeUndefined();
  });

  it('never judges once any shopper has logged in', () => {
    const stats = createShopperStats();
    Object.assign(stats, { logins: 1, loginFailures: 100 });
    expect(loginFailure(stats, run, 5000)).toBeUndefined();
  });
});

describe('runLoad()', () => {
  it('rejects a connection count or duration it cannot run before touching the network', async () => {
    await expect(runLoad({ url: RUN.url, connections: 0, durationSeconds: 1, mix: DEFAULT_MIX })).rejects.toThrow('connections must be a positive integer');
    await expect(runLoad({ url: RUN.url, connections: 1, durationSeconds: 0, mix: DEFAULT_MIX })).rejects.toThrow('durationSeconds must be above 0');
  });
});
