import type { ServiceName } from '@app/config';
import type { Chart } from '../report/svg-charts';
import { lossChart, replicaShareChart, timelineCharts } from './charts';
import type { Experiment, RunRecord } from './experiment';
import { round } from './figures';
import { activeReplicas, ScaleAnswer } from './lab-handle';
import { checkShoppers, placeShoppers } from './probe-shoppers';

const FROM = 3;
const TO = 5;
const SCALED: readonly ServiceName[] = ['user', 'cart'];

export interface RescaleRun extends RunRecord {
  from: number;
  to: number;
  /** The gateway's /lab/scale answers, as given. */
  scale: Record<'user' | 'cart', ScaleAnswer>;
  /** user (sessions): share of the session ids the gateway knew that changed owner. */
  keysMovedRatio: number;
  keysMoved: number;
  knownKeys: number;
  cartKeysMovedRatio: number;
  /** How long both /lab/scale calls took (starting the new replicas included). */
  scaleMs: number;
  sessionsBefore: number;
  /** Probe sessions answering 401 on GET /api/me after the rescale. */
  sessionsLost: number;
  sessionsLostRatio: number;
  /** Probe shoppers whose session survived but whose cart line did not. */
  cartsLost: number;
  unknown: number;
  /** 401 session_lost answers the load's own shoppers got (their sessions were known keys too). */
  loadSessionsLost: number;
  /** sessionsLost + loadSessionsLost: every known session measured lost. */
  allSessionsLost: number;
  throughputRps: number;
  non2xx: number;
  errors: number;
}

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
  plan: () => [
    { label: 'stateful · sticky-modulo', lab: { mode: 'stateful', routing: 'sticky-modulo' } },
    { label: 'stateful · sticky-ring', lab: { mode: 'stateful', routing: 'sticky-ring' } },
    { label: 'redis · round-robin', lab: { mode: 'redis', routing: 'round-robin', redisAppendOnly: true } },
  ],

  async run({ lab, plan, settings, progress, phases, drive }) {
    await phases.enter('setup');
    const topology = await lab.topology();
    for (const service of SCALED) {
      // A --target lab may route to another number of replicas: start from 3 like a fresh one.
      if (activeReplicas(topology, service).length !== FROM) await lab.scale(service, FROM);
    }
    progress.note(`placing ${settings.sessions} probe shoppers (login + one cart line)`);
    const shoppers = await placeShoppers(lab.client, settings.sessions);

    const scaleAt = settings.eventAtSeconds ?? Math.max(2, Math.round(settings.durationSeconds * 0.3));
    const answers = {} as Record<'user' | 'cart', ScaleAnswer>;
    let scaleMs = NaN;
    progress.note(`load: ${settings.connections} shoppers for ${settings.durationSeconds} s, scale user and cart ${FROM} → ${TO} at ${scaleAt} s`);
    await phases.enter('baseline');
    const { load, events, originMs } = await drive({
      connections: settings.connections,
      plannedSeconds: settings.durationSeconds,
      events: [
        {
          atSeconds: scaleAt,
          label: `scale ${FROM} → ${TO}`,
          action: async (tools) => {
            await phases.enter('rescale');
            const started = Date.now();
            for (const service of SCALED) {
              answers[service as 'user' | 'cart'] = await lab.scale(service, TO);
              tools.mark(`${service} on ${TO}`);
            }
            scaleMs = Date.now() - started;
            progress.note(`scaled in ${scaleMs} ms: user moved ${answers.user.keysMoved}/${answers.user.knownKeys}, cart ${answers.cart.keysMoved}/${answers.cart.knownKeys}`);
            await phases.enter('after');
          },
        },
      ],
    });

    if (!lab.owned) progress.note(`the target lab now routes to ${TO} user and ${TO} cart replicas`);
    await phases.enter('check');
    progress.note(`looking at ${shoppers.length} probe sessions with GET /api/me and GET /api/cart`);
    const check = await checkShoppers(lab.client, shoppers, { beforeRetry: () => lab.waitReady(30_000) });
    await phases.end();

    return {
      label: plan.label,
      mode: lab.mode,
      routing: lab.routing,
      from: answers.user.from,
      to: answers.user.to,
      scale: answers,
      keysMovedRatio: round(answers.user.keysMovedRatio, 4),
      keysMoved: answers.user.keysMoved,
      knownKeys: answers.user.knownKeys,
      cartKeysMovedRatio: round(answers.cart.keysMovedRatio, 4),
      scaleMs,
      sessionsBefore: shoppers.length,
      sessionsLost: check.sessionsLost,
      sessionsLostRatio: round(check.sessionsLost / Math.max(1, shoppers.length), 4),
      cartsLost: check.cartsLost,
      unknown: check.unknown,
      loadSessionsLost: load.sessions.sessionLost,
      allSessionsLost: check.sessionsLost + load.sessions.sessionLost,
      throughputRps: load.throughputRps,
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
    { key: 'keysMovedRatio', label: 'keysMovedRatio' },
    { key: 'cartKeysMovedRatio', label: 'cart ratio' },
    { key: 'keysMoved', label: 'keysMoved' },
    { key: 'knownKeys', label: 'knownKeys' },
    { key: 'sessionsBefore', label: 'sessions' },
    { key: 'sessionsLost', label: 'sessionsLost' },
    { key: 'sessionsLostRatio', label: 'lost ratio' },
    { key: 'loadSessionsLost', label: 'load lost' },
    { key: 'allSessionsLost', label: 'all lost' },
    { key: 'cartsLost', label: 'cartsLost' },
    { key: 'scaleMs', label: 'scale ms' },
  ],

  charts(runs): Chart[] {
    return [
      // The shaded 'rescale' phase spans both /lab/scale calls of each run; per-service markers would pile up.
      ...timelineCharts(runs, { bands: ['rescale'], errors: true, hideEvents: SCALED.map((service) => `${service} on ${TO}`) }),
      {
        kind: 'grouped-bar',
        id: 'moved',
        title: 'Share of keys that changed owner',
        description: "The gateway's answer to POST /lab/scale (user: session ids; cart: the same ids keyed to cart replicas) next to the probe sessions measured lost.",
        yLabel: 'share of keys',
        format: 'percent',
        groups: runs.map((run) => run.label),
        series: [
          { name: 'user keys moved', values: runs.map((run) => run.keysMovedRatio) },
          { name: 'cart keys moved', values: runs.map((run) => run.cartKeysMovedRatio) },
          { name: 'probe sessions lost', values: runs.map((run) => run.sessionsLostRatio), color: '#e15759' },
        ],
      },
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
