/** Test helpers of the store contracts. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sleeps until `Date.now()` reaches `at` (returns at once when it has). */
export const sleepUntil = (at: number): Promise<void> => sleep(Math.max(0, at - Date.now()));

/** Polls `check` until it returns true, or fails once `timeoutMs` has passed. */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(intervalMs);
  }
}
