import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_CODES } from './http-error.filter';
import { ErrorCodes } from '@app/contracts';
import { LabHttpException } from './lab-http.exception';

/**
 * The gateway accepts JSON bodies only: Fastify's JSON parser (prototype-poisoning safe), but a body that does not parse becomes a
 * `malformed_json` 400 rather than the generic error Nest would turn Fastify's into.
 */
export function installJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers(); // anything but JSON is a 415
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body.toString(), (error, value) => {
      if (error) done(new LabHttpException(400, ErrorCodes.malformedJson, 'the body is not valid JSON'), undefined);
      else done(null, value);
    });
  });
}

/**
 * Errors Fastify's router raises before Nest sees the request (an over-long path parameter,
 * a malformed URL) get the same JSON error body as everything else.
 */
export function frameworkErrors(error: { statusCode?: number; message: string }, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ error: { code: DEFAULT_CODES[status] ?? `http_${status}`, message: status === 414 ? 'a path segment is too long' : 'malformed request' } });
}
