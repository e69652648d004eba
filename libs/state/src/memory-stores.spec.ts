import { MemoryCartStore, MemorySessionStore } from './memory-stores';
import { SessionEndedError } from './stores';
import { cartStoreContract } from './testing/cart-store.contract';
import { sessionStoreContract } from './testing/session-store.contract';

describe('MemorySessionStore', () => {
  sessionStoreContract((ttlSeconds) => new MemorySessionStore(ttlSeconds));

  it('refuses a TTL that is not a positive whole number of seconds', () => {
    expect(() => new MemorySessionStore(0)).toThrow(RangeError);
    expect(() => new MemorySessionStore(1.5)).toThrow(RangeError);
  });
});

describe('MemoryCartStore', () => {
  // The cart replica cannot see sessions: a session ends for it when `discard` says so.
  cartStoreContract((ttlSeconds) => {
    const store = new MemoryCartStore(ttlSeconds);
    return { store, startSession: async () => undefined, endSession: (cartId) => store.discard(cartId) };
  });
});

describe('MemorySessionStore.count()', () => {
  it('counts 200k sessions from its ledger, not by visiting them', async () => {
    const store = new MemorySessionStore(1800);
    for (let i = 0; i < 200_000; i++) await store.create(`sid-${i}`, { userId: 'u-1', username: 'alice' });
    // The fastest of 5 calls: one call can be descheduled or meet a GC pause on a busy machine;
    // visiting 200k entries takes tens of ms every time.
    let fastestMs = Infinity;
    for (let i = 0; i < 5; i++) {
      const started = process.hrtime.bigint();
      expect(await store.count()).toBe(200_000);
      fastestMs = Math.min(fastestMs, Number(process.hrtime.bigint() - started) / 1e6);
    }
    expect(fastestMs).toBeLessThan(5);
    await store.close();
  });
});

describe('memory store timers', () => {
  const alice = { userId: 'u-1', username: 'alice' };
  const line = { productId: 'p1', quantity: 1, priceCents: 100 };
  const limits = { maxLines: 3, maxQuantity: 5 };

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('clears its sweep timer on close()', async () => {
    const sessions = new MemorySessionStore(60);
    const carts = new MemoryCartStore(60);
    expect(jest.getTimerCount()).toBe(2);
    await sessions.close();
    await carts.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('hides an expired session at once, before any sweep ran', async () => {
    const store = new MemorySessionStore(60, { sweepIntervalMs: 3_600_000 });
    await store.create('sid-1', alice);
    jest.setSystemTime(Date.now() + 61_001);
    expect(await store.count()).toBe(0);
    expect(await store.get('sid-1')).toBeNull();
    await store.close();
  });

  it('slides a session from each read to the first 1 s boundary at least 60 s later', async () => {
    jest.setSystemTime(1_000_000_000_250);
    const store = new MemorySessionStore(60, { expiryStepMs: 1000 });
    await store.create('sid-1', alice);
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(59_000);
      expect(await store.get('sid-1')).not.toBeNull();
    }
    // Last read at …250 + 5 × 59 s: it lives until the boundary 60.75 s later, not a moment more.
    jest.advanceTimersByTime(60_749);
    expect(await store.count()).toBe(1);
    jest.advanceTimersByTime(1);
    expect(await store.count()).toBe(0);
    expect(await store.get('sid-1')).toBeNull();
    await store.close();
  });

  it('forgets the tombstone of a discarded cart one TTL later', async () => {
    const store = new MemoryCartStore(60);
    await store.addItem('cart-1', line, limits);
    await store.discard('cart-1');
    await expect(store.addItem('cart-1', line, limits)).rejects.toBeInstanceOf(SessionEndedError);
    jest.advanceTimersByTime(60_000 + 1000);
    expect(await store.addItem('cart-1', line, limits)).toMatchObject({ ok: true });
    await store.close();
  });
});

describe('hand-off between memory stores (a deploy)', () => {
  const alice = { userId: 'u-1', username: 'alice' };
  const limits = { maxLines: 50, maxQuantity: 99 };

  it('hands every live session to a successor, which keeps its expiry and counts it', async () => {
    const before = new MemorySessionStore(60);
    const after = new MemorySessionStore(60);
    await before.create('sid-a', alice);
    await before.create('sid-b', alice);
    await before.destroy('sid-b');
    expect(after.importState(before.exportState())).toBe(1);
    expect(await after.get('sid-a')).toEqual(alice);
    expect(await after.get('sid-b')).toBeNull();
    expect(await after.count()).toBe(1);
    expect(after.exportState().sessions?.[0][2]).toBe(before.exportState().sessions?.[0][2]);
    await Promise.all([before.close(), after.close()]);
  });

  it('hands over carts, tombstones and stored outcomes: a retried write still gets its first answer', async () => {
    const before = new MemoryCartStore(60);
    const after = new MemoryCartStore(60);
    const once = { key: 'k-1', fingerprint: 'add p-1 2' };
    await before.addItem('cart-a', { productId: 'p-1', quantity: 2, priceCents: 100 }, limits, once);
    await before.discard('cart-b');
    after.importState(before.exportState());
    expect(await after.get('cart-a')).toEqual([{ productId: 'p-1', quantity: 2, priceCents: 100 }]);
    const retried = await after.addItem('cart-a', { productId: 'p-1', quantity: 2, priceCents: 100 }, limits, once);
    expect(retried).toEqual({ ok: true, items: [{ productId: 'p-1', quantity: 2, priceCents: 100 }] });
    expect(await after.get('cart-a')).toEqual([{ productId: 'p-1', quantity: 2, priceCents: 100 }]);
    await expect(after.addItem('cart-b', { productId: 'p-1', quantity: 1, priceCents: 100 }, limits)).rejects.toBeInstanceOf(SessionEndedError);
    await Promise.all([before.close(), after.close()]);
  });

  it('skips entries that expired on the way', async () => {
    const after = new MemorySessionStore(60);
    expect(after.importState({ sessions: [['sid-old', alice, Date.now() - 1]] })).toBe(0);
    expect(await after.count()).toBe(0);
    await after.close();
  });
});
