import { ThrottledErrorLog } from './throttled-error-log';

describe('ThrottledErrorLog', () => {
  it('writes a kind of error once per interval and counts the repeats onto the next line', () => {
    let now = 0;
    const lines: string[] = [];
    const log = new ThrottledErrorLog((line) => lines.push(line), 10_000, 100, () => now);
    for (let i = 0; i < 1000; i++) log.error(new RangeError('Maximum call stack size exceeded'), () => 'unexpected RangeError');
    expect(lines).toEqual(['unexpected RangeError']);
    now = 10_001;
    log.error(new RangeError('Maximum call stack size exceeded'), () => 'unexpected RangeError');
    expect(lines).toEqual(['unexpected RangeError', 'unexpected RangeError (and 999 more like it since the last report)']);
  });

  it('writes different kinds independently', () => {
    const lines: string[] = [];
    const log = new ThrottledErrorLog((line) => lines.push(line));
    log.error(new TypeError('a'), () => 'a');
    log.error(new TypeError('b'), () => 'b');
    log.error(new TypeError('a'), () => 'a');
    expect(lines).toEqual(['a', 'b']);
  });

  it('keeps a bounded table of kinds', () => {
    const lines: string[] = [];
    const log = new ThrottledErrorLog((line) => lines.push(line), 10_000, 3);
    for (let i = 0; i < 50; i++) log.error(new Error(`kind ${i}`), () => `kind ${i}`);
    expect(lines).toHaveLength(50);
    expect((log as unknown as { kinds: Map<string, unknown> }).kinds.size).toBe(3);
  });
});
