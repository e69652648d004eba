import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { countProtobufSpans } from './otlp-sink-worker';

describe('countProtobufSpans()', () => {
  it('counts the spans of an OTLP/protobuf export as the SDK encodes it, across scopes', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'gateway' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    for (const scope of ['statelab', '@opentelemetry/instrumentation-ioredis']) {
      const tracer = provider.getTracer(scope);
      for (let i = 0; i < 7; i++) tracer.startSpan(`span ${i}`, { attributes: { 'rpc.method': 'cart.get', 'server.port': 7302 } }).end();
    }
    const body = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans());
    expect(body).toBeDefined();
    expect(countProtobufSpans(Buffer.from(body as Uint8Array))).toBe(14);
    await provider.shutdown();
  });

  it('refuses a truncated export', () => {
    expect(() => countProtobufSpans(Buffer.from([0x0a, 0x10, 0x12]))).toThrow('truncated');
  });
});
