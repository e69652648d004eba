import { HashQueueFullError, HashSlots } from './hash-slots';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('HashSlots', () => {
  it('runs at most maxConcurrent at once, the rest in arrival order', async () => {
    const slots = new HashSlots(2, 10);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const all = gates.map((gate, i) =>
      slots.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await gate.promise;
        running--;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    gates[1].resolve();
    gates[0].resolve();
    gates[2].resolve();
    gates[3].resolve();
    await Promise.all(all);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
  });

  it('refuses at once past maxWaiting', async () => {
    const slots = new HashSlots(1, 1);
    const gate = deferred();
    const first = slots.run(() => gate.promise);
    const second = slots.run(async () => 'second');
    await expect(slots.run(async () => 'third')).rejects.toBeInstanceOf(HashQueueFullError);
    gate.resolve();
    await first;
    await expect(second).resolves.toBe('second');
  });

  it('gives up on a login that waited longer than maxWaitMs, and serves the next', async () => {
    const slots = new HashSlots(1, 10, 30);
    const gate = deferred();
    const first = slots.run(() => gate.promise);
    await expect(slots.run(async () => 'too late')).rejects.toThrow('no hash slot within 30 ms');
    gate.resolve();
    await first;
    await expect(slots.run(async () => 'in time')).resolves.toBe('in time');
  });

  it('frees the slot when the work fails', async () => {
    const slots = new HashSlots(1, 0);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(slots.run(async () => 'next')).resolves.toBe('next');
  });
});
