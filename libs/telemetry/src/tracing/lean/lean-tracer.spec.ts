import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { decodeProtobufTraceRequest, OtlpTraceRequest } from '../../../../../test/support/otlp-receiver';
import { leanTracingConfig } from './lean-config';
import { LeanTracerProvider, sampled } from './lean-tracer';
import { EpochClock } from './otlp-encoding';
import { OtlpSpanExporter, OtlpSpanExporterOptions } from './otlp-span-exporter';
import { ProtoWriter } from './proto-writer';

/** A real OTLP/HTTP endpoint on a free port that keeps every decoded request. */
async function startEndpoint(status = 200): Promise<{ url: string; requests: OtlpTraceRequest[]; contentTypes: string[]; server: Server }> {
  const requests: OtlpTraceRequest[] = [];
  const contentTypes: string[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      contentTypes.push(String(request.headers['content-type']));
      requests.push(decodeProtobufTraceRequest(Buffer.concat(chunks)));
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, requests, contentTypes, server };
}

function exporterOptions(url: string, overrides: Partial<OtlpSpanExporterOptions> = {}): OtlpSpanExporterOptions {
  return {
    url,
    headers: {},
    resource: Promise.resolve({ 'service.name': 'cart', 'service.instance.id': 'cart-2' }),
    scheduleDelayMs: 60_000,
    maxExportBatchSize: 512,
    maxQueueSize: 2048,
    timeoutMs: 2000,
    ...overrides,
  };
}

const spansOf = (requests: OtlpTraceRequest[]) => requests.flatMap((r) => r.resourceSpans ?? []).flatMap((rs) => rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []);

describe('ProtoWriter', () => {
  it('writes varints and fills in the length of a nested message longer than 127 bytes', () => {
    const writer = new ProtoWriter(8); // small: the buffer has to grow too
    writer.varint(300).begin(2).string(1, 'x'.repeat(200)).end();
    const bytes = writer.view();
    expect([...bytes.subarray(0, 2)]).toEqual([0xac, 0x02]); // 300
    expect(bytes[2]).toBe(0x12); // field 2, length-delimited
    expect([...bytes.subarray(3, 5)]).toEqual([0xcb, 0x01]); // 203 = tag + length(2) + 200
    expect(bytes.length).toBe(2 + 1 + 2 + 203);
    expect(bytes.subarray(8).toString()).toBe('x'.repeat(200));
  });

  it('writes a negative int64 as ten bytes of two\u2019s complement', () => {
    const writer = new ProtoWriter();
    writer.int64(-1);
    expect([...writer.view()]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });
});

describe('EpochClock', () => {
  it('turns a time relative to the time origin into exact Unix-epoch nanoseconds', () => {
    const origin = 1_796_000_000_123.456;
    const clock = new EpochClock(origin);
    for (const relative of [0, 1, 4_294_967_295, 4_294_967_296, 86_400e9 + 789, -5e9]) {
      const writer = new ProtoWriter();
      clock.writeFixed64(writer, relative);
      expect(writer.view().readBigUInt64LE(0)).toBe(BigInt(Math.round(origin * 1e6)) + BigInt(relative));
    }
  });
});

describe('sampled', () => {
  it('takes the same decision as the SDK\u2019s TraceIdRatioBasedSampler for the same trace id', () => {
    const sdk = new TraceIdRatioBasedSampler(0.25);
    let kept = 0;
    for (let i = 0; i < 2000; i++) {
      const traceId = Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256))).toString('hex');
      const ours = sampled({ name: 'traceidratio', ratio: 0.25 }, undefined, traceId);
      expect(ours).toBe(sdk.shouldSample(ROOT_CONTEXT, traceId).decision === 2);
      if (ours) kept++;
    }
    expect(kept).toBeGreaterThan(350);
    expect(kept).toBeLessThan(650);
  });

  it('follows the parent under parentbased_* and ignores it under always_on', () => {
    const parent = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.NONE };
    expect(sampled({ name: 'parentbased_always_on', ratio: 1 }, parent, parent.traceId)).toBe(false);
    expect(sampled({ name: 'parentbased_always_off', ratio: 1 }, { ...parent, traceFlags: TraceFlags.SAMPLED }, parent.traceId)).toBe(true);
    expect(sampled({ name: 'always_on', ratio: 1 }, parent, parent.traceId)).toBe(true);
    expect(sampled({ name: 'parentbased_traceidratio', ratio: 0 }, undefined, parent.traceId)).toBe(false);
  });
});

