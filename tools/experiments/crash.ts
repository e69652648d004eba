import { round } from '../kit/format';
import { activeReplicas, findReplica } from '../kit/lab-handle';
import { counterDelta } from '../kit/metrics';
import { waitUntil } from '../kit/wait';
import type { Chart } from '../report/svg-charts';
import { barChart, lossChart, replicaShareChart, timelineCharts } from './charts';
import { Experiment, labRun, RunRecord } from './experiment';
import { failedStatuses, non2xx, socketErrorsBetween } from './figures';
import { driveWithEvent } from './load-driver';
import { apiResponsesByStatus } from './metrics';
import { checkProbes, placeProbes } from './probe-shoppers';
import { eventAtSeconds, LoadFigures, loadFigures, ProbeFigures, probeFigures } from './record';

/** The replicas the experiment kills: one of each stateful service. */
const VICTIMS = ['cart-1', 'user-1'] as const;

export interface CrashRun extends RunRecord, ProbeFigures, LoadFigures {
  crashed: string[];
  crashAtSeconds: number;
  sessionsLostByReplica: Record<string, number>;
  cartsLostByReplica: Record<string, number>;
  /** From the crash request until both replicas run again (new pid, up) and /readyz answers 200. */
  recoveryMs: number;
  /** Non-2xx /api responses the gateway gave in that window (its metrics) plus requests without a response. */
  errorsDuringRecovery: number;
  recoveryStatusCounts: Record<string, number>;
}

/** Kill one cart and one user replica mid-load: what does each mode lose, and for how long does it hurt? */
export const crash: Experiment<CrashRun> = {
  name: 'crash',
  title: 'Crash: what a dead replica takes with it',
  description:
    'The seed claims a stateful server takes its sessions with it when it dies, while a stateless tier behind a shared store loses nothing. ' +
    'K probe shoppers log in and put one line in their cart; shopper load runs; at a fixed time cart-1 and user-1 are SIGKILLed ' +
    '(their supervisor restarts them empty) and the load keeps going until the lab is ready again. Then every probe shopper ' +
    'calls GET /api/me and GET /api/cart: a 401 is a lost session, a cart without its line is a lost cart.',
  defaults: { durationSeconds: 20, sessions: 200, connections: 10 },
  plan: () => [labRun('stateful', 'sticky-ring'), labRun('redis', 'round-robin')],

  async run(context) {
    const { lab, progress, phases, signal } = context;
    const topology = await lab.topology();
    for (const id of VICTIMS) {
      if (!activeReplicas(topology, id.startsWith('cart') ? 'cart' : 'user').includes(id)) throw new Error(`the lab does not route to ${id}`);
    }
    const shoppers = await placeProbes(context);

    const crashAt = eventAtSeconds(context.settings, 0.4);
    let recoveryMs = NaN;
    let window = { from: crashAt, to: crashAt };
    let recoveryStatusCounts: Record<string, number> = {};
    const drove = await driveWithEvent(
      context,
      {
        atSeconds: crashAt,
        label: `crash ${VICTIMS.join(' + ')}`,
        action: async (tools) => {
          await phases.enter('recovery');
          const before = apiResponsesByStatus(await lab.metrics());
          const from = tools.elapsed();
          const started = Date.now();
          const pids = await Promise.all(VICTIMS.map((id) => lab.crash(id)));
          progress.note(`crashed ${VICTIMS.join(', ')} at ${from.toFixed(1)} s`);
          await waitUntil(
            'the crashed replicas to be back and /readyz to answer 200',
            async () => {
              const now = await lab.topology();
              const back = VICTIMS.every((id, i) => {
                const replica = findReplica(now, id);
                return replica?.up === true && replica.pid !== undefined && replica.pid !== pids[i];
              });
              return back && (await lab.ready());
            },
            { timeoutMs: 60_000, signal },
          );
          recoveryMs = Date.now() - started;
          recoveryStatusCounts = failedStatuses(counterDelta(before, apiResponsesByStatus(await lab.metrics())));
          window = { from, to: tools.elapsed() };
          tools.mark('ready again');
          progress.note(`ready again after ${recoveryMs} ms`);
          await phases.enter('after');
        },
      },
      `crash ${VICTIMS.join(' + ')}`,
    );
    const check = await checkProbes(context, shoppers);

    return {
      drove,
      figures: {
        crashed: [...VICTIMS],
        crashAtSeconds: round(window.from),
        ...probeFigures(check),
        sessionsLostByReplica: check.sessionsLostByReplica,
        cartsLostByReplica: check.cartsLostByReplica,
        recoveryMs,
        errorsDuringRecovery: non2xx(recoveryStatusCounts) + socketErrorsBetween(drove.load.timeline, window.from, window.to),
        recoveryStatusCounts,
        ...loadFigures(drove.load),
      },
    };
  },

  // prettier-ignore
  columns: [
    ['mode'], ['routing'], ['sessionsBefore'], ['sessionsLost'], ['sessionsLostRatio', 'lost ratio'], ['cartsLost'], ['errorsDuringRecovery'],
    ['recoveryMs', 'recovery ms'], ['loadSessionsLost', 'load 401 lost'], ['throughputRps', 'req/s'], ['latencyMs.p99', 'p99 ms'],
  ],

  charts(runs): Chart[] {
    return [
      ...timelineCharts(runs, { bands: ['recovery'], errors: true }),
      lossChart(runs, 'Probe shoppers whose session (401) or cart line (session alive, line gone) was gone after the crash.'),
      barChart(
        runs,
        {
          id: 'recovery-errors',
          title: 'Errors during recovery',
          description: 'Non-2xx responses and requests without a response, from the crash until /readyz answered 200 again.',
          yLabel: 'requests',
        },
        'errorsDuringRecovery',
      ),
      replicaShareChart(
        runs,
        'user',
        (run) => run.servedBy,
        'From x-served-by of every load response (the crashed replica restarts empty, under the same id).',
      ),
      replicaShareChart(runs, 'cart', (run) => run.servedBy, 'From x-served-by of every load response.'),
    ];
  },
};
