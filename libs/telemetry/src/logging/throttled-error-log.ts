/**
 * Logs unexpected errors without letting one of them flood the log: each kind (its class and
 * message) is written at most once per interval; the repeats in between are counted and the
 * count rides on the next line written for that kind. The table of kinds is bounded too.
 */
export class ThrottledErrorLog {
  private readonly kinds = new Map<string, { lastLoggedAt: number; suppressed: number }>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs = 10_000,
    private readonly maxKinds = 200,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs `describe()` for this error unless its kind was logged within the interval. */
  error(error: unknown, describe: () => string): void {
    const kind = error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error).slice(0, 200);
    const now = this.now();
    const seen = this.kinds.get(kind);
    if (seen && now - seen.lastLoggedAt < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.kinds.delete(kind);
    this.kinds.set(kind, { lastLoggedAt: now, suppressed: 0 });
    if (this.kinds.size > this.maxKinds) this.kinds.delete(this.kinds.keys().next().value as string);
    this.write(suppressed > 0 ? `${describe()} (and ${suppressed} more like it since the last report)` : describe());
  }
}