describe('the lean tracer and its OTLP/protobuf exporter', () => {
  let endpoint: Awaited<ReturnType<typeof startEndpoint>>;

  beforeEach(async () => {
    endpoint = await startEndpoint();
  });

  afterEach(async () => {
    await new Promise((resolve) => endpoint.server.close(resolve));
  });

  it('exports a parent and child span with their ids, kinds, times, attributes, events and status', async () => {
    const exporter = new OtlpSpanExporter(exporterOptions(endpoint.url));
    const provider = new LeanTracerProvider(exporter, { name: 'parentbased_always_on', ratio: 1 });
    const before = BigInt(Date.now() - 1) * 1_000_000n;
    const parent = provider.getTracer('statelab').startSpan('GET /api/cart', { kind: SpanKind.SERVER, attributes: { 'http.route': '/api/cart' } }, ROOT_CONTEXT);
    const child = provider
      .getTracer('@opentelemetry/instrumentation-ioredis', '0.71.0')
      .startSpan('getex', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'redis', 'server.port': 6379, ratio: 0.5, ok: true, offset: -3, tags: ['a', 'b'] } }, trace.setSpan(ROOT_CONTEXT, parent));
    child.recordException(Object.assign(new Error('connection lost'), { code: 'ECONNRESET' }));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'connection lost' });
    child.end();
    parent.setAttribute('http.response.status_code', 503);
    parent.end();
    parent.setAttribute('after.end', 'ignored');
    await exporter.shutdown();
    const after = BigInt(Date.now() + 1) * 1_000_000n;

    expect(endpoint.contentTypes).toEqual(['application/x-protobuf']);
    const [request] = endpoint.requests;
    expect(request.resourceSpans?.[0].resource?.attributes).toEqual(
      expect.arrayContaining([
        { key: 'service.name', value: { stringValue: 'cart' } },
        { key: 'service.instance.id', value: { stringValue: 'cart-2' } },
      ]),
    );
    const scopes = request.resourceSpans?.[0].scopeSpans ?? [];
    expect(scopes.map((s) => s.scope)).toEqual([{ name: 'statelab' }, { name: '@opentelemetry/instrumentation-ioredis', version: '0.71.0' }]);
    const [server] = scopes[0].spans ?? [];
    const [client] = scopes[1].spans ?? [];
    expect(server).toMatchObject({ traceId: parent.spanContext().traceId, spanId: parent.spanContext().spanId, name: 'GET /api/cart', kind: 2 });
    expect(server.parentSpanId).toBeUndefined();
    expect(server.attributes).toEqual([
      { key: 'http.route', value: { stringValue: '/api/cart' } },
      { key: 'http.response.status_code', value: { intValue: '503' } },
    ]);
    expect(client).toMatchObject({ traceId: parent.spanContext().traceId, parentSpanId: parent.spanContext().spanId, name: 'getex', kind: 3, status: { code: 2, message: 'connection lost' } });
    expect(client.attributes).toEqual([
      { key: 'db.system', value: { stringValue: 'redis' } },
      { key: 'server.port', value: { intValue: '6379' } },
      { key: 'ratio', value: { doubleValue: 0.5 } },
      { key: 'ok', value: { boolValue: true } },
      { key: 'offset', value: { intValue: '-3' } },
      { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
    ]);
    expect(client.events).toHaveLength(1);
    expect(client.events?.[0].name).toBe('exception');
    expect(client.events?.[0].attributes).toEqual(
      expect.arrayContaining([
        { key: 'exception.type', value: { stringValue: 'ECONNRESET' } },
        { key: 'exception.message', value: { stringValue: 'connection lost' } },
      ]),
    );
    for (const span of [server, client]) {
      const start = BigInt(span.startTimeUnixNano ?? 0);
      const end = BigInt(span.endTimeUnixNano ?? 0);
      expect(start).toBeGreaterThanOrEqual(before);
      expect(end).toBeGreaterThanOrEqual(start);
      expect(end).toBeLessThanOrEqual(after);
    }
  });

  it('writes the attributes of a frozen object it shares between spans, and lets one span override one of them for itself', async () => {
    const exporter = new OtlpSpanExporter(exporterOptions(endpoint.url));
    const tracer = new LeanTracerProvider(exporter, { name: 'always_on', ratio: 1 }).getTracer('statelab');
    const shared = Object.freeze({ 'rpc.system': 'statelab-tcp', 'rpc.method': 'cart.get', 'server.port': 4001 });
    const first = tracer.startSpan('first', { attributes: shared }, ROOT_CONTEXT);
    first.setAttribute('url.path', '/api/cart');
    first.end();
    tracer.startSpan('second', { attributes: shared }, ROOT_CONTEXT).end();
    const overriding = tracer.startSpan('overriding', { attributes: shared }, ROOT_CONTEXT);
    overriding.setAttribute('rpc.method', 'cart.items.add');
    overriding.end();
    await exporter.shutdown();

    const byName = new Map(spansOf(endpoint.requests).map((span) => [span.name, span.attributes]));
    const sharedKeyValues = [
      { key: 'rpc.system', value: { stringValue: 'statelab-tcp' } },
      { key: 'rpc.method', value: { stringValue: 'cart.get' } },
      { key: 'server.port', value: { intValue: '4001' } },
    ];
    expect(byName.get('first')).toEqual([...sharedKeyValues, { key: 'url.path', value: { stringValue: '/api/cart' } }]);
    expect(byName.get('second')).toEqual(sharedKeyValues);
    expect(byName.get('overriding')).toEqual([sharedKeyValues[0], { key: 'rpc.method', value: { stringValue: 'cart.items.add' } }, sharedKeyValues[2]]);
    expect(shared['rpc.method']).toBe('cart.get');
  });

  it('records nothing for a trace its parent did not sample, but keeps the trace id for propagation', async () => {
    const exporter = new OtlpSpanExporter(exporterOptions(endpoint.url));
    const provider = new LeanTracerProvider(exporter, { name: 'parentbased_always_on', ratio: 1 });
    const unsampledParent = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE, isRemote: true });
    const span = provider.getTracer('statelab').startSpan('cart.get', { kind: SpanKind.SERVER }, trace.setSpan(ROOT_CONTEXT, unsampledParent));
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    span.end();
    await exporter.shutdown();
    expect(endpoint.requests).toEqual([]);
    expect(exporter.counts()).toEqual({ exported: 0, dropped: 0, failedExports: 0 });
  });

  it('sends a batch as soon as maxExportBatchSize spans wait, and the rest at shutdown', async () => {
    const exporter = new OtlpSpanExporter(exporterOptions(endpoint.url, { maxExportBatchSize: 10 }));
    const tracer = new LeanTracerProvider(exporter, { name: 'always_on', ratio: 1 }).getTracer('statelab');
    for (let i = 0; i < 10; i++) tracer.startSpan(`span ${i}`, {}, ROOT_CONTEXT).end();
    const deadline = Date.now() + 5000;
    while (endpoint.requests.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(spansOf(endpoint.requests)).toHaveLength(10);
    for (let i = 0; i < 3; i++) tracer.startSpan(`late ${i}`, {}, ROOT_CONTEXT).end();
    await exporter.shutdown();
    expect(spansOf(endpoint.requests).map((s) => s.name)).toEqual([...Array.from({ length: 10 }, (_, i) => `span ${i}`), 'late 0', 'late 1', 'late 2']);
    expect(exporter.counts()).toEqual({ exported: 13, dropped: 0, failedExports: 0 });
  });

  it('drops spans beyond maxQueueSize and counts an export the endpoint refused, without throwing', async () => {
    const refusing = await startEndpoint(503);
    try {
      const exporter = new OtlpSpanExporter(exporterOptions(refusing.url, { maxQueueSize: 5 }));
      const tracer = new LeanTracerProvider(exporter, { name: 'always_on', ratio: 1 }).getTracer('statelab');
      for (let i = 0; i < 8; i++) tracer.startSpan(`span ${i}`, {}, ROOT_CONTEXT).end();
      await exporter.shutdown();
      expect(spansOf(refusing.requests)).toHaveLength(5);
      expect(exporter.counts()).toEqual({ exported: 5, dropped: 3, failedExports: 1 });
    } finally {
      await new Promise((resolve) => refusing.server.close(resolve));
    }
  });
});

