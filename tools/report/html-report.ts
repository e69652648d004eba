import { escapeText } from './escape';
import { Chart, renderChart } from './svg-charts';

export type { Chart } from './svg-charts';

/** One column of the results table: a dotted path into each run (`latencyMs.p99`). */
export interface ReportColumn {
  key: string;
  label?: string;
}

export interface ReportInput {
  title: string;
  /** Experiment name, e.g. `crash`. */
  experiment: string;
  startedAt: string | Date;
  /** One row of the results table each (e.g. `{mode, routing, throughputRps, latencyMs: {...}}`). */
  runs: readonly Record<string, unknown>[];
  charts: readonly Chart[];
  /** A paragraph under the title. */
  description?: string;
  /** Table columns; by default every scalar field and every object of scalars (flattened), in first-seen order. */
  columns?: readonly ReportColumn[];
}

type Scalar = string | number | boolean | null;

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Dotted paths of the scalars in each run, one level of nesting deep; arrays (timelines) are left out. */
export function defaultColumns(runs: readonly Record<string, unknown>[]): ReportColumn[] {
  const keys: string[] = [];
  const add = (key: string) => {
    if (!keys.includes(key)) keys.push(key);
  };
  for (const run of runs) {
    for (const [key, value] of Object.entries(run)) {
      if (isScalar(value) || value instanceof Date) add(key);
      else if (isPlainObject(value)) {
        for (const [inner, innerValue] of Object.entries(value)) {
          if (isScalar(innerValue)) add(`${key}.${inner}`);
        }
      }
    }
  }
  return keys.map((key) => ({ key }));
}

/** The value at a column's dotted path (`latencyMs.p99`) of a run; a key holding the dot itself wins. */
export function valueAt(run: object, key: string): unknown {
  if (key in run) return (run as Record<string, unknown>)[key];
  let current: unknown = run;
  for (const part of key.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[part];
  }
  return current;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function formatCell(value: unknown): { text: string; numeric: boolean } {
  if (value === undefined || value === null) return { text: '–', numeric: false };
  if (typeof value === 'number') return { text: Number.isFinite(value) ? numberFormat.format(value) : '–', numeric: true };
  if (typeof value === 'boolean') return { text: value ? 'yes' : 'no', numeric: false };
  if (value instanceof Date) return { text: value.toISOString(), numeric: false };
  if (typeof value === 'string') return { text: value, numeric: false };
  return { text: JSON.stringify(value), numeric: false };
}

function resultsTable(runs: readonly Record<string, unknown>[], columns: readonly ReportColumn[]): string {
  if (runs.length === 0 || columns.length === 0) return '<p class="empty">No runs recorded.</p>';
  const numericColumn = columns.map((column) => {
    const values = runs.map((run) => valueAt(run, column.key)).filter((value) => value !== undefined && value !== null);
    return values.length > 0 && values.every((value) => typeof value === 'number');
  });
  // <wbr> after each dot lets long dotted paths (latencyMs.p99) wrap in a narrow header.
  const head = columns
    .map((column, i) => `<th scope="col"${numericColumn[i] ? ' class="num"' : ''}>${escapeText(column.label ?? column.key).replace(/\./g, '.<wbr>')}</th>`)
    .join('');
  const rows = runs
    .map((run) => {
      const cells = columns
        .map((column) => {
          const { text, numeric } = formatCell(valueAt(run, column.key));
          return `<td${numeric ? ' class="num"' : ''}>${escapeText(text)}</td>`;
        })
        .join('');
      return `<tr>${cells}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="results">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table></div>`;
}

function figure(chart: Chart): string {
  const wide = chart.kind === 'line';
  return (
    `<figure class="card${wide ? ' wide' : ''}">` +
    `<figcaption><h2>${escapeText(chart.title)}</h2>${chart.description ? `<p>${escapeText(chart.description)}</p>` : ''}</figcaption>` +
    renderChart({ ...chart, width: chart.width ?? (wide ? 1080 : 520), height: chart.height ?? (wide ? 380 : 340) }) +
    '</figure>'
  );
}

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: #1f2328; font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 40px; }
header { margin-bottom: 20px; }
h1 { font-size: 26px; margin: 0 0 6px; letter-spacing: -0.01em; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0; padding: 0; list-style: none; color: #57606a; font-size: 14px; }
.meta b { color: #1f2328; font-weight: 600; }
.lead { margin: 10px 0 0; max-width: 80ch; color: #32383f; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px; }
.card { margin: 0; background: #fff; border: 1px solid #d8dee4; border-radius: 10px; padding: 16px 18px 12px; box-shadow: 0 1px 2px rgba(31, 35, 40, 0.06); }
.card.wide { grid-column: 1 / -1; }
figcaption h2 { font-size: 16px; margin: 0; }
figcaption p { margin: 2px 0 0; color: #57606a; font-size: 13px; }
.card svg { display: block; width: 100%; height: auto; margin-top: 6px; }
section.results-section { margin-top: 22px; }
section.results-section h2 { font-size: 18px; margin: 0 0 10px; }
.table-wrap { overflow-x: auto; background: #fff; border: 1px solid #d8dee4; border-radius: 10px; }
table.results { border-collapse: collapse; width: 100%; font-size: 13px; }
table.results th, table.results td { padding: 7px 10px; border-bottom: 1px solid #eaeef2; white-space: nowrap; text-align: left; }
table.results th { background: #f6f8fa; font-weight: 600; color: #32383f; white-space: normal; vertical-align: bottom; }
table.results .num { text-align: right; font-variant-numeric: tabular-nums; }
table.results tbody tr:nth-child(even) { background: #fafbfc; }
table.results tbody tr:last-child td { border-bottom: 0; }
footer { margin-top: 20px; color: #8c959f; font-size: 12px; }
@media (max-width: 900px) { .charts { grid-template-columns: 1fr; } }
`;

/**
 * One self-contained HTML page: inline CSS and SVG only, no script, no external reference; a
 * Content-Security-Policy forbids the browser from fetching anything. Every text is escaped.
 */
export function renderHtmlReport(input: ReportInput): string {
  const startedAt = input.startedAt instanceof Date ? input.startedAt.toISOString() : input.startedAt;
  const startedMs = Date.parse(startedAt);
  const startedText = Number.isNaN(startedMs) ? startedAt : `${new Date(startedMs).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const columns = input.columns ?? defaultColumns(input.runs);
  const charts = input.charts.map(figure).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeText(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${escapeText(input.title)}</h1>
<ul class="meta">
<li>experiment <b>${escapeText(input.experiment)}</b></li>
<li>started <b><time datetime="${escapeText(startedAt)}">${escapeText(startedText)}</time></b></li>
<li>runs <b>${input.runs.length}</b></li>
</ul>
${input.description ? `<p class="lead">${escapeText(input.description)}</p>` : ''}
</header>
${charts ? `<div class="charts">\n${charts}\n</div>` : ''}
<section class="results-section">
<h2>Results</h2>
${resultsTable(input.runs, columns)}
</section>
<footer>statelab · ${escapeText(input.experiment)} · self-contained report (inline SVG, no scripts, no network)</footer>
</main>
</body>
</html>
`;
}
