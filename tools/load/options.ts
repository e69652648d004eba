import { fileOption, integerOption, originOption, parseCommandLine, UsageError } from '../kit/options';
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

/**
 * Parses the `npm run load` command line. `env` is passed in (main.ts hands over GATEWAY_URL as validated by libs/config)
 * because only the config library may read the environment; GATEWAY_URL is the one variable used.
 * Throws UsageError with a one-line message on the first bad option.
 */
export function parseLoadOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): LoadOptions {
  const { values } = parseCommandLine(argv, { values: ['url', 'connections', 'duration', 'mix', 'users', 'json'] });
  return {
    url: originOption(values.url, '--url') ?? originOption(env.GATEWAY_URL || undefined, 'GATEWAY_URL') ?? DEFAULT_URL,
    connections: integerOption(values.connections, '--connections', 1, 10_000) ?? 20,
    durationSeconds: integerOption(values.duration, '--duration', 1, 86_400) ?? 30,
    mix: values.mix === undefined ? { ...DEFAULT_MIX } : parseMix(values.mix),
    users: integerOption(values.users, '--users', 1, 1_000_000) ?? 1000,
    jsonFile: fileOption(values.json, '--json'),
    help: values.help,
  };
}

/** `browse=4,add=2,view=2,checkout=1`; actions left out count 0. */
export function parseMix(value: string): ShopperMix {
  const mix: ShopperMix = { browse: 0, add: 0, view: 0, checkout: 0 };
  const seen = new Set<string>();
  const fail = (why: string): never => {
    throw new UsageError(`invalid --mix ${JSON.stringify(value)}: ${why}`);
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
