import { Cell, formatTable } from '../report/table';
import { Machine, machineLine } from './measure';

/** One printed section: a title, the machine, what was measured, the table(s), then notes. */
export interface SectionText {
  title: string;
  /** Lines saying what was measured and how. */
  measured: readonly string[];
  tables: readonly { caption?: string; headers: readonly string[]; rows: readonly (readonly Cell[])[] }[];
  notes?: readonly string[];
}

export function formatSection(section: SectionText, machine: Machine): string {
  const lines = [`== ${section.title} ==`, machineLine(machine), ...section.measured.map((line) => `measured: ${line}`), ''];
  for (const table of section.tables) {
    if (table.caption) lines.push(table.caption);
    lines.push(formatTable(table.headers, table.rows));
  }
  for (const note of section.notes ?? []) lines.push(`* ${note}`);
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/** Three significant digits, no exponent: 0.0123, 1.23, 12.3, 123, 12345. */
export function num(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  const magnitude = Math.abs(value);
  if (magnitude === 0) return '0';
  if (magnitude >= 100) return String(Math.round(value));
  const decimals = Math.max(0, 2 - Math.floor(Math.log10(magnitude)));
  return value.toFixed(decimals);
}

/** Thousands separated by a thin gap for reading: 1 234 567. */
export function count(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** A signed change in percent: +12.3 %, -4.0 %. */
export function change(value: number, baseline: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return '-';
  const percent = ((value - baseline) / baseline) * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)} %`;
}

/** A ratio such as 61x or 0.52x. */
export function times(value: number): string {
  return Number.isFinite(value) ? `${num(value)}x` : '-';
}
