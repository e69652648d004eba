import type { RedisTopologyKind } from '@app/config';
import { round } from '../kit/format';
import { DeadlineError, delay, waitUntil } from '../kit/wait';
import type { RedisServerProcess } from '../lab/redis-server';
import type { Chart } from '../report/svg-charts';
import { AcknowledgedWriter } from './acknowledged-writes';
import { barChart, groupedBarChart, timelineCharts } from './charts';
import type { Experiment, RunPlan, RunRecord } from './experiment';
import { failedStatuses } from './figures';
import { driveWithEvent } from './load-driver';
import { placeProbes } from './probe-shoppers';
import { eventAtSeconds } from './record';

export type Replication = 'async' | 'wait';
export type MasterFailure = 'kill' | 'hang';

export interface RedisFailoverRun extends RunRecord {
  scenario: string;
  topology: RedisTopologyKind;
  /** `async`: Redis' default; `wait`: REDIS_WAIT_REPLICAS=1 (WAIT after each write) and min-replicas-to-write 1 on every node. */
  replication: Replication;
  /** `kill`: SIGKILL; `hang`: SIGSTOP (connections stay open, nothing answers). */
  failure: MasterFailure;
  failedNode: string;
  failAtSeconds: number;
  /** From the failure until the end of the first sweep in which every probe shopper's write succeeded; NaN when none did within the deadline. */
  timeToRecoverMs: number;
  /** False when some probe shoppers still could not write RECOVERY_DEADLINE_MS after the new master took over. */
  writesRecovered: boolean;
  /** The share of probe shoppers whose write failed in the last sweep before the load ended (0 once recovered). */
  stillFailingShare: number;
  /** From the failure until the topology itself reports a new master serving (sentinel/cluster), or the restarted Redis answering (single). */
  promotedAfterMs: number;
  /** The largest share of probe sessions whose write failed in one sweep during the failover. */
  sessionsUnavailableShare: number;
  /** Probe writes that failed from the failure on. */
  probeWriteFailures: number;
  /** Non-2xx responses plus requests without a response in the shopper load, over the whole run. */
  errors: number;
  errorsByStatus: Record<string, number>;
  /** Probe writes answered 201 (acknowledged), over the whole run. */
  acknowledgedWrites: number;
  /** Acknowledged adds missing from their cart after the failover, re-reading every probe cart. */
  acknowledgedWritesLost: number;
  /** Probe carts missing at least one acknowledged add. */
  cartsWithLostWrites: number;
  sessionsBefore: number;
  sessionsLost: number;
  unknown: number;
  throughputRps: number;
}

interface FailoverPlan extends RunPlan {
  scenario: string;
}

function failoverRun(topology: RedisTopologyKind, replication: Replication, failure: MasterFailure): FailoverPlan {
  const scenario = `${topology}-${replication}-${failure}`;
  const label = `${topology} · ${replication === 'wait' ? 'WAIT 1' : 'async'} · ${failure === 'kill' ? 'SIGKILL' : 'SIGSTOP'}`;
  return {
    label,
    scenario,
    lab: { mode: 'redis', routing: 'round-robin', redisTopology: topology, redisAppendOnly: true, redisWaitReplicas: replication === 'wait' ? 1 : 0 },
  };
}

function parseScenario(scenario: string): { topology: RedisTopologyKind; replication: Replication; failure: MasterFailure } {
  const [topology, replication, failure] = scenario.split('-');
  return { topology: topology as RedisTopologyKind, replication: replication as Replication, failure: failure as MasterFailure };
}

/** How long after a new master took over the experiment waits for every probe to write again before it records "not recovered". */
const RECOVERY_DEADLINE_MS = 20_000;

const RECOVERY =
  'From the failure until every probe shopper could write again (the end of the first sweep of writes that all answered 201), ' +
  'and until the topology reported a new master (single: the restarted Redis answering).';

