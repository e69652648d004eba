import type { LoadResult } from './run-load';
import { formatLoadSummary, replicaRows, splitReplicaId } from './summary';

const result: LoadResult = {
  url: 'http://127.0.0.1:8080',
  connections: 20,
  mix: { browse: 4, add: 2, view: 2, checkout: 1 },
  startedAt: '2026-01-02T03:04:05.000Z',
  durationSeconds: 30.04,
  throughputRps: 4321.5,
  latencyMs: { p50: 3.2, p95: 9.87, p99: 14.5, max: 88.1 },
  requests: 129_645,
  errors: 2,
  timeouts: 1,
  non2xx: 120,
  statusCounts: { '401': 20, '200': 100_000, '201': 29_525, '409': 100 },
  requestBytes: 187.3,
  responseBytes: 412.9,
  servedBy: { 'cart-2': 300, 'user-10': 5, 'cart-1': 100, 'user-2': 95, product: 7 },
  sessions: { logins: 40, loginFailures: 0, unauthorized: 20, sessionLost: 20 },
  timeline: [],
};

describe('splitReplicaId()', () => {
  it('splits the service from the replica number', () => {
    expect(splitReplicaId('cart-12')).toEqual({ service: 'cart', index: 12 });
    expect(splitReplicaId('product')).toEqual({ service: 'product', index: 0 });
  });
});

describe('replicaRows()', () => {
  it('groups replicas by service in numeric order with their share of that service', () => {
    expect(replicaRows(result.servedBy)).toEqual([
      ['cart', 'cart-1', 100, '25.0%'],
      ['cart', 'cart-2', 300, '75.0%'],
      ['product', 'product', 7, '100.0%'],
      ['user', 'user-2', 95, '95.0%'],
      ['user', 'user-10', 5, '5.0%'],
    ]);
  });
});

describe('formatLoadSummary()', () => {
  const summary = formatLoadSummary(result);

  it('opens with what ran', () => {
    expect(summary.split('\n')[0]).toBe('20 shoppers for 30.0 s against http://127.0.0.1:8080 (mix browse=4,add=2,view=2,checkout=1)');
  });

  it('shows throughput, latency percentiles, errors and bytes per request', () => {
    expect(summary).toMatch(/^requests\/s +4321\.5$/m);
    expect(summary).toMatch(/^latency p50 +3\.20 ms$/m);
    expect(summary).toMatch(/^latency p95 +9\.87 ms$/m);
    expect(summary).toMatch(/^latency p99 +14\.50 ms$/m);
    expect(summary).toMatch(/^errors \(of which timeouts\) +2 \(1\)$/m);
    expect(summary).toMatch(/^bytes per request +187 B$/m);
    expect(summary).toMatch(/^401s \(session lost\) +20 \(20\)$/m);
  });

  it('lists statuses in numeric order and requests per replica', () => {
    const statuses = [...summary.matchAll(/^ *(\d{3}) +\d+ +[\d.]+%$/gm)].map((match) => match[1]);
    expect(statuses).toEqual(['200', '201', '401', '409']);
    expect(summary).toMatch(/^cart +cart-2 +300 +75\.0%$/m);
  });

  it('says so when no replica was named', () => {
    expect(formatLoadSummary({ ...result, servedBy: {}, statusCounts: {} })).toContain('no x-served-by headers seen');
  });
});
