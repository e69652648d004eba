import type { BarChart, Chart, ChartBand, ChartEvent, GroupedBarChart, LineChart } from '../report/svg-charts';
import { valueAt } from '../report/html-report';
import type { RunRecord } from './experiment';

/** Runs whose markers of one label lie this close together share one marker. */
const SAME_MOMENT_SECONDS = 0.3;

/**
 * Events of every run on one chart: a moment every run shares (same label, times within
 * 0.3 s) is drawn once; a moment that differs per run is drawn per run and names its run.
 */
export function mergedEvents(runs: readonly RunRecord[], hide: readonly string[] = []): ChartEvent[] {
  const timesByLabel = new Map<string, number[]>();
  for (const run of runs) for (const event of run.events) timesByLabel.set(event.label, [...(timesByLabel.get(event.label) ?? []), event.t]);
  const events: ChartEvent[] = [];
  for (const [label, times] of timesByLabel) {
    if (hide.includes(label)) continue;
    if (runs.length === 1 || Math.max(...times) - Math.min(...times) <= SAME_MOMENT_SECONDS) {
      events.push({ x: Math.min(...times), label });
      continue;
    }
    for (const run of runs) for (const event of run.events) if (event.label === label) events.push({ x: event.t, label: `${run.label}: ${label}` });
  }
  return events.sort((a, b) => a.x - b.x);
}

/**
 * Shaded spans: the given phases of every run. With several runs the bands overlap, so only the
 * widest band of each phase carries the phase's name (the runs' own markers say which ends when).
 */
export function phaseBands(runs: readonly RunRecord[], phases: readonly string[]): ChartBand[] {
  const bands = runs.flatMap((run) => run.phases.filter((p) => phases.includes(p.phase) && p.to > p.from));
  const widest = new Map<string, RunRecord['phases'][number]>();
  for (const band of bands) {
    const current = widest.get(band.phase);
    if (!current || band.to - band.from > current.to - current.from) widest.set(band.phase, band);
  }
  return bands.map((band) => ({ from: band.from, to: band.to, label: widest.get(band.phase) === band ? band.phase : '' }));
}

export interface TimelineChartOptions {
  /** Phases to shade, e.g. `['recovery']`. */
  bands?: readonly string[];
  /** Also chart non-2xx + errors per second. */
  errors?: boolean;
  /** Event labels to leave off the charts (e.g. when a shaded phase already shows them). */
  hideEvents?: readonly string[];
}

/** Throughput and p99 latency over time (and errors per second), one series per run, events marked. */
export function timelineCharts(runs: readonly RunRecord[], options: TimelineChartOptions = {}): LineChart[] {
  const events = mergedEvents(runs, options.hideEvents);
  const bands = phaseBands(runs, options.bands ?? []);
  // A second [t, t+1) is drawn at its middle, so markers at exact times sit where they belong.
  const points = (run: RunRecord, value: (p: RunRecord['timeline'][number]) => number | null) => run.timeline.map((p) => ({ x: p.t + 0.5, y: value(p) }));
  const charts: LineChart[] = [
    {
      kind: 'line',
      id: 'throughput',
      title: 'Throughput over time',
      description: 'Responses completed per second of load (any status), as the load driver saw them.',
      yLabel: 'responses/s',
      series: runs.map((run) => ({ name: run.label, points: points(run, (p) => p.rps) })),
      events,
      bands,
    },
    {
      kind: 'line',
      id: 'latency',
      title: 'Latency p99 over time',
      description: 'p99 of the responses completed in each second (log scale); gaps are seconds without a response.',
      yLabel: 'ms',
      yScale: 'log',
      series: runs.map((run) => ({ name: run.label, points: points(run, (p) => (p.p99 === null ? null : Math.max(p.p99, 0.01))) })),
      events,
      bands,
    },
  ];
  if (options.errors) {
    charts.push({
      kind: 'line',
      id: 'errors',
      title: 'Failed requests over time',
      description: 'Per second: non-2xx responses (401 session lost, 503 unavailable, …) plus requests without any response.',
      yLabel: 'failed/s',
      series: runs.map((run) => ({ name: run.label, points: points(run, (p) => p.non2xx + p.errors) })),
      events,
      bands,
    });
  }
  return charts;
}

/** `cart-12` → 12, for ordering replica ids naturally. */
function indexOf(id: string): number {
  return Number(/-(\d+)$/.exec(id)?.[1] ?? 0);
}

/** Replica ids of `service` in `counts`, naturally ordered. */
export function replicasOf(service: string, counts: readonly Record<string, number>[]): string[] {
  const ids = new Set<string>();
  for (const record of counts) for (const id of Object.keys(record)) if (id.startsWith(`${service}-`)) ids.add(id);
  return [...ids].sort((a, b) => indexOf(a) - indexOf(b));
}

/** What names a bar chart: everything but its bars. */
type BarChartTitle = Omit<BarChart, 'kind' | 'bars'>;

/** A figure of a run: its path in the record (`latencyMs.p99`, as the table's columns), or how to compute it. */
export type Figure<R> = (keyof R & string) | `${keyof R & string}.${string}` | ((run: R) => number);

/** One series of a grouped bar chart: its name, the figure it shows of every run, its colour. */
export type Series<R> = readonly [name: string, figure: Figure<R>, color?: string];

function figureOf<R extends RunRecord>(run: R, figure: Figure<R>): number {
  return typeof figure === 'function' ? figure(run) : Number(valueAt(run, figure));
}

/** One bar per run. */
export function barChart<R extends RunRecord>(runs: readonly R[], chart: BarChartTitle, figure: Figure<R>): BarChart {
  return { kind: 'bar', ...chart, bars: runs.map((run) => ({ label: run.label, value: figureOf(run, figure) })) };
}

/** One group per run, one bar per series in each. */
export function groupedBarChart<R extends RunRecord>(runs: readonly R[], chart: BarChartTitle, series: readonly Series<R>[]): GroupedBarChart {
  return {
    kind: 'grouped-bar',
    ...chart,
    groups: runs.map((run) => run.label),
    series: series.map(([name, figure, color]) => ({ name, values: runs.map((run) => figureOf(run, figure)), ...(color ? { color } : {}) })),
  };
}

/** Share of a service's requests per replica, one group per run, one bar per replica. */
export function replicaShareChart<R extends RunRecord>(
  runs: readonly R[],
  service: string,
  countsOf: (run: R) => Record<string, number>,
  description: string,
): Chart {
  const replicas = replicasOf(service, runs.map(countsOf));
  const share = (record: Record<string, number>, replica: string) => {
    const total = replicas.reduce((sum, id) => sum + (record[id] ?? 0), 0);
    return total > 0 ? (record[replica] ?? 0) / total : 0;
  };
  return groupedBarChart(
    runs,
    { id: `share-${service}`, title: `Share of ${service} requests per replica`, description, yLabel: 'share of requests', format: 'percent' },
    replicas.map((replica): Series<R> => [replica, (run) => share(countsOf(run), replica)]),
  );
}

/** Sessions lost (and carts lost) per run. */
export function lossChart(runs: readonly (RunRecord & { sessionsLost: number; cartsLost?: number })[], description: string): Chart {
  const withCarts = runs.some((run) => run.cartsLost !== undefined);
  return groupedBarChart(runs, { id: 'lost', title: 'Sessions lost per run', description, yLabel: 'probe shoppers' }, [
    ['sessions lost', 'sessionsLost', '#e15759'],
    ...(withCarts ? [['carts lost (session alive)', (run: (typeof runs)[number]) => run.cartsLost ?? 0, '#f28e2b'] as const] : []),
  ]);
}
