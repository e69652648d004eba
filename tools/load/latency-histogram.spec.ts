import { LatencyHistogram } from './latency-histogram';

function filled(values: number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const value of values) histogram.record(value);
  return histogram;
}

describe('LatencyHistogram', () => {
  it('reports nearest-rank percentiles within half a percent', () => {
    const histogram = filled(Array.from({ length: 1000 }, (_, i) => i + 1));
    for (const [p, exact] of [
      [50, 500],
      [95, 950],
      [99, 990],
    ]) {
      const value = histogram.percentile(p);
      expect(value).toBeGreaterThanOrEqual(exact);
      expect(value).toBeLessThanOrEqual(exact * (1 + LatencyHistogram.PRECISION));
    }
  });

  it('keeps the exact maximum, minimum, mean and count', () => {
    const histogram = filled([0.25, 3.5, 120.75]);
    expect(histogram.max).toBe(120.75);
    expect(histogram.min).toBe(0.25);
    expect(histogram.mean).toBeCloseTo(41.5, 6);
    expect(histogram.count).toBe(3);
    expect(histogram.percentile(100)).toBe(120.75);
  });

  it('never reports a percentile outside the recorded range', () => {
    const histogram = filled([7.001, 7.002, 7.003]);
    expect(histogram.percentile(1)).toBeGreaterThanOrEqual(7.001);
    expect(histogram.percentile(99)).toBeLessThanOrEqual(7.003);
  });

  it('is all zeros when empty and ignores values that are not latencies', () => {
    const histogram = filled([Number.NaN, -1, Number.POSITIVE_INFINITY]);
    expect(histogram.count).toBe(0);
    expect(histogram.percentile(50)).toBe(0);
    expect(histogram.max).toBe(0);
    expect(histogram.min).toBe(0);
  });

  it('clamps huge values into the last bucket but keeps them as the maximum', () => {
    const histogram = filled([1, LatencyHistogram.MAX_MS * 10]);
    expect(histogram.max).toBe(LatencyHistogram.MAX_MS * 10);
    expect(histogram.percentile(100)).toBe(LatencyHistogram.MAX_MS * 10);
  });

  it('rejects a percentile outside (0, 100]', () => {
    expect(() => new LatencyHistogram().percentile(0)).toThrow(RangeError);
    expect(() => new LatencyHistogram().percentile(101)).toThrow(RangeError);
  });
});
