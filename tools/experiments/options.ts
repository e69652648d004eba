import { fileOption, integerOption, originOption, parseCommandLine, UsageError } from '../kit/options';
import { EXPERIMENT_NAMES, ExperimentName, ExperimentSettings } from './experiment';
import { EXPERIMENTS } from './registry';

export interface ExperimentOptions {
  name: ExperimentName | undefined;
  settings: Partial<ExperimentSettings>;
  target: string | undefined;
  jsonFile: string | undefined;
  reportFile: string | undefined;
  /** --only: the planned runs to do, by label or scenario (e.g. `cluster-async-kill`); all when undefined. */
  only: string[] | undefined;
  /** LAB_ADMIN_TOKEN: sent on /lab calls and given to the labs the experiment starts. */
  adminToken: string | undefined;
  help: boolean;
}

const SUMMARY: Record<ExperimentName, string> = {
  modes: 'the same shopper load against stateful, redis and jwt mode',
  crash: 'kill cart-1 and user-1 mid-load: sessions and carts lost, errors until ready',
  rescale: 'user and cart 3 -> 5 under sticky-modulo, sticky-ring and redis round-robin',
  skew: 'a few heavy shoppers among many light ones: sticky vs round-robin',
  'redis-outage': 'Redis frozen, restarted with AOF, restarted without persistence',
  'redis-failover': 'the Redis master killed or frozen on sentinel and cluster, async vs WAIT 1',
  latency: 'both modes at added Redis RTT 0 / 0.1 / 0.5 / 1 / 2 ms (a TCP proxy)',
  deploy: 'restart every user and cart replica under load: kill, drain, handoff, blue-green',
  realtime: 'N users chatting over WebSockets, chat-1 crashed: connections dropped, reconnects, messages lost',
};

function defaultsOf(name: ExperimentName): string {
  const { durationSeconds, sessions, connections } = EXPERIMENTS[name].defaults;
  return `${durationSeconds} s, ${name === 'modes' ? '-' : sessions} sessions, ${connections} connections`;
}

export const EXPERIMENT_USAGE = `Usage: npm run experiment -- <name> [options]

Starts its own labs on free ports (redis mode: a private redis-server), drives shopper load,
injects the experiment's event at a fixed time, prints a results table.

Experiments (defaults: load duration, probe sessions, load connections):
${EXPERIMENT_NAMES.map((name) => `  ${name.padEnd(13)} ${SUMMARY[name]}\n  ${' '.repeat(13)} (${defaultsOf(name)})`).join('\n')}

Options:
  --json FILE          also write {experiment, startedAt, runs: [...]} as JSON to FILE
  --report FILE.html   also write a self-contained HTML report with charts to FILE
  --target URL         one run against a lab that is already running (its own mode and
                       routing) instead of fresh labs; not for redis-outage
  --duration S         seconds of load per run
  --sessions K         probe shoppers checked before and after the event
                       (skew: light shoppers at ~1 request/s each; deploy: journey shoppers)
  --connections C      concurrent load connections (skew: heavy shoppers)
  --drain S            deploy: seconds a drain waits at most per replica (default 10)
  --only A,B           only the planned runs with these scenarios (redis-failover:
                       <single|sentinel|cluster>-<async|wait>-<kill|hang>, e.g.
                       sentinel-wait-kill; latency: stateful, redis)
  -h, --help           show this help

Environment: LAB_ADMIN_TOKEN, when the target lab's /lab API is guarded.
`;

/**
 * Parses the `npm run experiment` command line. `env` is handed in by main.ts: only the config
 * library reads the environment itself. Throws UsageError on the first bad option.
 */
export function parseExperimentOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ExperimentOptions {
  const { values, positionals } = parseCommandLine(argv, {
    values: ['json', 'report', 'target', 'duration', 'sessions', 'connections', 'drain', 'only'],
    positionals: Infinity,
  });
  if (positionals.length > 1) throw new UsageError(`one experiment at a time, got ${positionals.join(', ')}`);
  const requested = positionals[0];
  if (requested !== undefined && !(EXPERIMENT_NAMES as readonly string[]).includes(requested)) {
    throw new UsageError(`unknown experiment ${JSON.stringify(requested)}: expected one of ${EXPERIMENT_NAMES.join(', ')}`);
  }
  if (requested === undefined && !values.help) throw new UsageError(`name an experiment: ${EXPERIMENT_NAMES.join(', ')} (see --help)`);
  const name = requested as ExperimentName | undefined;

  const target = originOption(values.target, '--target');
  if (target && name && EXPERIMENTS[name].targetUnsupported) {
    throw new UsageError(`${name} cannot use --target: ${EXPERIMENTS[name].targetUnsupported}`);
  }
  return {
    name,
    settings: {
      durationSeconds: integerOption(values.duration, '--duration', 2, 3600),
      sessions: integerOption(values.sessions, '--sessions', 1, 100_000),
      connections: integerOption(values.connections, '--connections', 1, 1000),
      ...(values.drain === undefined ? {} : { drainSeconds: integerOption(values.drain, '--drain', 0, 3600) }),
    },
    target,
    jsonFile: fileOption(values.json, '--json'),
    reportFile: fileOption(values.report, '--report'),
    only: values.only === undefined ? undefined : values.only.split(',').filter(Boolean),
    adminToken: env.LAB_ADMIN_TOKEN || undefined,
    help: values.help,
  };
}
