import { DEFAULT_MIX, mixProblem, SHOPPER_ACTIONS, ShopperAction, ShopperMix } from './shopper-flow';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  mix: ShopperMix;
  /** How many demo accounts (user1 … userN) the connections are spread over. */
  users: number;
  /** Where to write the result as JSON, if anywhere. */
  jsonFile: string | undefined;
  help: boolean;
}

/** A bad command line; the message is the one line to print. */
export class LoadOptionsError extends Error {
  override readonly name = 'LoadOptionsError';
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export const LOAD_USAGE = `Usage: npm run load -- [options]

Drives the shopper flow (login, browse, add to cart, view cart, checkout) against the gateway.

  --url URL            gateway origin (default: $GATEWAY_URL, else ${DEFAULT_URL})
  --connections N      concurrent shoppers, one connection and account each (default 20)
  --duration SECONDS   how long to drive load (default 30)
  --mix LIST           actions per shopper cycle; actions left out count 0
                       (default ${formatMix(DEFAULT_MIX)})
  --users N            demo accounts user1 … userN to spread shoppers over (default 1000)
  --json FILE          also write the result as JSON to FILE
  -h, --help           show this help
`;

export function formatMix(mix: ShopperMix): string {
  return SHOPPER_ACTIONS.map((action) => `${action}=${mix[action]}`).join(',');
}

type ValueOption = 'url' | 'connections' | 'duration' | 'mix' | 'users' | 'json';
const VALUE_OPTIONS: readonly ValueOption[] = ['url', 'connections', 'duration', 'mix', 'users', 'json'];

/**
 * Parses the `npm run load` command line. `env` is passed in (main.ts hands over GATEWAY_URL as validated by libs/config)
 * because only the config library may read the environment; GATEWAY_URL is the one variable used.
 * Throws LoadOptionsError with a one-line message on the first bad option.
 */
export function parseLoadOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): LoadOptions {
  const given = new Map<ValueOption, string>();
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new LoadOptionsError(`unexpected argument ${JSON.stringify(arg)} (see --help)`);
    const name = match[1] as ValueOption;
    if (!VALUE_OPTIONS.includes(name)) throw new LoadOptionsError(`unknown option --${match[1]} (see --help)`);
    if (given.has(name)) throw new LoadOptionsError(`--${name} given twice`);
    let value = match[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new LoadOptionsError(`--${name} needs a value`);
      value = next;
      i++;
    }
    given.set(name, value);
  }

  const envUrl = env.GATEWAY_URL === '' ? undefined : env.GATEWAY_URL;
  const urlValue = given.get('url');
  return {
    url: urlValue !== undefined ? parseUrl(urlValue, '--url') : envUrl !== undefined ? parseUrl(envUrl, 'GATEWAY_URL') : DEFAULT_URL,
    connections: parseInteger(given.get('connections'), '--connections', 1, 10_000, 20),
    durationSeconds: parseInteger(given.get('duration'), '--duration', 1, 86_400, 30),
    mix: given.has('mix') ? parseMix(given.get('mix') ?? '') : { ...DEFAULT_MIX },
    users: parseInteger(given.get('users'), '--users', 1, 1_000_000, 1000),
    jsonFile: parseFile(given.get('json'), '--json'),
    help,
  };
}

function parseUrl(value: string, label: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new LoadOptionsError(`invalid ${label} ${JSON.stringify(value)}: expected an http:// or https:// origin such as ${DEFAULT_URL}`);
  }
  return url.origin;
}

function parseInteger(value: string | undefined, label: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new LoadOptionsError(`invalid ${label} ${JSON.stringify(value)}: expected an integer from ${min} to ${max}`);
  }
  return parsed;
}

function parseFile(value: string | undefined, label: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new LoadOptionsError(`invalid ${label}: expected a file name`);
  return value;
}

/** `browse=4,add=2,view=2,checkout=1`; actions left out count 0. */
export function parseMix(value: string): ShopperMix {
  const mix: ShopperMix = { browse: 0, add: 0, view: 0, checkout: 0 };
  const seen = new Set<string>();
  const fail = (why: string): never => {
    throw new LoadOptionsError(`invalid --mix ${JSON.stringify(value)}: ${why}`);
  };
  if (value.trim() === '') fail(`expected a list like ${formatMix(DEFAULT_MIX)}`);
  for (const part of value.split(',')) {
    const match = /^\s*([a-z]+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!match) fail(`${JSON.stringify(part)} is not action=count (actions: ${SHOPPER_ACTIONS.join(', ')})`);
    const [, action, count] = match as RegExpExecArray;
    if (!(SHOPPER_ACTIONS as readonly string[]).includes(action)) fail(`unknown action ${JSON.stringify(action)} (actions: ${SHOPPER_ACTIONS.join(', ')})`);
    if (seen.has(action)) fail(`${action} given twice`);
    seen.add(action);
    mix[action as ShopperAction] = Number(count);
  }
  const problem = mixProblem(mix);
  if (problem) fail(problem);
  return mix;
}
