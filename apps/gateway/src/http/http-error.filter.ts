import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, errorCodeForStatus } from '@app/contracts';
import { ThrottledErrorLog } from '@app/telemetry';
import { LabHttpException } from './lab-http.exception';

/**
 * The gateway's one error path: every failure leaves as `{error: {code, message}}` with its
 * status. The unexpected is logged once with the trace id; clients never see internals.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');
  private readonly unexpected = new ThrottledErrorLog((line) => this.logger.error(line));

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const { status, body } = this.describe(exception, http.getRequest<FastifyRequest>().hop?.trace?.span.spanContext().traceId);
    if (exception instanceof LabHttpException && exception.retryAfterSeconds !== undefined) void reply.header('retry-after', String(exception.retryAfterSeconds));
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
      return { status, body: { error: { code: errorCodeForStatus(status), message } } };
    }
    this.unexpected.error(exception, () => `unexpected error${traceId ? ` trace_id=${traceId}` : ''}: ${exception instanceof Error ? exception.stack : String(exception)}`);
    return { status: 500, body: { error: { code: ErrorCodes.internal, message: 'internal error' } } };
  }
}

/** Fastify's route-schema validation failure (see http/schemas.ts): carries the failed checks. */
function isSchemaValidationError(exception: unknown): exception is Error & { validation: unknown[] } {
  return exception instanceof Error && Array.isArray((exception as { validation?: unknown }).validation);
}
