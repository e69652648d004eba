import { fileOption, parseCommandLine, UsageError } from '../kit/options';

export const BENCHES = ['store', 'tokens', 'routing', 'http', 'profile', 'telemetry-cost', 'peers', 'resources'] as const;
export type BenchName = (typeof BENCHES)[number];

export interface BenchOptions {
  quick: boolean;
  /** In the order of {@link BENCHES}, whatever order --only named them in. */
  benches: BenchName[];
  jsonFile: string | undefined;
  help: boolean;
}

export const BENCH_USAGE = `Usage: npm run bench -- [--quick] [--only NAME[,NAME…]] [--json FILE]

Measures what the seed claims about state: session store latency, token checks, routing picks,
and end-to-end cost of Redis and of telemetry against real labs started on free ports.

  --quick          shorter runs (about a minute in all instead of about four)
  --only NAMES     run only these benches (repeatable or comma-separated): ${BENCHES.join(', ')}
  --json FILE      also write every measurement as JSON to FILE
  -h, --help       show this help
`;

/** Parses the `npm run bench` command line; throws UsageError on the first bad option. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseCommandLine(argv, { values: ['json'], lists: ['only'], flags: ['quick'] });
  const only = new Set<string>(values.only.flatMap((list) => list.split(',')).map((part) => part.trim()));
  for (const bench of only) {
    if (!(BENCHES as readonly string[]).includes(bench)) throw new UsageError(`unknown bench ${JSON.stringify(bench)} (one of ${BENCHES.join(', ')})`);
  }
  return {
    quick: values.quick,
    benches: BENCHES.filter((bench) => only.size === 0 || only.has(bench)),
    jsonFile: fileOption(values.json, '--json'),
    help: values.help,
  };
}
