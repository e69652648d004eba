import { escapeText } from './escape';

/**
 * Charts as inline SVG strings, no library: a line chart over seconds with event markers and
 * shaded bands, a grouped bar chart and a simple bar chart. Elements carry data-* attributes
 * (`data-series`, `data-event`, `data-band`, `data-bar`, `data-tick`) so tests and readers can
 * find what was drawn where.
 */

/** `number`: 1.5k style; `percent`: values are fractions (0.25 → 25%). */
export type ValueFormat = 'number' | 'percent';

interface ChartBase {
  /** Unique on the page; becomes the element id `chart-<id>`. */
  id: string;
  title: string;
  /** A sentence shown under the chart. */
  description?: string;
  yLabel: string;
  format?: ValueFormat;
  width?: number;
  height?: number;
}

export interface LinePoint {
  x: number;
  /** null leaves a gap in the line. */
  y: number | null;
}

export interface LineSeries {
  name: string;
  points: readonly LinePoint[];
  color?: string;
  dashed?: boolean;
}

/** A moment worth marking, e.g. `{x: 20, label: 'crash cart-2'}`. */
export interface ChartEvent {
  x: number;
  label: string;
}

/** A span worth shading, e.g. `{from: 30, to: 45, label: 'redis down'}`. */
export interface ChartBand {
  from: number;
  to: number;
  label: string;
}

export interface LineChart extends ChartBase {
  kind: 'line';
  /** Default `seconds`. */
  xLabel?: string;
  /** `log` keeps a few huge values (timeouts) from flattening the rest; values <= 0 are left out. */
  yScale?: 'linear' | 'log';
  series: readonly LineSeries[];
  events?: readonly ChartEvent[];
  bands?: readonly ChartBand[];
}

export interface GroupedBarChart extends ChartBase {
  kind: 'grouped-bar';
  /** One cluster per group, e.g. one per run. */
  groups: readonly string[];
  /** One bar per series in each group, e.g. one per replica; `values[i]` belongs to `groups[i]`. */
  series: readonly { name: string; values: readonly number[]; color?: string }[];
}

export interface BarChart extends ChartBase {
  kind: 'bar';
  bars: readonly { label: string; value: number; color?: string }[];
}

export type Chart = LineChart | GroupedBarChart | BarChart;

/** Tableau 10: distinct, colour-blind tolerant, readable on white. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const;

const EVENT_COLOR = '#3d3d3d';
const BAND_COLOR = '#e15759';
const GRID_COLOR = '#e8e8e8';
const AXIS_COLOR = '#8a8a8a';
const LABEL_COLOR = '#555';
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";
/** A white outline behind a label, so it stays legible over lines and bands. */
const HALO = ' paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round"';
const CHAR_WIDTH = 6.6; // rough width of a 12px sans-serif character, for layout only

export function colorAt(index: number): string {
  return PALETTE[index % PALETTE.length];
}

const num = (value: number) => (Math.round(value * 10) / 10).toString();

/** Linear map from `domain` to `range`; a zero-width domain maps to the range's middle. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

export interface Ticks {
  min: number;
  max: number;
  /** Distance between ticks; 0 for logarithmic ticks. */
  step: number;
  values: number[];
}

/** Round-number ticks (1, 2, 2.5, 5 × 10^k) covering [min, max] in about `count` steps. */
export function niceTicks(min: number, max: number, count = 5): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    min = 0;
    max = 1;
  }
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    if (min === 0) max = 1;
    else if (min > 0) min = 0;
    else max = 0;
  }
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normal = raw / magnitude;
  const step = (normal <= 1 ? 1 : normal <= 2 ? 2 : normal <= 2.5 ? 2.5 : normal <= 5 ? 5 : 10) * magnitude;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const fix = (value: number) => Number(value.toFixed(decimals));
  const niceMin = fix(Math.floor(min / step + 1e-9) * step);
  const niceMax = fix(Math.ceil(max / step - 1e-9) * step);
  const values: number[] = [];
  for (let i = 0; niceMin + i * step <= niceMax + step / 1e6; i++) values.push(fix(niceMin + i * step));
  return { min: niceMin, max: niceMax, step, values };
}

