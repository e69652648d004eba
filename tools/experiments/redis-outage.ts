import { round } from '../kit/format';
import type { GatewayClient } from '../kit/http';
import { Shopper } from '../kit/shopper';
import { delay, waitUntil } from '../kit/wait';
import type { Chart } from '../report/svg-charts';
import { barChart, groupedBarChart, lossChart, timelineCharts } from './charts';
import type { Experiment, RunRecord } from './experiment';
import { failedStatuses } from './figures';
import { driveWithEvent } from './load-driver';
import { checkProbes, placeProbes } from './probe-shoppers';
import { eventAtSeconds, LoadFigures, ProbeFigures, probeFigures } from './record';

export type OutageScenario = 'pause' | 'restart-aof' | 'restart-no-persistence';

export interface RedisOutageRun extends RunRecord, ProbeFigures, Pick<LoadFigures, 'loadSessionsLost' | 'throughputRps'> {
  scenario: OutageScenario;
  /** How Redis was configured: `aof` (appendonly yes, fsync every second) or `none`. */
  persistence: 'aof' | 'none';
  outageAtSeconds: number;
  /** How long Redis was actually frozen or dead: from SIGSTOP/SIGKILL until SIGCONT / the restarted server answering PING. */
  outageMs: number;
  /** Non-2xx responses plus requests without a response, over the whole load. */
  errors: number;
  errorsByStatus: Record<string, number>;
  /** From Redis back until the first successful probe login (a session written to Redis) completed; probes run back to back. */
  timeToRecoverMs: number;
  recoveryProbe: RecoveryProbe | undefined;
  /** From Redis back until /readyz answered 200 (every routed replica's health check saw its store up; checks run every second). */
  timeToReadyMs: number;
}

const PROBE_ACCOUNT = 'user999';

export interface RecoveryProbe {
  /** From Redis back until the successful login's response arrived. */
  ms: number;
  /** Logins tried, the successful one included. */
  attempts: number;
  /** Latency of the successful login itself (part of `ms`). */
  lastLatencyMs: number;
  /** Status of each failed attempt. */
  failedStatuses: number[];
}

/** Back-to-back logins (20 ms apart) until one succeeds. */
async function firstSuccessfulLogin(client: GatewayClient, sinceMs: number, signal: AbortSignal): Promise<RecoveryProbe> {
  const failed: number[] = [];
  const probe = new Shopper(client, PROBE_ACCOUNT);
  return waitUntil(
    'a login to succeed after Redis came back',
    async () => {
      const sent = Date.now();
      const reply = await probe.login(undefined, { timeoutMs: 5000 }).catch(() => undefined);
      const now = Date.now();
      if (reply?.status === 200) return { ms: now - sinceMs, attempts: failed.length + 1, lastLatencyMs: now - sent, failedStatuses: failed };
      failed.push(reply?.status ?? 0);
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 20, signal },
  );
}

const RECOVERY = 'First successful login (a session written to Redis) and /readyz back to 200, from SIGCONT or the restarted server answering PING.';

