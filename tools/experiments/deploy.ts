import type { RestartResult, RestartStyle } from '@app/contracts';
import { round } from '../kit/format';
import { activeReplicas } from '../kit/lab-handle';
import type { Chart } from '../report/svg-charts';
import { groupedBarChart, timelineCharts } from './charts';
import { Experiment, RunPlan, RunRecord } from './experiment';
import { JourneyFigures, JourneyShoppers } from './journey-shoppers';
import { eventAtSeconds, LoadFigures, loadFigures } from './record';

/** How a run deploys: one replica at a time in a style, or every replica at once (blue-green). */
export type DeployStyle = RestartStyle | 'blue-green';

/** Seconds a drain waits at most per replica unless --drain says otherwise. */
const DEFAULT_DRAIN_SECONDS = 10;

export interface DeployRun extends RunRecord, LoadFigures {
  style: DeployStyle;
  /** Journeys whose session ended under them: the shoppers a deploy logged out. */
  sessionsLost: number;
  /** Journeys whose session lived but whose cart line vanished. */
  cartsLost: number;
  /** Requests of the journeys answered 503 or not at all (retried: slow, not lost). */
  failedRequests: number;
  journeysCompleted: number;
  /** Journeys that gave up after 30 s of failures. */
  journeysAbandoned: number;
  /** From the first restart until the last replica served again. */
  deploySeconds: number;
  /** Sessions or carts the replicas still held when they stopped (null: in Redis), and what hand-offs moved. */
  heldAtStop: number | null;
  handedOff: number;
  /** Per replica: how long its step took and (drain) how long it waited. */
  steps: Array<{ id: string; tookMs: number; drainedMs: number; heldAtStop: number | null }>;
}

function deployRun(mode: 'stateful' | 'redis', style: DeployStyle): RunPlan {
  const routing = mode === 'stateful' ? 'sticky-ring' : 'round-robin';
  return { label: `${mode} · ${style}`, lab: { mode, routing }, scenario: style };
}

