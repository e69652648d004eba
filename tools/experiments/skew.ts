import { SERVICES, ServiceName } from '@app/config';

/** The services the shopper load calls (chat holds WebSockets, not calls). */
const CALLED = SERVICES.filter((service) => service !== 'chat');
import { activeReplicas } from '../kit/lab-handle';
import { counterDelta } from '../kit/metrics';
import type { Chart } from '../report/svg-charts';
import { groupedBarChart, replicaShareChart, timelineCharts } from './charts';
import { Experiment, labRun, RunRecord } from './experiment';
import { maxOverMean } from './figures';
import { LightShoppers, LightShoppersResult } from './light-shoppers';
import type { DriveResult } from './load-driver';
import { routedRequests } from './metrics';

export interface SkewRun extends RunRecord {
  heavyShoppers: number;
  lightShoppers: number;
  lightRatePerSecond: number;
  /** Calls the gateway routed to each replica during the measured window (lab_routed_requests_total deltas). */
  requestsPerReplica: Record<ServiceName, Record<string, number>>;
  /** Busiest replica over the mean of the service's replicas; 1 is perfectly even. */
  maxOverMean: Record<ServiceName, number>;
  heavyRequests: number;
  lightRequests: number;
  throughputRps: number;
  non2xx: number;
  errors: number;
}

/** A few heavy shoppers among many light ones: sticky routing pins the heavy ones, round-robin spreads them. */
export const skew: Experiment<SkewRun> = {
  name: 'skew',
  title: 'Skew: heavy shoppers under sticky and round-robin routing',
  description:
    'The seed claims sticky sessions distribute load unevenly. A few heavy shoppers (autocannon connections, as fast as they can) ' +
    'shop among many light ones (about one request per second each). The gateway counts the calls it routes to each replica ' +
    '(lab_routed_requests_total); maxOverMean is the busiest replica over the mean. Three runs: stateful with sticky-ring (what ' +
    'stateful mode needs), redis with sticky-ring (same routing, shared store: isolates the routing) and redis with round-robin. ' +
    'The product service is reference data and always round-robin.',
  defaults: { durationSeconds: 15, sessions: 45, connections: 5, lightRate: 1 },
  plan: () => [labRun('stateful', 'sticky-ring'), labRun('redis', 'sticky-ring'), labRun('redis', 'round-robin')],

  async run({ lab, settings, progress, phases, drive }) {
    const rate = settings.lightRate ?? 1;
    let lightResult: LightShoppersResult;
    await phases.enter('setup');
    progress.note(`logging in ${settings.sessions} light shoppers (~${rate} req/s each)`);
    const light = await LightShoppers.start(lab.url, { count: settings.sessions, ratePerSecond: rate, firstUser: 101 });
    let drove: DriveResult;
    let before: Record<string, Record<string, number>>;
    try {
      await phases.enter('measure');
      before = routedRequests(await lab.metrics());
      progress.note(`${settings.connections} heavy shoppers hammering for ${settings.durationSeconds} s`);
      drove = await drive({ connections: settings.connections, plannedSeconds: settings.durationSeconds, tailSeconds: 0, firstUser: 1 });
    } finally {
      lightResult = await light.finish();
    }
    const after = routedRequests(await lab.metrics());
    await phases.end();

    const topology = await lab.topology();
    const requestsPerReplica = {} as Record<ServiceName, Record<string, number>>;
    const ratio = {} as Record<ServiceName, number>;
    for (const service of CALLED) {
      const delta = counterDelta(before[service] ?? {}, after[service] ?? {});
      // Every routed replica counts, also one that got nothing.
      requestsPerReplica[service] = Object.fromEntries(activeReplicas(topology, service).map((id) => [id, delta[id] ?? 0]));
      ratio[service] = maxOverMean(requestsPerReplica[service]);
    }
    const { load } = drove;
    return {
      drove,
      figures: {
        heavyShoppers: settings.connections,
        lightShoppers: settings.sessions,
        lightRatePerSecond: rate,
        requestsPerReplica,
        maxOverMean: ratio,
        heavyRequests: load.requests,
        lightRequests: lightResult.requests,
        throughputRps: load.throughputRps,
        non2xx: load.non2xx + lightResult.non2xx,
        errors: load.errors + lightResult.errors,
      },
    };
  },

  // prettier-ignore
  columns: [
    ['mode'], ['routing'], ['maxOverMean.user', 'user max/mean'], ['maxOverMean.cart', 'cart max/mean'], ['maxOverMean.product', 'product max/mean'],
    ['requestsPerReplica.user', 'user requests per replica'], ['requestsPerReplica.cart', 'cart requests per replica'], ['heavyRequests', 'heavy'],
    ['lightRequests', 'light'], ['non2xx', 'non-2xx'],
  ],

  charts(runs): Chart[] {
    return [
      ...timelineCharts(runs),
      groupedBarChart(
        runs,
        {
          id: 'max-over-mean',
          title: 'Busiest replica over the mean',
          description: '1.0 is a perfectly even spread; from the gateway’s routed-call counters.',
          yLabel: 'max / mean',
        },
        CALLED.map((service) => [service, `maxOverMean.${service}`]),
      ),
      ...(['user', 'cart'] as const).map((service) =>
        replicaShareChart(
          runs,
          service,
          (run) => run.requestsPerReplica[service],
          `Calls the gateway routed to each ${service} replica (lab_routed_requests_total).`,
        ),
      ),
    ];
  },
};
