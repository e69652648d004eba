import type { Chart } from '../report/svg-charts';
import { replicaShareChart, timelineCharts } from './charts';
import type { Experiment, RunRecord } from './experiment';

export interface ModesRun extends RunRecord {
  durationSeconds: number;
  connections: number;
  requests: number;
  throughputRps: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Requests without a response (socket errors and timeouts). */
  errors: number;
  non2xx: number;
  /** Average bytes of one request on the wire (request line, headers with the cookie, body). */
  requestBytes: number;
  responseBytes: number;
  statusCounts: Record<string, number>;
}

/** The same shopper load against a stateful lab and a redis lab: what the external store costs. */
export const modes: Experiment<ModesRun> = {
  name: 'modes',
  title: 'Modes: the same shoppers against memory and against Redis',
  description:
    'The seed claims in-memory state is far faster than an external store and that stateless requests are chattier. ' +
    'Each run starts a fresh lab, warms it up, then measures the same autocannon shopper flow (login, browse, add, view, checkout) ' +
    'against STATE_MODE=stateful (sticky-ring) and STATE_MODE=redis (round-robin, private redis-server with AOF).',
  defaults: { durationSeconds: 20, sessions: 0, connections: 16 },
  plan: () => [
    { label: 'stateful · sticky-ring', lab: { mode: 'stateful', routing: 'sticky-ring' } },
    { label: 'redis · round-robin', lab: { mode: 'redis', routing: 'round-robin', redisAppendOnly: true } },
  ],

  async run({ lab, plan, settings, progress, phases, drive }) {
    const warmupSeconds = Math.max(2, Math.min(5, Math.round(settings.durationSeconds / 5)));
    progress.note(`warming up for ${warmupSeconds} s`);
    await phases.enter('warmup');
    await drive({ connections: settings.connections, plannedSeconds: warmupSeconds, tailSeconds: 0 });

    progress.note(`measuring ${settings.connections} shoppers for ${settings.durationSeconds} s`);
    await phases.enter('measure');
    const { load, events, originMs } = await drive({ connections: settings.connections, plannedSeconds: settings.durationSeconds, tailSeconds: 0 });
    await phases.end();
    return {
      label: plan.label,
      mode: lab.mode,
      routing: lab.routing,
      durationSeconds: load.durationSeconds,
      connections: load.connections,
      requests: load.requests,
      throughputRps: load.throughputRps,
      latencyMs: load.latencyMs,
      errors: load.errors,
      non2xx: load.non2xx,
      requestBytes: load.requestBytes,
      responseBytes: load.responseBytes,
      statusCounts: load.statusCounts,
      servedBy: load.servedBy,
      timeline: load.timeline,
      events,
      phases: phases.relativeTo(originMs),
    };
  },

  columns: [
    { key: 'mode', label: 'mode' },
    { key: 'routing', label: 'routing' },
    { key: 'throughputRps', label: 'req/s' },
    { key: 'latencyMs.p50', label: 'p50 ms' },
    { key: 'latencyMs.p95', label: 'p95 ms' },
    { key: 'latencyMs.p99', label: 'p99 ms' },
    { key: 'errors', label: 'errors' },
    { key: 'non2xx', label: 'non-2xx' },
    { key: 'requestBytes', label: 'request B' },
    { key: 'responseBytes', label: 'response B' },
    { key: 'requests', label: 'responses' },
  ],

  charts(runs): Chart[] {
    return [
      ...timelineCharts(runs),
      {
        kind: 'grouped-bar',
        id: 'percentiles',
        title: 'Latency percentiles',
        description: 'Over the whole measured window, from every response.',
        yLabel: 'ms',
        groups: runs.map((run) => run.label),
        series: (['p50', 'p95', 'p99'] as const).map((p) => ({ name: p, values: runs.map((run) => run.latencyMs[p]) })),
      },
      {
        kind: 'bar',
        id: 'throughput-total',
        title: 'Throughput',
        description: 'Responses per second over the measured window.',
        yLabel: 'responses/s',
        bars: runs.map((run) => ({ label: run.label, value: run.throughputRps })),
      },
      {
        kind: 'bar',
        id: 'request-bytes',
        title: 'Bytes per request',
        description: 'Average request size on the wire, cookie included.',
        yLabel: 'bytes',
        bars: runs.map((run) => ({ label: run.label, value: run.requestBytes })),
      },
      replicaShareChart(runs, 'user', (run) => run.servedBy, 'From x-served-by of every response.'),
      replicaShareChart(runs, 'cart', (run) => run.servedBy, 'From x-served-by of every response.'),
    ];
  },
};
