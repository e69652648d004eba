import { Attributes, Context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';
import { TRACER_NAME } from './propagation';

/** One incoming HTTP request's SERVER span and the context its outgoing calls continue. */
export interface HttpServerTrace {
  span: Span;
  /** The span's context: the parent of every call the request makes (explicit, no async context needed). */
  context: Context;
  /** The trace id when this trace is sampled (exported), for exemplars; undefined otherwise. */
  sampledTraceId: string | undefined;
}

export interface HttpServerRequest {
  method: string;
  /** The route template (`/api/cart/items/:productId`), or the path when no route matched. */
  route: string;
  path: string;
  headers: IncomingHttpHeaders;
  port?: number;
}

/** A request span's name and its attributes that do not change per request: one per route. */
interface HttpSpanShape {
  name: string;
  /** Frozen when the shape is cached, so the lean tracer encodes them once (see LeanSpan). */
  attributes: Attributes;
}

const shapes = new Map<string, HttpSpanShape>();

/** Routes beyond this many (`unmatched` paths are one route) get a shape built per request, unfrozen. */
const MAX_SHAPES = 512;

function httpSpanShape(request: HttpServerRequest): HttpSpanShape {
  const key = `${request.method} ${request.route} ${request.port ?? ''}`;
  let shape = shapes.get(key);
  if (!shape) {
    shape = {
      name: `${request.method} ${request.route}`,
      attributes: {
        'http.request.method': request.method,
        'http.route': request.route,
        ...(request.port !== undefined && { 'server.port': request.port }),
      },
    };
    // Frozen only when kept: a frozen object made per request would be encoded and cached per span.
    if (shapes.size < MAX_SHAPES) {
      Object.freeze(shape.attributes);
      shapes.set(key, shape);
    }
  }
  return shape;
}

/**
 * Starts the SERVER span of one incoming HTTP request, continuing the trace the client sent in
 * `traceparent`, if any. The gateway's request path hands the returned context to its calls
 * explicitly, so it needs neither the http instrumentation nor an async context per promise.
 */
export function startHttpServerSpan(request: HttpServerRequest): HttpServerTrace {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const shape = httpSpanShape(request);
  const span = trace.getTracer(TRACER_NAME).startSpan(shape.name, { kind: SpanKind.SERVER, attributes: shape.attributes }, parent);
  if (span.isRecording()) span.setAttribute('url.path', request.path);
  const spanContext = span.spanContext();
  return {
    span,
    context: trace.setSpan(parent, span),
    sampledTraceId: (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 ? spanContext.traceId : undefined,
  };
}

/** Ends the request's span with its status; a 5xx marks it as an error. */
export function endHttpServerSpan(serverTrace: HttpServerTrace, status: number): void {
  serverTrace.span.setAttribute('http.response.status_code', status);
  if (status >= 500) serverTrace.span.setStatus({ code: SpanStatusCode.ERROR });
  serverTrace.span.end();
}
