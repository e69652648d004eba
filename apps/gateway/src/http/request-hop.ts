import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceName } from '@app/config';
import { endHttpServerSpan, GatewayTelemetry, HttpServerTrace, isTracingActive, startHttpServerSpan } from '@app/telemetry';
import type { Affinity, LbCookies } from '../replicas/lb-cookie';
import type { ReplicaCaller } from '../replicas/replica-caller';

/** Scrapes and probes arrive every few seconds; tracing them would bury the requests. */
const UNTRACED_ROUTES = new Set(['/metrics', '/healthz', '/readyz']);

/**
 * One request's way to the replicas: every call made through it is routed, sent and timed by
 * the ReplicaCaller, and the id of the replica that served it is appended to `servedBy`, which
 * becomes the response's `x-served-by`. When tracing is on it also holds the request's SERVER
 * span, the explicit parent of its calls' CLIENT spans. Handlers get it with `@Hop()`; the
 * session guard uses the request's own.
 */
export class RequestHop {
  /** Replica ids that served this request, in call order. */
  readonly servedBy: string[] = [];
  /** The request's trace, when tracing is on and the route is traced. */
  trace: HttpServerTrace | undefined;
  /** The client's address (TRUST_PROXY=on: the first of X-Forwarded-For): the key of ip-hash routing. */
  clientAddress: string | undefined;
  /** sticky-cookie routing: the replicas the client's `lb` cookie pins it to. */
  affinity: Affinity | undefined;

  constructor(private readonly caller: ReplicaCaller) {}

  call<T>(service: ServiceName, pattern: string, data: unknown, key?: string): Promise<T> {
    return this.caller.call<T>(this, service, pattern, data, key);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    hop: RequestHop;
  }
}

/**
 * Gives every request its RequestHop (and, with tracing on, its SERVER span; with sticky-cookie
 * routing, the affinity its `lb` cookie names), sends `x-served-by` on every /api response (and
 * the `lb` cookie when the router chose a replica afresh), and records the request's duration, with its trace id
 * as the exemplar, when the response is done.
 */
export function installRequestHop(fastify: FastifyInstance, caller: ReplicaCaller, telemetry: GatewayTelemetry, lbCookies?: LbCookies): void {
  const tracing = isTracingActive();
  fastify.decorateRequest('hop', null as unknown as RequestHop);
  fastify.addHook('onRequest', (request, _reply, done) => {
    const hop = (request.hop = new RequestHop(caller));
    hop.clientAddress = request.ip;
    if (lbCookies && request.url.startsWith('/api/')) hop.affinity = lbCookies.read(request.headers.cookie);
    const route = request.routeOptions.url;
    if (tracing && !(route && UNTRACED_ROUTES.has(route))) {
      hop.trace = startHttpServerSpan({ method: request.method, route: route ?? 'unmatched', path: request.url.split('?')[0], headers: request.headers, port: request.socket.localPort });
    }
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/api/')) void reply.header('x-served-by', request.hop.servedBy.join(','));
    if (lbCookies && request.hop.affinity?.changed) void reply.header('set-cookie', lbCookies.serialize(request.hop.affinity));
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const trace = request.hop.trace;
    if (trace) endHttpServerSpan(trace, reply.statusCode);
    telemetry.recordHttp(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000, trace?.sampledTraceId);
    done();
  });
}

/** The request's RequestHop, for handlers that call replicas. */
export const Hop = createParamDecorator((_data: unknown, context: ExecutionContext): RequestHop => {
  return context.switchToHttp().getRequest<FastifyRequest>().hop;
});
