import { CallHandler, ExecutionContext } from '@nestjs/common';
import { SpanContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { defer, firstValueFrom, lastValueFrom, Observable, of, throwError } from 'rxjs';
import { RpcTraceInterceptor, TRACE_CARRIER_KEY } from './rpc-trace.interceptor';
import { startInMemoryTracing, InMemoryTracing } from './testing/in-memory-tracing';

const REMOTE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const REMOTE_SPAN_ID = '00f067aa0ba902b7';

function rpcExecution(data: unknown, pattern = 'cart.items.add'): ExecutionContext {
  return {
    getType: () => 'rpc',
    switchToRpc: () => ({ getData: () => data, getContext: () => ({ getPattern: () => pattern }) }),
  } as unknown as ExecutionContext;
}

function handler(result: () => Observable<unknown>): CallHandler {
  return { handle: () => defer(result) };
}

const traced = () => ({ productId: 'p-1', [TRACE_CARRIER_KEY]: { traceparent: `00-${REMOTE_TRACE_ID}-${REMOTE_SPAN_ID}-01` } });

describe('RpcTraceInterceptor', () => {
  const interceptor = new RpcTraceInterceptor();

  describe('with tracing off', () => {
    it('still strips the carrier, so a forbidNonWhitelisted pipe accepts the message', async () => {
      const data = traced();
      await lastValueFrom(interceptor.intercept(rpcExecution(data), handler(() => of('ok'))));
      expect(data).toEqual({ productId: 'p-1' });
    });

    it('returns the handler\'s own observable', () => {
      const next = handler(() => of('ok'));
      const handled = of('ok');
      next.handle = () => handled;
      expect(interceptor.intercept(rpcExecution(traced()), next)).toBe(handled);
    });
  });

  describe('with tracing on', () => {
    let tracing: InMemoryTracing;
    beforeEach(() => {
      tracing = startInMemoryTracing({ service: 'cart', replica: 'cart-1' });
    });
    afterEach(() => tracing.stop());

    it('runs the handler inside a SERVER span that continues the remote trace', async () => {
      const activeInHandler = (await firstValueFrom(
        interceptor.intercept(rpcExecution(traced()), handler(() => of(trace.getActiveSpan()?.spanContext()))),
      )) as SpanContext | undefined;
      const [span] = tracing.spans();
      expect(span.name).toBe('cart.items.add handle');
      expect(span.kind).toBe(SpanKind.SERVER);
      expect(span.spanContext().traceId).toBe(REMOTE_TRACE_ID);
      expect(span.parentSpanContext?.spanId).toBe(REMOTE_SPAN_ID);
      expect(span.attributes).toEqual({ 'rpc.system': 'nestjs-tcp', 'rpc.method': 'cart.items.add', 'rpc.service': 'cart', 'lab.replica': 'cart-1' });
      expect(activeInHandler?.spanId).toBe(span.spanContext().spanId);
    });

    it('keeps the span active across the handler\'s awaits', async () => {
      const afterAwait = await firstValueFrom(
        interceptor.intercept(
          rpcExecution(traced()),
          handler(() =>
            defer(async () => {
              await new Promise((resolve) => setTimeout(resolve, 5));
              return trace.getActiveSpan()?.spanContext().traceId;
            }),
          ),
        ),
      );
      expect(afterAwait).toBe(REMOTE_TRACE_ID);
    });

    it('ends the span with an error status when the handler fails, and passes the error on', async () => {
      const failure = { status: 404, code: 'not_found', message: 'unknown product' };
      await expect(lastValueFrom(interceptor.intercept(rpcExecution(traced()), handler(() => throwError(() => failure))))).rejects.toBe(failure);
      const [span] = tracing.spans();
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes['error.type']).toBe('not_found');
    });

    it('makes no span for a message sent outside any trace', async () => {
      await lastValueFrom(interceptor.intercept(rpcExecution({ productId: 'p-1' }), handler(() => of('ok'))));
      expect(tracing.spans()).toEqual([]);
    });
  });
});
