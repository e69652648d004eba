/// <reference types="jest" />
import type { CartItem } from '@app/contracts';
import { IdempotencyKeyReusedError, SessionEndedError } from '../stores';
import type { CartLimits, CartStore } from '../stores';
import { eventually, sleepUntil } from './wait';

const limits: CartLimits = { maxLines: 3, maxQuantity: 5 };
const line = (productId: string, quantity = 1, priceCents = 100): CartItem => ({ productId, quantity, priceCents });
const orderHead = (orderId: string) => ({ orderId, userId: 'u-1', createdAt: '2025-01-01T00:00:00.000Z' });

/** The cart ids the contract uses; `open()` starts a live session for each. */
const CART_IDS = ['cart-1', 'cart-2', 'cart-3', 'cart-a', 'cart-b', 'cart-x'];

/** A cart store over an empty backend, with the sessions its carts belong to. */
export interface CartStoreFixture {
  store: CartStore;
  /** Starts the live session of a cart id (sessions outlive any cart TTL the contract uses). */
  startSession(cartId: string): Promise<void>;
  /** Ends it as the gateway's logout does: the session first, then the store's `discard`. */
  endSession(cartId: string): Promise<void>;
}

/** Makes a fresh fixture over an empty backend; the contract closes the store it makes. */
export type CartFixtureFactory = (ttlSeconds: number) => CartStoreFixture | Promise<CartStoreFixture>;

/**
 * The behaviour every CartStore adapter must show. Call it inside a `describe` of the
 * adapter's spec; the spec resets the backend between tests.
 */
