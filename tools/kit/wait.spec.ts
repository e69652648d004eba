import { DeadlineError, delay, GiveUp, mapLimit, range, waitUntil } from './wait';

describe('waitUntil()', () => {
  it('resolves with the first truthy value the check returns', async () => {
    let calls = 0;
    await expect(waitUntil('the third call', () => (++calls === 3 ? `call ${calls}` : undefined), { intervalMs: 1 })).resolves.toBe('call 3');
  });

  it('counts a throwing check as not yet and quotes its last error at the deadline', async () => {
    const waiting = waitUntil(
      'a server that refuses',
      () => {
        throw new Error('ECONNREFUSED');
      },
      { timeoutMs: 30, intervalMs: 5 },
    );
    await expect(waiting).rejects.toThrow(DeadlineError);
    await expect(waiting).rejects.toThrow('timed out after 30 ms waiting for a server that refuses: ECONNREFUSED');
  });

  it('ends at once when the check gives up', async () => {
    let calls = 0;
    const waiting = waitUntil(
      'a process that died',
      () => {
        calls++;
        throw new GiveUp('it exited with 1');
      },
      { timeoutMs: 10_000 },
    );
    await expect(waiting).rejects.toThrow('it exited with 1');
    expect(calls).toBe(1);
  });

  it('stops when its signal aborts', async () => {
    const abort = new AbortController();
    const waiting = waitUntil('never', () => false, { timeoutMs: 10_000, intervalMs: 5, signal: abort.signal });
    abort.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
  });
});

describe('delay()', () => {
  it('resolves early when its signal aborts', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const waiting = delay(10_000, abort.signal);
    abort.abort();
    await waiting;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('mapLimit()', () => {
  it('keeps the input order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimit(range(10), 3, async (item) => {
      most = Math.max(most, ++running);
      await delay(item % 3);
      running--;
      return item * 2;
    });
    expect(results).toEqual(range(10).map((i) => i * 2));
    expect(most).toBe(3);
  });
});