/** Redis frozen or killed mid-load in redis mode: errors while it is gone, recovery time, and what survives. */
export const redisOutage: Experiment<RedisOutageRun> = {
  name: 'redis-outage',
  title: 'Redis outage: the shared store as the single point of failure',
  description:
    'The seed moves state to Redis and calls the servers stateless; Redis then holds everything. In redis mode (round-robin), K probe ' +
    'shoppers log in with a cart line; under shopper load Redis is (a) frozen with SIGSTOP for the outage, then resumed; ' +
    '(b) SIGKILLed and restarted after the outage with AOF persistence; (c) the same without persistence. Then every probe ' +
    'shopper is checked with GET /api/me and GET /api/cart.',
  defaults: { durationSeconds: 20, sessions: 150, connections: 8, outageSeconds: 5 },
  targetUnsupported: "it freezes, kills and restarts the lab's Redis, which it can only do to the private redis-server it starts itself",
  plan: () => [
    { label: 'pause (SIGSTOP)', scenario: 'pause', lab: { mode: 'redis', routing: 'round-robin', redisAppendOnly: true } },
    { label: 'restart, AOF on', scenario: 'restart-aof', lab: { mode: 'redis', routing: 'round-robin', redisAppendOnly: true } },
    { label: 'restart, no persistence', scenario: 'restart-no-persistence', lab: { mode: 'redis', routing: 'round-robin', redisAppendOnly: false } },
  ],

  async run(context) {
    const { lab, plan, settings, progress, phases, signal } = context;
    const redis = lab.redis;
    if (!redis) throw new Error('redis-outage needs a redis-mode lab with its own private redis-server');
    const scenario = plan.scenario as OutageScenario;
    const outageSeconds = settings.outageSeconds ?? 5;
    const shoppers = await placeProbes(context);

    const outageAt = eventAtSeconds(settings, 0.3);
    let outageMs = NaN;
    let probe: RecoveryProbe | undefined;
    let timeToReadyMs = NaN;
    let outageFrom = outageAt;
    const drove = await driveWithEvent(
      context,
      {
        atSeconds: outageAt,
        label: scenario === 'pause' ? 'redis frozen (SIGSTOP)' : 'redis killed (SIGKILL)',
        action: async (tools) => {
          await phases.enter('outage');
          outageFrom = tools.elapsed();
          const downAt = Date.now();
          if (scenario === 'pause') redis.pause();
          else await redis.kill();
          // The outage itself is the experiment's designed phase.
          await delay(outageSeconds * 1000, signal);
          // Interrupted: the lab (and its Redis) is being torn down; starting Redis again would leak it.
          signal.throwIfAborted();
          if (scenario === 'pause') redis.resume();
          else await redis.start();
          const backAt = Date.now();
          outageMs = backAt - downAt;
          tools.mark('redis back');
          await phases.enter('recovery');
          [probe, timeToReadyMs] = await Promise.all([
            firstSuccessfulLogin(lab.client, backAt, signal),
            lab.waitReady(60_000, signal).then(() => Date.now() - backAt),
          ]);
          tools.mark('ready again');
          progress.note(
            `Redis back after ${outageMs} ms; first successful login ${probe.ms} ms later (attempt ${probe.attempts}), /readyz 200 after ${timeToReadyMs} ms`,
          );
          await phases.enter('after');
        },
      },
      `Redis ${scenario === 'pause' ? 'frozen' : 'killed'} for ${outageSeconds} s`,
    );
    const check = await checkProbes(context, shoppers);

    const { load } = drove;
    return {
      drove,
      figures: {
        scenario,
        persistence: plan.lab.redisAppendOnly === false ? 'none' : 'aof',
        outageAtSeconds: round(outageFrom),
        outageMs,
        errors: load.non2xx + load.errors,
        errorsByStatus: { ...failedStatuses(load.statusCounts), ...(load.errors ? { 'no response': load.errors } : {}) },
        timeToRecoverMs: probe?.ms ?? NaN,
        recoveryProbe: probe,
        timeToReadyMs,
        ...probeFigures(check),
        loadSessionsLost: load.sessions.sessionLost,
        throughputRps: load.throughputRps,
      },
    };
  },

  // prettier-ignore
  columns: [
    ['scenario'], ['mode'], ['routing'], ['persistence'], ['outageMs', 'outage ms'], ['errors'], ['errorsByStatus', 'by status'], ['timeToRecoverMs'],
    ['timeToReadyMs', 'to /readyz ms'], ['sessionsBefore', 'sessions'], ['sessionsLost'], ['cartsLost'],
  ],

  charts(runs): Chart[] {
    return [
      // Each run's recovery is shaded; its 'ready again' marker would crowd the three runs' labels.
      ...timelineCharts(runs, { bands: ['outage', 'recovery'], errors: true, hideEvents: ['ready again'] }),
      lossChart(runs, 'Probe shoppers whose session (401) or cart line (session alive, line gone) did not survive the outage.'),
      groupedBarChart(runs, { id: 'recovery', title: 'Time to recover after Redis is back', description: RECOVERY, yLabel: 'ms' }, [
        ['first successful login', 'timeToRecoverMs'],
        ['/readyz 200', 'timeToReadyMs'],
      ]),
      barChart(
        runs,
        {
          id: 'errors-total',
          title: 'Failed requests per run',
          description: 'Non-2xx responses plus requests without a response, over the whole load.',
          yLabel: 'requests',
        },
        'errors',
      ),
    ];
  },
};