/** Ticks at powers of ten covering [min, max] (both > 0), with 2 and 5 in between when few decades are spanned. */
export function logTicks(min: number, max: number): Ticks {
  if (!(min > 0) || !Number.isFinite(min)) min = 1;
  if (!(max > 0) || !Number.isFinite(max)) max = min;
  if (max < min) [min, max] = [max, min];
  const low = Math.floor(Math.log10(min) + 1e-9);
  let high = Math.ceil(Math.log10(max) - 1e-9);
  if (high === low) high = low + 1;
  const multiples = high - low <= 2 ? [1, 2, 5] : [1];
  const values: number[] = [];
  for (let exponent = low; exponent <= high; exponent++) {
    for (const multiple of multiples) {
      const value = Number((multiple * 10 ** exponent).toPrecision(12));
      if (value <= 10 ** high * (1 + 1e-9)) values.push(value);
    }
  }
  return { min: 10 ** low, max: 10 ** high, step: 0, values };
}

/** Logarithmic map from `domain` (both > 0) to `range`; values <= 0 land on the domain's low end. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number {
  const linear = linearScale([Math.log10(domain[0]), Math.log10(domain[1])], range);
  return (value) => linear(Math.log10(value > 0 ? value : domain[0]));
}

function trimZeros(value: string): string {
  return value.includes('.') ? value.replace(/\.?0+$/, '') : value;
}

/** A value as a label: `1.5k`, `2.3M`, `0.25`, or `25%` for the percent format. */
export function formatValue(value: number, format: ValueFormat = 'number', step?: number): string {
  if (!Number.isFinite(value)) return '–';
  if (step !== undefined && !(step > 0)) step = undefined;
  if (format === 'percent') {
    const digits = step !== undefined ? Math.max(0, Math.ceil(-Math.log10(step * 100))) : Math.abs(value) < 0.1 ? 1 : 0;
    return `${trimZeros((value * 100).toFixed(Math.min(digits, 3)))}%`;
  }
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trimZeros((value / 1e6).toFixed(abs >= 1e7 ? 0 : 1))}M`;
  if (abs >= 1e4) return `${trimZeros((value / 1e3).toFixed(abs >= 1e5 ? 0 : 1))}k`;
  const digits = step !== undefined ? Math.max(0, Math.ceil(-Math.log10(step))) : abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return trimZeros(value.toFixed(Math.min(digits, 4)));
}

function textWidth(text: string, size = 12): number {
  return text.length * CHAR_WIDTH * (size / 12);
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

interface LegendItem {
  name: string;
  color: string;
  shape: 'line' | 'dashed' | 'box';
}

/** Legend items laid out in rows from (x, y) within `maxWidth`; returns the markup and its height. */
function legend(items: readonly LegendItem[], x: number, y: number, maxWidth: number): { svg: string; height: number } {
  if (items.length === 0) return { svg: '', height: 0 };
  const rowHeight = 18;
  let cx = x;
  let cy = y;
  const parts: string[] = [];
  for (const item of items) {
    const itemWidth = 20 + textWidth(item.name) + 18;
    if (cx > x && cx + itemWidth > x + maxWidth) {
      cx = x;
      cy += rowHeight;
    }
    const swatch =
      item.shape === 'box'
        ? `<rect x="${num(cx)}" y="${num(cy - 9)}" width="14" height="10" rx="2" fill="${item.color}"/>`
        : `<line x1="${num(cx)}" x2="${num(cx + 14)}" y1="${num(cy - 4)}" y2="${num(cy - 4)}" stroke="${item.color}" stroke-width="3"${item.shape === 'dashed' ? ' stroke-dasharray="5 3"' : ''} stroke-linecap="round"/>`;
    parts.push(
      `<g class="legend-item" data-legend="${escapeText(item.name)}">${swatch}<text x="${num(cx + 20)}" y="${num(cy)}" font-size="12" fill="#333">${escapeText(item.name)}</text></g>`,
    );
    cx += itemWidth;
  }
  return { svg: `<g class="legend">${parts.join('')}</g>`, height: cy - y + rowHeight };
}

function svgOpen(chart: Chart, width: number, height: number): string {
  const titleId = `chart-${chart.id}-title`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" id="chart-${escapeText(chart.id)}" data-chart="${chart.kind}" ` +
    `viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${escapeText(titleId)}" ` +
    `font-family="${escapeText(FONT)}">` +
    `<title id="${escapeText(titleId)}">${escapeText(chart.title)}</title>` +
    (chart.description ? `<desc>${escapeText(chart.description)}</desc>` : '')
  );
}

