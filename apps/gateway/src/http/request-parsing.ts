import Ajv from 'ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { ErrorCodes, errorCodeForStatus } from '@app/contracts';
import { LabHttpException } from './lab-http.exception';

/**
 * Validators of the route schemas (a failure reaches Nest as a 400 and leaves as `bad_request`): bodies strictly (a quantity of "2" is not a number, nothing
 * is removed or defaulted), query strings and path parameters with coercion (they are text).
 */
const strict = new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false });
const coercing = new Ajv({ coerceTypes: true, removeAdditional: false, useDefaults: false, allErrors: false });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strict : coercing).compile(schema) as ReturnType<FastifySchemaCompiler<object>>;

/** No valid body nests deeper than 2; anything past this is an attack on the parser or its consumers. */
export const MAX_JSON_DEPTH = 32;

/** The deepest nesting of arrays and objects in a JSON text, without parsing it (strings skipped). */
export function jsonDepth(text: string, stopAt = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > deepest && (deepest = depth) > stopAt) return deepest;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return deepest;
}

/**
 * The gateway accepts JSON bodies only: Fastify's JSON parser (prototype-poisoning safe), but a
 * body that does not parse becomes a `malformed_json` 400 rather than a generic error, and so
 * does one nested deeper than MAX_JSON_DEPTH, refused before any recursive code sees it.
 */
export function installJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers(); // anything but JSON is a 415
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      done(new LabHttpException(400, ErrorCodes.malformedJson, `the body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    parse(request, text, (error, value) => {
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
    .send({ error: { code: errorCodeForStatus(status), message: status === 414 ? 'a path segment is too long' : 'malformed request' } });
}
