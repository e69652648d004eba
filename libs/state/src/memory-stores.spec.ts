import { MemoryCartStore, MemorySessionStore } from './memory-stores';
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
  cartStoreContract((ttlSeconds) => new MemoryCartStore(ttlSeconds));
});

describe('memory store timers', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('clears its sweep timers on close()', async () => {
    const sessions = new MemorySessionStore(60);
    const carts = new MemoryCartStore(60);
    expect(jest.getTimerCount()).toBe(3);
    await sessions.close();
    await carts.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('hides an expired session at once, before any sweep ran', async () => {
    const store = new MemorySessionStore(60, { sweepIntervalMs: 3_600_000 });
    await store.create('sid-1', { userId: 'u-1', username: 'alice' });
    jest.setSystemTime(Date.now() + 60_001);
    expect(await store.count()).toBe(0);
    expect(await store.get('sid-1')).toBeNull();
    await store.close();
  });

  it('slides a session by one TTL from each read', async () => {
    const store = new MemorySessionStore(60);
    await store.create('sid-1', { userId: 'u-1', username: 'alice' });
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(59_000);
      expect(await store.get('sid-1')).not.toBeNull();
    }
    jest.advanceTimersByTime(60_001);
    expect(await store.get('sid-1')).toBeNull();
    await store.close();
  });
});