/** Horizontal grid, y ticks with labels, the y axis label and the axis lines. */
function yAxis(frame: Frame, ticks: Ticks, y: (value: number) => number, label: string, format: ValueFormat): string {
  const parts: string[] = ['<g class="axis y-axis">'];
  for (const value of ticks.values) {
    const py = num(y(value));
    parts.push(
      `<g class="tick" data-tick="y" data-value="${value}">` +
        `<line x1="${frame.left}" x2="${frame.width - frame.right}" y1="${py}" y2="${py}" stroke="${value === 0 ? AXIS_COLOR : GRID_COLOR}"/>` +
        `<text x="${frame.left - 8}" y="${py}" dy="0.32em" text-anchor="end" font-size="11" fill="${LABEL_COLOR}">${escapeText(formatValue(value, format, ticks.step))}</text>` +
        '</g>',
    );
  }
  const midY = num((frame.top + frame.height - frame.bottom) / 2);
  parts.push(
    `<text class="axis-label" transform="translate(14 ${midY}) rotate(-90)" text-anchor="middle" font-size="12" fill="#333">${escapeText(label)}</text>`,
    `<line x1="${frame.left}" x2="${frame.left}" y1="${frame.top}" y2="${frame.height - frame.bottom}" stroke="${AXIS_COLOR}"/>`,
    '</g>',
  );
  return parts.join('');
}

function leftMargin(ticks: Ticks, format: ValueFormat): number {
  const widest = Math.max(...ticks.values.map((value) => textWidth(formatValue(value, format, ticks.step), 11)));
  return Math.ceil(Math.max(56, widest + 36));
}

function noData(frame: Frame): string {
  const x = num((frame.left + frame.width - frame.right) / 2);
  const y = num((frame.top + frame.height - frame.bottom) / 2);
  return `<text class="no-data" x="${x}" y="${y}" text-anchor="middle" font-size="13" fill="#888">no data</text>`;
}

/** Event labels sit in rows above the plot; a label moves down a row when it would overlap the one before. */
function layoutEventLabels(events: readonly ChartEvent[], x: (value: number) => number, plotRight: number): { event: ChartEvent; row: number; anchor: 'start' | 'end' }[] {
  const rowEnds: number[] = [];
  return [...events]
    .sort((a, b) => a.x - b.x)
    .map((event) => {
      const px = x(event.x);
      const w = textWidth(event.label, 11);
      const anchor: 'start' | 'end' = px + 4 + w > plotRight ? 'end' : 'start';
      const from = anchor === 'start' ? px : px - w - 4;
      const to = anchor === 'start' ? px + w + 4 : px;
      let row = rowEnds.findIndex((end) => end + 6 <= from);
      if (row < 0) {
        row = rowEnds.length < 3 ? rowEnds.length : rowEnds.indexOf(Math.min(...rowEnds));
      }
      rowEnds[row] = to;
      return { event, row, anchor };
    });
}

