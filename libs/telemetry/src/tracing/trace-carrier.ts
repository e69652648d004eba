/**
 * The key under which a message of the internal TCP hop carries its trace context. The TCP
 * transport has no headers, so the W3C `traceparent`/`tracestate` pair travels inside the
 * message data; RpcTraceInterceptor removes the key before validation pipes see the payload.
 */
export const TRACE_CARRIER_KEY = '_trace';

/** W3C trace context headers (`traceparent`, optionally `tracestate`) as a plain object. */
export type TraceCarrier = Record<string, string>;

/** A message payload, optionally carrying its trace context under TRACE_CARRIER_KEY. */
export type WithTraceCarrier<T extends object> = T & { [TRACE_CARRIER_KEY]?: TraceCarrier };

/**
 * Adds the carrier to an outgoing message under TRACE_CARRIER_KEY; returns the data itself
 * (no copy, no extra bytes on the wire) when there is no carrier.
 */
export function attachTraceCarrier<T extends object>(data: T, carrier: TraceCarrier | undefined): WithTraceCarrier<T> {
  return carrier ? { ...data, [TRACE_CARRIER_KEY]: carrier } : data;
}

/**
 * Removes TRACE_CARRIER_KEY from a received message in place and returns the carrier when it
 * is a plain object of strings. Anything else under the key is dropped and ignored.
 */
export function takeTraceCarrier(data: unknown): TraceCarrier | undefined {
  if (typeof data !== 'object' || data === null || !(TRACE_CARRIER_KEY in data)) return undefined;
  const record = data as Record<string, unknown>;
  const value = record[TRACE_CARRIER_KEY];
  delete record[TRACE_CARRIER_KEY];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const carrier: TraceCarrier = {};
  for (const [key, header] of Object.entries(value)) {
    if (typeof header === 'string') carrier[key] = header;
  }
  return carrier;
}
