/**
 * The session ids this gateway issued and last saw alive. It is lab instrumentation, not
 * serving state: it lets the gateway call a miss `lost` (the id should be alive) rather than
 * `expired_or_unknown`, and count the keys a rescale moves. Bounded: the oldest ids go first.
 */
export class SessionRegistry {
  private readonly lastSeen = new Map<string, number>();
  /** Ids ended here, oldest first, kept one TTL: a session id is never reused. */
  private readonly ended = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 200_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records activity of a live session (re-inserting keeps the Map in last-seen order). */
  touch(sid: string): void {
    if (this.ended.has(sid)) return;
    this.lastSeen.delete(sid);
    this.lastSeen.set(sid, this.now());
    if (this.lastSeen.size > this.capacity) {
      const oldest = this.lastSeen.keys().next().value;
      if (oldest !== undefined) this.lastSeen.delete(oldest);
    }
  }

  /**
   * The session was ended here (logout, or a login replacing it): it is no longer live, and a
   * lookup that found it just before the end but answers after it cannot make it live again, so
   * requests racing the end are `expired_or_unknown`, never `lost`.
   */
  end(sid: string): void {
    this.lastSeen.delete(sid);
    const now = this.now();
    this.ended.set(sid, now);
    for (const [id, endedAt] of this.ended) {
      if (now - endedAt < this.ttlMs && this.ended.size <= this.capacity) break;
      this.ended.delete(id);
    }
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
