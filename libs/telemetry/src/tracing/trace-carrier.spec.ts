import { attachTraceCarrier, takeTraceCarrier, TRACE_CARRIER_KEY } from './trace-carrier';

describe('trace carrier', () => {
  describe('attachTraceCarrier()', () => {
    it('adds the carrier under _trace without touching the original data', () => {
      const data = { productId: 'p-1' };
      expect(attachTraceCarrier(data, { traceparent: 'tp' })).toEqual({ productId: 'p-1', _trace: { traceparent: 'tp' } });
      expect(data).toEqual({ productId: 'p-1' });
    });

    it('returns the data itself when there is no carrier', () => {
      const data = { productId: 'p-1' };
      expect(attachTraceCarrier(data, undefined)).toBe(data);
    });
  });

  describe('takeTraceCarrier()', () => {
    it('removes the key from the message and returns its string headers', () => {
      const data: Record<string, unknown> = { productId: 'p-1', [TRACE_CARRIER_KEY]: { traceparent: 'tp', tracestate: 'a=b', bogus: 1 } };
      expect(takeTraceCarrier(data)).toEqual({ traceparent: 'tp', tracestate: 'a=b' });
      expect(data).toEqual({ productId: 'p-1' });
    });

    it('removes a malformed carrier and ignores it', () => {
      const data: Record<string, unknown> = { [TRACE_CARRIER_KEY]: 'traceparent' };
      expect(takeTraceCarrier(data)).toBeUndefined();
      expect(data).toEqual({});
    });

    it('leaves messages without a carrier, and non-object messages, alone', () => {
      const data = { productId: 'p-1' };
      expect(takeTraceCarrier(data)).toBeUndefined();
      expect(data).toEqual({ productId: 'p-1' });
      expect(takeTraceCarrier('cart-1')).toBeUndefined();
      expect(takeTraceCarrier(null)).toBeUndefined();
    });
  });
});
