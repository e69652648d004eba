export const BENCHES = ['store', 'tokens', 'routing', 'http', 'telemetry-cost', 'peers'] as const;
export type BenchName = (typeof BENCHES)[number];

export interface BenchOptions {
  quick: boolean;
  /** In the order of {@link BENCHES}, whatever order --only named them in. */
  benches: BenchName[];
  jsonFile: string | undefined;
  help: boolean;
}

/** A bad command line; the message is the one line to print. */
export class BenchOptionsError extends Error {
  override readonly name = 'BenchOptionsError';
}

export const BENCH_USAGE = `Usage: npm run bench -- [--quick] [--only NAME[,NAME…]] [--json FILE]

Measures what the seed claims about state: session store latency, token checks, routing picks,
and end-to-end cost of Redis and of telemetry against real labs started on free ports; peers
puts the lab beside the seed's Express + connect-redis example and two floors.

  --quick          shorter runs (about a minute in all instead of about four)
  --only NAMES     run only these benches (repeatable or comma-separated): ${BENCHES.join(', ')}
  --json FILE      also write every measurement as JSON to FILE
  -h, --help       show this help
`;

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let help = false;
  let jsonFile: string | undefined;
  const only = new Set<BenchName>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^(--[a-z-]+|-h)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new BenchOptionsError(`unexpected argument ${JSON.stringify(arg)} (see --help)`);
    const [, name, inline] = match;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('-')) throw new BenchOptionsError(`${name} needs a value`);
      i++;
      return next;
    };
    switch (name) {
      case '-h':
      case '--help':
        help = true;
        break;
      case '--quick':
        if (inline !== undefined) throw new BenchOptionsError('--quick takes no value');
        quick = true;
        break;
      case '--only':
        for (const bench of value().split(',').map((part) => part.trim())) {
          if (!(BENCHES as readonly string[]).includes(bench)) throw new BenchOptionsError(`unknown bench ${JSON.stringify(bench)} (one of ${BENCHES.join(', ')})`);
          only.add(bench as BenchName);
        }
        break;
      case '--json':
        if (jsonFile !== undefined) throw new BenchOptionsError('--json given twice');
        jsonFile = value();
        if (jsonFile.trim() === '') throw new BenchOptionsError('--json needs a file name');
        break;
      default:
        throw new BenchOptionsError(`unknown option ${name} (see --help)`);
    }
  }
  return { quick, benches: BENCHES.filter((bench) => only.size === 0 || only.has(bench)), jsonFile, help };
}
