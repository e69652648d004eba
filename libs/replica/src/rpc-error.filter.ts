import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';
import { ErrorCodes, errorCodeForStatus, isLabErrorBody, LabErrorBody, WRITE_PATTERNS } from '@app/contracts';
import { StoreUnavailableError } from '@app/state';
import { trace } from '@opentelemetry/api';
import { ThrottledErrorLog } from '@app/telemetry';
import type { LabTcpContext } from '@app/transport';

/**
 * The one error path of a replica: every failure leaves as a structured LabErrorBody. The
 * unexpected is logged once, with the trace id, and leaves as a bare 500.
 */
@Catch()
export class RpcErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('RpcErrorFilter');
  private readonly unexpected = new ThrottledErrorLog((line) => this.logger.error(line));

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    return throwError(() => this.toBody(exception, host));
  }

  private toBody(exception: unknown, host: ArgumentsHost): LabErrorBody {
    if (exception instanceof RpcException) {
      const error = exception.getError();
      if (isLabErrorBody(error)) return error;
    }
    const call = host.getType() === 'rpc' ? (host.switchToRpc().getContext() as Partial<LabTcpContext> | undefined) : undefined;
    const pattern = String(call?.getPattern?.() ?? '');
    if (exception instanceof StoreUnavailableError) {
      // A change whose command reached the store and got no answer may have been made: say so.
      if (exception.mayHaveApplied && WRITE_PATTERNS.has(pattern)) {
        return {
          status: 503,
          code: ErrorCodes.outcomeUnknown,
          message: 'the state store did not answer a change it was sent: it may have been applied; look before you retry',
        };
      }
      return { status: 503, code: ErrorCodes.storeUnavailable, message: 'the state store is unavailable' };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, code: errorCodeForStatus(status), message: exception.message };
    }
    // The call's own span: the replicas keep no async context to find an active one in.
    const parent = call?.getTraceParent?.();
    const traceId = (parent && trace.getSpanContext(parent)?.traceId) ?? trace.getActiveSpan()?.spanContext().traceId;
    this.unexpected.error(
      exception,
      () =>
        `unexpected error in ${pattern || 'handler'}${traceId ? ` trace_id=${traceId}` : ''}: ${exception instanceof Error ? exception.stack : String(exception)}`,
    );
    return { status: 500, code: ErrorCodes.internal, message: 'internal error' };
  }
}
