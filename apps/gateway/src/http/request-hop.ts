import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceName } from '@app/config';
import type { ReplicaCaller } from '../replicas/replica-caller';

/**
 * One request's way to the replicas: every call made through it is routed, sent and timed by
 * the ReplicaCaller, and the id of the replica that served it is appended to `servedBy`, which
 * becomes the response's `x-served-by`. Handlers get it with `@Hop()`; the session guard uses
 * the request's own.
 */
export class RequestHop {
  /** Replica ids that served this request, in call order. */
  readonly servedBy: string[] = [];

  constructor(private readonly caller: ReplicaCaller) {}

  call<T>(service: ServiceName, pattern: string, data: unknown, key?: string): Promise<T> {
    return this.caller.call<T>(this.servedBy, service, pattern, data, key);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    hop: RequestHop;
  }
}

/** Gives every request its RequestHop and sends `x-served-by` on every /api response. */
export function installRequestHop(fastify: FastifyInstance, caller: ReplicaCaller): void {
  fastify.decorateRequest('hop', null as unknown as RequestHop);
  fastify.addHook('onRequest', (request, _reply, done) => {
    request.hop = new RequestHop(caller);
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/api/')) void reply.header('x-served-by', request.hop.servedBy.join(','));
    done(null, payload);
  });
}

/** The request's RequestHop, for handlers that call replicas. */
export const Hop = createParamDecorator((_data: unknown, context: ExecutionContext): RequestHop => {
  return context.switchToHttp().getRequest<FastifyRequest>().hop;
});