export function renderLineChart(chart: LineChart): string {
  const width = chart.width ?? 760;
  const height = chart.height ?? 380;
  const format = chart.format ?? 'number';
  const events = chart.events ?? [];
  const bands = chart.bands ?? [];

  const xs: number[] = [];
  const ys: number[] = [];
  for (const series of chart.series) {
    for (const point of series.points) {
      if (!Number.isFinite(point.x)) continue;
      xs.push(point.x);
      if (point.y !== null && Number.isFinite(point.y)) ys.push(point.y);
    }
  }
  for (const event of events) xs.push(event.x);
  for (const band of bands) xs.push(band.from, band.to);
  const hasData = ys.length > 0;

  const xTicks = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 8);
  const log = chart.yScale === 'log';
  const positive = ys.filter((value) => value > 0);
  // A little headroom keeps the highest line clear of the band labels along the top.
  const yTicks = log
    ? logTicks(positive.length ? Math.min(...positive) : 1, positive.length ? Math.max(...positive) : 10)
    : niceTicks(Math.min(0, ...ys), ys.length ? Math.max(...ys) * 1.05 : 1, 5);

  const left = leftMargin(yTicks, format);
  const right = 24;
  const legendBlock = legend(
    chart.series.map((series, i) => ({ name: series.name, color: series.color ?? colorAt(i), shape: series.dashed ? 'dashed' : 'line' })),
    left,
    16,
    width - left - right,
  );
  const plotRight = width - right;
  const xProvisional = linearScale([xTicks.min, xTicks.max], [left, plotRight]);
  const labels = layoutEventLabels(events, xProvisional, plotRight);
  const labelRows = labels.length ? Math.max(...labels.map((label) => label.row)) + 1 : 0;
  const top = 10 + legendBlock.height + (labelRows ? labelRows * 15 + 4 : 0) + 6;
  const bottom = 50;
  const frame: Frame = { width, height, left, right, top, bottom };
  const plotBottom = height - bottom;

  const x = linearScale([xTicks.min, xTicks.max], [left, plotRight]);
  const y = (log ? logScale : linearScale)([yTicks.min, yTicks.max], [plotBottom, top]);

  const parts: string[] = [svgOpen(chart, width, height), legendBlock.svg];

  const bandSpans = bands.map((band) => ({ band, x0: x(Math.min(band.from, band.to)), x1: x(Math.max(band.from, band.to)) }));
  parts.push('<g class="bands">');
  for (const { band, x0, x1 } of bandSpans) {
    parts.push(
      `<g class="band" data-band="${escapeText(band.label)}" data-from="${band.from}" data-to="${band.to}">` +
        `<rect x="${num(x0)}" y="${top}" width="${num(Math.max(1, x1 - x0))}" height="${num(plotBottom - top)}" fill="${BAND_COLOR}" fill-opacity="0.13"/>` +
        '</g>',
    );
  }
  parts.push('</g>');

  parts.push(yAxis(frame, yTicks, y, chart.yLabel, format));

  parts.push('<g class="axis x-axis">');
  for (const value of xTicks.values) {
    const px = num(x(value));
    parts.push(
      `<g class="tick" data-tick="x" data-value="${value}">` +
        `<line x1="${px}" x2="${px}" y1="${plotBottom}" y2="${plotBottom + 5}" stroke="${AXIS_COLOR}"/>` +
        `<text x="${px}" y="${plotBottom + 18}" text-anchor="middle" font-size="11" fill="${LABEL_COLOR}">${escapeText(formatValue(value, 'number', xTicks.step))}</text>` +
        '</g>',
    );
  }
  parts.push(
    `<line x1="${left}" x2="${plotRight}" y1="${plotBottom}" y2="${plotBottom}" stroke="${AXIS_COLOR}"/>`,
    `<text class="axis-label" x="${num((left + plotRight) / 2)}" y="${height - 10}" text-anchor="middle" font-size="12" fill="#333">${escapeText(chart.xLabel ?? 'seconds')}</text>`,
    '</g>',
  );

  parts.push('<g class="series">');
  chart.series.forEach((series, i) => {
    const color = series.color ?? colorAt(i);
    const segments: string[][] = [[]];
    for (const point of series.points) {
      if (point.y === null || !Number.isFinite(point.y) || !Number.isFinite(point.x) || (log && point.y <= 0)) {
        if (segments[segments.length - 1].length) segments.push([]);
        continue;
      }
      segments[segments.length - 1].push(`${num(x(point.x))},${num(y(point.y))}`);
    }
    const drawn = segments.filter((segment) => segment.length > 0);
    const d = drawn.map((segment) => `M${segment.join('L')}`).join('');
    const dots = drawn
      .filter((segment) => segment.length === 1)
      .map((segment) => {
        const [cx, cy] = segment[0].split(',');
        return `<circle cx="${cx}" cy="${cy}" r="3" fill="${color}"/>`;
      })
      .join('');
    parts.push(
      `<g data-series="${escapeText(series.name)}">` +
        (d
          ? `<path d="${d}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`
          : '') +
        dots +
        '</g>',
    );
  });
  parts.push('</g>');

  // Band labels go over the series so a line never hides them.
  parts.push('<g class="band-labels">');
  for (const { band, x0, x1 } of bandSpans) {
    parts.push(
      `<text data-band-label="${escapeText(band.label)}" x="${num((x0 + x1) / 2)}" y="${num(top + 14)}" text-anchor="middle" font-size="11" font-weight="600" fill="#a8323a"${HALO}>${escapeText(band.label)}</text>`,
    );
  }
  parts.push('</g>');

  parts.push('<g class="events">');
  for (const { event, row, anchor } of labels) {
    const px = num(x(event.x));
    const labelY = top - 6 - (labelRows - 1 - row) * 15;
    const textX = anchor === 'start' ? Number(px) + 4 : Number(px) - 4;
    parts.push(
      `<g class="event" data-event="${escapeText(event.label)}" data-x="${event.x}">` +
        `<line x1="${px}" x2="${px}" y1="${num(labelY + 3)}" y2="${plotBottom}" stroke="${EVENT_COLOR}" stroke-width="1.5" stroke-dasharray="4 3"/>` +
        `<text x="${num(textX)}" y="${num(labelY)}" text-anchor="${anchor}" font-size="11" font-weight="600" fill="${EVENT_COLOR}"${HALO}>${escapeText(event.label)}</text>` +
        '</g>',
    );
  }
  parts.push('</g>');

  if (!hasData) parts.push(noData(frame));
  parts.push('</svg>');
  return parts.join('');
}

