import { Context, context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { recordSpanFailure } from './span-errors';
import { TraceCarrier } from './trace-carrier';
import { isTracingActive } from './tracing-runtime';

/** Instrumentation scope of the lab's own spans. */
export const TRACER_NAME = 'statelab';

/** `rpc.system` of the internal hop: Nest's TCP transport. */
export const RPC_SYSTEM = 'nestjs-tcp';

/**
 * The W3C trace context (`traceparent`, `tracestate`) of the active span, to send inside a
 * message; undefined when tracing is off or no span is active, so untraced messages stay as
 * small as they were.
 */
export function injectTraceContext(): TraceCarrier | undefined {
  if (!isTracingActive()) return undefined;
  const active = context.active();
  if (!trace.getSpan(active)) return undefined;
  return injectFrom(active);
}

/** Where an RPC goes: becomes the CLIENT span's attributes. */
export interface RpcClientTarget {
  /** Target service, e.g. `cart` (`rpc.service`). */
  service: string;
  /** Message pattern, e.g. `cart.items.add` (`rpc.method`). */
  method: string;
  /** Target replica id, e.g. `cart-2` (`lab.replica`). */
  replica: string;
  /** `server.address`: the replica's host. */
  address?: string;
  /** `server.port` of the replica's TCP listener. */
  port?: number;
}

/** The conventional span name of an outgoing call: `<pattern> send`. */
export function rpcClientSpanName(pattern: string): string {
  return `${pattern} send`;
}

/**
 * Runs one outgoing RPC inside a CLIENT span and hands `fn` the carrier to put in the message
 * (see attachTraceCarrier); the remote handler's SERVER span becomes a child of this span.
 * `fn` also runs with the span active. A rejection is recorded on the span (exception, error
 * status, `error.type`) and rethrown unchanged.
 *
 * Without tracing, or outside any trace (a background health poll), no span is made and the
 * carrier is undefined: like ioredis spans, RPC spans exist only inside a request's trace.
 */
export async function withClientSpan<T>(
  name: string,
  target: RpcClientTarget,
  fn: (carrier: TraceCarrier | undefined) => Promise<T>,
): Promise<T> {
  if (!isTracingActive()) return fn(undefined);
  const parent = context.active();
  if (!trace.getSpan(parent)) return fn(undefined);

  // The tracer is looked up per span (a map hit in the SDK): one cached at import would stay
  // bound to a provider that a later `trace.disable()` replaced, as tests do.
  const span = trace.getTracer(TRACER_NAME).startSpan(
    name,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'rpc.system': RPC_SYSTEM,
        'rpc.service': target.service,
        'rpc.method': target.method,
        'lab.replica': target.replica,
        ...(target.address !== undefined && { 'server.address': target.address }),
        ...(target.port !== undefined && { 'server.port': target.port }),
      },
    },
    parent,
  );
  const withSpan = trace.setSpan(parent, span);
  try {
    return await context.with(withSpan, () => fn(injectFrom(withSpan)));
  } catch (error) {
    recordSpanFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

function injectFrom(source: Context): TraceCarrier | undefined {
  const carrier: TraceCarrier = {};
  propagation.inject(source, carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}