/** A rolling restart of every user and cart replica, or a blue-green switch, under load: what does each style lose in each mode? */
export const deploy: Experiment<DeployRun> = {
  name: 'deploy',
  title: 'Deploy: rolling restarts with and without drain, hand-off, blue-green',
  description:
    'The seed lists deployment complexity among the costs of stateful servers: a restart loses the sessions a replica holds unless it is drained or its state is handed over. ' +
    'Journey shoppers keep logging in, adding a line, viewing the cart, checking out and logging out, while autocannon drives the usual load. ' +
    'Mid-load every user and cart replica is restarted one at a time: kill (at once), drain (no new sessions, wait up to DRAIN_SECONDS for its own to end), ' +
    'or handoff (stateful: the replica exports its memory to its successor); blue-green instead switches all routing to a fresh set at once. ' +
    'A journey whose session vanished (401) or whose cart line vanished is a loss; a 503 while a replica restarts is a failed request, retried.',
  defaults: { durationSeconds: 20, sessions: 30, connections: 8 },
  targetUnsupported: 'blue-green needs the launcher of a lab the experiment starts, and each style needs a fresh lab',
  plan: () => [
    deployRun('stateful', 'kill'),
    deployRun('stateful', 'drain'),
    deployRun('stateful', 'handoff'),
    deployRun('stateful', 'blue-green'),
    deployRun('redis', 'kill'),
    deployRun('redis', 'drain'),
    deployRun('redis', 'blue-green'),
  ],

  async run(context) {
    const { lab, progress, phases, settings, plan } = context;
    const style = plan.scenario as DeployStyle;
    const drainSeconds = settings.drainSeconds ?? DEFAULT_DRAIN_SECONDS;
    const topology = await lab.topology();
    const victims = [...activeReplicas(topology, 'user'), ...activeReplicas(topology, 'cart')];
    const journeys = JourneyShoppers.start(lab.url, { count: settings.sessions });

    const deployAt = eventAtSeconds(settings, 0.25);
    const steps: RestartResult[] = [];
    let deploySeconds = NaN;
    let heldAtSwitch: number | null = 0;
    progress.note(
      `load: ${settings.connections} connections and ${settings.sessions} journey shoppers; at ${deployAt} s ` +
        (style === 'blue-green'
          ? 'switch to a fresh set'
          : `restart ${victims.join(', ')} one at a time (${style}${style === 'drain' ? `, up to ${drainSeconds} s each` : ''})`),
    );
    await phases.enter('baseline');
    let journeyFigures: JourneyFigures;
    let drove;
    try {
      drove = await context.drive({
        connections: settings.connections,
        plannedSeconds: settings.durationSeconds,
        maxExtraSeconds: victims.length * (drainSeconds + 30),
        events: [
          {
            atSeconds: deployAt,
            label: `deploy (${style})`,
            action: async (tools) => {
              await phases.enter('deploy');
              const started = Date.now();
              if (style === 'blue-green') {
                heldAtSwitch = (await lab.blueGreen()).heldAtSwitch;
                tools.mark('switched');
              } else {
                for (const id of victims) {
                  const step = await lab.restart(id, style, drainSeconds);
                  steps.push(step);
                  tools.mark(`${id} back`);
                  progress.note(
                    `${id} restarted (${style}) in ${step.tookMs} ms${style === 'drain' ? `, drained ${step.drainedMs} ms` : ''}, held ${step.heldAtStop ?? 'in Redis'}`,
                  );
                }
              }
              deploySeconds = (Date.now() - started) / 1000;
              progress.note(`deployed in ${deploySeconds.toFixed(1)} s`);
              await phases.enter('after');
            },
          },
        ],
      });
    } finally {
      journeyFigures = await journeys.finish();
    }

    const load = loadFigures(drove.load);
    const held = style === 'blue-green' ? heldAtSwitch : sumHeld(steps);
    return {
      drove,
      figures: {
        style,
        sessionsLost: journeyFigures.sessionsLost,
        cartsLost: journeyFigures.cartsLost,
        failedRequests: journeyFigures.failedRequests,
        journeysCompleted: journeyFigures.completed,
        journeysAbandoned: journeyFigures.abandoned,
        deploySeconds: round(deploySeconds, 1),
        heldAtStop: held,
        handedOff: steps.reduce((sum, step) => sum + step.handedOff, 0),
        steps: steps.map((step) => ({ id: step.id, tookMs: step.tookMs, drainedMs: step.drainedMs, heldAtStop: step.heldAtStop })),
        ...load,
      },
    };
  },

  // prettier-ignore
  columns: [
    ['mode'], ['style'], ['sessionsLost', 'sessions lost'], ['cartsLost', 'carts lost'], ['failedRequests', 'failed req'], ['journeysCompleted', 'journeys'],
    ['heldAtStop', 'held at stop'], ['handedOff', 'handed off'], ['deploySeconds', 'deploy s'], ['loadSessionsLost', 'load 401 lost'], ['non2xx', 'load non-2xx'],
    ['throughputRps', 'req/s'], ['latencyMs.p99', 'p99 ms'],
  ],

  charts(runs): Chart[] {
    return [
      // The progress of each deploy: throughput, p99 and failures, with a marker as each replica serves again.
      ...timelineCharts(runs, { bands: ['deploy'], errors: true }),
      groupedBarChart(
        runs,
        {
          id: 'deploy-losses',
          title: 'What each deploy lost',
          description: 'Journeys whose session (401) or cart line vanished during the deploy, and requests that failed (503, retried) without losing anything.',
          yLabel: 'journeys / requests',
        },
        [
          ['sessions lost', 'sessionsLost', '#e15759'],
          ['carts lost', 'cartsLost', '#f28e2b'],
          ['failed requests', 'failedRequests', '#bab0ac'],
        ],
      ),
      groupedBarChart(
        runs,
        {
          id: 'deploy-duration',
          title: 'How long each deploy took',
          description: 'From the first restart until the last replica served again (drain waits up to DRAIN_SECONDS per replica).',
          yLabel: 'seconds',
        },
        [['deploy seconds', 'deploySeconds', '#4e79a7']],
      ),
    ];
  },
};

function sumHeld(steps: readonly RestartResult[]): number | null {
  if (steps.some((step) => step.heldAtStop === null)) return null;
  return steps.reduce((sum, step) => sum + (step.heldAtStop ?? 0), 0);
}
