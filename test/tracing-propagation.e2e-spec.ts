import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { freePort, startPrivateRedis, stopChild } from '../tools/kit';
import { RedisServerProcess } from '../tools/lab/redis-server';
import { OtlpReceiver, ReceivedSpan, startOtlpReceiver } from './support/otlp-receiver';

/*
 * Trace context across the lab's TCP hop (libs/transport), end to end: two real processes
 * started the way the lab starts them (register-paths, then the tracing preload), exporting
 * OTLP/JSON to a real receiver. Needs the compiled dist/ (`npm test` builds first) and
 * redis-server on PATH.
 */

const root = path.resolve(__dirname, '..');
const fixtures = path.join(__dirname, 'fixtures', 'tracing');
const preloadArgs = ['-r', path.join(root, 'dist/tools/register-paths.js'), '-r', path.join(root, 'dist/libs/telemetry/src/tracing/preload.js')];
const TRACE_TIMEOUT_MS = 10000;

/** The test's environment without any OTEL_* of its own, plus the given variables. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('OTEL_') && key !== 'REPLICA_ID') env[key] = value;
  return { ...env, LAB_SECRET: 'the-test-lab-secret-of-32-characters-or-more', ...extra };
}

interface Child {
  process: ChildProcess;
  output: () => string;
}

/** Spawns a fixture and resolves with it once it printed `ready <port>`. */
function startFixture(script: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20000): Promise<Child & { port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...preloadArgs, path.join(fixtures, script), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${script} ${why}; output:\n${output}`));
    };
    const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
    child.on('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready (\d+)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ process: child, port: Number(ready[1]), output: () => output });
      }
    });
  });
}

/** Runs the preload probe to completion and parses its one line. */
function probePreload(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...preloadArgs, path.join(fixtures, 'preload-probe.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface GoResponse {
  status: number;
  body: {
    traceId: string | null;
    clientSpanId: string | null;
    result: { receivedKeys: string[]; traceId: string | null; receivedParentSpanId: string | null; stored: string | null } | null;
    error: { status?: number; code?: string; message?: string } | null;
  };
}

async function get(port: number, pathname: string): Promise<GoResponse> {
  const response = await fetch(`http://127.0.0.1:${port}${pathname}`);
  return { status: response.status, body: (await response.json()) as GoResponse['body'] };
}

const byScope = (scope: string) => (span: ReceivedSpan) => span.scopeName === scope;
const isHttpServer = (span: ReceivedSpan) => byScope('statelab')(span) && span.kind === 'SERVER' && span.attributes['http.request.method'] !== undefined;
const isRpcClient = (pattern: string) => (span: ReceivedSpan) => span.kind === 'CLIENT' && span.attributes['rpc.method'] === pattern;
const isRpcServer = (pattern: string) => (span: ReceivedSpan) => span.kind === 'SERVER' && span.attributes['rpc.method'] === pattern;
const isRedisGet = (span: ReceivedSpan) => byScope('statelab-redis')(span) && span.name === 'get';

/** A complete trace of one /go: all four spans arrived. */
const completeGoTrace = (traceId: string) => (spans: ReceivedSpan[]) =>
  spans[0].traceId === traceId && [isHttpServer, isRpcClient('cart.items.add'), isRpcServer('cart.items.add'), isRedisGet].every((is) => spans.some(is));

function only(spans: ReceivedSpan[], predicate: (span: ReceivedSpan) => boolean, what: string): ReceivedSpan {
  const found = spans.filter(predicate);
  if (found.length !== 1) throw new Error(`expected exactly one ${what}, found ${found.length} in ${spans.map((s) => s.name).join(', ')}`);
  return found[0];
}

