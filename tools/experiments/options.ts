import { EXPERIMENT_NAMES, ExperimentName, ExperimentSettings } from './experiment';
import { EXPERIMENTS } from './registry';

export interface ExperimentOptions {
  name: ExperimentName | undefined;
  settings: Partial<ExperimentSettings>;
  target: string | undefined;
  jsonFile: string | undefined;
  reportFile: string | undefined;
  /** LAB_ADMIN_TOKEN: sent on /lab calls and given to the labs the experiment starts. */
  adminToken: string | undefined;
  help: boolean;
}

/** A bad command line; the message is the one line to print. */
export class ExperimentOptionsError extends Error {
  override readonly name = 'ExperimentOptionsError';
}

const SUMMARY: Record<ExperimentName, string> = {
  modes: 'the same shopper load against stateful and redis mode',
  crash: 'kill cart-1 and user-1 mid-load: sessions and carts lost, errors until ready',
  rescale: 'user and cart 3 -> 5 under sticky-modulo, sticky-ring and redis round-robin',
  skew: 'a few heavy shoppers among many light ones: sticky vs round-robin',
  'redis-outage': 'Redis frozen, restarted with AOF, restarted without persistence',
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
                       (skew: light shoppers at ~1 request/s each)
  --connections C      concurrent load connections (skew: heavy shoppers)
  -h, --help           show this help

Environment: LAB_ADMIN_TOKEN, when the target lab's /lab API is guarded.
`;

type ValueOption = 'json' | 'report' | 'target' | 'duration' | 'sessions' | 'connections';
const VALUE_OPTIONS: readonly ValueOption[] = ['json', 'report', 'target', 'duration', 'sessions', 'connections'];

/**
 * Parses the `npm run experiment` command line. `env` is handed in by main.ts: only the config
 * library reads the environment itself. Throws ExperimentOptionsError on the first bad option.
 */
export function parseExperimentOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ExperimentOptions {
  const given = new Map<ValueOption, string>();
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = match?.[1] as ValueOption | undefined;
    if (!match || !name || !VALUE_OPTIONS.includes(name)) throw new ExperimentOptionsError(`unknown option ${arg} (see --help)`);
    if (given.has(name)) throw new ExperimentOptionsError(`--${name} given twice`);
    let value = match[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ExperimentOptionsError(`--${name} needs a value`);
      i++;
    }
    given.set(name, value);
  }

  if (positional.length > 1) throw new ExperimentOptionsError(`one experiment at a time, got ${positional.join(', ')}`);
  const requested = positional[0];
  if (requested !== undefined && !(EXPERIMENT_NAMES as readonly string[]).includes(requested)) {
    throw new ExperimentOptionsError(`unknown experiment ${JSON.stringify(requested)}: expected one of ${EXPERIMENT_NAMES.join(', ')}`);
  }
  if (requested === undefined && !help) throw new ExperimentOptionsError(`name an experiment: ${EXPERIMENT_NAMES.join(', ')} (see --help)`);
  const name = requested as ExperimentName | undefined;

  const target = given.has('target') ? parseOrigin(given.get('target') as string) : undefined;
  if (target && name && EXPERIMENTS[name].targetUnsupported) {
    throw new ExperimentOptionsError(`${name} cannot use --target: ${EXPERIMENTS[name].targetUnsupported}`);
  }
  const settings: Partial<ExperimentSettings> = {
    durationSeconds: parseInteger(given.get('duration'), '--duration', 2, 3600),
    sessions: parseInteger(given.get('sessions'), '--sessions', 1, 100_000),
    connections: parseInteger(given.get('connections'), '--connections', 1, 1000),
  };
  return {
    name,
    settings,
    target,
    jsonFile: parseFile(given.get('json'), '--json'),
    reportFile: parseFile(given.get('report'), '--report'),
    adminToken: env.LAB_ADMIN_TOKEN === '' ? undefined : env.LAB_ADMIN_TOKEN,
    help,
  };
}

function parseOrigin(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new ExperimentOptionsError(`invalid --target ${JSON.stringify(value)}: expected a gateway origin such as http://127.0.0.1:8080`);
  }
  return url.origin;
}

function parseInteger(value: string | undefined, label: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new ExperimentOptionsError(`invalid ${label} ${JSON.stringify(value)}: expected an integer from ${min} to ${max}`);
  }
  return parsed;
}

function parseFile(value: string | undefined, label: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new ExperimentOptionsError(`invalid ${label}: expected a file name`);
  return value;
}
