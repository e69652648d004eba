import type { ServiceName } from '@app/config';
import { round } from '../kit/format';
import { activeReplicas, ScaleResult } from '../kit/lab-handle';
import type { Chart } from '../report/svg-charts';
import { groupedBarChart, lossChart, replicaShareChart, timelineCharts } from './charts';
import { Experiment, labRun, RunRecord } from './experiment';
import { driveWithEvent } from './load-driver';
import { checkProbes, placeProbes } from './probe-shoppers';
import { eventAtSeconds, LoadFigures, loadFigures, ProbeFigures, probeFigures } from './record';

const FROM = 3;
const TO = 5;
const SCALED = ['user', 'cart'] as const satisfies readonly ServiceName[];

export interface RescaleRun extends RunRecord, ProbeFigures, LoadFigures {
  from: number;
  to: number;
  /** The gateway's /lab/scale answers, as given. */
  scale: Record<(typeof SCALED)[number], ScaleResult>;
  /** user (sessions): share of the session ids the gateway knew that changed owner. */
  keysMovedRatio: number;
  keysMoved: number;
  knownKeys: number;
  cartKeysMovedRatio: number;
  /** How long both /lab/scale calls took (starting the new replicas included). */
  scaleMs: number;
  /** sessionsLost + loadSessionsLost: every known session measured lost. */
  allSessionsLost: number;
}

const MOVED =
  "The gateway's answer to POST /lab/scale (user: session ids; cart: the same ids keyed to cart replicas) next to the probe sessions measured lost.";

/** 3 → 5 replicas of user and cart under modulo, rendezvous ("ring") and round-robin with Redis. */
export const rescale: Experiment<RescaleRun> = {
  name: 'rescale',
  title: 'Rescale 3 → 5: how many sessions change owner',
  description:
    'The seed claims stateful servers cannot be added easily. K probe shoppers log in (with a cart line) on 3 user and 3 cart replicas; ' +
    'under light shopper load, user and then cart are scaled to 5 through POST /lab/scale, which reports how many known session ids ' +
    'changed owner. Every probe session is then checked with GET /api/me and GET /api/cart: in stateful mode a session whose owner ' +
    'changed is lost; in redis mode nothing is owned, so nothing moves and nothing is lost.',
  defaults: { durationSeconds: 15, sessions: 300, connections: 6 },
  plan: () => [labRun('stateful', 'sticky-modulo'), labRun('stateful', 'sticky-ring'), labRun('redis', 'round-robin')],

  async run(context) {
    const { lab, progress, phases } = context;
    const topology = await lab.topology();
    for (const service of SCALED) {
      // A --target lab may route to another number of replicas: start from 3 like a fresh one.
      if (activeReplicas(topology, service).length !== FROM) await lab.scale(service, FROM);
    }
    const shoppers = await placeProbes(context);

    const answers = {} as RescaleRun['scale'];
    let scaleMs = NaN;
    const drove = await driveWithEvent(
      context,
      {
        atSeconds: eventAtSeconds(context.settings, 0.3),
        label: `scale ${FROM} → ${TO}`,
        action: async (tools) => {
          await phases.enter('rescale');
          const started = Date.now();
          for (const service of SCALED) {
            answers[service] = await lab.scale(service, TO);
            tools.mark(`${service} on ${TO}`);
          }
          scaleMs = Date.now() - started;
          progress.note(
            `scaled in ${scaleMs} ms: user moved ${answers.user.keysMoved}/${answers.user.knownKeys}, cart ${answers.cart.keysMoved}/${answers.cart.knownKeys}`,
          );
          await phases.enter('after');
        },
      },
      `scale user and cart ${FROM} → ${TO}`,
    );
    if (!lab.owned) progress.note(`the target lab now routes to ${TO} user and ${TO} cart replicas`);
    const check = await checkProbes(context, shoppers);

    const load = loadFigures(drove.load);
    return {
      drove,
      figures: {
        from: answers.user.from,
        to: answers.user.to,
        scale: answers,
        keysMovedRatio: round(answers.user.keysMovedRatio, 4),
        keysMoved: answers.user.keysMoved,
        knownKeys: answers.user.knownKeys,
        cartKeysMovedRatio: round(answers.cart.keysMovedRatio, 4),
        scaleMs,
        ...probeFigures(check, 4),
        ...load,
        allSessionsLost: check.sessionsLost + load.loadSessionsLost,
      },
    };
  },

  // prettier-ignore
  columns: [
    ['mode'], ['routing'], ['keysMovedRatio'], ['cartKeysMovedRatio', 'cart ratio'], ['keysMoved'], ['knownKeys'], ['sessionsBefore', 'sessions'],
    ['sessionsLost'], ['sessionsLostRatio', 'lost ratio'], ['loadSessionsLost', 'load lost'], ['allSessionsLost', 'all lost'], ['cartsLost'], ['scaleMs', 'scale ms'],
  ],

  charts(runs): Chart[] {
    return [
      // The shaded 'rescale' phase spans both /lab/scale calls of each run; per-service markers would pile up.
      ...timelineCharts(runs, { bands: ['rescale'], errors: true, hideEvents: SCALED.map((service) => `${service} on ${TO}`) }),
      groupedBarChart(runs, { id: 'moved', title: 'Share of keys that changed owner', description: MOVED, yLabel: 'share of keys', format: 'percent' }, [
        ['user keys moved', 'keysMovedRatio'],
        ['cart keys moved', 'cartKeysMovedRatio'],
        ['probe sessions lost', 'sessionsLostRatio', '#e15759'],
      ]),
      lossChart(runs, 'Probe shoppers whose session (401 on /api/me) or cart line (session alive, line gone) did not survive the rescale.'),
      replicaShareChart(
        runs,
        'user',
        (run) => run.servedBy,
        'From x-served-by of every load response, before and after the rescale. Each load connection is one session: under sticky routing the sessions that kept their owner never reach the new replicas.',
      ),
    ];
  },
};
