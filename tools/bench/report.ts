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
