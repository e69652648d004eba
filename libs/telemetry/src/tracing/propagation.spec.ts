import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { injectTraceContext, withClientSpan, withServerSpan } from './propagation';
import { startInMemoryTracing, InMemoryTracing } from './testing/in-memory-tracing';

const target = { service: 'cart', method: 'cart.items.add', replica: 'cart-2', address: '127.0.0.1', port: 7302 };

describe('propagation', () => {
  describe('with tracing off', () => {
    it('injectTraceContext() returns undefined', () => {
      expect(injectTraceContext()).toBeUndefined();
    });

    it('withClientSpan() runs the call with no carrier', async () => {
      await expect(withClientSpan('cart.items.add send', target, async (carrier) => carrier)).resolves.toBeUndefined();
    });
  });

  describe('with tracing on', () => {
    let tracing: InMemoryTracing;
    const tracer = () => trace.getTracer('test');

    beforeEach(() => {
      tracing = startInMemoryTracing({ service: 'gateway', replica: 'gateway' });
    });
    afterEach(() => tracing.stop());

    it('injectTraceContext() returns undefined outside a span', () => {
      expect(injectTraceContext()).toBeUndefined();
    });

    it('injectTraceContext() returns the traceparent of the active span', () => {
      tracer().startActiveSpan('request', (span) => {
        const { traceId, spanId } = span.spanContext();
        expect(injectTraceContext()).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
        span.end();
      });
    });

    it('withClientSpan() makes a CLIENT span under the active one and hands over a carrier naming it', async () => {
      const request = tracer().startSpan('request');
      const seen = await context.with(trace.setSpan(context.active(), request), () =>
        withClientSpan('cart.items.add send', target, async (carrier) => ({ carrier, active: trace.getActiveSpan()?.spanContext().spanId })),
      );
      request.end();

      const client = tracing.spans().find((s) => s.name === 'cart.items.add send');
      expect(client?.kind).toBe(SpanKind.CLIENT);
      expect(client?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(client?.attributes).toEqual({
        'rpc.system': 'statelab-tcp',
        'rpc.service': 'cart',
        'rpc.method': 'cart.items.add',
        'lab.replica': 'cart-2',
        'server.address': '127.0.0.1',
        'server.port': 7302,
      });
      expect(seen.carrier?.traceparent).toBe(`00-${client?.spanContext().traceId}-${client?.spanContext().spanId}-01`);
      expect(seen.active).toBe(client?.spanContext().spanId);
    });

    it('withClientSpan() records a structured RPC error on the span and rethrows it unchanged', async () => {
      const failure = { status: 404, code: 'not_found', message: 'unknown product' };
      await tracer().startActiveSpan('request', async (request) => {
        await expect(withClientSpan('cart.items.add send', target, () => Promise.reject(failure))).rejects.toBe(failure);
        request.end();
      });

      const client = tracing.spans().find((s) => s.name === 'cart.items.add send');
      expect(client?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'unknown product' });
      expect(client?.attributes['error.type']).toBe('not_found');
      expect(client?.events.map((e) => e.name)).toEqual(['exception']);
    });

    it('withClientSpan() makes no span outside a trace (a background health poll)', async () => {
      await expect(withClientSpan('lab.health send', target, async (carrier) => carrier)).resolves.toBeUndefined();
      expect(tracing.spans()).toEqual([]);
    });

    describe('withServerSpan()', () => {
      const REMOTE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
      const REMOTE_SPAN_ID = '00f067aa0ba902b7';
      const carrier = { traceparent: `00-${REMOTE_TRACE_ID}-${REMOTE_SPAN_ID}-01` };

      it('runs the handler inside a SERVER span that continues the remote trace', async () => {
        const active = await withServerSpan('cart.items.add', carrier, async () => trace.getActiveSpan()?.spanContext());
        const [span] = tracing.spans();
        expect(span.name).toBe('cart.items.add handle');
        expect(span.kind).toBe(SpanKind.SERVER);
        expect(span.spanContext().traceId).toBe(REMOTE_TRACE_ID);
        expect(span.parentSpanContext?.spanId).toBe(REMOTE_SPAN_ID);
        expect(active?.spanId).toBe(span.spanContext().spanId);
        expect(span.attributes).toEqual({ 'rpc.system': 'statelab-tcp', 'rpc.method': 'cart.items.add', 'rpc.service': 'gateway', 'lab.replica': 'gateway' });
      });

      it('keeps the span active across the awaits inside the handler', async () => {
        const seen = await withServerSpan('cart.get', carrier, async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return trace.getActiveSpan()?.spanContext().traceId;
        });
        expect(seen).toBe(REMOTE_TRACE_ID);
      });

      it('records a structured failure on the span and rethrows it unchanged', async () => {
        const failure = { status: 404, code: 'not_found', message: 'no such cart item' };
        await expect(withServerSpan('cart.items.remove', carrier, () => Promise.reject(failure))).rejects.toBe(failure);
        const [span] = tracing.spans();
        expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no such cart item' });
        expect(span.attributes['error.type']).toBe('not_found');
      });
    });
  });
});
