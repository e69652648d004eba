import { Attributes, Context, context, propagation, ROOT_CONTEXT, Span, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { recordSpanFailure } from './span-errors';
import { TraceCarrier } from './trace-carrier';
import { isTracingActive, tracingIdentity, TracingIdentity } from './tracing-runtime';

/** Instrumentation scope of the lab's own spans. */
export const TRACER_NAME = 'statelab';

/** `rpc.system` of the internal hop: the lab's own Nest transport (libs/transport). */
export const RPC_SYSTEM = 'statelab-tcp';

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

const clientAttributes = new WeakMap<RpcClientTarget, Attributes>();

/**
 * The CLIENT span's attributes of a call to `target`. For a frozen target (a caller's constant
 * per replica and pattern) they are built once and frozen themselves, so the lean tracer encodes
 * them once (see LeanSpan).
 */
function rpcClientAttributes(target: RpcClientTarget): Attributes {
  const cached = clientAttributes.get(target);
  if (cached) return cached;
  const attributes: Attributes = {
    'rpc.system': RPC_SYSTEM,
    'rpc.service': target.service,
    'rpc.method': target.method,
    'lab.replica': target.replica,
    ...(target.address !== undefined && { 'server.address': target.address }),
    ...(target.port !== undefined && { 'server.port': target.port }),
  };
  if (!Object.isFrozen(target)) return attributes;
  Object.freeze(attributes);
  clientAttributes.set(target, attributes);
  return attributes;
}

/** The conventional span name of an outgoing call: `<pattern> send`. */
export function rpcClientSpanName(pattern: string): string {
  return `${pattern} send`;
}

/**
 * Runs one outgoing RPC inside a CLIENT span and hands `fn` the carrier to send beside the
 * message; the remote handler's SERVER span (withServerSpan) becomes a child of this span.
 * `fn` also runs with the span active. A rejection is recorded on the span (exception, error
 * status, `error.type`) and rethrown unchanged.
 *
 * Without tracing, outside any trace (a background health poll), or inside a trace that is not
 * sampled, no span is made and the carrier is undefined: RPC spans exist only inside a
 * request's recorded trace.
 * `parent` defaults to the active context; the gateway passes its request's explicitly.
 */
export async function withClientSpan<T>(
  name: string,
  target: RpcClientTarget,
  fn: (carrier: TraceCarrier | undefined) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  if (!isTracingActive()) return fn(undefined);
  // A trace nobody samples goes no further than the gateway: no CLIENT span, no carrier on the
  // hop, so the replica neither parses a context nor opens a span. Propagating it cost 7–23 %
  // of the throughput of a lab sampling nothing (README, "Where a request's CPU goes").
  if (!trace.getSpan(parent)?.isRecording()) return fn(undefined);

  // The tracer is looked up per span (a map hit in the SDK): one cached at import would stay
  // bound to a provider that a later `trace.disable()` replaced, as tests do.
  const span = trace.getTracer(TRACER_NAME).startSpan(name, { kind: SpanKind.CLIENT, attributes: rpcClientAttributes(target) }, parent);
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

/** One incoming RPC's SERVER span and the context its work continues (explicitly: the replicas keep no async context). */
export interface RpcServerTrace {
  span: Span;
  /** The span's context: the parent the handler hands to its store calls (their Redis spans). */
  context: Context;
  /** The trace id, for exemplars on the replica's histograms (the span is sampled: see below). */
  traceId: string;
}

/** A SERVER span's name and attributes for one pattern (frozen once cached: see rpcClientAttributes). */
interface ServerSpanShape {
  name: string;
  attributes: Attributes;
}

/** The shapes per pattern, for the identity they were built with. */
let serverShapes: { identity: TracingIdentity | undefined; byPattern: Map<string, ServerSpanShape> } | undefined;

/** Patterns beyond this many get attributes built (unfrozen) per call instead of cached (the transport only traces registered handlers). */
const MAX_CACHED_PATTERNS = 256;

function serverSpanShape(pattern: string): ServerSpanShape {
  const identity = tracingIdentity();
  if (!serverShapes || serverShapes.identity !== identity) serverShapes = { identity, byPattern: new Map<string, ServerSpanShape>() };
  const { byPattern } = serverShapes;
  let shape = byPattern.get(pattern);
  if (!shape) {
    const attributes: Attributes = {
      'rpc.system': RPC_SYSTEM,
      'rpc.method': pattern,
      ...(identity && { 'rpc.service': identity.service, 'lab.replica': identity.replica }),
    };
    shape = { name: `${pattern} handle`, attributes };
    // Frozen only when kept: a frozen object made per call would be encoded and cached per span.
    if (byPattern.size < MAX_CACHED_PATTERNS) {
      Object.freeze(attributes);
      byPattern.set(pattern, shape);
    }
  }
  return shape;
}

/**
 * Starts the SERVER span `<pattern> handle` of one incoming RPC, continuing the caller's trace
 * from the carrier it sent. Undefined when tracing is off or the caller's trace is not sampled
 * (nothing of it would be exported). The caller ends it with endServerSpan().
 */
export function startServerSpan(pattern: string, carrier: TraceCarrier): RpcServerTrace | undefined {
  if (!isTracingActive()) return undefined;
  const parent = propagation.extract(ROOT_CONTEXT, carrier);
  const remote = trace.getSpanContext(parent);
  if (!remote || (remote.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  const shape = serverSpanShape(pattern);
  const span = trace.getTracer(TRACER_NAME).startSpan(shape.name, { kind: SpanKind.SERVER, attributes: shape.attributes }, parent);
  return { span, context: trace.setSpan(parent, span), traceId: span.spanContext().traceId };
}

/** Ends a span from startServerSpan(); a failure is recorded on it first. */
export function endServerSpan(server: RpcServerTrace, failure?: { error: unknown }): void {
  if (failure) recordSpanFailure(server.span, failure.error);
  server.span.end();
}

/**
 * Runs one incoming RPC inside a SERVER span (startServerSpan) with the span active for `fn`:
 * across its awaits where the process keeps an async context (the chat service), for its
 * synchronous part elsewhere. A rejection is recorded on the span and rethrown unchanged.
 * Call it only when tracing is active and the call carried a context.
 */
export async function withServerSpan<T>(pattern: string, carrier: TraceCarrier, fn: () => Promise<T>): Promise<T> {
  const server = startServerSpan(pattern, carrier);
  if (!server) return fn();
  try {
    const result = await context.with(server.context, fn);
    endServerSpan(server);
    return result;
  } catch (error) {
    endServerSpan(server, { error });
    throw error;
  }
}

/**
 * Runs `fn` inside a new SERVER span that starts a trace of its own: work that arrives with no
 * context to continue (a frame from a WebSocket client). Calls made inside it (withClientSpan,
 * ioredis) join that trace. Without tracing, `fn` just runs.
 */
export async function withRootSpan<T>(name: string, attributes: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  if (!isTracingActive()) return fn();
  const identity = tracingIdentity();
  const span = trace.getTracer(TRACER_NAME).startSpan(
    name,
    { kind: SpanKind.SERVER, root: true, attributes: { ...attributes, ...(identity && { 'lab.replica': identity.replica }) } },
    ROOT_CONTEXT,
  );
  try {
    return await context.with(trace.setSpan(ROOT_CONTEXT, span), fn);
  } catch (error) {
    recordSpanFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}
