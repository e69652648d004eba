import { formatTable } from './table';

describe('formatTable()', () => {
  it('aligns columns under their headers with a dashed rule and no trailing spaces', () => {
    const table = formatTable(
      ['replica', 'requests', 'share'],
      [
        ['cart-1', 1200, '40.0%'],
        ['cart-10', 75, '2.5%'],
      ],
    );
    expect(table).toBe(
      ['replica  requests  share', '-------  --------  -----', 'cart-1       1200  40.0%', 'cart-10        75   2.5%', ''].join('\n'),
    );
  });

  it('right-aligns columns of numbers with units and left-aligns text', () => {
    const lines = formatTable(['metric', 'value'], [['p50', '1.20 ms'], ['p99', '15.75 ms']]).split('\n');
    expect(lines[2]).toBe('p50      1.20 ms');
    expect(lines[3]).toBe('p99     15.75 ms');
  });

  it('follows an explicit alignment', () => {
    const lines = formatTable(['a', 'b'], [['x', '1'], ['yy', '22']], { align: ['right', 'left'] }).split('\n');
    expect(lines[2]).toBe(' x  1');
    expect(lines[3]).toBe('yy  22');
  });

  it('pads short rows, shows blanks for missing cells and dashes for non-finite numbers', () => {
    const lines = formatTable(['a', 'b', 'c'], [['x'], ['y', null, Number.NaN]]).split('\n');
    expect(lines[2]).toBe('x');
    expect(lines[3]).toBe('y     -');
  });

  it('keeps a cell with a newline on one line', () => {
    expect(formatTable(['note'], [['two\nlines']]).split('\n')[2]).toBe('two lines');
  });

  it('prints just the headers when there are no rows', () => {
    expect(formatTable(['status', 'count'], [])).toBe('status  count\n------  -----\n');
  });
});
