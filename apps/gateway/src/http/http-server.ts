import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import type { GatewayConfig } from '@app/config';
import { ErrorCodes } from '@app/contracts';
import { frameworkErrors } from './request-parsing';

/** Bodies are small JSON; 16 KiB is far above any valid one. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * The gateway's Fastify instance: bounded bodies, and a deadline on every request so a client
 * that trickles or never finishes a body holds a connection for at most REQUEST_TIMEOUT_MS
 * (Node checks its connections every second here, not every 30 s). Errors the HTTP parser
 * raises before Fastify sees a request leave in the lab's JSON shape too.
 */
export function createHttpAdapter(config: Pick<GatewayConfig, 'requestTimeoutMs'> & Partial<Pick<GatewayConfig, 'trustProxy'>>): FastifyAdapter {
  const requestTimeout = config.requestTimeoutMs;
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    frameworkErrors,
    requestTimeout,
    http: { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) },
    clientErrorHandler,
    // TRUST_PROXY=on: request.ip is the first address of X-Forwarded-For (ip-hash, the login throttle).
    trustProxy: config.trustProxy ?? false,
  });
}

const CLIENT_ERRORS: Record<string, [number, string, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', ErrorCodes.requestTimeout, 'the request did not arrive in time'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', ErrorCodes.headersTooLarge, 'the request headers are too large'],
};

/** A malformed or too slow request, answered on the raw socket before any route runs. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'Bad Request', ErrorCodes.badRequest, 'malformed HTTP request'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Every response says its content type is the one to believe (no sniffing of reflected ids). */
export function installSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    void reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });
}
