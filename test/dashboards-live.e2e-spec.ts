import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ChatTraffic, delay, freePort, startLab, StartedLab, startPrivateRedis, waitUntil } from '../tools/kit';
import { listPanelQueries, listAnnotationQueries } from './support/dashboards';
import { labCall } from './support/shopper';
import { runLoad } from '../tools/load/run-load';
import { DEFAULT_MIX } from '../tools/load/shopper-flow';
import { PrometheusProcess, RedisExporterProcess, writePrometheusConfig, writeScrapeTargets } from '../tools/lab/prometheus';
import type { RedisServerProcess } from '../tools/lab/redis-server';

interface QueryResult {
  status: string;
  data?: { result: unknown[] };
  error?: string;
}

async function query(prometheus: PrometheusProcess, expr: string): Promise<QueryResult> {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await response.json()) as QueryResult;
}

/**
 * Every panel of every committed dashboard, evaluated against a real Prometheus scraping the
 * running lab under load: each query must return data in the mode the panel is for.
 */
describe.each(['stateful', 'redis'] as const)('every dashboard panel in %s mode', (mode) => {
  let redis: RedisServerProcess | undefined;
  let exporter: RedisExporterProcess | undefined;
  let prometheus: PrometheusProcess;
  let lab: StartedLab;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'statelab-dashboards-'));
    redis = mode === 'redis' ? await startPrivateRedis() : undefined;
    lab = await startLab({ mode, redisUrl: redis?.url });
    const targetsFile = path.join(dir, 'targets.json');
    const targets = lab.lab.targets();
    if (redis) {
      exporter = new RedisExporterProcess({ redisUrl: redis.url, port: await freePort() });
      await exporter.start();
      targets.push({ job: 'redis', instance: 'redis', address: new URL(exporter.url).host });
    }
    writeScrapeTargets(targetsFile, targets);
    prometheus = new PrometheusProcess({ port: await freePort(), configFile: writePrometheusConfig(dir, { targetsFile }), dataDir: path.join(dir, 'data') });
    await prometheus.start();

    // Drive the lab the way a user would while an experiment runs: load, a phase, a crash, a rescale.
    await labCall(lab.url, 'POST', '/lab/phase', { experiment: 'dashboards', phase: 'load', active: true });
    const load = runLoad({ url: lab.url, connections: 10, durationSeconds: 14, mix: DEFAULT_MIX, renderProgressBar: false });
    // Chat beside it (the Real-time dashboard): users far from the load's accounts, one chat replica crashed.
    const chat = await ChatTraffic.connect(lab.url, { users: [991, 992, 993, 994, 995, 996, 997, 998], baseDelayMs: 200, maxDelayMs: 1000 });
    const chatting = chat.run({ ratePerSecond: 20, durationMs: 10_000 });
    await delay(4000);
    await labCall(lab.url, 'POST', '/lab/replicas/cart-2/crash');
    await labCall(lab.url, 'POST', '/lab/replicas/chat-2/crash');
    await labCall(lab.url, 'POST', '/lab/scale', { service: 'cart', replicas: 3 });
    const result = await load;
    await chatting;
    await chat.close();
    expect(result.requests).toBeGreaterThan(500);
    // Two more scrapes after the load so every rate window holds the whole run.
    await waitUntil(
      'Prometheus to scrape every target',
      async () => {
        const up = await query(prometheus, 'count(up == 1)');
        return Number((up.data?.result[0] as { value: [number, string] } | undefined)?.value[1] ?? 0) === targets.length;
      },
      { timeoutMs: 20000 },
    );
    await delay(4500);
  }, 180000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
    await lab?.stop();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const queries = listPanelQueries({ rateInterval: '30s', interval: '2s', range: '5m' }).filter((q) => q.mode === 'any' || q.mode === mode);

  it('has panels to check', () => {
    expect(queries.length).toBeGreaterThan(20);
  });

  it.each(queries.map((q) => [`${q.dashboard} › ${q.panel} [${q.refId ?? 'A'}]`, q] as const))('%s returns data', async (_name, panelQuery) => {
    const result = await query(prometheus, panelQuery.expr);
    expect({ expr: panelQuery.expr, status: result.status, error: result.error }).toEqual({ expr: panelQuery.expr, status: 'success', error: undefined });
    expect({ expr: panelQuery.expr, hasData: (result.data?.result.length ?? 0) > 0 }).toEqual({ expr: panelQuery.expr, hasData: true });
  });

  it('evaluates every annotation query', async () => {
    for (const annotation of listAnnotationQueries()) {
      const result = await query(prometheus, annotation.expr.replace(/\$__\w+/g, '30s'));
      expect({ name: annotation.name, status: result.status }).toEqual({ name: annotation.name, status: 'success' });
    }
  });
});
