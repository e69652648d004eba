import { isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';

/**
 * Trace id of the active span, for error logs; undefined outside a trace or with tracing off.
 * Also returned for unsampled traces: the id still ties the logs of gateway and services together.
 */
export function currentTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/**
 * Trace id of the active span only when that trace is sampled (exported), for exemplars: an
 * exemplar pointing at a trace the backend never received is a dead link.
 */
export function currentSampledTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) && (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0
    ? spanContext.traceId
    : undefined;
}
