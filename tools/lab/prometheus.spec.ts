import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, startPrivateRedis, waitUntil } from '../kit';
import {
  prometheusAvailable,
  PrometheusProcess,
  redisExporterAvailable,
  RedisExporterProcess,
  writePrometheusConfig,
  writeScrapeTargets,
} from './prometheus';
import { redisServerAvailable, RedisServerProcess } from './redis-server';

interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

/** A stand-in for a lab process: serves one fixed exposition, in OpenMetrics when asked for it. */
async function startFakeTarget(exposition: { openMetrics: string; text: string }): Promise<{ server: Server; address: string }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const wantsOpenMetrics = (request.headers.accept ?? '').includes('application/openmetrics-text');
    response.setHeader(
      'content-type',
      wantsOpenMetrics ? 'application/openmetrics-text; version=1.0.0; charset=utf-8' : 'text/plain; version=0.0.4; charset=utf-8',
    );
    response.end(wantsOpenMetrics ? exposition.openMetrics : exposition.text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function fakeReplica(replica: string) {
  const info = `lab_info{mode="stateful",routing="sticky-ring",service="cart",replica="${replica}"} 1`;
  return {
    text: `# TYPE lab_info gauge\n${info}\n`,
    openMetrics: [
      '# TYPE lab_info gauge',
      info,
      '# TYPE lab_state_store_duration_seconds histogram',
      'lab_state_store_duration_seconds_bucket{store="memory",operation="get",le="0.001"} 1 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 0.00002',
      'lab_state_store_duration_seconds_bucket{store="memory",operation="get",le="+Inf"} 1',
      'lab_state_store_duration_seconds_count{store="memory",operation="get"} 1',
      'lab_state_store_duration_seconds_sum{store="memory",operation="get"} 0.00002',
      '# EOF',
      '',
    ].join('\n'),
  };
}

async function query(prometheus: PrometheusProcess, promql: string): Promise<QueryResult[]> {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { result: QueryResult[] } };
  return body.status === 'success' ? body.data.result : [];
}

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

const describeWithPrometheus = prometheusAvailable() ? describe : describe.skip;

describeWithPrometheus(`PrometheusProcess${prometheusAvailable() ? '' : ' (skipped: no prometheus binary on PATH)'}`, () => {
  let dir: string;
  let prometheus: PrometheusProcess;
  let targetsFile: string;
  let cart2Address: string;
  const targets: Server[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'statelab-prometheus-'));
    targetsFile = path.join(dir, 'targets.json');
  });

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(targets.map((server) => new Promise((resolve) => server.close(resolve))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes file_sd targets with job and instance set to the replica id, and keeps exemplars', async () => {
    const cart2 = await startFakeTarget(fakeReplica('cart-2'));
    targets.push(cart2.server);
    cart2Address = cart2.address;
    writeScrapeTargets(targetsFile, [{ job: 'cart', instance: 'cart-2', address: cart2Address }]);
    const configFile = writePrometheusConfig(dir, { scrapeIntervalSeconds: 1, targetsFile });
    prometheus = new PrometheusProcess({ port: await freePort(), configFile, dataDir: path.join(dir, 'data') });
    await prometheus.start();

    const [series] = await waitUntil('lab_info scraped from the fake cart-2', async () => {
      const result = await query(prometheus, 'lab_info');
      return result.length > 0 ? result : undefined;
    });
    expect(series.metric).toEqual(
      expect.objectContaining({ __name__: 'lab_info', job: 'cart', instance: 'cart-2', mode: 'stateful' }),
    );
    expect(Object.keys(series.metric).filter((label) => label.startsWith('__') && label !== '__name__')).toEqual([]);

    const exemplars = await waitUntil('an exemplar on lab_state_store_duration_seconds_bucket', async () => {
      const now = Date.now() / 1000;
      const response = await fetch(
        `${prometheus.url}/api/v1/query_exemplars?query=lab_state_store_duration_seconds_bucket&start=${now - 300}&end=${now + 60}`,
      );
      const body = (await response.json()) as { data: { exemplars: { labels: Record<string, string> }[] }[] };
      const found = body.data.flatMap((group) => group.exemplars);
      return found.length > 0 ? found : undefined;
    });
    expect(exemplars[0].labels).toEqual({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
  });

  it('picks up a replica added to the targets file without a restart', async () => {
    const cart3 = await startFakeTarget(fakeReplica('cart-3'));
    targets.push(cart3.server);
    writeScrapeTargets(targetsFile, [
      { job: 'cart', instance: 'cart-2', address: cart2Address },
      { job: 'cart', instance: 'cart-3', address: cart3.address },
    ]);

    const instances = await waitUntil(
      'cart-3 to be scraped',
      async () => {
        const result = await query(prometheus, 'lab_info{job="cart"}');
        const names = result.map((series) => series.metric.instance).sort();
        return names.includes('cart-3') ? names : undefined;
      },
      { timeoutMs: 30000 },
    );
    expect(instances).toEqual(['cart-2', 'cart-3']);
  });

  it('leaves no process behind after stop()', async () => {
    const pid = prometheus.pid;
    expect(pid).toBeDefined();
    await prometheus.stop();
    expect(prometheus.running).toBe(false);
    expect(processIsGone(pid as number)).toBe(true);
  });
});

describe('PrometheusProcess.start()', () => {
  it('refuses a port where something already answers /-/ready, instead of taking it for its own', async () => {
    const impostor = createServer((_request, response) => response.end('Prometheus Server is Ready.'));
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(path.join(tmpdir(), 'statelab-prometheus-'));
    try {
      const prometheus = new PrometheusProcess({
        port: (impostor.address() as AddressInfo).port,
        configFile: path.join(dir, 'prometheus.yml'),
        dataDir: path.join(dir, 'data'),
      });
      await expect(prometheus.start()).rejects.toThrow(/already answers/);
      expect(prometheus.running).toBe(false);
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const canRunExporter = redisExporterAvailable() && redisServerAvailable();
const describeWithExporter = canRunExporter ? describe : describe.skip;

describeWithExporter(`RedisExporterProcess${canRunExporter ? '' : ' (skipped: no Redis exporter or redis-server on PATH)'}`, () => {
  let redis: RedisServerProcess;
  let exporter: RedisExporterProcess;

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });

  afterAll(async () => {
    await exporter?.stop();
    await redis?.stop();
  });

  it('exports redis_up 1 for the private Redis it points at, and stops cleanly', async () => {
    exporter = new RedisExporterProcess({ redisUrl: redis.url, port: await freePort() });
    await exporter.start();
    const metrics = await (await fetch(`${exporter.url}/metrics`)).text();
    expect(metrics).toMatch(/^redis_up 1$/m);
    expect(metrics).toMatch(new RegExp(`^redis_instance_info\\{.*tcp_port="${redis.port}".*\\} 1$`, 'm'));

    const pid = exporter.pid as number;
    await exporter.stop();
    expect(processIsGone(pid)).toBe(true);
  });
});