/** The master of a replicated Redis dies or hangs mid-load: how long until writes succeed, and which acknowledged writes are gone? */
export const redisFailover: Experiment<RedisFailoverRun> = {
  name: 'redis-failover',
  title: 'Redis failover: what replicas buy, and what they do not',
  description:
    'The seed says Redis with replicas loses nothing. In redis mode (round-robin) on a private Sentinel topology (1 master, 2 replicas, ' +
    '3 Sentinels, down-after 1 s) or Redis Cluster (3 masters + 3 replicas, node timeout 1 s), K probe shoppers keep adding items to ' +
    'their carts in sweeps while shopper load runs; the master (in a cluster: one master of three) is SIGKILLed, or frozen with ' +
    'SIGSTOP. Every write answered 201 is remembered; afterwards every probe cart is re-read and each acknowledged add missing from ' +
    'it counts as lost. Each topology runs with asynchronous replication and with REDIS_WAIT_REPLICAS=1 (WAIT after each write) ' +
    'plus min-replicas-to-write 1. A single Redis (SIGKILL, AOF, restarted after the outage) is the baseline.',
  defaults: { durationSeconds: 12, sessions: 30, connections: 6, outageSeconds: 2 },
  targetUnsupported: "it kills the lab's Redis master, which it can only do to the private topology it starts itself",
  plan: () => [
    failoverRun('single', 'async', 'kill'),
    failoverRun('sentinel', 'async', 'kill'),
    failoverRun('sentinel', 'async', 'hang'),
    failoverRun('sentinel', 'wait', 'kill'),
    failoverRun('sentinel', 'wait', 'hang'),
    failoverRun('cluster', 'async', 'kill'),
    failoverRun('cluster', 'async', 'hang'),
    failoverRun('cluster', 'wait', 'kill'),
  ],

  async run(context) {
    const { lab, plan, settings, progress, phases, signal } = context;
    const { topology, replication, failure } = parseScenario(plan.scenario ?? '');
    const replicated = lab.redisTopology;
    if (topology === 'single' ? !lab.redis : !replicated) throw new Error(`redis-failover needs a lab with its own private ${topology} Redis`);
    const probes = await placeProbes(context);
    const writer = new AcknowledgedWriter(probes);

    const failAt = eventAtSeconds(settings, 0.35);
    let failedAt = NaN;
    let failAtSeconds = failAt;
    let promotedAfterMs = NaN;
    let victim: RedisServerProcess | undefined;
    writer.start();
    let drove;
    try {
      drove = await driveWithEvent(
        context,
        {
          atSeconds: failAt,
          label: failure === 'kill' ? 'master SIGKILLed' : 'master frozen (SIGSTOP)',
          action: async (tools) => {
            victim = replicated ? await replicated.victim() : lab.redis;
            const node = victim as RedisServerProcess;
            await phases.enter('failover');
            failAtSeconds = tools.elapsed();
            failedAt = Date.now();
            if (failure === 'kill') await node.kill();
            else node.pause();
            if (replicated) {
              await replicated.waitFailover(node, 60_000, signal);
            } else {
              // A single Redis has nobody to take over: it comes back when it is restarted.
              await delay((settings.outageSeconds ?? 2) * 1000, signal);
              signal.throwIfAborted();
              await node.start();
            }
            promotedAfterMs = Date.now() - failedAt;
            tools.mark(replicated ? 'new master' : 'redis restarted');
            try {
              await waitUntil('every probe shopper to write again', () => writer.recoveredAt(failedAt), { timeoutMs: RECOVERY_DEADLINE_MS, intervalMs: 50, signal });
              tools.mark('writes succeed');
            } catch (error) {
              // Writes that never come back are a result (e.g. min-replicas-to-write with no replica left), not a failed run.
              if (!(error instanceof DeadlineError)) throw error;
              tools.mark('writes still refused');
              progress.note(`some probe shoppers still cannot write ${RECOVERY_DEADLINE_MS / 1000} s after the new master took over`);
            }
            await phases.enter('after');
          },
        },
        `the ${topology} master ${failure === 'kill' ? 'SIGKILLed' : 'frozen'}`,
      );
    } finally {
      await writer.stop();
    }
    await phases.enter('check');
    progress.note(`re-reading ${probes.length} probe carts`);
    const check = await writer.check(() => lab.waitReady(30_000, signal));
    await phases.end();
    const recoveredAt = writer.recoveredAt(failedAt) ?? NaN;
    const lastSweep = writer.sweeps[writer.sweeps.length - 1];
    progress.note(
      `${Number.isNaN(recoveredAt) ? 'writes NOT back' : `writes back ${recoveredAt - failedAt} ms after the failure`}; ` +
        `${check.lost} of ${check.acknowledged} acknowledged adds lost in ${check.cartsWithLoss} carts`,
    );

    const { load } = drove;
    return {
      drove,
      figures: {
        scenario: plan.scenario ?? '',
        topology,
        replication,
        failure,
        failedNode: victim ? `127.0.0.1:${victim.port}` : '',
        failAtSeconds: round(failAtSeconds),
        timeToRecoverMs: recoveredAt - failedAt,
        writesRecovered: !Number.isNaN(recoveredAt),
        stillFailingShare: round(lastSweep ? lastSweep.failed / Math.max(1, lastSweep.total) : NaN, 3),
        promotedAfterMs,
        sessionsUnavailableShare: round(writer.unavailableShare(failedAt, Number.isNaN(recoveredAt) ? Date.now() : recoveredAt), 3),
        probeWriteFailures: writer.failuresSince(failedAt),
        errors: load.non2xx + load.errors,
        errorsByStatus: { ...failedStatuses(load.statusCounts), ...(load.errors ? { 'no response': load.errors } : {}) },
        acknowledgedWrites: check.acknowledged,
        acknowledgedWritesLost: check.lost,
        cartsWithLostWrites: check.cartsWithLoss,
        sessionsBefore: probes.length,
        sessionsLost: check.sessionsLost,
        unknown: check.unknown,
        throughputRps: load.throughputRps,
      },
    };
  },

  // prettier-ignore
  columns: [
    ['topology'], ['mode'], ['replication'], ['failure'], ['timeToRecoverMs'], ['promotedAfterMs', 'new master ms'], ['sessionsUnavailableShare', 'unavailable share'],
    ['stillFailingShare', 'still failing'],
    ['errors'], ['errorsByStatus', 'by status'], ['acknowledgedWrites', 'acked writes'], ['acknowledgedWritesLost'], ['cartsWithLostWrites', 'carts w/ loss'],
    ['sessionsLost'],
  ],

  charts(runs): Chart[] {
    return [
      ...timelineCharts(runs, { bands: ['failover'], errors: true, hideEvents: ['writes succeed', 'writes still refused', 'new master', 'redis restarted'] }),
      groupedBarChart(runs, { id: 'recovery', title: 'Time to recover', description: RECOVERY, yLabel: 'ms' }, [
        ['writes succeed', 'timeToRecoverMs'],
        ['new master', 'promotedAfterMs'],
      ]),
      barChart(
        runs,
        {
          id: 'acknowledged-lost',
          title: 'Acknowledged writes lost',
          description: 'Probe cart adds answered 201 that were missing when every probe cart was re-read after the failover.',
          yLabel: 'writes',
        },
        'acknowledgedWritesLost',
      ),
      barChart(
        runs,
        {
          id: 'unavailable-share',
          title: 'Share of sessions that could not write during the failover',
          description: 'The largest share of probe shoppers whose write failed in one sweep between the failure and recovery.',
          yLabel: 'share',
        },
        'sessionsUnavailableShare',
      ),
    ];
  },
};
