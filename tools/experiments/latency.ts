import { performance } from 'node:perf_hooks';
import type { StateMode } from '@app/config';
import { round } from '../kit/format';
import type { LabHandle } from '../kit/lab-handle';
import { Shopper } from '../kit/shopper';
import type { LoadResult } from '../load/run-load';
import type { Chart } from '../report/svg-charts';
import { groupedBarChart, timelineCharts } from './charts';
import type { Experiment, RunPlan, RunRecord } from './experiment';
import { pick } from './record';

/** The added Redis round trips measured, in ms (0: through the proxy, no delay). */
export const ADDED_RTTS_MS = [0, 0.1, 0.5, 1, 2] as const;

/** How the delay is made, shown with every figure: this kernel has no netem. */
export const LATENCY_SOURCE = 'latency proxy (TCP, inside the lab, replicas → proxy → Redis; not netem)';

const MEASURED = ['throughputRps', 'latencyMs', 'errors', 'non2xx', 'requests'] as const;

export type LatencyRun = RunRecord &
  Pick<LoadResult, (typeof MEASURED)[number]> & {
    /** Round-trip time the proxy adds to every Redis call (each way: half). */
    addedRttMs: number;
    latencySource: string;
    /**
     * Median of GET /api/cart sent one at a time by one logged-in shopper (no concurrency): the
     * physics without the queueing of a loaded 2-core machine. It grows by the added RTT per
     * store call on the request's path (two in redis mode: the session, then the cart).
     */
    sequentialCartP50Ms: number;
  };

/** Requests of the sequential measurement. */
const SEQUENTIAL_REQUESTS = 150;

async function sequentialCartP50(lab: LabHandle): Promise<number> {
  const shopper = new Shopper(lab.client, 'user999');
  const login = await shopper.login();
  if (login.status !== 200) throw new Error(`the sequential shopper's login answered ${login.status}`);
  await shopper.post('/api/cart/items', { productId: 'p-1', quantity: 1 });
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL_REQUESTS; i++) {
    const sent = performance.now();
    const reply = await shopper.get('/api/cart');
    if (reply.status === 200) times.push(performance.now() - sent);
  }
  times.sort((a, b) => a - b);
  return round(times[Math.floor(times.length / 2)] ?? NaN, 2);
}

function latencyRun(mode: StateMode, addedRttMs: number): RunPlan {
  return {
    label: `${mode} · +${addedRttMs} ms Redis RTT`,
    scenario: mode,
    // Both under sticky-ring: the same replica per session, so the store is the only difference.
    lab: { mode, routing: 'sticky-ring', redisProxyRttMs: addedRttMs },
  };
}

/**
 * Throughput and latency of the shopper journey while every Redis round trip takes longer, as it
 * does when Redis is on another machine: the seed's "memory is 1000-5000x faster" put in terms
 * of what a user waits for.
 */
export const latency: Experiment<LatencyRun> = {
  name: 'latency',
  title: 'Latency: the store on another machine',
  description:
    'The seed says memory is 1000-5000x faster than Redis. Each run starts a fresh lab whose replicas reach a private Redis through a ' +
    'latency-injecting TCP proxy (the kernel here has no netem), which holds every chunk half the added round-trip time each way, ' +
    `at ${ADDED_RTTS_MS.join(' / ')} ms. The same autocannon shopper flow (login, browse, add, view, checkout) is measured in stateful ` +
    'mode (memory; nothing goes through the proxy) and redis mode, both under sticky-ring routing; then one shopper sends ' +
    'GET /api/cart one request at a time, whose median shows the added round trips without the queueing of a loaded machine.',
  defaults: { durationSeconds: 8, sessions: 0, connections: 8 },
  targetUnsupported: 'it needs the latency proxy between the replicas and Redis, which only labs it starts have',
  plan: () => (['stateful', 'redis'] as const).flatMap((mode) => ADDED_RTTS_MS.map((rtt) => latencyRun(mode, rtt))),

  async run({ lab, settings, progress, phases, drive }) {
    const proxy = lab.redisProxy;
    if (!proxy) throw new Error('latency needs a lab with a latency proxy in front of its Redis');
    const warmupSeconds = 2;
    progress.note(`${LATENCY_SOURCE}: +${proxy.rttMs} ms per Redis round trip; warming up for ${warmupSeconds} s`);
    await phases.enter('warmup');
    await drive({ connections: settings.connections, plannedSeconds: warmupSeconds, tailSeconds: 0 });
    await phases.enter('measure');
    const drove = await drive({ connections: settings.connections, plannedSeconds: settings.durationSeconds, tailSeconds: 0 });
    await phases.enter('sequential');
    progress.note(`GET /api/cart ${SEQUENTIAL_REQUESTS} times, one at a time`);
    const sequentialCartP50Ms = await sequentialCartP50(lab);
    await phases.end();
    return { drove, figures: { addedRttMs: proxy.rttMs, latencySource: LATENCY_SOURCE, ...pick(drove.load, MEASURED), sequentialCartP50Ms } };
  },

  // prettier-ignore
  columns: [
    ['mode'], ['addedRttMs', 'added Redis RTT ms (proxy)'], ['throughputRps', 'req/s'], ['latencyMs.p50', 'p50 ms'], ['latencyMs.p99', 'p99 ms'],
    ['sequentialCartP50Ms', 'GET /api/cart p50 ms, 1 client'], ['errors'], ['non2xx', 'non-2xx'],
  ],

  charts(runs): Chart[] {
    const note = `Added Redis RTT from a ${LATENCY_SOURCE}.`;
    return [
      ...timelineCharts(runs),
      groupedBarChart(runs, { id: 'p50-p99', title: 'Journey latency per added Redis RTT', description: note, yLabel: 'ms' }, [
        ['p50', 'latencyMs.p50'],
        ['p99', 'latencyMs.p99'],
      ]),
      groupedBarChart(
        runs,
        { id: 'sequential', title: 'GET /api/cart, one request at a time', description: `Median of ${SEQUENTIAL_REQUESTS} sequential requests of one shopper. ${note}`, yLabel: 'ms' },
        [['p50', 'sequentialCartP50Ms']],
      ),
      groupedBarChart(runs, { id: 'throughput', title: 'Throughput per added Redis RTT', description: note, yLabel: 'responses/s' }, [
        ['req/s', 'throughputRps'],
      ]),
    ];
  },
};
