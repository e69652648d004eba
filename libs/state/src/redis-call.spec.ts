import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { REDIS_TRACER_NAME, redisCall } from './redis-support';
import { StoreUnavailableError } from './stores';

describe('redisCall', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  beforeAll(() => trace.setGlobalTracerProvider(provider));
  afterAll(async () => {
    trace.disable();
    await provider.shutdown();
  });
  afterEach(() => exporter.reset());

  it('makes one CLIENT span per round trip of a traced call, under the call\u2019s span and without the key', async () => {
    const server = provider.getTracer('statelab').startSpan('cart.get handle', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    const parent = trace.setSpan(ROOT_CONTEXT, server);
    expect(await redisCall('get', () => Promise.resolve('stored'), parent)).toBe('stored');
    server.end();
    const [redis] = exporter.getFinishedSpans().filter((span) => span.instrumentationScope.name === REDIS_TRACER_NAME);
    expect(redis.name).toBe('get');
    expect(redis.kind).toBe(SpanKind.CLIENT);
    expect(redis.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(redis.attributes).toEqual({ 'db.system.name': 'redis', 'db.operation.name': 'get' });
  });

  it('records a failed round trip on its span and rejects with a StoreUnavailableError', async () => {
    const parent = trace.setSpan(ROOT_CONTEXT, provider.getTracer('statelab').startSpan('cart.add handle', {}, ROOT_CONTEXT));
    const failed = redisCall('add_item', () => Promise.reject(new Error('Connection is closed.')), parent);
    await expect(failed).rejects.toBeInstanceOf(StoreUnavailableError);
    const [redis] = exporter.getFinishedSpans();
    expect(redis.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Connection is closed.' });
    expect(redis.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('makes no span for a call that is not traced, even with a span active', async () => {
    const active = provider.getTracer('statelab').startSpan('background', {}, ROOT_CONTEXT);
    await context.with(trace.setSpan(ROOT_CONTEXT, active), () => redisCall('get', () => Promise.resolve(null)));
    active.end();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['background']);
  });
});