/** Group labels under the axis, broken into at most two lines that fit `maxWidth`. */
function wrapLabel(label: string, maxWidth: number): string[] {
  const words = label.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    if (current && textWidth(candidate, 11) > maxWidth && lines.length < 1) {
      lines.push(current);
      current = word;
    } else {
      current = candidate;
    }
  }
  if (current) lines.push(current);
  return lines;
}

interface BarSpec {
  group: number;
  slot: number;
  value: number;
  color: string;
  series: string;
}

function renderBars(
  chart: GroupedBarChart | BarChart,
  groups: readonly string[],
  slots: number,
  bars: readonly BarSpec[],
  legendItems: readonly LegendItem[],
): string {
  const width = chart.width ?? 760;
  const height = chart.height ?? 360;
  const format = chart.format ?? 'number';
  const values = bars.map((bar) => bar.value).filter(Number.isFinite);
  const yTicks = niceTicks(Math.min(0, ...values), values.length ? Math.max(...values) : 1, 5);
  const left = leftMargin(yTicks, format);
  const right = 20;
  const legendBlock = legend(legendItems, left, 16, width - left - right);
  const top = 10 + legendBlock.height + 14;
  const bottom = 58;
  const frame: Frame = { width, height, left, right, top, bottom };
  const plotRight = width - right;
  const plotBottom = height - bottom;
  const y = linearScale([yTicks.min, yTicks.max], [plotBottom, top]);
  const groupWidth = (plotRight - left) / Math.max(1, groups.length);
  const room = groupWidth * 0.76;
  const gap = slots > 1 ? Math.min(3, room / slots / 4) : 0;
  // Few bars on a wide chart would turn into slabs: cap their width and centre the cluster.
  const barWidth = Math.max(1, Math.min(slots > 1 ? 48 : 84, (room - gap * (slots - 1)) / Math.max(1, slots)));
  const inner = barWidth * slots + gap * (slots - 1);
  const showValues = barWidth >= 22;

  const parts: string[] = [svgOpen(chart, width, height), legendBlock.svg, yAxis(frame, yTicks, y, chart.yLabel, format)];
  parts.push('<g class="bars">');
  for (const bar of bars) {
    if (!Number.isFinite(bar.value)) continue;
    const x0 = left + bar.group * groupWidth + (groupWidth - inner) / 2 + bar.slot * (barWidth + gap);
    const yValue = y(bar.value);
    const yZero = y(0);
    const rectY = Math.min(yValue, yZero);
    const rectHeight = Math.abs(yZero - yValue);
    const label = formatValue(bar.value, format);
    parts.push(
      `<g class="bar" data-bar="${escapeText(bar.series)}" data-group="${escapeText(groups[bar.group])}" data-value="${bar.value}">` +
        `<title>${escapeText(`${groups[bar.group]} · ${bar.series}: ${label}`)}</title>` +
        `<rect x="${num(x0)}" y="${num(rectY)}" width="${num(barWidth)}" height="${num(rectHeight)}" rx="2" fill="${bar.color}"/>` +
        (showValues
          ? `<text x="${num(x0 + barWidth / 2)}" y="${num(rectY - 5)}" text-anchor="middle" font-size="${barWidth >= 34 ? 11 : 10}" fill="#333">${escapeText(label)}</text>`
          : '') +
        '</g>',
    );
  }
  parts.push('</g>');

  parts.push('<g class="axis x-axis">');
  groups.forEach((group, i) => {
    const cx = left + (i + 0.5) * groupWidth;
    const lines = wrapLabel(group, groupWidth - 6);
    parts.push(
      `<text class="group-label" data-group="${escapeText(group)}" x="${num(cx)}" y="${plotBottom + 18}" text-anchor="middle" font-size="11" fill="#333">` +
        lines.map((line, n) => `<tspan x="${num(cx)}" dy="${n === 0 ? 0 : 14}">${escapeText(line)}</tspan>`).join('') +
        '</text>',
    );
  });
  parts.push(`<line x1="${left}" x2="${plotRight}" y1="${num(y(0))}" y2="${num(y(0))}" stroke="${AXIS_COLOR}"/>`, '</g>');
  if (bars.length === 0) parts.push(noData(frame));
  parts.push('</svg>');
  return parts.join('');
}

export function renderGroupedBarChart(chart: GroupedBarChart): string {
  const bars: BarSpec[] = [];
  chart.series.forEach((series, slot) => {
    chart.groups.forEach((_, group) => {
      const value = series.values[group];
      if (value !== undefined) bars.push({ group, slot, value, color: series.color ?? colorAt(slot), series: series.name });
    });
  });
  const legendItems = chart.series.map((series, i): LegendItem => ({ name: series.name, color: series.color ?? colorAt(i), shape: 'box' }));
  return renderBars(chart, chart.groups, chart.series.length, bars, legendItems);
}

export function renderBarChart(chart: BarChart): string {
  const bars = chart.bars.map((bar, group): BarSpec => ({ group, slot: 0, value: bar.value, color: bar.color ?? colorAt(0), series: bar.label }));
  return renderBars(chart, chart.bars.map((bar) => bar.label), 1, bars, []);
}

/** Any chart as one `<svg data-chart="…">` element. */
export function renderChart(chart: Chart): string {
  switch (chart.kind) {
    case 'line':
      return renderLineChart(chart);
    case 'grouped-bar':
      return renderGroupedBarChart(chart);
    case 'bar':
      return renderBarChart(chart);
  }
}
