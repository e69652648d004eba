import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The repository's Grafana folder: provisioning files and the committed dashboards. */
export const GRAFANA_DIR = path.resolve(__dirname, '..', '..', 'grafana');
export const DASHBOARDS_DIR = path.join(GRAFANA_DIR, 'dashboards');
export const DATASOURCES_FILE = path.join(GRAFANA_DIR, 'provisioning', 'datasources', 'datasources.yml');

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface GrafanaTarget {
  refId?: string;
  expr?: string;
  datasource?: DatasourceRef | string | null;
  exemplar?: boolean;
  hide?: boolean;
  legendFormat?: string;
  [key: string]: unknown;
}

export interface GrafanaPanel {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: DatasourceRef | string | null;
  targets?: GrafanaTarget[];
  /** Rows keep their children here while collapsed. */
  panels?: GrafanaPanel[];
  fieldConfig?: { defaults?: { unit?: string; [key: string]: unknown }; overrides?: unknown[] };
  [key: string]: unknown;
}

export interface GrafanaAnnotation {
  name?: string;
  datasource?: DatasourceRef | string | null;
  expr?: string;
  builtIn?: number;
  [key: string]: unknown;
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  refresh?: string;
  time?: { from: string; to: string };
  panels: GrafanaPanel[];
  annotations?: { list?: GrafanaAnnotation[] };
  templating?: { list?: unknown[] };
  [key: string]: unknown;
}

export interface LoadedDashboard {
  /** File name inside grafana/dashboards, e.g. `overview.json`. */
  file: string;
  dashboard: GrafanaDashboard;
}

export type PanelMode = 'stateful' | 'redis' | 'any';

export interface PanelQuery {
  /** The dashboard's uid, e.g. `statelab-overview`. */
  dashboard: string;
  /** The panel's title. */
  panel: string;
  panelId: number | undefined;
  refId: string | undefined;
  /** Ready for /api/v1/query: every Grafana variable replaced by a concrete value. */
  expr: string;
  /** The expression exactly as the dashboard holds it. */
  rawExpr: string;
  /** Which STATE_MODE the panel has data in, from its `(redis mode)` / `(stateful mode)` marker. */
  mode: PanelMode;
}

/** Concrete values for Grafana's built-in variables, as Prometheus durations (`8s`, `15m`). */
export interface GrafanaVariableValues {
  interval: string;
  rateInterval: string;
  range: string;
}

export const REDIS_MODE_MARKER = '(redis mode)';
export const STATEFUL_MODE_MARKER = '(stateful mode)';

/** Parses every `*.json` in grafana/dashboards (sorted by name); throws naming the file that is not valid JSON. */
export function loadDashboards(dir = DASHBOARDS_DIR): LoadedDashboard[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      try {
        return { file, dashboard: JSON.parse(text) as GrafanaDashboard };
      } catch (error) {
        throw new Error(`grafana/dashboards/${file} is not valid JSON: ${(error as Error).message}`);
      }
    });
}

/** Every panel of a dashboard, rows' nested panels included (a collapsed row holds its panels). */
export function flattenPanels(dashboard: GrafanaDashboard): GrafanaPanel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Rows and text panels are layout, not queries. */
export function isQueryPanel(panel: GrafanaPanel): boolean {
  return panel.type !== 'row' && panel.type !== 'text';
}

/** The mode a panel has data in, from the marker in its description. */
export function panelMode(panel: GrafanaPanel): PanelMode {
  const description = panel.description ?? '';
  const redis = description.includes(REDIS_MODE_MARKER);
  const stateful = description.includes(STATEFUL_MODE_MARKER);
  if (redis && stateful) throw new Error(`panel "${panel.title}" is marked both ${REDIS_MODE_MARKER} and ${STATEFUL_MODE_MARKER}`);
  return redis ? 'redis' : stateful ? 'stateful' : 'any';
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** Milliseconds in a Prometheus duration such as `30s`, `1m30s` or `15m`. */
export function durationMs(duration: string): number {
  const parts = [...duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== duration) {
    throw new Error(`not a Prometheus duration: ${duration}`);
  }
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * DURATION_UNITS_MS[unit], 0);
}

/**
 * What Grafana itself substitutes on a dashboard opened at its default range: `$__interval`
 * is the datasource's `timeInterval` (the scrape interval; the range divided by the panel
 * width is smaller at 15 minutes), `$__rate_interval` four of them, `$__range` the range.
 */
export function defaultVariableValues(dashboard?: GrafanaDashboard): GrafanaVariableValues {
  const interval = provisionedTimeInterval();
  const from = dashboard?.time?.from ?? 'now-15m';
  const range = /^now-(\w+)$/.exec(from)?.[1] ?? '15m';
  return { interval, rateInterval: `${(4 * durationMs(interval)) / 1000}s`, range };
}

