import { jsonDepth } from './request-parsing';

describe('jsonDepth()', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['{"a":[1,{"b":2}]}', 3],
    ['{"a":"[[[[[{{{{"}', 1],
    ['{"a":"quote \\" then [[["}', 1],
    ['[[],[[]],[]]', 3],
  ])('measures %s as %i deep, brackets inside strings ignored', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });

  it('stops counting once past the limit', () => {
    expect(jsonDepth('['.repeat(3000) + ']'.repeat(3000), 32)).toBe(33);
  });
});
