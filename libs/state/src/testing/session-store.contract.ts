/// <reference types="jest" />
import type { SessionStore } from '../stores';
import { eventually, sleepUntil } from './wait';

/** Makes a fresh store over an empty backend; the contract closes what it makes. */
export type StoreFactory<S> = (ttlSeconds: number) => S | Promise<S>;

const alice = { userId: 'u-1', username: 'alice' };
const bob = { userId: 'u-2', username: 'bob' };

/**
 * The behaviour every SessionStore adapter must show. Call it inside a `describe` of the
 * adapter's spec; the spec resets the backend between tests.
 */
export function sessionStoreContract(makeStore: StoreFactory<SessionStore>): void {
  const opened: SessionStore[] = [];
  const open = async (ttlSeconds = 60): Promise<SessionStore> => {
    const store = await makeStore(ttlSeconds);
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describe('create() and get()', () => {
    it('returns the user a session was created with', async () => {
      const store = await open();
      await store.create('sid-1', alice);
      expect(await store.get('sid-1')).toEqual(alice);
    });

    it('returns null for an unknown session', async () => {
      const store = await open();
      expect(await store.get('nobody')).toBeNull();
    });

    it('replaces a session created again under the same id', async () => {
      const store = await open();
      await store.create('sid-1', alice);
      await store.create('sid-1', bob);
      expect(await store.get('sid-1')).toEqual(bob);
      expect(await store.count()).toBe(1);
    });

    it('hands out copies: changing a returned user changes nothing stored', async () => {
      const store = await open();
      const user = { ...alice };
      await store.create('sid-1', user);
      user.username = 'mallory';
      const read = await store.get('sid-1');
      read!.username = 'eve';
      expect(await store.get('sid-1')).toEqual(alice);
    });
  });

  describe('destroy()', () => {
    it('destroys a session and reports that it was there', async () => {
      const store = await open();
      await store.create('sid-1', alice);
      expect(await store.destroy('sid-1')).toBe(true);
      expect(await store.get('sid-1')).toBeNull();
    });

    it('reports false for a session that is not there', async () => {
      const store = await open();
      expect(await store.destroy('nobody')).toBe(false);
    });

    it('leaves other sessions alone', async () => {
      const store = await open();
      await store.create('sid-1', alice);
      await store.create('sid-2', bob);
      await store.destroy('sid-1');
      expect(await store.get('sid-2')).toEqual(bob);
    });
  });

  describe('count()', () => {
    it('follows creates and destroys, and counts a session created twice once', async () => {
      const store = await open();
      await store.create('sid-1', alice);
      await store.create('sid-1', alice);
      expect(await store.count()).toBe(1);
      await store.destroy('sid-1');
      await store.destroy('sid-1');
      expect(await store.count()).toBe(0);
    });

    it('counts live sessions', async () => {
      const store = await open();
      expect(await store.count()).toBe(0);
      await store.create('sid-1', alice);
      await store.create('sid-2', bob);
      await store.create('sid-3', alice);
      await store.destroy('sid-2');
      expect(await store.count()).toBe(2);
    });
  });

  describe('sliding expiry', () => {
    it('keeps a session alive past its TTL when it is read before it expires', async () => {
      const store = await open(1);
      await store.create('sid-1', alice);
      const createdAt = Date.now();
      await sleepUntil(createdAt + 600);
      expect(await store.get('sid-1')).toEqual(alice);
      // Past the first expiry (1 s after create), well before the slid one (1.6 s).
      await sleepUntil(createdAt + 1300);
      expect(await store.get('sid-1')).toEqual(alice);
      expect(await store.count()).toBe(1);
    });

    it('expires a session nobody reads about one TTL after it was created', async () => {
      const store = await open(1);
      const createdAt = Date.now();
      await store.create('sid-1', alice);
      // count() does not touch sessions, so polling it cannot keep this one alive.
      await eventually('the session to expire', async () => (await store.count()) === 0, 4000);
      // At least one TTL, at most one expiry step (100 ms at this TTL) more, plus polling.
      expect(Date.now() - createdAt).toBeGreaterThanOrEqual(900);
      expect(Date.now() - createdAt).toBeLessThan(1600);
      expect(await store.get('sid-1')).toBeNull();
      expect(await store.destroy('sid-1')).toBe(false);
    });
  });

  describe('ping()', () => {
    it('answers true while the backend is there', async () => {
      const store = await open();
      expect(await store.ping()).toBe(true);
    });
  });
}