describe('trace propagation over the lab TCP transport', () => {
  let redis: RedisServerProcess;
  let receiver: OtlpReceiver;
  let service: (Child & { port: number }) | undefined;
  let gateway: (Child & { port: number }) | undefined;

  beforeAll(async () => {
    if (!existsSync(path.join(root, 'dist/libs/telemetry/src/tracing/preload.js'))) {
      throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    }
    [redis, receiver] = await Promise.all([startPrivateRedis(), startOtlpReceiver()]);
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    service = await startFixture('traced-service.js', [String(await freePort()), redis.url], childEnv({ ...otel, REPLICA_ID: 'cart-1' }));
    gateway = await startFixture('traced-gateway.js', [String(service.port)], childEnv({ ...otel, REPLICA_ID: 'gateway' }));
  });

  afterAll(async () => {
    // SIGTERM: the fixtures flush their spans on it.
    await Promise.all([stopChild(gateway?.process), stopChild(service?.process)]);
    await Promise.all([receiver?.close(), redis?.stop()]);
  });

  describe('the caller\'s context beside the data', () => {
    // Runs first, so the first two calls find the client unconnected and wait for its lazy
    // connect and handshake (both await the same connection) before they are written.
    it('names the CLIENT span as parent, on the calls that waited for the connection and on later ones', async () => {
      const firstCalls = await Promise.all([get(gateway!.port, '/go'), get(gateway!.port, '/go')]);
      const laterCall = await get(gateway!.port, '/go');
      for (const { status, body } of [...firstCalls, laterCall]) {
        expect(status).toBe(200);
        expect(body.clientSpanId).toMatch(/^[0-9a-f]{16}$/);
        expect(body.result?.receivedParentSpanId).toBe(body.clientSpanId);
      }
      expect(new Set(firstCalls.map((r) => r.body.clientSpanId)).size).toBe(2);
    });
  });

  describe('one GET /go', () => {
    let response: GoResponse;
    let spans: ReceivedSpan[];

    beforeAll(async () => {
      response = await get(gateway!.port, '/go');
      expect(response.status).toBe(200);
      spans = await receiver.waitForTrace(completeGoTrace(response.body.traceId ?? ''), TRACE_TIMEOUT_MS);
    });

    it('is one trace: gateway HTTP SERVER → rpc CLIENT → cart-1 rpc SERVER → redis get', () => {
      const httpServer = only(spans, isHttpServer, 'http server span');
      const rpcClient = only(spans, isRpcClient('cart.items.add'), 'rpc client span');
      const rpcServer = only(spans, isRpcServer('cart.items.add'), 'rpc server span');
      const redisGet = only(spans, isRedisGet, 'redis get span');

      expect(httpServer.parentSpanId).toBeUndefined();
      expect(rpcClient.parentSpanId).toBe(httpServer.spanId);
      expect(rpcServer.parentSpanId).toBe(rpcClient.spanId);
      expect(redisGet.parentSpanId).toBe(rpcServer.spanId);
      expect(redisGet.kind).toBe('CLIENT');
    });

    it('names and describes the rpc spans', () => {
      const rpcClient = only(spans, isRpcClient('cart.items.add'), 'rpc client span');
      const rpcServer = only(spans, isRpcServer('cart.items.add'), 'rpc server span');
      expect(rpcClient.name).toBe('cart.items.add send');
      expect(rpcClient.attributes).toMatchObject({
        'rpc.system': 'statelab-tcp',
        'rpc.service': 'cart',
        'rpc.method': 'cart.items.add',
        'lab.replica': 'cart-1',
        'server.address': '127.0.0.1',
        'server.port': service!.port,
      });
      expect(rpcServer.name).toBe('cart.items.add handle');
      expect(rpcServer.attributes).toMatchObject({ 'rpc.system': 'statelab-tcp', 'rpc.method': 'cart.items.add', 'rpc.service': 'cart', 'lab.replica': 'cart-1' });
    });

    it('keeps redis keys out of the trace', () => {
      const redisGet = only(spans, isRedisGet, 'redis get span');
      expect(JSON.stringify(redisGet.attributes)).not.toContain('cart:fixture');
    });

    it('attributes each span to its process: service.name and service.instance.id', () => {
      const gatewaySpans = spans.filter((s) => s.serviceName === 'gateway');
      const cartSpans = spans.filter((s) => s.serviceName === 'cart');
      expect(gatewaySpans.map((s) => s.serviceInstanceId)).toEqual(gatewaySpans.map(() => 'gateway'));
      expect(cartSpans.map((s) => s.serviceInstanceId)).toEqual(cartSpans.map(() => 'cart-1'));
      expect(gatewaySpans.length + cartSpans.length).toBe(spans.length);
      expect(cartSpans.some(isRpcServer('cart.items.add'))).toBe(true);
      expect(cartSpans.some(isRedisGet)).toBe(true);
    });

    it('has no dangling parent: every parentSpanId is a span of the trace, and there is one root', () => {
      const ids = new Set(spans.map((s) => s.spanId));
      const roots = spans.filter((s) => s.parentSpanId === undefined);
      expect(roots).toHaveLength(1);
      expect(spans.filter((s) => s.parentSpanId !== undefined && !ids.has(s.parentSpanId))).toEqual([]);
    });

    it('runs the handler inside the caller\'s trace, the carrier beside its payload, not in it', () => {
      expect(response.body.result?.traceId).toBe(response.body.traceId);
      expect(response.body.result?.receivedKeys).toEqual(['productId', 'quantity']);
    });
  });

  describe('a failing handler', () => {
    it('marks the rpc CLIENT and SERVER spans as errors, in the same trace', async () => {
      const response = await get(gateway!.port, '/fail');
      expect(response.status).toBe(502);
      expect(response.body.error).toMatchObject({ code: 'not_found' });
      const spans = await receiver.waitForTrace(
        (trace) => trace[0].traceId === response.body.traceId && trace.some(isRpcClient('cart.fail')) && trace.some(isRpcServer('cart.fail')),
        TRACE_TIMEOUT_MS,
      );
      const rpcClient = only(spans, isRpcClient('cart.fail'), 'rpc client span');
      const rpcServer = only(spans, isRpcServer('cart.fail'), 'rpc server span');
      expect(rpcServer.parentSpanId).toBe(rpcClient.spanId);
      expect(rpcClient.statusCode).toBe(2);
      expect(rpcServer.statusCode).toBe(2);
      expect(rpcClient.attributes['error.type']).toBe('not_found');
    });
  });
});

describe('tracing preload', () => {
  it('loads no SDK and starts nothing without an OTLP endpoint', async () => {
    const { code, stdout } = await probePreload(childEnv({ REPLICA_ID: 'cart-2' }));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ active: false, sdkLoaded: false, identity: null });
  });

  it('starts the SDK with the replica identity when an endpoint is set', async () => {
    const { code, stdout } = await probePreload(
      childEnv({ REPLICA_ID: 'cart-2', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }),
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ active: true, sdkLoaded: true, identity: { service: 'cart', replica: 'cart-2' } });
  });

  it('stops the process with one line naming REPLICA_ID when it names no replica', async () => {
    const { code, stdout, stderr } = await probePreload(childEnv({ REPLICA_ID: 'basket-1', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }));
    expect(code).toBe(78);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining('REPLICA_ID="basket-1"')]);
  });
});
