import { ChatPush } from '../realtime/chat-push';
import { FakeReplicas, fakeReplicas } from '../testing/fake-replicas';
import { CartController } from './cart.controller';

const controllerOver = (replicas: FakeReplicas) => new CartController(new ChatPush(replicas.router, replicas.directory));

describe('CartController', () => {
  const session = { sid: 'CCCCCCCCCCCCCCCCCCCCCC', cartId: 'CCCCCCCCCCCCCCCCCCCCCC', user: { userId: 'u-3', username: 'user3' } };

  it("reads the session's cart on the cart replica that owns the session id", async () => {
    const replicas = fakeReplicas({ STATE_MODE: 'stateful', ROUTING: 'sticky-ring' });
    replicas.answer('cart', () => ({ items: [{ productId: 'p-1', quantity: 2, priceCents: 100 }], totalCents: 200 }));
    const owner = replicas.router.pick('cart', session.sid).id;
    const hop = replicas.hop();
    await expect(controllerOver(replicas).view(session, hop)).resolves.toMatchObject({ totalCents: 200 });
    expect(replicas.calls).toEqual([[owner, 'cart.get', { sid: session.sid }]]);
  });

  it('sends an add without any price: the cart replica prices it from its catalog', async () => {
    const replicas = fakeReplicas();
    replicas.answer('cart', () => ({ items: [], totalCents: 0 }));
    await controllerOver(replicas).add({ productId: 'p-9', quantity: 3 }, undefined, session, replicas.hop());
    expect(replicas.calls.map(([, pattern, data]) => [pattern, data])).toEqual([['cart.items.add', { sid: session.sid, productId: 'p-9', quantity: 3 }]]);
  });

  it('answers 404 item_not_in_cart for a malformed product id without asking a replica', () => {
    const replicas = fakeReplicas();
    expect(() => controllerOver(replicas).remove('DROP TABLE', undefined, session, replicas.hop())).toThrow('no such product in the cart');
    expect(replicas.calls).toEqual([]);
  });

  it('passes a valid Idempotency-Key on to the cart replica and refuses a malformed one', async () => {
    const replicas = fakeReplicas();
    replicas.answer('cart', () => ({ items: [], totalCents: 0 }));
    await controllerOver(replicas).add({ productId: 'p-9', quantity: 1 }, 'order-7f3a', session, replicas.hop());
    expect(replicas.calls[0][2]).toMatchObject({ idempotencyKey: 'order-7f3a' });
    expect(() => controllerOver(replicas).add({ productId: 'p-9', quantity: 1 }, 'no spaces allowed', session, replicas.hop())).toThrow('Idempotency-Key must be');
  });

  it('returns the order id, items and total of a checkout, not the rest of the order', async () => {
    const replicas = fakeReplicas();
    replicas.answer('cart', () => ({ orderId: 'o-1', userId: 'u-3', items: [], totalCents: 0, createdAt: 'now' }));
    await expect(controllerOver(replicas).checkout(undefined, session, replicas.hop())).resolves.toEqual({ orderId: 'o-1', items: [], totalCents: 0 });
    expect(replicas.calls[0][2]).toEqual({ sid: session.sid, userId: 'u-3' });
  });

  it("reads a user's cart by user id in jwt mode, on the replica that owns the user id", async () => {
    const replicas = fakeReplicas({ STATE_MODE: 'jwt', ROUTING: 'sticky-ring' });
    replicas.answer('cart', () => ({ items: [], totalCents: 0 }));
    const owner = replicas.router.pick('cart', 'u-3').id;
    await controllerOver(replicas).view({ ...session, cartId: 'u-3' }, replicas.hop());
    expect(replicas.calls).toEqual([[owner, 'cart.get', { sid: 'u-3' }]]);
  });

  it("pushes order.created to the buyer's chat replica after a checkout, without waiting for it", async () => {
    const replicas = fakeReplicas();
    replicas.answer('cart', () => ({ orderId: 'o-9', userId: 'u-3', items: [{ productId: 'p-1', quantity: 1, priceCents: 5 }], totalCents: 5, createdAt: 'now' }));
    replicas.answer('chat', () => new Promise(() => undefined));
    await controllerOver(replicas).checkout(undefined, session, replicas.hop());
    const push = replicas.calls.find(([, pattern]) => pattern === 'chat.push');
    expect(push).toEqual([replicas.router.pick('chat', 'u-3').id, 'chat.push', { to: 'u-3', frame: expect.objectContaining({ type: 'order.created', orderId: 'o-9', totalCents: 5, items: 1 }) }]);
  });

  it('pushes nothing when the checkout fails or no chat replica is up', async () => {
    const replicas = fakeReplicas();
    replicas.answer('cart', () => Promise.reject(new Error('no cart')));
    await expect(controllerOver(replicas).checkout(undefined, session, replicas.hop())).rejects.toThrow();
    for (const { link } of replicas.directory.view('chat')) link.up = false;
    replicas.answer('cart', () => ({ orderId: 'o-1', userId: 'u-3', items: [], totalCents: 0, createdAt: 'now' }));
    await controllerOver(replicas).checkout(undefined, session, replicas.hop());
    expect(replicas.calls.filter(([, pattern]) => pattern === 'chat.push')).toEqual([]);
  });
});
