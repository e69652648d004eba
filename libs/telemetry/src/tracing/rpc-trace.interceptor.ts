import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { RPC_SYSTEM, TRACER_NAME } from './propagation';
import { recordSpanFailure } from './span-errors';
import { takeTraceCarrier } from './trace-carrier';
import { isTracingActive, tracingIdentity } from './tracing-runtime';

export { TRACE_CARRIER_KEY } from './trace-carrier';

/**
 * Continues the caller's trace in a service's message handlers (`@MessagePattern`).
 *
 * It removes the carrier (TRACE_CARRIER_KEY) from the message data in every case, tracing on
 * or off, because the validation pipe runs after interceptors and forbids unknown keys. When
 * tracing is on and the message carried a trace context, it starts a SERVER span
 * `<pattern> handle` as the remote caller's child and subscribes to the handler inside that
 * span's context: `next.handle()` is cold, so the handler, the pipes and the ioredis spans
 * they cause all run under the span. The span ends when the handler completes or fails.
 *
 * A message without a carrier gets no span (it was sent outside any trace, e.g. a health
 * poll). Register it before other interceptors so their work is inside the span.
 */
@Injectable()
export class RpcTraceInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() !== 'rpc') return next.handle();
    const rpc = execution.switchToRpc();
    const carrier = takeTraceCarrier(rpc.getData());
    if (!carrier || !isTracingActive()) return next.handle();

    const pattern = patternOf(rpc.getContext());
    const identity = tracingIdentity();
    const parent = propagation.extract(ROOT_CONTEXT, carrier);
    const span = trace.getTracer(TRACER_NAME).startSpan(
      `${pattern} handle`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'rpc.system': RPC_SYSTEM,
          'rpc.method': pattern,
          ...(identity && { 'rpc.service': identity.service, 'lab.replica': identity.replica }),
        },
      },
      parent,
    );
    const withSpan = trace.setSpan(parent, span);

    return new Observable<unknown>((subscriber) => {
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        span.end();
      };
      const subscription = context.with(withSpan, () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            recordSpanFailure(span, error);
            end();
            subscriber.error(error);
          },
          complete: () => {
            end();
            subscriber.complete();
          },
        }),
      );
      return () => {
        subscription.unsubscribe();
        end(); // unsubscribed early (the caller went away): the span still ends
      };
    });
  }
}

/** TcpContext and the other transports' contexts expose the pattern as a string. */
function patternOf(rpcContext: unknown): string {
  const getPattern = (rpcContext as { getPattern?: () => unknown } | undefined)?.getPattern;
  if (typeof getPattern !== 'function') return 'unknown';
  const pattern: unknown = getPattern.call(rpcContext);
  return typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
}
