import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { FastifyReply } from 'fastify';
import { ErrorCodes } from '@app/contracts';
import { LabHttpException } from './lab-http.exception';

/** Fastify's own client errors (bad JSON, body too large, wrong media type) by code. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: ErrorCodes.malformedJson, message: 'the body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: ErrorCodes.malformedJson, message: 'the JSON body is empty' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: ErrorCodes.payloadTooLarge, message: 'the body is larger than 16 KiB' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: ErrorCodes.unsupportedMediaType, message: 'send application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: ErrorCodes.badRequest, message: 'content-length does not match the body' },
};

const DEFAULT_CODES: Record<number, string> = {
  400: ErrorCodes.badRequest,
  401: ErrorCodes.unauthorized,
  403: ErrorCodes.forbidden,
  404: ErrorCodes.notFound,
  413: ErrorCodes.payloadTooLarge,
  415: ErrorCodes.unsupportedMediaType,
  503: ErrorCodes.serviceUnavailable,
};

/**
 * The gateway's one error path: every failure leaves as `{error: {code, message}}` with its
 * status. The unexpected is logged once with the trace id; clients never see internals.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = this.describe(exception);
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private describe(exception: unknown): { status: number; body: { error: { code: string; message: string } } } {
    if (exception instanceof LabHttpException) {
      return { status: exception.getStatus(), body: exception.getResponse() as { error: { code: string; message: string } } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const detail = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
      const message = Array.isArray(detail) ? detail.join('; ') : typeof detail === 'string' ? detail : exception.message;
      return { status, body: { error: { code: DEFAULT_CODES[status] ?? `http_${status}`, message } } };
    }
    const fastifyCode = (exception as { code?: unknown })?.code;
    if (typeof fastifyCode === 'string' && FASTIFY_ERRORS[fastifyCode]) {
      const { status, code, message } = FASTIFY_ERRORS[fastifyCode];
      return { status, body: { error: { code, message } } };
    }
    const statusCode = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return { status: statusCode, body: { error: { code: DEFAULT_CODES[statusCode] ?? `http_${statusCode}`, message: 'bad request' } } };
    }
    const traceId = trace.getActiveSpan()?.spanContext().traceId;
    this.logger.error(`unexpected error${traceId ? ` trace_id=${traceId}` : ''}: ${exception instanceof Error ? exception.stack : String(exception)}`);
    return { status: 500, body: { error: { code: ErrorCodes.internal, message: 'internal error' } } };
  }
}
