import type { ChatDelivery } from '@app/config';
import { ChatTraffic, ChatTrafficFigures } from '../kit/chat-traffic';
import { round } from '../kit/format';
import { activeReplicas, findReplica } from '../kit/lab-handle';
import { waitUntil } from '../kit/wait';
import type { Chart } from '../report/svg-charts';
import { groupedBarChart, timelineCharts } from './charts';
import { Experiment, labRun, RunRecord } from './experiment';
import { driveWithEvent } from './load-driver';
import { eventAtSeconds, LoadFigures, loadFigures } from './record';

/** The chat replica the experiment kills. */
const VICTIM = 'chat-1';
/** Chat messages per second over all users: bounded, whatever the user count. */
const MESSAGES_PER_SECOND = 100;

export interface RealtimeRun extends RunRecord, LoadFigures {
  /**
   * `at-most-once`: an acknowledged message is not stored, what finds no connection is gone;
   * `at-least-once`: kept in the recipient's Redis Stream and replayed when they reconnect.
   */
  deliveryGuarantee: ChatDelivery;
  /** Messages received twice (a replay overlapping live delivery), dropped by the clients. */
  duplicates: number;
  users: number;
  crashed: string;
  crashAtSeconds: number;
  /** Users connected to the victim just before the crash. */
  usersOnVictim: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesLost: number;
  messagesLostBeforeCrash: number;
  messagesLostFromCrash: number;
  /** Connections the server side ended (the crash), over all users. */
  connectionsDropped: number;
  reconnects: number;
  /** p99 of drop → connected again, with the clients' jittered backoff (1 s base, 5 s max, ±50 %). */
  reconnect99Ms: number;
  reconnectMaxMs: number;
  /** p99 of client send → recipient receipt, for messages sent before the crash and from it on. */
  deliveryP99Ms: { before: number; after: number };
  deliveryP50Ms: { before: number; after: number };
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Users `user<first>` …: the first `count` demo users after the load shoppers' accounts. */
function chatUsers(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

/**
 * N users chat under bounded load, then a chat replica is SIGKILLed: what does a crash cost
 * when the state is the connection itself?
 */
export const realtime: Experiment<RealtimeRun> = {
  name: 'realtime',
  title: 'Real-time: what a crashed WebSocket replica costs',
  description:
    'A WebSocket connection is state no store can hold: it lives in one process. N users connect to the gateway\'s /ws (proxied to their chat ' +
    `replica, sticky by user) and chat at ${MESSAGES_PER_SECOND} messages/s in all, each to the next user, beside a light shopper load; at a fixed time ` +
    `${VICTIM} is SIGKILLed. Its connections drop, the clients reconnect with jittered backoff to a live replica, and at-most-once delivery loses ` +
    'whatever was sent to them in between. Stateful mode keeps presence in replica memory and forwards between replicas; redis mode keeps presence in ' +
    'Redis and fans out through pub/sub; with CHAT_DELIVERY=at-least-once each message is also kept in a Redis Stream and replayed to a client that ' +
    'reconnects with the id of the last one it got.',
  defaults: { durationSeconds: 20, sessions: 60, connections: 2 },
  targetUnsupported: 'it crashes chat-1 and needs the lab to restart it; run it on labs it starts',
  plan: () => [
    labRun('stateful', 'sticky-ring'),
    labRun('redis', 'round-robin'),
    { label: 'redis · round-robin · at-least-once', lab: { mode: 'redis', routing: 'round-robin', chatDelivery: 'at-least-once' } },
  ],

  async run(context) {
    const { lab, progress, phases, settings } = context;
    if (!activeReplicas(await lab.topology(), 'chat').includes(VICTIM)) throw new Error(`the lab does not route to ${VICTIM}`);
    progress.note(`connecting ${settings.sessions} chat users`);
    const guarantee: ChatDelivery = context.plan.lab.chatDelivery ?? 'at-most-once';
    const traffic = await ChatTraffic.connect(lab.client.baseUrl, { users: chatUsers(settings.connections + 1, settings.sessions), resume: guarantee === 'at-least-once' });
    try {
      const crashAt = eventAtSeconds(settings, 0.4);
      let crashedAtMs = Number.POSITIVE_INFINITY;
      let crashAtSeconds = NaN;
      let usersOnVictim = 0;
      const chatting = traffic.run({ ratePerSecond: MESSAGES_PER_SECOND, durationMs: settings.durationSeconds * 1000, signal: context.signal });
      const drove = await driveWithEvent(
        context,
        {
          atSeconds: crashAt,
          label: `crash ${VICTIM}`,
          action: async (tools) => {
            await phases.enter('recovery');
            usersOnVictim = Object.values(traffic.placement()).filter((replica) => replica === VICTIM).length;
            crashAtSeconds = tools.elapsed();
            crashedAtMs = Date.now();
            const pid = await lab.crash(VICTIM);
            progress.note(`crashed ${VICTIM} (${usersOnVictim} users on it) at ${crashAtSeconds.toFixed(1)} s`);
            await waitUntil(
              `${VICTIM} to be back`,
              async () => {
                const replica = findReplica(await lab.topology(), VICTIM);
                return replica?.up === true && replica.pid !== undefined && replica.pid !== pid;
              },
              { timeoutMs: 60_000, signal: context.signal },
            );
            tools.mark(`${VICTIM} back`);
            await phases.enter('after');
          },
        },
        `crash ${VICTIM}`,
      );
      await chatting;
      const figures = await traffic.figures({ graceMs: 2000, splitAtMs: crashedAtMs });
      return { drove, figures: { ...realtimeFigures(figures, guarantee, usersOnVictim, round(crashAtSeconds)), ...loadFigures(drove.load) } };
    } finally {
      await traffic.close();
    }
  },

  // prettier-ignore
  columns: [
    ['mode'], ['deliveryGuarantee', 'delivery'], ['users'], ['usersOnVictim', `on ${VICTIM}`], ['connectionsDropped', 'dropped'], ['reconnect99Ms', 'reconnect p99 ms'],
    ['messagesSent', 'sent'], ['messagesLost', 'lost'], ['duplicates', 'dup'], ['deliveryP99Ms.before', 'p99 ms before'], ['deliveryP99Ms.after', 'p99 ms after'],
  ],

  charts(runs): Chart[] {
    return [
      ...timelineCharts(runs, { bands: ['recovery'], errors: true }),
      groupedBarChart(runs, { id: 'ws-lost', title: 'Messages and connections lost', description: `Connections ${VICTIM}'s crash dropped, and messages never received (at-most-once).`, yLabel: 'count' }, [
        ['connections dropped', 'connectionsDropped', '#f28e2b'],
        ['messages lost', 'messagesLost', '#e15759'],
      ]),
      groupedBarChart(runs, { id: 'ws-delivery', title: 'Delivery p99, before and after the crash', description: 'Client send → recipient receipt, through the gateway and the chat replicas.', yLabel: 'ms' }, [
        ['before', 'deliveryP99Ms.before', '#4e79a7'],
        ['after', 'deliveryP99Ms.after', '#e15759'],
      ]),
      groupedBarChart(runs, { id: 'ws-reconnect', title: 'Reconnect time', description: 'Drop → connected again, with 1 s base, 5 s max, ±50 % jittered backoff.', yLabel: 'ms' }, [
        ['p99', 'reconnect99Ms', '#4e79a7'],
        ['max', 'reconnectMaxMs', '#e15759'],
      ]),
    ];
  },
};

/** The run's figures from what the clients saw (exported for the unit spec). */
export function realtimeFigures(
  figures: ChatTrafficFigures,
  deliveryGuarantee: ChatDelivery,
  usersOnVictim: number,
  crashAtSeconds: number,
): Omit<RealtimeRun, keyof RunRecord | keyof LoadFigures> {
  const p = (values: number[], q: number) => round(percentile(values, q), 1);
  return {
    deliveryGuarantee,
    duplicates: figures.duplicates,
    users: figures.users,
    crashed: VICTIM,
    crashAtSeconds,
    usersOnVictim,
    messagesSent: figures.sent,
    messagesDelivered: figures.delivered,
    messagesLost: figures.lost,
    messagesLostBeforeCrash: figures.lostBySendTime.before,
    messagesLostFromCrash: figures.lostBySendTime.after,
    connectionsDropped: figures.connectionsDropped,
    reconnects: figures.reconnectMs.length,
    reconnect99Ms: p(figures.reconnectMs, 99),
    reconnectMaxMs: figures.reconnectMs.length > 0 ? Math.max(...figures.reconnectMs) : NaN,
    deliveryP99Ms: { before: p(figures.deliveryMs.before, 99), after: p(figures.deliveryMs.after, 99) },
    deliveryP50Ms: { before: p(figures.deliveryMs.before, 50), after: p(figures.deliveryMs.after, 50) },
  };
}
