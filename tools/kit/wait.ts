/** Thrown by {@link waitUntil} when the deadline passes first. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/**
 * Thrown by a check to end {@link waitUntil} at once, e.g. when the process it waits for has
 * exited: waiting longer cannot help. waitUntil rethrows it as it is.
 */
export class GiveUp extends Error {
  override readonly name = 'GiveUp';
}

export interface WaitOptions {
  /** Default 15 s. */
  timeoutMs?: number;
  /** Pause between two checks; default 50 ms. */
  intervalMs?: number;
  /** Aborting ends the wait with the signal's reason. */
  signal?: AbortSignal;
}

type Falsy = undefined | null | false;

/**
 * Polls `check` every `intervalMs` until it returns something truthy (which it resolves with)
 * or `timeoutMs` passes (DeadlineError). Errors thrown by `check` count as "not yet" and the
 * last one is quoted when the deadline passes; a {@link GiveUp} ends the wait at once.
 * The one way tools and tests wait for a condition: no sleep-and-hope.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | Falsy> | T | Falsy, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 50, signal } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError === undefined ? '' : `: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new DeadlineError(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await delay(intervalMs, signal);
  }
}

/**
 * Resolves after `ms` (or at once when `signal` aborts): only for designed phases (an outage
 * that lasts 5 s) and poll intervals, never to "give something time".
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Runs `work` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** `count` numbers from 0, for mapLimit over "the i-th shopper". */
export function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
