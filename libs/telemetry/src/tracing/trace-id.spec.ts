import { context, trace, TraceFlags } from '@opentelemetry/api';
import { InMemoryTracing, startInMemoryTracing } from './testing/in-memory-tracing';
import { currentSampledTraceId, currentTraceId } from './trace-id';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const withRemoteSpan = <T>(traceFlags: TraceFlags, fn: () => T): T =>
  context.with(trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags }), fn);

describe('trace ids of the active span', () => {
  // trace.setSpanContext works without an SDK, but context.with needs a context manager.
  let tracing: InMemoryTracing;
  beforeEach(() => {
    tracing = startInMemoryTracing();
  });
  afterEach(() => tracing.stop());

  it('are undefined outside a trace', () => {
    expect(currentTraceId()).toBeUndefined();
    expect(currentSampledTraceId()).toBeUndefined();
  });

  it('currentTraceId() returns the id of sampled and unsampled traces alike', () => {
    expect(withRemoteSpan(TraceFlags.SAMPLED, currentTraceId)).toBe(TRACE_ID);
    expect(withRemoteSpan(TraceFlags.NONE, currentTraceId)).toBe(TRACE_ID);
  });

  it('currentSampledTraceId() returns only the id of a sampled trace', () => {
    expect(withRemoteSpan(TraceFlags.SAMPLED, currentSampledTraceId)).toBe(TRACE_ID);
    expect(withRemoteSpan(TraceFlags.NONE, currentSampledTraceId)).toBeUndefined();
  });
});
