import { randomBytes } from 'node:crypto';
import { hash32, ModuloSelector, RendezvousSelector, ReplicaSelector, RoundRobinSelector } from '@app/routing';
import { num } from '../kit/format';
import { Machine, timePerOp } from './measure';
import { formatSection } from './report';

export interface RoutingBenchOptions {
  /** Picks per timed round. */
  picks: number;
  rounds: number;
}

export type RoutingSubject = 'round-robin' | 'sticky-modulo' | 'sticky-ring' | 'loop + call (baseline)' | 'hash32 alone';

export interface RoutingMeasurement {
  subject: RoutingSubject;
  members: number;
  nsPerPick: number;
  roundsNs: number[];
}

export interface RoutingBenchResult {
  picks: number;
  rounds: number;
  keyPool: number;
  rows: RoutingMeasurement[];
}

export const ROUTING_MEMBER_COUNTS = [3, 16] as const;
/** Keys cycle through a pre-generated pool (a power of two) so key creation stays out of the timing. */
const KEY_POOL = 1 << 16;

/** Nanoseconds per replica pick of each selector, for 3 and 16 members. */
export function runRoutingBench(options: RoutingBenchOptions): RoutingBenchResult {
  const keys = Array.from({ length: KEY_POOL }, () => randomBytes(16).toString('base64url'));
  const mask = KEY_POOL - 1;
  const rows: RoutingMeasurement[] = [];
  const measure = (subject: RoutingSubject, members: readonly string[], pick: (key: string) => string) => {
    const timing = timePerOp((i) => pick(keys[i & mask]).length, options.picks, options.rounds);
    rows.push({ subject, members: members.length, nsPerPick: timing.nsPerOp, roundsNs: timing.rounds });
  };
  for (const size of ROUTING_MEMBER_COUNTS) {
    const members = Array.from({ length: size }, (_, i) => `cart-${i + 1}`);
    // What every row pays anyway: the loop, the key fetch and one closure call returning a member.
    measure('loop + call (baseline)', members, (key) => members[key.length & 1]);
    measure('hash32 alone', members, (key) => members[hash32(key) % size]);
    const selectors: [RoutingSubject, ReplicaSelector][] = [
      ['round-robin', new RoundRobinSelector()],
      ['sticky-modulo', new ModuloSelector()],
      ['sticky-ring', new RendezvousSelector()],
    ];
    for (const [subject, selector] of selectors) measure(subject, members, (key) => selector.pick(members, key));
  }
  return { picks: options.picks, rounds: options.rounds, keyPool: KEY_POOL, rows };
}

export function formatRoutingBench(result: RoutingBenchResult, machine: Machine): string {
  const nsOf = (subject: RoutingSubject, members: number) => result.rows.find((row) => row.subject === subject && row.members === members)?.nsPerPick;
  const subjects: RoutingSubject[] = ['round-robin', 'sticky-modulo', 'sticky-ring', 'hash32 alone', 'loop + call (baseline)'];
  const names: Record<RoutingSubject, string> = {
    'round-robin': 'round-robin (RoundRobinSelector)',
    'sticky-modulo': 'sticky-modulo (ModuloSelector)',
    'sticky-ring': 'sticky-ring (RendezvousSelector)',
    'hash32 alone': 'hash32 of the key alone',
    'loop + call (baseline)': 'loop + call (baseline)',
  };
  return formatSection(
    {
      title: 'routing: cost of one replica pick',
      measured: [
        `${result.picks} picks per round, median of ${result.rounds} rounds after a warm-up round; 22-char session ids from a pool of ${result.keyPool}; members cart-1 … cart-N`,
      ],
      tables: [
        {
          headers: ['selector', ...ROUTING_MEMBER_COUNTS.map((n) => `${n} members ns/pick`), ...ROUTING_MEMBER_COUNTS.map((n) => `${n} members M picks/s`)],
          rows: subjects.map((subject) => [
            names[subject],
            ...ROUTING_MEMBER_COUNTS.map((n) => num(nsOf(subject, n))),
            ...ROUTING_MEMBER_COUNTS.map((n) => {
              const ns = nsOf(subject, n);
              return ns === undefined ? '-' : num(1000 / ns);
            }),
          ]),
        },
      ],
      notes: [
        'rendezvous hashes the key once and each member once per pick: O(N), so 16 members cost more than 3; modulo hashes the key once; round-robin ignores it',
        'every row includes the baseline (loop, key fetch, closure call); a pick happens once per routed request, next to a TCP hop of tens of µs',
      ],
    },
    machine,
  );
}
