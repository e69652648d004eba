/** Raised when a login cannot get a hash slot: too many are waiting, or it waited too long. */
export class HashQueueFullError extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'HashQueueFullError';
  }
}

/**
 * A bound on concurrent password hashing. scrypt is meant to be expensive (tens of ms of CPU);
 * with no bound a burst of logins fills every thread of every user replica and starves the
 * rest of the lab. Past `maxConcurrent` a login waits its turn; past `maxWaiting`, or once it
 * has waited `maxWaitMs` (so that it is answered well before the gateway's call times out), it is
 * refused (the gateway answers 503 `login_busy` with Retry-After) instead of queueing for ever.
 */
export class HashSlots {
  private running = 0;
  private readonly waiting: Array<{ start(): void }> = [];

  constructor(
    private readonly maxConcurrent: number,
    private readonly maxWaiting: number,
    private readonly maxWaitMs = Infinity,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrent) {
      if (this.waiting.length >= this.maxWaiting) throw new HashQueueFullError(`${this.waiting.length} logins are already waiting for a password hash`);
      await new Promise<void>((resolve, reject) => {
        const turn = {
          start: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer =
          this.maxWaitMs === Infinity
            ? undefined
            : setTimeout(() => {
                this.waiting.splice(this.waiting.indexOf(turn), 1);
                reject(new HashQueueFullError(`no hash slot within ${this.maxWaitMs} ms`));
              }, this.maxWaitMs);
        this.waiting.push(turn);
      });
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next.start();
      else this.running--;
    }
  }

  get queued(): number {
    return this.waiting.length;
  }
}
