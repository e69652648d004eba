import type { Chart } from '../report/svg-charts';
import { lossChart, replicaShareChart, timelineCharts } from './charts';
import type { Experiment, RunRecord } from './experiment';
import { failedStatuses, round, socketErrorsBetween } from './figures';
import { activeReplicas } from './lab-handle';
import { apiResponsesByStatus, counterDelta, non2xx } from './metrics';
import { checkShoppers, placeShoppers } from './probe-shoppers';
import { waitUntil } from './wait';

/** The replicas the experiment kills: one of each stateful service. */
const VICTIMS = ['cart-1', 'user-1'] as const;

export interface CrashRun extends RunRecord {
  crashed: string[];
  crashAtSeconds: number;
  /** Probe shoppers holding a session and a cart line when the load started. */
  sessionsBefore: number;
  /** Probe sessions that answered 401 afterwards. */
  sessionsLost: number;
  sessionsLostRatio: number;
  /** Probe shoppers whose session survived but whose cart line did not. */
  cartsLost: number;
  /** Probes without a decisive answer (should be 0). */
  unknown: number;
  sessionsLostByReplica: Record<string, number>;
  cartsLostByReplica: Record<string, number>;
  /** From the crash request until both replicas run again (new pid, up) and /readyz answers 200. */
  recoveryMs: number;
  /** Non-2xx /api responses the gateway gave in that window (its metrics) plus requests without a response. */
  errorsDuringRecovery: number;
  recoveryStatusCounts: Record<string, number>;
  /** 401 session_lost answers the load shoppers got (each then logged in again). */
  loadSessionsLost: number;
  throughputRps: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  non2xx: number;
  errors: number;
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
  plan: () => [
    { label: 'stateful · sticky-ring', lab: { mode: 'stateful', routing: 'sticky-ring' } },
    { label: 'redis · round-robin', lab: { mode: 'redis', routing: 'round-robin', redisAppendOnly: true } },
  ],

  async run({ lab, plan, settings, progress, phases, drive, signal }) {
    const topology = await lab.topology();
    for (const id of VICTIMS) {
      const service = id.startsWith('cart') ? 'cart' : 'user';
      if (!activeReplicas(topology, service).includes(id)) throw new Error(`the lab does not route to ${id}`);
    }

    await phases.enter('setup');
    progress.note(`placing ${settings.sessions} probe shoppers (login + one cart line)`);
    const shoppers = await placeShoppers(lab.client, settings.sessions);

    const crashAt = settings.eventAtSeconds ?? Math.max(2, Math.round(settings.durationSeconds * 0.4));
    let recoveryMs = NaN;
    let window: { from: number; to: number } = { from: crashAt, to: crashAt };
    let recoveryStatusCounts: Record<string, number> = {};
    progress.note(`load: ${settings.connections} shoppers for ${settings.durationSeconds} s, crash ${VICTIMS.join(' + ')} at ${crashAt} s`);
    await phases.enter('baseline');
    const { load, events, originMs } = await drive({
      connections: settings.connections,
      plannedSeconds: settings.durationSeconds,
      events: [
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
                  const replica = Object.values(now.services).flat().find((r) => r.id === id);
                  return replica?.up === true && replica.pid !== undefined && replica.pid !== pids[i];
                });
                return back && (await lab.ready());
              },
              60_000,
              50,
              signal,
            );
            recoveryMs = Date.now() - started;
            recoveryStatusCounts = failedStatuses(counterDelta(before, apiResponsesByStatus(await lab.metrics())));
            window = { from, to: tools.elapsed() };
            tools.mark('ready again');
            progress.note(`ready again after ${recoveryMs} ms`);
            await phases.enter('after');
          },
        },
      ],
    });

    await phases.enter('check');
    progress.note(`looking at ${shoppers.length} probe shoppers`);
    const check = await checkShoppers(lab.client, shoppers, { beforeRetry: () => lab.waitReady(30_000) });
    await phases.end();

    return {
      label: plan.label,
      mode: lab.mode,
      routing: lab.routing,
      crashed: [...VICTIMS],
      crashAtSeconds: round(window.from),
      sessionsBefore: shoppers.length,
      sessionsLost: check.sessionsLost,
      sessionsLostRatio: round(check.sessionsLost / Math.max(1, shoppers.length), 3),
      cartsLost: check.cartsLost,
      unknown: check.unknown,
      sessionsLostByReplica: check.sessionsLostByReplica,
      cartsLostByReplica: check.cartsLostByReplica,
      recoveryMs,
      errorsDuringRecovery: non2xx(recoveryStatusCounts) + socketErrorsBetween(load.timeline, window.from, window.to),
      recoveryStatusCounts,
      loadSessionsLost: load.sessions.sessionLost,
      throughputRps: load.throughputRps,
      latencyMs: load.latencyMs,
      non2xx: load.non2xx,
      errors: load.errors,
      servedBy: load.servedBy,
      timeline: load.timeline,
      events,
      phases: phases.relativeTo(originMs),
    };
  },

  columns: [
    { key: 'mode', label: 'mode' },
    { key: 'routing', label: 'routing' },
    { key: 'sessionsBefore', label: 'sessionsBefore' },
    { key: 'sessionsLost', label: 'sessionsLost' },
    { key: 'sessionsLostRatio', label: 'lost ratio' },
    { key: 'cartsLost', label: 'cartsLost' },
    { key: 'errorsDuringRecovery', label: 'errorsDuringRecovery' },
    { key: 'recoveryMs', label: 'recovery ms' },
    { key: 'loadSessionsLost', label: 'load 401 lost' },
    { key: 'throughputRps', label: 'req/s' },
    { key: 'latencyMs.p99', label: 'p99 ms' },
  ],

  charts(runs): Chart[] {
    return [
      ...timelineCharts(runs, { bands: ['recovery'], errors: true }),
      lossChart(runs, 'Probe shoppers whose session (401) or cart line (session alive, line gone) was gone after the crash.'),
      {
        kind: 'bar',
        id: 'recovery-errors',
        title: 'Errors during recovery',
        description: 'Non-2xx responses and requests without a response, from the crash until /readyz answered 200 again.',
        yLabel: 'requests',
        bars: runs.map((run) => ({ label: run.label, value: run.errorsDuringRecovery })),
      },
      replicaShareChart(runs, 'user', (run) => run.servedBy, 'From x-served-by of every load response (the crashed replica restarts empty, under the same id).'),
      replicaShareChart(runs, 'cart', (run) => run.servedBy, 'From x-served-by of every load response.'),
    ];
  },
};
