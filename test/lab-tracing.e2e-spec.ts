import { startOtlpReceiver, OtlpReceiver, ReceivedSpan } from './support/otlp-receiver';
import { startLab, StartedLab, startPrivateRedis } from '../tools/kit';
import { Shopper } from './support/shopper';
import type { RedisServerProcess } from '../tools/lab/redis-server';

// http/json runs the OpenTelemetry SDK's span pipeline; http/protobuf (the default) runs the lab's lean tracer.
describe.each([
  ['the SDK tracer (http/json)', 'http/json'],
  ['the lean tracer (http/protobuf)', 'http/protobuf'],
])('tracing across the whole lab in redis mode, %s', (_name, protocol) => {
  let receiver: OtlpReceiver;
  let redis: RedisServerProcess;
  let lab: StartedLab;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    redis = await startPrivateRedis();
    lab = await startLab({
      mode: 'redis',
      redisUrl: redis.url,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_BSP_SCHEDULE_DELAY: '200' },
    });
  }, 90000);

  afterAll(async () => {
    await lab?.stop();
    await redis?.stop();
    await receiver?.close();
  });

  it('makes one request one trace: gateway -> user and cart replicas -> Redis, no dangling parents', async () => {
    const shopper = new Shopper(lab.url, 'user77');
    await shopper.login();
    const added = await shopper.post('/api/cart/items', { productId: 'p-12', quantity: 1 });
    expect(added.status).toBe(201);
    const cartReplica = added.servedBy[1];

    const isAddTrace = (spans: ReceivedSpan[]) =>
      spans.some((s) => s.serviceName === 'gateway' && s.kind === 'SERVER') &&
      spans.some((s) => s.serviceName === 'gateway' && s.name === 'cart.items.add send') &&
      spans.some((s) => s.serviceInstanceId === cartReplica && s.kind === 'SERVER') &&
      spans.some((s) => s.serviceName === 'cart' && s.scopeName === 'statelab-redis') &&
      // Each process exports on its own schedule: wait for the user replica's spans too.
      spans.some((s) => s.serviceName === 'user' && s.kind === 'SERVER') &&
      spans.some((s) => s.serviceName === 'user' && s.scopeName === 'statelab-redis');
    const spans = await receiver.waitForTrace(isAddTrace, 20000);

    const services = new Set(spans.map((s) => s.serviceName));
    expect([...services].sort()).toEqual(['cart', 'gateway', 'user']);
    const ids = new Set(spans.map((s) => s.spanId));
    const roots = spans.filter((s) => !s.parentSpanId);
    expect(roots).toHaveLength(1);
    expect(roots[0].serviceName).toBe('gateway');
    for (const span of spans) if (span.parentSpanId) expect(ids.has(span.parentSpanId)).toBe(true);

    // Every replica's server span hangs under a gateway client span naming that replica.
    for (const server of spans.filter((s) => s.kind === 'SERVER' && s.serviceName !== 'gateway')) {
      const parent = spans.find((s) => s.spanId === server.parentSpanId);
      expect(parent).toMatchObject({ kind: 'CLIENT', serviceName: 'gateway', attributes: expect.objectContaining({ 'lab.replica': server.serviceInstanceId }) });
    }
    const redisSpans = spans.filter((s) => s.scopeName === 'statelab-redis');
    expect(redisSpans.map((s) => s.serviceName).sort()).toEqual(expect.arrayContaining(['cart', 'user']));
  });

  it('makes a catalog read one trace: gateway -> product replica', async () => {
    const shopper = new Shopper(lab.url);
    const read = await shopper.get('/api/products/p-7');
    expect(read.status).toBe(200);
    const [productReplica] = read.servedBy;
    const spans = await receiver.waitForTrace(
      (trace) => trace.some((s) => s.name === 'product.get send') && trace.some((s) => s.serviceInstanceId === productReplica && s.kind === 'SERVER'),
      20000,
    );
    const server = spans.find((s) => s.serviceInstanceId === productReplica && s.kind === 'SERVER');
    const client = spans.find((s) => s.spanId === server?.parentSpanId);
    expect(client).toMatchObject({ kind: 'CLIENT', serviceName: 'gateway', name: 'product.get send' });
  });

  it('makes no span for scrapes and probes', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await fetch(`${lab.url}${path}`)).status).toBe(200);
    // A traced request after them: once its trace arrived, their spans would have too.
    const read = await new Shopper(lab.url).get('/api/products/p-8');
    await receiver.waitForTrace((trace) => trace.some((s) => s.serviceName === 'gateway' && s.kind === 'SERVER' && s.attributes['url.path'] === '/api/products/p-8'), 20000);
    expect(read.status).toBe(200);
    const probeSpans = receiver.spans().filter((s) => ['/healthz', '/readyz', '/metrics'].includes(String(s.attributes['url.path'])));
    expect(probeSpans).toEqual([]);
  });

  it('puts trace-id exemplars on the gateway histograms', async () => {
    const response = await fetch(`${lab.url}/metrics`, { headers: { accept: 'application/openmetrics-text' } });
    expect(response.headers.get('content-type')).toContain('application/openmetrics-text');
    expect(await response.text()).toMatch(/^http_server_request_duration_seconds_bucket\{.*\} \d+ # \{trace_id="[0-9a-f]{32}"\} /m);
  });
});
