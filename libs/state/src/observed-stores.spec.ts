import { MemoryCartStore, MemorySessionStore } from './memory-stores';
import { ObservedCartStore, ObservedSessionStore, StoreObserver } from './observed-stores';
import { SessionStore, StoreUnavailableError } from './stores';

class RecordingObserver implements StoreObserver {
  readonly calls: Array<{ store: string; operation: string; seconds: number }> = [];
  observe(store: string, operation: string, seconds: number): void {
    this.calls.push({ store, operation, seconds });
  }
}

describe('ObservedSessionStore', () => {
  it('reports every call by operation, with its duration in seconds', async () => {
    const observer = new RecordingObserver();
    const inner = new MemorySessionStore(60);
    const store = new ObservedSessionStore(inner, observer);
    await store.create('sid-1', { userId: 'u-1', username: 'alice' });
    expect(await store.get('sid-1')).toEqual({ userId: 'u-1', username: 'alice' });
    expect(await store.destroy('sid-1')).toBe(true);
    expect(await store.count()).toBe(0);
    expect(await store.ping()).toBe(true);
    await store.close();
    expect(store.backend).toBe('memory');
    expect(observer.calls.map((c) => c.operation)).toEqual(['create', 'get', 'destroy', 'count', 'ping']);
    for (const call of observer.calls) {
      expect(call.store).toBe('memory');
      expect(call.seconds).toBeGreaterThanOrEqual(0);
      expect(call.seconds).toBeLessThan(1);
    }
  });

  it('times the store call itself, and reports calls that fail', async () => {
    const observer = new RecordingObserver();
    const down: SessionStore = {
      backend: 'redis',
      create: async () => undefined,
      get: () => new Promise<never>((_, reject) => setTimeout(() => reject(new StoreUnavailableError('down')), 50)),
      destroy: async () => false,
      count: async () => 0,
      ping: async () => false,
      close: async () => undefined,
    };
    const store = new ObservedSessionStore(down, observer);
    await expect(store.get('sid-1')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(observer.calls).toEqual([{ store: 'redis', operation: 'get', seconds: expect.any(Number) }]);
    expect(observer.calls[0].seconds).toBeGreaterThanOrEqual(0.04);
  });

  it('still answers when the observer throws', async () => {
    const inner = new MemorySessionStore(60);
    const store = new ObservedSessionStore(inner, { observe: () => { throw new Error('metrics broke'); } });
    await store.create('sid-1', { userId: 'u-1', username: 'alice' });
    expect(await store.get('sid-1')).toEqual({ userId: 'u-1', username: 'alice' });
    await store.close();
  });
});

describe('ObservedCartStore', () => {
  it('reports every call by operation', async () => {
    const observer = new RecordingObserver();
    const store = new ObservedCartStore(new MemoryCartStore(60), observer);
    const limits = { maxLines: 3, maxQuantity: 5 };
    expect(await store.addItem('c', { productId: 'p1', quantity: 1, priceCents: 10 }, limits)).toMatchObject({ ok: true });
    await store.addItem('c', { productId: 'p2', quantity: 1, priceCents: 10 }, limits);
    await store.get('c');
    expect(await store.removeItem('c', 'p2')).toHaveLength(1);
    expect(await store.checkout('c', { orderId: 'o', userId: 'u', createdAt: 'now' })).toMatchObject({ totalCents: 10 });
    await store.discard('c');
    await store.count();
    await store.countOrders();
    await store.ping();
    await store.close();
    expect(observer.calls.map((c) => c.operation)).toEqual([
      'add_item', 'add_item', 'get', 'remove_item', 'checkout', 'discard', 'count', 'count_orders', 'ping',
    ]);
  });
});
