import { describeMachine } from './measure';
import { BenchResources } from './resources';
import { formatTelemetryCost, runTelemetryCost, TelemetryCostResult } from './telemetry-cost';

const CONFIGS = ['off', 'metrics', 'metrics+tracing', 'metrics+tracing (SDK)', 'metrics+tracing 10 %'];
const RATE = 60;

// Five real labs (50 processes) and a private redis-server, at the smallest scale that still
// measures something: one round of each phase.
const describeWithRedis = BenchResources.redisAvailable() ? describe : describe.skip;

describeWithRedis('telemetry-cost bench at a tiny scale', () => {
  let resources: BenchResources;
  let result: TelemetryCostResult;

  beforeAll(async () => {
    resources = new BenchResources(() => undefined);
    result = await runTelemetryCost(resources, {
      connections: 4,
      durationSeconds: 1,
      warmupSeconds: 1,
      runs: 1,
      fixedRate: { requestsPerSecond: RATE, sessions: 4, durationSeconds: 2, rounds: 1 },
    });
  }, 420_000);

  afterAll(async () => {
    await resources?.stopAll();
  }, 120_000);

  it('runs the shopper journey once per configuration without errors', () => {
    expect(result.runs.map((run) => run.config)).toEqual(CONFIGS);
    for (const run of result.runs) {
      expect(run.requests).toBeGreaterThan(0);
      expect(run.errors).toBe(0);
    }
  });

  it('holds logged-in cart views near the fixed rate in every configuration and splits their CPU by process kind', () => {
    const runs = result.fixedRate?.runs ?? [];
    expect(runs.map((run) => run.config)).toEqual(CONFIGS);
    for (const run of runs) {
      expect(run.non2xx + run.errors).toBe(0);
      // autocannon paces each connection; a busy 2-core machine may fall a little behind, never ahead
      expect(run.throughputRps).toBeGreaterThan(RATE * 0.5);
      expect(run.throughputRps).toBeLessThan(RATE * 1.3);
      // every cart view crosses the gateway, a user replica and a cart replica
      for (const kind of ['gateway', 'user', 'cart'] as const) expect(run.cpuUsPerRequest[kind]).toBeGreaterThan(0);
      expect(run.cpuUsPerRequest.total).toBe(run.cpuUsPerRequest.gateway + run.cpuUsPerRequest.user + run.cpuUsPerRequest.cart + run.cpuUsPerRequest.product);
    }
  });

  it('prints the fixed-rate table with a row per configuration', () => {
    const text = formatTelemetryCost(result, describeMachine());
    expect(text).toContain(`logged-in cart views at ${RATE} req/s, 4 sessions`);
    for (const label of ['METRICS=off, no tracing', 'metrics on + tracing 100 %, SDK tracer', 'metrics on + tracing 10 %']) expect(text).toContain(label);
  });
});
