import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ErrorCodes } from '@app/contracts';

/** True for `/lab` and everything under it. */
export function isLabPath(url: string): boolean {
  return url === '/lab' || url.startsWith('/lab/') || url.startsWith('/lab?');
}

/**
 * The status page and its script hold no data (a browser cannot send a Bearer header when it
 * navigates): they load without the token and ask for it before the first API call.
 */
function isStatusPage(url: string): boolean {
  const path = url.split('?')[0];
  return path === '/lab' || path === '/lab/' || path === '/lab/status.js';
}

/**
 * Lab control is open on a local lab; with LAB_ADMIN_TOKEN set, `/lab` needs it as a Bearer
 * token (the scheme in any case, as RFC 9110 says). Checked in `onRequest`, before the body is
 * read or parsed: an unauthenticated caller gets a 401/403, never a parser error.
 */
export function installLabAccessCheck(fastify: FastifyInstance, adminToken: string | undefined): void {
  if (adminToken === undefined) return;
  const expected = digest(adminToken);
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!isLabPath(request.url) || (request.method === 'GET' && isStatusPage(request.url))) return done();
    const match = /^bearer +(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match) return refuse(reply, 401, ErrorCodes.unauthorized, 'lab control needs Authorization: Bearer <LAB_ADMIN_TOKEN>');
    // Comparing digests keeps the comparison constant-time whatever the length sent.
    if (!timingSafeEqual(digest(match[1]), expected)) return refuse(reply, 403, ErrorCodes.forbidden, 'wrong lab admin token');
    done();
  });
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): void {
  void reply.code(status).header('content-type', 'application/json; charset=utf-8').send({ error: { code, message } });
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
