import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes } from '@app/contracts';
import { LabHttpException } from './lab-http.exception';

/** Error codes by status for exceptions that carry none (Nest's own and Fastify's client errors). */
export const DEFAULT_CODES: Record<number, string> = {
  400: ErrorCodes.badRequest,
  401: ErrorCodes.unauthorized,
  403: ErrorCodes.forbidden,
  404: ErrorCodes.notFound,
  413: ErrorCodes.payloadTooLarge,
  414: 'uri_too_long',
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
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const { status, body } = this.describe(exception, http.getRequest<FastifyRequest>().hop?.trace?.span.spanContext().traceId);
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private describe(exception: unknown, traceId: string | undefined): { status: number; body: { error: { code: string; message: string } } } {
    if (exception instanceof LabHttpException) {
      return { status: exception.getStatus(), body: exception.getResponse() as { error: { code: string; message: string } } };
    }
    if (isSchemaValidationError(exception)) {
      return { status: 400, body: { error: { code: ErrorCodes.badRequest, message: exception.message } } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const detail = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
      const message = Array.isArray(detail) ? detail.join('; ') : typeof detail === 'string' ? detail : exception.message;
      return { status, body: { error: { code: DEFAULT_CODES[status] ?? `http_${status}`, message } } };
    }
    this.logger.error(`unexpected error${traceId ? ` trace_id=${traceId}` : ''}: ${exception instanceof Error ? exception.stack : String(exception)}`);
    return { status: 500, body: { error: { code: ErrorCodes.internal, message: 'internal error' } } };
  }
}

/** Fastify's route-schema validation failure (see http/schemas.ts): carries the failed checks. */
function isSchemaValidationError(exception: unknown): exception is Error & { validation: unknown[] } {
  return exception instanceof Error && Array.isArray((exception as { validation?: unknown }).validation);
}
