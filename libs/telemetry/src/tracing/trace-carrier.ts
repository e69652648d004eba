/**
 * W3C trace context headers (`traceparent`, optionally `tracestate`) as a plain object: what a
 * call over the lab's TCP hop carries beside its data (the hop has no other headers).
 */
export type TraceCarrier = Record<string, string>;
