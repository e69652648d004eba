/**
 * Cost of one pick per selector: 1e6 picks over 16 replicas, keys cycling through a
 * pre-generated pool so key creation stays out of the timing. Run after a build:
 * `node dist/libs/routing/src/routing.bench.js`. Prints ns/op; compare ratios, not absolutes.
 */
import { randomBytes } from 'node:crypto';
import { hash32 } from './hash';
import { ModuloSelector, RendezvousSelector, ReplicaSelector, RoundRobinSelector } from './selectors';

const PICKS = 1_000_000;
const MEMBERS = Array.from({ length: 16 }, (_, i) => `cart-${i + 1}`);
const KEY_POOL_SIZE = 1 << 16;

function measure(label: string, run: (key: string) => string, keys: readonly string[]): void {
  const mask = keys.length - 1;
  let sink = 0;
  // Warm-up lets the JIT optimise before the timed loop.
  for (let i = 0; i < PICKS / 10; i++) sink ^= run(keys[i & mask]).length;
  const start = process.hrtime.bigint();
  for (let i = 0; i < PICKS; i++) sink ^= run(keys[i & mask]).length;
  const elapsed = Number(process.hrtime.bigint() - start);
  // Printing the sink keeps the loop's result observable, so it cannot be optimised away.
  console.log(`${label.padEnd(36)} ${(elapsed / PICKS).toFixed(1).padStart(8)} ns/op  (sink ${sink})`);
}

function main(): void {
  const keys = Array.from({ length: KEY_POOL_SIZE }, () => randomBytes(16).toString('base64url'));
  console.log(`routing: ${PICKS} picks, ${MEMBERS.length} members, node ${process.version}`);
  const selectors: [string, ReplicaSelector][] = [
    ['round-robin', new RoundRobinSelector()],
    ['sticky-modulo (ModuloSelector)', new ModuloSelector()],
    ['sticky-ring (RendezvousSelector)', new RendezvousSelector()],
  ];
  // Indexing a member by the hash returns a string like the selectors, so the loops match.
  measure('hash32 alone (22-char key)', (key) => MEMBERS[hash32(key) & 15], keys);
  for (const [label, selector] of selectors) measure(label, (key) => selector.pick(MEMBERS, key), keys);
}

if (require.main === module) main();
