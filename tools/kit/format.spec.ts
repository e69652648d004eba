import { change, count, num, percent, round, tally, times } from './format';

describe('round()', () => {
  it('rounds to two decimals by default, or to the digits asked for', () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(0.123456, 4)).toBe(0.1235);
    expect(round(2.5, 0)).toBe(3);
  });
});

describe('percent()', () => {
  it('gives one decimal, and - for a zero whole', () => {
    expect(percent(1, 8)).toBe('12.5%');
    expect(percent(3, 0)).toBe('-');
  });
});

describe('num()', () => {
  it.each([
    [0.012345, '0.0123'],
    [1.2345, '1.23'],
    [12.345, '12.3'],
    [123.45, '123'],
    [12345.6, '12346'],
    [0, '0'],
    [NaN, '-'],
    [undefined, '-'],
  ])('writes %p as %p', (value, text) => {
    expect(num(value)).toBe(text);
  });
});

describe('count(), change(), times()', () => {
  it('separates thousands, signs changes and writes ratios', () => {
    expect(count(1234567.4)).toBe('1 234 567');
    expect(change(110, 100)).toBe('+10.0 %');
    expect(change(96, 100)).toBe('-4.0 %');
    expect(change(1, 0)).toBe('-');
    expect(times(61.04)).toBe('61.0x');
    expect(times(Infinity)).toBe('-');
  });
});

describe('tally()', () => {
  it('counts keys from zero', () => {
    const counts: Record<string, number> = {};
    tally(counts, '200');
    tally(counts, '200');
    tally(counts, '503', 5);
    expect(counts).toEqual({ '200': 2, '503': 5 });
  });
});
