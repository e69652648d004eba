import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Replica ids that served this request, in call order (the `x-served-by` header). */
    servedBy: string[];
  }
}

/** Installs the hooks that collect and send `x-served-by` on every /api response. */
export function installServedByHeader(fastify: FastifyInstance): void {
  fastify.decorateRequest('servedBy', null as unknown as string[]);
  fastify.addHook('onRequest', (request, _reply, done) => {
    request.servedBy = [];
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/api/')) void reply.header('x-served-by', request.servedBy.join(','));
    done(null, payload);
  });
}

/** The request's served-by list, to hand to the replica pool. */
export const ServedBy = createParamDecorator((_data: unknown, context: ExecutionContext): string[] => {
  return context.switchToHttp().getRequest<FastifyRequest>().servedBy;
});
