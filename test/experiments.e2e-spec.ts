import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExperimentName, ExperimentResult, RunRecord } from '../tools/experiments/experiment';
import { parseExperimentOptions } from '../tools/experiments/options';
import { UsageError } from '../tools/kit';
import type { RunOf } from '../tools/experiments/registry';
import { formatResults, renderReport, runExperiment, RunExperimentOptions } from '../tools/experiments/runner';
import { chromiumAvailable, dumpDom } from './support/chromium';

/**
 * Every experiment at small scale, through runExperiment (what main.ts calls), checking the
 * physics each one exists to show. Tolerances are statistical: 150 random session ids give the
 * moved share within about ±0.04 (1 σ) of its expectation.
 */

/** runExperiment with its progress kept (not printed) and quoted when the experiment fails. */
async function runQuietly<N extends ExperimentName>(name: N, options: RunExperimentOptions): Promise<ExperimentResult<RunOf<N>>> {
  const lines: string[] = [];
  try {
    return await runExperiment(name, { ...options, progress: { write: (chunk: string) => void lines.push(chunk) } });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- progress ---\n${lines.slice(-20).join('')}`);
  }
}

/** The JSON --json writes, read back. */
function asJson<R extends RunRecord>(result: ExperimentResult<R>): { experiment: string; startedAt: string; runs: Record<string, unknown>[] } {
  return JSON.parse(JSON.stringify(result));
}

function expectWellFormed(result: ExperimentResult, experiment: string): void {
  const json = asJson(result);
  expect(json.experiment).toBe(experiment);
  expect(Number.isNaN(Date.parse(json.startedAt))).toBe(false);
  for (const run of json.runs) {
    expect(['stateful', 'redis', 'jwt']).toContain(run.mode);
    expect(['round-robin', 'sticky-modulo', 'sticky-ring']).toContain(run.routing);
    expect((run.timeline as unknown[]).length).toBeGreaterThan(0);
  }
  expect(formatResults(result)).toContain(String(result.runs[0].mode));
}

describe('npm run experiment', () => {
  describe('parseExperimentOptions()', () => {
    it('reads the name, files, target and scale options', () => {
      const options = parseExperimentOptions(
        ['crash', '--json', 'out.json', '--report=out.html', '--target', 'http://127.0.0.1:8080/', '--duration', '30', '--sessions', '50', '--connections', '4'],
        { LAB_ADMIN_TOKEN: 'secret' },
      );
      expect(options).toEqual({
        name: 'crash',
        settings: { durationSeconds: 30, sessions: 50, connections: 4 },
        target: 'http://127.0.0.1:8080',
        jsonFile: 'out.json',
        reportFile: 'out.html',
        adminToken: 'secret',
        help: false,
      });
    });

    it('reads --only as the runs to do, and knows redis-failover and latency', () => {
      expect(parseExperimentOptions(['redis-failover', '--only', 'sentinel-wait-kill,cluster-async-kill'], {}).only).toEqual(['sentinel-wait-kill', 'cluster-async-kill']);
      expect(parseExperimentOptions(['latency'], {}).only).toBeUndefined();
      expect(() => parseExperimentOptions(['redis-failover', '--target', 'http://127.0.0.1:8080'], {})).toThrow(/cannot use --target/);
    });

    it('rejects an unknown experiment, a bad number and --target for redis-outage', () => {
      expect(() => parseExperimentOptions(['chaos'], {})).toThrow(UsageError);
      expect(() => parseExperimentOptions(['crash', '--duration', '0'], {})).toThrow(/--duration/);
      expect(() => parseExperimentOptions(['redis-outage', '--target', 'http://127.0.0.1:8080'], {})).toThrow(/cannot use --target/);
    });
  });

  describe('modes', () => {
    let result: ExperimentResult<RunOf<'modes'>>;
    beforeAll(async () => {
      result = await runQuietly('modes', { settings: { durationSeconds: 3, connections: 6 } });
    }, 120_000);

    it('measures throughput, latency and request size in every mode, and redis under the stateful routing too', () => {
      expectWellFormed(result, 'modes');
      expect(result.runs.map((run) => `${run.mode} ${run.routing}`)).toEqual(['stateful sticky-ring', 'redis sticky-ring', 'redis round-robin', 'jwt round-robin']);
      for (const run of result.runs) {
        expect(run.throughputRps).toBeGreaterThan(0);
        expect(run.latencyMs.p50).toBeGreaterThan(0);
        expect(run.latencyMs.p50).toBeLessThanOrEqual(run.latencyMs.p95);
        expect(run.latencyMs.p95).toBeLessThanOrEqual(run.latencyMs.p99);
        expect(run.requestBytes).toBeGreaterThan(100);
        expect(run.errors).toBe(0);
        expect(run.non2xx).toBe(0);
      }
    });
  });

  describe('crash', () => {
    let result: ExperimentResult<RunOf<'crash'>>;
    beforeAll(async () => {
      result = await runQuietly('crash', { settings: { durationSeconds: 6, sessions: 100, connections: 6 } });
    }, 150_000);

    it('loses about one user replica’s share of sessions in stateful mode, only from user-1', () => {
      expectWellFormed(result, 'crash');
      const stateful = result.runs.find((run) => run.mode === 'stateful');
      expect(stateful).toMatchObject({ routing: 'sticky-ring', sessionsBefore: 100, unknown: 0 });
      expect(stateful!.sessionsLost / stateful!.sessionsBefore).toBeGreaterThanOrEqual(0.15);
      expect(stateful!.sessionsLost / stateful!.sessionsBefore).toBeLessThanOrEqual(0.55);
      expect(Object.keys(stateful!.sessionsLostByReplica)).toEqual(['user-1']);
      // About a third of the surviving two thirds had their cart on cart-1.
      expect(stateful!.cartsLost).toBeGreaterThan(0);
      expect(Object.keys(stateful!.cartsLostByReplica)).toEqual(['cart-1']);
    });

    it('loses nothing in redis mode', () => {
      const redis = result.runs.find((run) => run.mode === 'redis');
      expect(redis).toMatchObject({ routing: 'round-robin', sessionsBefore: 100, sessionsLost: 0, cartsLost: 0, unknown: 0 });
    });

    it('times the recovery and counts the errors until the lab is ready again', () => {
      for (const run of result.runs) {
        expect(run.recoveryMs).toBeGreaterThan(0);
        expect(run.recoveryMs).toBeLessThan(60_000);
        expect(Number.isInteger(run.errorsDuringRecovery)).toBe(true);
        expect(run.events.map((event) => event.label)).toEqual(['crash cart-1 + user-1', 'ready again']);
        expect(run.phases.map((phase) => phase.phase)).toEqual(expect.arrayContaining(['baseline', 'recovery', 'after']));
      }
    });

    const chromiumSuite = chromiumAvailable ? it : it.skip;
    chromiumSuite('renders its HTML report with the charts in headless Chromium', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'statelab-experiment-report-'));
      try {
        const file = path.join(dir, 'crash.html');
        writeFileSync(file, renderReport(result));
        const dom = await dumpDom(dir, file);
        const charts = [...dom.matchAll(/<svg [^>]*data-chart="([a-z-]+)"/g)].map((match) => match[1]);
        expect(charts).toEqual(['line', 'line', 'line', 'grouped-bar', 'bar', 'grouped-bar', 'grouped-bar']);
        // Booleans, not toContain: a failure would print the whole DOM.
        expect(dom.includes('data-event="crash cart-1 + user-1"')).toBe(true);
        expect(dom.match(/<g data-series="[^"]+"><path d="M[\d.,ML]+"/g)?.length).toBeGreaterThanOrEqual(6);
        expect(/<th scope="col"[^>]*>sessionsLost<\/th>/.test(dom)).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  });

  describe('rescale', () => {
    let result: ExperimentResult<RunOf<'rescale'>>;
    beforeAll(async () => {
      result = await runQuietly('rescale', { settings: { durationSeconds: 5, sessions: 150, connections: 4 } });
    }, 200_000);

    const run = (routing: string) => result.runs.find((r) => r.routing === routing)!;

    it('moves about 80 % of the keys under modulo and about 40 % under the ring', () => {
      expectWellFormed(result, 'rescale');
      expect(result.runs.map((r) => `${r.mode} ${r.routing} ${r.from}->${r.to}`)).toEqual([
        'stateful sticky-modulo 3->5',
        'stateful sticky-ring 3->5',
        'redis round-robin 3->5',
      ]);
      expect(run('sticky-modulo').keysMovedRatio).toBeGreaterThanOrEqual(0.7);
      expect(run('sticky-modulo').keysMovedRatio).toBeLessThanOrEqual(0.9);
      expect(run('sticky-ring').keysMovedRatio).toBeGreaterThanOrEqual(0.28);
      expect(run('sticky-ring').keysMovedRatio).toBeLessThanOrEqual(0.52);
    });

    it('loses exactly the sessions whose owner moved in stateful mode', () => {
      for (const routing of ['sticky-modulo', 'sticky-ring']) {
        const stateful = run(routing);
        expect(stateful.unknown).toBe(0);
        // Probe sessions checked with /api/me plus the load's own sessions answered 401: every known key that moved.
        expect(stateful.allSessionsLost).toBe(stateful.keysMoved);
        expect(Math.abs(stateful.sessionsLostRatio - stateful.keysMovedRatio)).toBeLessThan(0.1);
      }
      // Rendezvous places a cart independently of its session: some surviving sessions lost their cart.
      expect(run('sticky-ring').cartsLost).toBeGreaterThan(0);
    });

    it('moves and loses nothing in redis mode', () => {
      expect(run('round-robin')).toMatchObject({ mode: 'redis', keysMoved: 0, keysMovedRatio: 0, sessionsLost: 0, loadSessionsLost: 0, cartsLost: 0, unknown: 0 });
    });
  });

  describe('skew', () => {
    let result: ExperimentResult<RunOf<'skew'>>;
    beforeAll(async () => {
      result = await runQuietly('skew', { settings: { durationSeconds: 4, sessions: 20, connections: 4 } });
    }, 150_000);

    it('spreads calls unevenly under sticky routing and evenly under round-robin', () => {
      expectWellFormed(result, 'skew');
      const roundRobin = result.runs.find((run) => run.routing === 'round-robin')!;
      const sticky = result.runs.filter((run) => run.routing === 'sticky-ring');
      expect(sticky.map((run) => run.mode)).toEqual(['stateful', 'redis']);
      for (const service of ['user', 'cart'] as const) {
        expect(Object.keys(roundRobin.requestsPerReplica[service])).toHaveLength(3);
        expect(roundRobin.maxOverMean[service]).toBeLessThan(1.1);
        for (const run of sticky) expect(run.maxOverMean[service]).toBeGreaterThan(roundRobin.maxOverMean[service]);
      }
      for (const run of result.runs) {
        expect(run.lightRequests).toBeGreaterThan(20);
        expect(run.heavyRequests).toBeGreaterThan(run.lightRequests);
      }
    });
  });

  describe('redis-outage', () => {
    let result: ExperimentResult<RunOf<'redis-outage'>>;
    beforeAll(async () => {
      result = await runQuietly('redis-outage', {
        settings: { durationSeconds: 6, sessions: 60, connections: 4, eventAtSeconds: 2, outageSeconds: 2 },
      });
    }, 200_000);

    const scenario = (name: string) => result.runs.find((run) => run.scenario === name)!;

    it('fails requests while Redis is gone and recovers in a finite time', () => {
      expectWellFormed(result, 'redis-outage');
      for (const run of result.runs) {
        expect(run).toMatchObject({ mode: 'redis', routing: 'round-robin', unknown: 0 });
        expect(run.outageMs).toBeGreaterThanOrEqual(2000);
        expect(run.errors).toBeGreaterThan(0);
        expect(Number.isFinite(run.timeToRecoverMs)).toBe(true);
        expect(run.timeToRecoverMs).toBeGreaterThan(0);
        expect(run.timeToRecoverMs).toBeLessThan(15_000);
        expect(Number.isFinite(run.timeToReadyMs)).toBe(true);
      }
    });

    it('keeps every session through a pause and an AOF restart', () => {
      expect(scenario('pause')).toMatchObject({ sessionsBefore: 60, sessionsLost: 0, cartsLost: 0 });
      expect(scenario('restart-aof')).toMatchObject({ persistence: 'aof', sessionsBefore: 60, sessionsLost: 0, cartsLost: 0 });
    });

    it('loses every session through a restart without persistence', () => {
      expect(scenario('restart-no-persistence')).toMatchObject({ persistence: 'none', sessionsBefore: 60, sessionsLost: 60 });
    });
  });

  describe('redis-failover', () => {
    let result: ExperimentResult<RunOf<'redis-failover'>>;
    beforeAll(async () => {
      result = await runQuietly('redis-failover', {
        only: ['sentinel-async-hang', 'cluster-async-kill'],
        settings: { durationSeconds: 6, sessions: 15, connections: 3, eventAtSeconds: 2 },
      });
    }, 200_000);

    it('recovers writes after the failover and re-reads every acknowledged write', () => {
      expectWellFormed(result, 'redis-failover');
      expect(result.runs.map((run) => run.scenario)).toEqual(['sentinel-async-hang', 'cluster-async-kill']);
      for (const run of result.runs) {
        expect(run).toMatchObject({ mode: 'redis', sessionsBefore: 15, unknown: 0 });
        expect(run.timeToRecoverMs).toBeGreaterThan(0);
        expect(run.timeToRecoverMs).toBeLessThan(20_000);
        expect(run.probeWriteFailures).toBeGreaterThan(0);
        expect(run.acknowledgedWrites).toBeGreaterThan(15);
        expect(run.acknowledgedWritesLost).toBeLessThanOrEqual(run.acknowledgedWrites);
      }
    });

    it('leaves most sessions writable while one master of three fails over, and none while the only master hangs', () => {
      const [sentinel, cluster] = result.runs;
      expect(sentinel.sessionsUnavailableShare).toBe(1);
      expect(cluster.sessionsUnavailableShare).toBeGreaterThan(0);
      expect(cluster.sessionsUnavailableShare).toBeLessThan(1);
    });
  });
});
