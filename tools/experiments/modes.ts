import type { LoadResult } from '../load/run-load';
import type { Chart } from '../report/svg-charts';
import { barChart, groupedBarChart, replicaShareChart, timelineCharts } from './charts';
import { Experiment, labRun, RunRecord } from './experiment';
import { pick } from './record';

/** What the load driver measured that this experiment reports as it is. */
const MEASURED = [
  'durationSeconds',
  'connections',
  'requests',
  'throughputRps',
  'latencyMs',
  'errors',
  'non2xx',
  'requestBytes',
  'responseBytes',
  'statusCounts',
] as const;

/** The measured window's load figures (LoadResult documents each: requestBytes are wire bytes, cookie included). */
export type ModesRun = RunRecord & Pick<LoadResult, (typeof MEASURED)[number]>;

/**
 * The same shopper load against a stateful lab and redis labs: what the external store costs.
 * Stateful and redis both under sticky-ring isolate the store (same routing, same replica per
 * session); redis under round-robin, its default, adds what spreading every call costs; jwt
 * drops the session lookup (the gateway verifies a token) and carries a bigger credential.
 */
export const modes: Experiment<ModesRun> = {
  name: 'modes',
  title: 'Modes: the same shoppers against memory, Redis and signed tokens',
  description:
    'The seed claims in-memory state is far faster than an external store and that stateless requests are chattier. ' +
    'Each run starts a fresh lab, warms it up, then measures the same autocannon shopper flow (login, browse, add, view, checkout) ' +
    'against STATE_MODE=stateful (sticky-ring), STATE_MODE=redis under the same sticky-ring routing (so the difference is the store alone), ' +
    'STATE_MODE=redis under round-robin, its default (private redis-server with AOF), ' +
    'and STATE_MODE=jwt under round-robin: the gateway checks signed tokens itself (one Redis MGET for revocations), carts in Redis by user.',
  defaults: { durationSeconds: 20, sessions: 0, connections: 16 },
  plan: () => [labRun('stateful', 'sticky-ring'), labRun('redis', 'sticky-ring'), labRun('redis', 'round-robin'), labRun('jwt', 'round-robin')],

  async run({ settings, progress, phases, drive }) {
    const warmupSeconds = Math.max(2, Math.min(5, Math.round(settings.durationSeconds / 5)));
    progress.note(`warming up for ${warmupSeconds} s`);
    await phases.enter('warmup');
    await drive({ connections: settings.connections, plannedSeconds: warmupSeconds, tailSeconds: 0 });

    progress.note(`measuring ${settings.connections} shoppers for ${settings.durationSeconds} s`);
    await phases.enter('measure');
    const drove = await drive({ connections: settings.connections, plannedSeconds: settings.durationSeconds, tailSeconds: 0 });
    await phases.end();
    return { drove, figures: pick(drove.load, MEASURED) };
  },

  // prettier-ignore
  columns: [
    ['mode'], ['routing'], ['throughputRps', 'req/s'], ['latencyMs.p50', 'p50 ms'], ['latencyMs.p95', 'p95 ms'], ['latencyMs.p99', 'p99 ms'],
    ['errors'], ['non2xx', 'non-2xx'], ['requestBytes', 'request B'], ['responseBytes', 'response B'], ['requests', 'responses'],
  ],

  charts(runs): Chart[] {
    return [
      ...timelineCharts(runs),
      groupedBarChart(
        runs,
        { id: 'percentiles', title: 'Latency percentiles', description: 'Over the whole measured window, from every response.', yLabel: 'ms' },
        [
          ['p50', 'latencyMs.p50'],
          ['p95', 'latencyMs.p95'],
          ['p99', 'latencyMs.p99'],
        ],
      ),
      barChart(
        runs,
        { id: 'throughput-total', title: 'Throughput', description: 'Responses per second over the measured window.', yLabel: 'responses/s' },
        'throughputRps',
      ),
      barChart(
        runs,
        { id: 'request-bytes', title: 'Bytes per request', description: 'Average request size on the wire, cookie included.', yLabel: 'bytes' },
        'requestBytes',
      ),
      replicaShareChart(runs, 'user', (run) => run.servedBy, 'From x-served-by of every response.'),
      replicaShareChart(runs, 'cart', (run) => run.servedBy, 'From x-served-by of every response.'),
    ];
  },
};