export function cartStoreContract(makeFixture: CartFixtureFactory): void {
  const opened: CartStore[] = [];
  let fixture: CartStoreFixture;
  const open = async (ttlSeconds = 60): Promise<CartStore> => {
    fixture = await makeFixture(ttlSeconds);
    opened.push(fixture.store);
    for (const cartId of CART_IDS) await fixture.startSession(cartId);
    return fixture.store;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describe('get()', () => {
    it('returns no lines for an unknown cart', async () => {
      const store = await open();
      expect(await store.get('cart-x')).toEqual([]);
    });

    it('hands out copies: changing returned lines changes nothing stored', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1', 2), limits);
      const lines = await store.get('cart-1');
      lines[0].quantity = 99;
      lines.push(line('p9'));
      expect(await store.get('cart-1')).toEqual([line('p1', 2)]);
    });
  });

  describe('addItem()', () => {
    it('creates a line and returns the cart', async () => {
      const store = await open();
      expect(await store.addItem('cart-1', line('p1', 2, 250), limits)).toEqual({ ok: true, items: [line('p1', 2, 250)] });
      expect(await store.get('cart-1')).toEqual([line('p1', 2, 250)]);
    });

    it('adds the quantity to the line of a product already in the cart, keeping its place', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1', 1), limits);
      await store.addItem('cart-1', line('p2', 1), limits);
      const outcome = await store.addItem('cart-1', line('p1', 2), limits);
      expect(outcome).toEqual({ ok: true, items: [line('p1', 3), line('p2', 1)] });
    });

    it('returns lines in insertion order', async () => {
      const store = await open();
      for (const id of ['p3', 'p1', 'p2']) await store.addItem('cart-1', line(id), { maxLines: 10, maxQuantity: 5 });
      expect((await store.get('cart-1')).map((l) => l.productId)).toEqual(['p3', 'p1', 'p2']);
    });

    it('refuses a new line beyond maxLines and changes nothing', async () => {
      const store = await open();
      for (const id of ['p1', 'p2', 'p3']) await store.addItem('cart-1', line(id), limits);
      expect(await store.addItem('cart-1', line('p4'), limits)).toEqual({ ok: false, reason: 'cart_full' });
      expect(await store.get('cart-1')).toEqual([line('p1'), line('p2'), line('p3')]);
    });

    it('still adds to an existing line when the cart holds maxLines', async () => {
      const store = await open();
      for (const id of ['p1', 'p2', 'p3']) await store.addItem('cart-1', line(id), limits);
      const outcome = await store.addItem('cart-1', line('p2', 2), limits);
      expect(outcome).toEqual({ ok: true, items: [line('p1'), line('p2', 3), line('p3')] });
    });

    it('refuses a quantity that would take a line beyond maxQuantity and changes nothing', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1', 4), limits);
      expect(await store.addItem('cart-1', line('p1', 2), limits)).toEqual({ ok: false, reason: 'quantity_limit' });
      expect(await store.get('cart-1')).toEqual([line('p1', 4)]);
    });

    it('refuses a new line whose quantity exceeds maxQuantity and changes nothing', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1'), limits);
      expect(await store.addItem('cart-1', line('p2', 6), limits)).toEqual({ ok: false, reason: 'quantity_limit' });
      expect(await store.get('cart-1')).toEqual([line('p1')]);
    });

    it('accepts a line that reaches maxQuantity exactly', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1', 3), limits);
      expect(await store.addItem('cart-1', line('p1', 2), limits)).toEqual({ ok: true, items: [line('p1', 5)] });
    });

    it('creates no cart when it refuses the first line', async () => {
      const store = await open();
      expect(await store.addItem('cart-1', line('p1', 6), limits)).toEqual({ ok: false, reason: 'quantity_limit' });
      expect(await store.get('cart-1')).toEqual([]);
      expect(await store.count()).toBe(0);
    });

    it('loses no quantity when many additions to one line race', async () => {
      const store = await open();
      const roomy = { maxLines: 3, maxQuantity: 1000 };
      await Promise.all(Array.from({ length: 25 }, () => store.addItem('cart-1', line('p1', 1), roomy)));
      expect(await store.get('cart-1')).toEqual([line('p1', 25)]);
    });
  });

  describe('removeItem()', () => {
    it('removes a line and returns the remaining ones in order', async () => {
      const store = await open();
      for (const id of ['p1', 'p2', 'p3']) await store.addItem('cart-1', line(id), limits);
      expect(await store.removeItem('cart-1', 'p2')).toEqual([line('p1'), line('p3')]);
      expect(await store.get('cart-1')).toEqual([line('p1'), line('p3')]);
    });

    it('returns null and changes nothing when the product is not in the cart', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1'), limits);
      expect(await store.removeItem('cart-1', 'p9')).toBeNull();
      expect(await store.get('cart-1')).toEqual([line('p1')]);
    });

    it('returns null for an unknown cart', async () => {
      const store = await open();
      expect(await store.removeItem('cart-x', 'p1')).toBeNull();
    });

    it('leaves an empty cart, no longer counted, when the last line goes', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1'), limits);
      expect(await store.removeItem('cart-1', 'p1')).toEqual([]);
      expect(await store.get('cart-1')).toEqual([]);
      expect(await store.count()).toBe(0);
    });

    it('appends a product added again after its removal at the end', async () => {
      const store = await open();
      for (const id of ['p1', 'p2']) await store.addItem('cart-1', line(id), limits);
      await store.removeItem('cart-1', 'p1');
      await store.addItem('cart-1', line('p1', 2), limits);
      expect(await store.get('cart-1')).toEqual([line('p2'), line('p1', 2)]);
    });
  });

  describe('checkout()', () => {
    it('turns the cart into an order with its lines and total, and empties the cart', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1', 2, 1999), limits);
      await store.addItem('cart-1', line('p2', 1, 500), limits);
      const order = await store.checkout('cart-1', orderHead('o-1'));
      expect(order).toEqual({
        ...orderHead('o-1'),
        items: [line('p1', 2, 1999), line('p2', 1, 500)],
        totalCents: 2 * 1999 + 500,
      });
      expect(await store.get('cart-1')).toEqual([]);
      expect(await store.count()).toBe(0);
      expect(await store.countOrders()).toBe(1);
    });

    it('returns null for a second checkout of the same cart', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1'), limits);
      await store.checkout('cart-1', orderHead('o-1'));
      expect(await store.checkout('cart-1', orderHead('o-2'))).toBeNull();
      expect(await store.countOrders()).toBe(1);
    });

    it('returns null and makes no order for an empty cart', async () => {
      const store = await open();
      expect(await store.checkout('cart-x', orderHead('o-1'))).toBeNull();
      expect(await store.countOrders()).toBe(0);
    });

    it('makes exactly one order when two checkouts of one cart race', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1', 3), limits);
      const orders = await Promise.all([store.checkout('cart-1', orderHead('o-1')), store.checkout('cart-1', orderHead('o-2'))]);
      expect(orders.filter((o) => o !== null)).toHaveLength(1);
      expect(await store.countOrders()).toBe(1);
    });

    it('starts a fresh cart after checkout', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1'), limits);
      await store.checkout('cart-1', orderHead('o-1'));
      expect(await store.addItem('cart-1', line('p2'), limits)).toEqual({ ok: true, items: [line('p2')] });
    });
  });

  describe('discard()', () => {
    it('empties the cart', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1'), limits);
      await store.discard('cart-1');
      expect(await store.get('cart-1')).toEqual([]);
      expect(await store.count()).toBe(0);
    });
  });

  describe('the end of its session', () => {
    it('refuses addItem, removeItem and checkout once the session ended, writing nothing', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1'), limits);
      await fixture.endSession('cart-1');
      await expect(store.addItem('cart-1', line('p2'), limits)).rejects.toBeInstanceOf(SessionEndedError);
      await expect(store.removeItem('cart-1', 'p1')).rejects.toBeInstanceOf(SessionEndedError);
      await expect(store.checkout('cart-1', orderHead('o-1'))).rejects.toBeInstanceOf(SessionEndedError);
      expect(await store.get('cart-1')).toEqual([]);
      expect(await store.count()).toBe(0);
      expect(await store.countOrders()).toBe(0);
    });

    it('refuses the first line of a cart whose session ended before it had one', async () => {
      const store = await open();
      await fixture.endSession('cart-1');
      await expect(store.addItem('cart-1', line('p1'), limits)).rejects.toBeInstanceOf(SessionEndedError);
      expect(await store.count()).toBe(0);
    });

    it('leaves no cart when adds race the end of the session', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1'), limits);
      const roomy = { maxLines: 50, maxQuantity: 99 };
      const add = (i: number) => store.addItem('cart-1', line(`p${i}`), roomy);
      const outcomes = await Promise.allSettled([
        ...Array.from({ length: 10 }, (_, i) => add(i)),
        fixture.endSession('cart-1'),
        ...Array.from({ length: 10 }, (_, i) => add(10 + i)),
      ]);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(SessionEndedError);
      }
      expect(await store.get('cart-1')).toEqual([]);
      expect(await store.count()).toBe(0);
    });

    it('leaves the carts of other sessions writable', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1'), limits);
      await store.addItem('cart-2', line('p1'), limits);
      await fixture.endSession('cart-1');
      expect(await store.addItem('cart-2', line('p2'), limits)).toEqual({ ok: true, items: [line('p1'), line('p2')] });
      expect(await store.count()).toBe(1);
    });
  });

  describe('writes with an Idempotency-Key', () => {
    it('applies an add once: a retry with the same key answers the first outcome and adds nothing', async () => {
      const store = await open();
      const once = { key: 'k-1', fingerprint: 'add p1 2' };
      const first = await store.addItem('cart-1', line('p1', 2), limits, once);
      await store.addItem('cart-1', line('p2', 1), limits);
      const retry = await store.addItem('cart-1', line('p1', 2), limits, once);
      expect(retry).toEqual(first);
      expect(first).toEqual({ ok: true, items: [line('p1', 2)] });
      expect(await store.get('cart-1')).toEqual([line('p1', 2), line('p2', 1)]);
    });

    it('answers a retried checkout with the first order, not an empty cart', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1', 3, 250), limits);
      const once = { key: 'checkout-7', fingerprint: 'checkout' };
      const order = await store.checkout('cart-1', orderHead('o-1'), once);
      const retry = await store.checkout('cart-1', orderHead('o-2'), once);
      expect(retry).toEqual(order);
      expect(order).toMatchObject({ orderId: 'o-1', totalCents: 750 });
      expect(await store.countOrders()).toBe(1);
      expect(await store.checkout('cart-1', orderHead('o-3'))).toBeNull();
    });

    it('keeps refusals too: a retried add that was refused stays refused, even once it would fit', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1', 5), limits);
      const once = { key: 'k-full', fingerprint: 'add p1 1' };
      expect(await store.addItem('cart-1', line('p1', 1), limits, once)).toEqual({ ok: false, reason: 'quantity_limit' });
      await store.removeItem('cart-1', 'p1');
      expect(await store.addItem('cart-1', line('p1', 1), limits, once)).toEqual({ ok: false, reason: 'quantity_limit' });
      expect(await store.get('cart-1')).toEqual([]);
    });

    it('applies a remove once', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1'), limits);
      await store.addItem('cart-1', line('p2'), limits);
      const once = { key: 'rm-1', fingerprint: 'remove p1' };
      expect(await store.removeItem('cart-1', 'p1', once)).toEqual([line('p2')]);
      await store.addItem('cart-1', line('p1'), limits);
      expect(await store.removeItem('cart-1', 'p1', once)).toEqual([line('p2')]);
      expect(await store.get('cart-1')).toEqual([line('p2'), line('p1')]);
    });

    it('refuses the same key for a different change, changing nothing', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1'), limits, { key: 'k-2', fingerprint: 'add p1 1' });
      await expect(store.addItem('cart-1', line('p2'), limits, { key: 'k-2', fingerprint: 'add p2 1' })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      expect(await store.get('cart-1')).toEqual([line('p1')]);
    });

    it('keeps keys per cart: the same key on another cart is a new write', async () => {
      const store = await open();
      const once = { key: 'shared', fingerprint: 'add p1 1' };
      await store.addItem('cart-1', line('p1'), limits, once);
      await store.addItem('cart-2', line('p1'), limits, once);
      expect(await store.get('cart-2')).toEqual([line('p1')]);
    });

    it('stores nothing for a write refused because the session ended', async () => {
      const store = await open();
      await fixture.endSession('cart-a');
      const once = { key: 'late', fingerprint: 'add p1 1' };
      await expect(store.addItem('cart-a', line('p1'), limits, once)).rejects.toBeInstanceOf(SessionEndedError);
      await expect(store.addItem('cart-a', line('p1'), limits, once)).rejects.toBeInstanceOf(SessionEndedError);
    });
  });

  describe('isolation', () => {
    it('keeps the lines of different carts apart', async () => {
      const store = await open();
      await store.addItem('cart-a', line('p1', 1), limits);
      await store.addItem('cart-b', line('p1', 4), limits);
      await store.addItem('cart-b', line('p2'), limits);
      await store.removeItem('cart-a', 'p1');
      expect(await store.checkout('cart-b', orderHead('o-b'))).toMatchObject({ items: [line('p1', 4), line('p2')] });
      await store.addItem('cart-a', line('p3'), limits);
      await store.discard('cart-b');
      expect(await store.get('cart-a')).toEqual([line('p3')]);
    });
  });

  describe('count() and countOrders()', () => {
    it('counts non-empty carts and the orders made', async () => {
      const store = await open();
      await store.addItem('cart-1', line('p1'), limits);
      await store.addItem('cart-2', line('p1'), limits);
      await store.addItem('cart-3', line('p1'), limits);
      await store.removeItem('cart-3', 'p1');
      expect(await store.count()).toBe(2);
      await store.checkout('cart-1', orderHead('o-1'));
      expect(await store.count()).toBe(1);
      expect(await store.countOrders()).toBe(1);
    });
  });

  describe('sliding expiry', () => {
    it('keeps a cart alive past its TTL when it is read before it expires', async () => {
      const store = await open(1);
      await store.addItem('cart-1', line('p1'), limits);
      const touchedAt = Date.now();
      await sleepUntil(touchedAt + 600);
      expect(await store.get('cart-1')).toEqual([line('p1')]);
      await sleepUntil(touchedAt + 1300);
      expect(await store.get('cart-1')).toEqual([line('p1')]);
      expect(await store.count()).toBe(1);
    });

    it('expires a cart nobody touches about one TTL after its last change', async () => {
      const store = await open(1);
      const touchedAt = Date.now();
      await store.addItem('cart-1', line('p1'), limits);
      await eventually('the cart to expire', async () => (await store.count()) === 0, 4000);
      expect(Date.now() - touchedAt).toBeGreaterThanOrEqual(900);
      expect(await store.get('cart-1')).toEqual([]);
      expect(await store.checkout('cart-1', orderHead('o-1'))).toBeNull();
    });
  });

  describe('ping()', () => {
    it('answers true while the backend is there', async () => {
      const store = await open();
      expect(await store.ping()).toBe(true);
    });
  });
}
