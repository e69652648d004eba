import Ajv from 'ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { ErrorCodes } from '@app/contracts';
import { DEFAULT_CODES } from './http-error.filter';
import { LabHttpException } from './lab-http.exception';

/**
 * Validators of the route schemas (a failure reaches Nest as a 400 and leaves as `bad_request`): bodies strictly (a quantity of "2" is not a number, nothing
 * is removed or defaulted), query strings and path parameters with coercion (they are text).
 */
const strict = new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false });
const coercing = new Ajv({ coerceTypes: true, removeAdditional: false, useDefaults: false, allErrors: false });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strict : coercing).compile(schema) as ReturnType<FastifySchemaCompiler<object>>;

/**
 * The gateway accepts JSON bodies only: Fastify's JSON parser (prototype-poisoning safe), but a
 * body that does not parse becomes a `malformed_json` 400 rather than a generic error.
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
 * Errors Fastify's router raises before any handler (an over-long path parameter, a malformed
 * URL) get the same JSON error body as everything else.
 */
export function frameworkErrors(error: { statusCode?: number; message: string }, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ error: { code: DEFAULT_CODES[status] ?? `http_${status}`, message: status === 414 ? 'a path segment is too long' : 'malformed request' } });
}