describe('leanTracingConfig', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' };

  it('reads the endpoint, headers, sampler and batch variables the SDK reads', () => {
    expect(
      leanTracingConfig(
        { ...endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'x-team=lab,authorization=Bearer%20t', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1', OTEL_BSP_SCHEDULE_DELAY: '200' },
        'cart',
      ),
    ).toEqual({
      url: 'http://collector:4318/v1/traces',
      headers: { 'x-team': 'lab', authorization: 'Bearer t' },
      sampler: { name: 'parentbased_traceidratio', ratio: 0.1 },
      scheduleDelayMs: 200,
      maxExportBatchSize: 512,
      maxQueueSize: 2048,
      timeoutMs: 10_000,
    });
    expect(leanTracingConfig({ ...endpoint, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://elsewhere:4318/traces' }, 'user')).toMatchObject({ url: 'http://elsewhere:4318/traces' });
  });

  it('leaves to the SDK what the lean tracer does not speak', () => {
    expect(leanTracingConfig({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'cart')).toEqual({ sdkBecause: 'protocol http/json' });
    expect(leanTracingConfig({ ...endpoint, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }, 'cart')).toEqual({ sdkBecause: 'protocol grpc' });
    expect(leanTracingConfig({ ...endpoint, OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }, 'cart')).toEqual({ sdkBecause: 'compression gzip' });
    expect(leanTracingConfig({ ...endpoint, OTEL_TRACES_SAMPLER: 'jaeger_remote' }, 'cart')).toEqual({ sdkBecause: 'sampler jaeger_remote' });
    expect(leanTracingConfig({ ...endpoint, OTEL_PROPAGATORS: 'b3' }, 'cart')).toEqual({ sdkBecause: 'OTEL_PROPAGATORS=b3' });
    expect(leanTracingConfig({ ...endpoint, LAB_TRACER: 'sdk' }, 'cart')).toEqual({ sdkBecause: 'LAB_TRACER=sdk' });
    expect(leanTracingConfig(endpoint, 'chat')).toEqual({ sdkBecause: 'the chat service uses the async context' });
    expect(() => leanTracingConfig({ ...endpoint, LAB_TRACER: 'fast' }, 'cart')).toThrow(/invalid LAB_TRACER="fast": expected one of lean, sdk/);
  });
});
