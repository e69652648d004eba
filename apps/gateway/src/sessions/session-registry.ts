/**
 * The session ids this gateway issued and last saw alive. It is lab instrumentation, not
 * serving state: it lets the gateway call a miss `lost` (the id should be alive) rather than
 * `expired_or_unknown`, and count the keys a rescale moves. Bounded: the oldest ids go first.
 */
export class SessionRegistry {
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 200_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records activity of a live session (re-inserting keeps the Map in last-seen order). */
  touch(sid: string): void {
    this.lastSeen.delete(sid);
    this.lastSeen.set(sid, this.now());
    if (this.lastSeen.size > this.capacity) {
      const oldest = this.lastSeen.keys().next().value;
      if (oldest !== undefined) this.lastSeen.delete(oldest);
    }
  }

  forget(sid: string): void {
    this.lastSeen.delete(sid);
  }

  /** True when the id was issued here and seen within the TTL: its session should exist. */
  isLive(sid: string): boolean {
    const seen = this.lastSeen.get(sid);
    return seen !== undefined && this.now() - seen < this.ttlMs;
  }

  /** Ids still within their TTL. */
  *liveIds(): IterableIterator<string> {
    const cutoff = this.now() - this.ttlMs;
    for (const [sid, seen] of this.lastSeen) if (seen >= cutoff) yield sid;
  }

  get size(): number {
    return this.lastSeen.size;
  }
}
