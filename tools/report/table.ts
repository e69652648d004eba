export type Cell = string | number | null | undefined;
export type Align = 'left' | 'right';

export interface TableOptions {
  /** Per column; by default a column whose cells are all numbers (or blank) is right-aligned. */
  align?: readonly (Align | undefined)[];
  /** Between columns; default two spaces. */
  gap?: string;
}

const NUMERIC = /^[-+]?(\d[\d,_ ]*)?(\.\d+)?\s*(%|ms|s|B|x)?$/;

function text(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '-';
  return cell.replace(/[\r\n\t]+/g, ' ');
}

function looksNumeric(cell: Cell): boolean {
  if (typeof cell === 'number') return true;
  const value = text(cell).trim();
  return value !== '' && /\d/.test(value) && NUMERIC.test(value);
}

/** Display width: one column per code point (good enough for the ASCII and symbols the tools print). */
function width(value: string): number {
  return [...value].length;
}

function pad(value: string, size: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, size - width(value)));
  return align === 'right' ? fill + value : value + fill;
}

/**
 * A plain-text table with aligned columns, a dashed rule under the headers and no trailing spaces.
 * Rows shorter than the headers are padded with blanks.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[], options: TableOptions = {}): string {
  const columns = Math.max(headers.length, ...rows.map((row) => row.length));
  const body = rows.map((row) => Array.from({ length: columns }, (_, i) => text(row[i])));
  const head = Array.from({ length: columns }, (_, i) => text(headers[i]));
  const widths = head.map((header, i) => Math.max(width(header), ...body.map((row) => width(row[i]))));
  const aligns: Align[] = widths.map((_, i) => {
    const explicit = options.align?.[i];
    if (explicit) return explicit;
    const cells = rows.map((row) => row[i]).filter((cell) => text(cell).trim() !== '');
    return cells.length > 0 && cells.every(looksNumeric) ? 'right' : 'left';
  });
  const gap = options.gap ?? '  ';
  const line = (cells: string[]) => cells.map((cell, i) => pad(cell, widths[i], aligns[i])).join(gap).trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}
