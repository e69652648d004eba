/** Both adapters take whole seconds: the configured TTL is, and both must behave the same. */
export function assertTtlSeconds(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`ttlSeconds must be a positive integer, got ${ttlSeconds}`);
  }
}

/** The longest a boundary step may be: what the state gauges may hold on to an idle entry beyond its TTL. */
export const MAX_EXPIRY_STEP_MS = 10_000;
const MIN_EXPIRY_STEP_MS = 100;

/** The default step of a TTL: a sixtieth of it, within 100 ms … 10 s (1800 s → 10 s, 60 s → 1 s, 1 s → 100 ms). */
export function defaultExpiryStepMs(ttlSeconds: number): number {
  return Math.min(MAX_EXPIRY_STEP_MS, Math.max(MIN_EXPIRY_STEP_MS, Math.floor((ttlSeconds * 1000) / 60)));
}

/**
 * Sliding expiry on boundaries. Entries expire on multiples of `stepMs` (Unix ms), at the first
 * boundary at least one TTL after their last use: an entry used at `t` lives until some time in
 * [t + TTL, t + TTL + step). Two things follow, in both adapters:
 *
 * - an entry's expiry moves at most once per step, however often it is read, so a count kept
 *   per boundary (an expiry ledger) follows every slide for a tiny, bounded cost;
 * - the live entries are the sum of the ledger's counts at boundaries still ahead, computed from
 *   at most TTL / step + 1 numbers instead of every entry.
 */
export class ExpiryGrid {
  readonly ttlMs: number;
  readonly stepMs: number;

  constructor(ttlSeconds: number, stepMs = defaultExpiryStepMs(ttlSeconds)) {
    assertTtlSeconds(ttlSeconds);
    if (!Number.isInteger(stepMs) || stepMs <= 0) throw new RangeError(`stepMs must be a positive integer, got ${stepMs}`);
    this.ttlMs = ttlSeconds * 1000;
    this.stepMs = stepMs;
  }

  /** The expiry of an entry used at `now`: the first boundary at least one TTL later. */
  expiryAfterUseAt(now: number): number {
    return Math.ceil((now + this.ttlMs) / this.stepMs) * this.stepMs;
  }
}

/**
 * Live entries per expiry boundary, in memory: `move` follows an entry from one boundary to
 * another (null: none), `live(now)` sums the boundaries still ahead and forgets the passed ones.
 */
export class MemoryLedger {
  private readonly counts = new Map<number, number>();

  move(from: number | null, to: number | null): void {
    if (from === to) return;
    if (from !== null) this.add(from, -1);
    if (to !== null) this.add(to, 1);
  }

  live(now: number): number {
    let total = 0;
    for (const [expiry, count] of this.counts) {
      if (expiry > now) total += count;
      else this.counts.delete(expiry);
    }
    return total;
  }

  private add(expiry: number, delta: number): void {
    const count = (this.counts.get(expiry) ?? 0) + delta;
    if (count === 0) this.counts.delete(expiry);
    else this.counts.set(expiry, count);
  }
}
