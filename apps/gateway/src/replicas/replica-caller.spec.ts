import { HopError } from '@app/transport';
import { LabHttpException } from '../http/lab-http.exception';
import { fakeReplicas } from '../testing/fake-replicas';

describe('ReplicaCaller', () => {
  describe('call()', () => {
    it("answers with the replica's value and records it in the request's servedBy, in call order", async () => {
      const replicas = fakeReplicas({ STATE_MODE: 'redis' });
      replicas.answer('user', () => ({ userId: 'u-1', username: 'user1' }));
      replicas.answer('cart', () => ({ items: [], totalCents: 0 }));
      const hop = replicas.hop();
      await expect(hop.call('user', 'user.session.get', { sid: 's' }, 's')).resolves.toEqual({ userId: 'u-1', username: 'user1' });
      await expect(hop.call('cart', 'cart.get', { sid: 's' }, 's')).resolves.toEqual({ items: [], totalCents: 0 });
      expect(hop.servedBy).toEqual([expect.stringMatching(/^user-\d$/), expect.stringMatching(/^cart-\d$/)]);
      expect(replicas.calls.map(([, pattern, data]) => [pattern, data])).toEqual([
        ['user.session.get', { sid: 's' }],
        ['cart.get', { sid: 's' }],
      ]);
    });

    it("turns a replica's structured error into the HTTP error with its status and code", async () => {
      const replicas = fakeReplicas();
      replicas.answer('cart', () => Promise.reject({ status: 409, code: 'empty_cart', message: 'the cart is empty' }));
      const error = await replicas.hop().call('cart', 'cart.checkout', {}, 'k').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LabHttpException);
      expect((error as LabHttpException).getStatus()).toBe(409);
      expect((error as LabHttpException).getResponse()).toEqual({ error: { code: 'empty_cart', message: 'the cart is empty' } });
    });

    it('answers a replica that stays silent with a 503 replica_unavailable and marks it down', async () => {
      const replicas = fakeReplicas({ STATE_MODE: 'redis' });
      replicas.answer('cart-1', () => Promise.reject(new HopError('timeout', true, 'cart-1 did not answer within 2000 ms')));
      const error = (await replicas.hop().call('cart', 'cart.get', {}).catch((e: unknown) => e)) as LabHttpException;
      expect(error.getStatus()).toBe(503);
      expect(error.getResponse()).toMatchObject({ error: { code: 'replica_unavailable' } });
      expect(replicas.link('cart-1').up).toBe(false);
    });

    it('records each call in the RPC histogram by outcome', async () => {
      const replicas = fakeReplicas({ STATE_MODE: 'redis' });
      replicas.answer('cart-1', () => ({ items: [], totalCents: 0 }));
      replicas.answer('cart-2', () => Promise.reject({ status: 404, code: 'item_not_in_cart', message: 'no' }));
      await replicas.hop().call('cart', 'cart.items.remove', {});
      await replicas.hop().call('cart', 'cart.items.remove', {}).catch(() => undefined);
      const text = await replicas.telemetry.metrics.render();
      expect(text).toMatch(/^lab_rpc_client_duration_seconds_count\{target_service="cart",target_replica="cart-1",pattern="cart.items.remove",outcome="ok"\} 1$/m);
      expect(text).toMatch(/^lab_rpc_client_duration_seconds_count\{target_service="cart",target_replica="cart-2",pattern="cart.items.remove",outcome="error"\} 1$/m);
      expect(text).toMatch(/^lab_routed_requests_total\{service="cart",replica="cart-1",routing="round-robin"\} 1$/m);
    });
  });

  describe('callReplica()', () => {
    it('answers 404 for a replica it does not know', () => {
      expect(() => fakeReplicas().caller.callReplica('cart-9', 'lab.crash', {})).toThrow(LabHttpException);
    });
  });
});

describe('mapHopFailure() through ReplicaCaller', () => {
  it('says outcome_unknown for a write that was sent and got no answer', async () => {
    const replicas = fakeReplicas({ STATE_MODE: 'redis' });
    replicas.answer('cart', () => Promise.reject(new HopError('timeout', true, 'no answer')));
    const error = (await replicas.hop().call('cart', 'cart.checkout', {}).catch((e: unknown) => e)) as LabHttpException;
    expect([error.getStatus(), error.code]).toEqual([503, 'outcome_unknown']);
  });

  it('says replica_unavailable for a write that was never sent, and for a read whatever happened', async () => {
    const replicas = fakeReplicas({ STATE_MODE: 'redis' });
    replicas.answer('cart', (pattern) => Promise.reject(new HopError('unavailable', pattern === 'cart.get', 'gone')));
    const notSent = (await replicas.hop().call('cart', 'cart.checkout', {}).catch((e: unknown) => e)) as LabHttpException;
    const read = (await replicas.hop().call('cart', 'cart.get', {}).catch((e: unknown) => e)) as LabHttpException;
    expect([notSent.code, read.code]).toEqual(['replica_unavailable', 'replica_unavailable']);
  });
});