function provisionedTimeInterval(): string {
  const text = readFileSync(DATASOURCES_FILE, 'utf8');
  return /^\s*timeInterval:\s*['"]?(\w+)['"]?\s*$/m.exec(text)?.[1] ?? '15s';
}

/**
 * Replaces Grafana's built-in variables (`$__rate_interval`, `${__interval}`, `$__range_s`, …)
 * by concrete values, so the expression can go to Prometheus as it is. Throws on any variable
 * left over: a query Prometheus cannot run is a broken panel.
 */
export function substituteGrafanaVariables(expr: string, values: GrafanaVariableValues): string {
  const seconds = (duration: string) => String(Math.round(durationMs(duration) / 1000));
  const ms = (duration: string) => String(durationMs(duration));
  const table: Record<string, string> = {
    __rate_interval: values.rateInterval,
    __rate_interval_ms: ms(values.rateInterval),
    __interval: values.interval,
    __interval_ms: ms(values.interval),
    __range: values.range,
    __range_s: seconds(values.range),
    __range_ms: ms(values.range),
  };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    if (/^\d+$/.test(name)) return match; // `$1` in a label_replace replacement is PromQL's own
    const value = table[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${match} in: ${expr}`);
    return value;
  });
}

/**
 * Every query of every panel of the committed dashboards, with Grafana variables replaced, and
 * the mode in which the panel must show data. Hidden targets are left out.
 */
export function listPanelQueries(overrides: Partial<GrafanaVariableValues> = {}): PanelQuery[] {
  return loadDashboards().flatMap(({ dashboard }) => {
    const values = { ...defaultVariableValues(dashboard), ...overrides };
    return flattenPanels(dashboard)
      .filter(isQueryPanel)
      .flatMap((panel) =>
        (panel.targets ?? [])
          .filter((target) => !target.hide && typeof target.expr === 'string' && target.expr.trim() !== '')
          .map((target) => ({
            dashboard: dashboard.uid,
            panel: panel.title ?? `panel ${panel.id}`,
            panelId: panel.id,
            refId: target.refId,
            expr: substituteGrafanaVariables(target.expr as string, values),
            rawExpr: target.expr as string,
            mode: panelMode(panel),
          })),
      );
  });
}

/** Dashboard annotations that query Prometheus, with the dashboard they belong to. */
export function listAnnotationQueries(): { dashboard: string; name: string; expr: string }[] {
  return loadDashboards().flatMap(({ dashboard }) =>
    (dashboard.annotations?.list ?? [])
      .filter((annotation) => typeof annotation.expr === 'string')
      .map((annotation) => ({
        dashboard: dashboard.uid,
        name: annotation.name ?? '',
        expr: substituteGrafanaVariables(annotation.expr as string, defaultVariableValues(dashboard)),
      })),
  );
}

// ---------------------------------------------------------------------------- PromQL names

/** PromQL's functions (Prometheus 2.x and 3.x) and aggregation operators: names followed by `(`. */
export const PROMQL_FUNCTIONS: ReadonlySet<string> = new Set([
  'abs',
  'absent',
  'absent_over_time',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atanh',
  'avg_over_time',
  'ceil',
  'changes',
  'clamp',
  'clamp_max',
  'clamp_min',
  'cos',
  'cosh',
  'count_over_time',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'deg',
  'delta',
  'deriv',
  'double_exponential_smoothing',
  'exp',
  'floor',
  'histogram_avg',
  'histogram_count',
  'histogram_fraction',
  'histogram_quantile',
  'histogram_stddev',
  'histogram_stdvar',
  'histogram_sum',
  'holt_winters',
  'hour',
  'idelta',
  'increase',
  'info',
  'irate',
  'label_join',
  'label_replace',
  'last_over_time',
  'ln',
  'log10',
  'log2',
  'mad_over_time',
  'max_over_time',
  'min_over_time',
  'minute',
  'month',
  'pi',
  'predict_linear',
  'present_over_time',
  'quantile_over_time',
  'rad',
  'rate',
  'resets',
  'round',
  'scalar',
  'sgn',
  'sin',
  'sinh',
  'sort',
  'sort_by_label',
  'sort_by_label_desc',
  'sort_desc',
  'sqrt',
  'stddev_over_time',
  'stdvar_over_time',
  'sum_over_time',
  'tan',
  'tanh',
  'time',
  'timestamp',
  'vector',
  'year',
  // aggregation operators
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
  // @ modifier helpers
  'start',
  'end',
]);

/** Words of the language that are neither metrics nor functions. */
const PROMQL_KEYWORDS: ReadonlySet<string> = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects. String literals, label matchers (`{…}`),
 * range and subquery brackets (`[…]`) and the label lists of `by`/`without`/`on`/`ignoring`/
 * `group_left`/`group_right` are removed first; of the identifiers left, those followed by `(`
 * (or by `by`/`without`) are functions and aggregations, the language's keywords are skipped,
 * and the rest are metric names. A `{__name__="…"}` selector counts too.
 */
export function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  for (const match of expr.matchAll(/__name__\s*=\s*"([^"]+)"/g)) names.add(match[1]);
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^{}]*\}/g, '{}')
    .replace(/\[[^\][]*\]/g, '[]')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)/gi, '$1');
  for (const match of stripped.matchAll(/(?<![\w.:])[A-Za-z_:][\w:]*/g)) {
    const word = match[0];
    const rest = stripped.slice((match.index ?? 0) + word.length);
    if (/^\s*\(/.test(rest)) continue; // a function or an aggregation
    if (/^\s*(by|without)\b/i.test(rest)) continue; // `sum by (le) (…)`: an aggregation
    if (PROMQL_KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

/** The functions an expression calls (identifiers followed by `(`), to catch typos such as `rat(`. */
export function functionsIn(expr: string): string[] {
  const stripped = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""').replace(/\{[^{}]*\}/g, '{}');
  const called = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.:])([A-Za-z_:][\w:]*)\s*\(/g)) {
    if (!/^(by|without|on|ignoring|group_left|group_right)$/i.test(match[1])) called.add(match[1]);
  }
  return [...called];
}

/** The range selectors' and subqueries' windows as written (`$__rate_interval`, `30s`, `5m:1m`). */
export function rangeWindowsIn(expr: string): string[] {
  const stripped = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  return [...stripped.matchAll(/\[([^\][]*)\]/g)].map((match) => match[1].trim());
}
