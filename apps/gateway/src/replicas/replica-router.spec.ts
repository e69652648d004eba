import { fakeReplicas } from '../testing/fake-replicas';
import { Affinity, LbCookies } from './lb-cookie';

describe('ReplicaRouter', () => {
  describe('pick() under round-robin', () => {
    it('rotates over the routed replicas', () => {
      const { router } = fakeReplicas({ STATE_MODE: 'redis' });
      expect([1, 2, 3, 4].map(() => router.pick('cart').id)).toEqual(['cart-1', 'cart-2', 'cart-3', 'cart-1']);
    });

    it('skips a replica the health checks see down', () => {
      const replicas = fakeReplicas({ STATE_MODE: 'redis' });
      replicas.link('cart-2').up = false;
      const picked = new Set([1, 2, 3, 4, 5, 6].map(() => replicas.router.pick('cart').id));
      expect([...picked].sort()).toEqual(['cart-1', 'cart-3']);
    });

    it('skips a replica being drained for a restart', () => {
      const replicas = fakeReplicas({ STATE_MODE: 'redis' });
      replicas.directory.setDraining('cart-3', true);
      const picked = new Set([1, 2, 3, 4, 5, 6].map(() => replicas.router.pick('cart').id));
      expect([...picked].sort()).toEqual(['cart-1', 'cart-2']);
      expect(replicas.router.ownerDraining('cart', 'any-key')).toBe(false);
    });

    it('still routes somewhere when every replica is down (the call then fails fast)', () => {
      const replicas = fakeReplicas({ STATE_MODE: 'redis' });
      for (const id of ['cart-1', 'cart-2', 'cart-3']) replicas.link(id).up = false;
      expect(replicas.router.pick('cart').id).toMatch(/^cart-[123]$/);
    });
  });

  describe('pick() under sticky routing', () => {
    it('sends one key to one replica, every time', () => {
      const { router } = fakeReplicas({ STATE_MODE: 'stateful', ROUTING: 'sticky-ring' });
      const owner = router.pick('user', 'AAAAAAAAAAAAAAAAAAAAAA').id;
      for (let i = 0; i < 10; i++) expect(router.pick('user', 'AAAAAAAAAAAAAAAAAAAAAA').id).toBe(owner);
    });

    it('says when a key would land on a draining replica, so login can draw another session id', () => {
      const replicas = fakeReplicas({ STATE_MODE: 'stateful', ROUTING: 'sticky-ring' });
      const owner = replicas.router.pick('user', 'CCCCCCCCCCCCCCCCCCCCCC').id;
      expect(replicas.router.ownerDraining('user', 'CCCCCCCCCCCCCCCCCCCCCC')).toBe(false);
      replicas.directory.setDraining(owner, true);
      expect(replicas.router.ownerDraining('user', 'CCCCCCCCCCCCCCCCCCCCCC')).toBe(true);
      // Sticky routing still sends the key's own requests to its owner: its state is there.
      expect(replicas.router.pick('user', 'CCCCCCCCCCCCCCCCCCCCCC').id).toBe(owner);
    });

    it('keeps the owner while it is down: its state is nowhere else', () => {
      const replicas = fakeReplicas({ STATE_MODE: 'stateful', ROUTING: 'sticky-ring' });
      const owner = replicas.router.pick('cart', 'BBBBBBBBBBBBBBBBBBBBBB').id;
      replicas.link(owner).up = false;
      expect(replicas.router.pick('cart', 'BBBBBBBBBBBBBBBBBBBBBB').id).toBe(owner);
    });

    it('routes the catalog round-robin whatever ROUTING says (reference data)', () => {
      const { router } = fakeReplicas({ STATE_MODE: 'stateful', ROUTING: 'sticky-modulo' });
      expect([1, 2, 3].map(() => router.pick('product').id)).toEqual(['product-1', 'product-2', 'product-3']);
    });
  });

  it('follows a rescale of the routed replicas', () => {
    const replicas = fakeReplicas({ STATE_MODE: 'redis' });
    replicas.directory.setRouted('cart', 5);
    const picked = new Set(Array.from({ length: 10 }, () => replicas.router.pick('cart').id));
    expect(picked.size).toBe(5);
  });
});

describe('ReplicaRouter under sticky-cookie', () => {
  const lbCookies = new LbCookies('a-session-secret-of-at-least-32-characters', false);
  const lbCounts = async (replicas: ReturnType<typeof fakeReplicas>) =>
    (await replicas.telemetry.metrics.render()).split('\n').filter((line) => line.startsWith('lab_lb_cookie_total{'));

  it('pins a client without a cookie round-robin, then follows its pin', async () => {
    const replicas = fakeReplicas({ STATE_MODE: 'stateful', ROUTING: 'sticky-cookie' });
    const affinity = lbCookies.read(undefined);
    const first = replicas.router.pick('user', 'ignored-key', { affinity }).id;
    expect(affinity.changed).toBe(true);
    const again = lbCookies.read(lbCookies.serialize(affinity).split(';')[0]);
    for (let i = 0; i < 5; i++) expect(replicas.router.pick('user', `key-${i}`, { affinity: again }).id).toBe(first);
    expect(again.changed).toBe(false);
    expect(await lbCounts(replicas)).toEqual(
      expect.arrayContaining([expect.stringContaining('result="absent",service="user"} 1'), expect.stringContaining('result="ok",service="user"} 5')]),
    );
  });

  it('re-pins a client whose replica is down, and counts it as replica_gone', async () => {
    const replicas = fakeReplicas({ STATE_MODE: 'stateful', ROUTING: 'sticky-cookie' });
    const affinity = new Affinity('ok');
    affinity.choose('cart', 'cart-2');
    affinity.changed = false;
    replicas.link('cart-2').up = false;
    const picked = replicas.router.pick('cart', undefined, { affinity }).id;
    expect(picked).not.toBe('cart-2');
    expect(affinity.replicaFor('cart')).toBe(picked);
    expect(affinity.changed).toBe(true);
    expect(await lbCounts(replicas)).toContainEqual(expect.stringContaining('result="replica_gone",service="cart"} 1'));
  });

  it('treats a forged cookie as no pin, counted as forged', async () => {
    const replicas = fakeReplicas({ STATE_MODE: 'stateful', ROUTING: 'sticky-cookie' });
    const affinity = lbCookies.read('lb=user-3.forged');
    expect(replicas.router.pick('user', undefined, { affinity }).id).toMatch(/^user-[123]$/);
    expect(await lbCounts(replicas)).toContainEqual(expect.stringContaining('result="forged",service="user"} 1'));
  });
});

describe('ReplicaRouter under ip-hash', () => {
  it('sends one client address to one replica whatever the session key, and spreads addresses', () => {
    const { router } = fakeReplicas({ STATE_MODE: 'stateful', ROUTING: 'ip-hash' });
    const owner = router.pick('cart', 'session-a', { clientAddress: '10.0.0.7' }).id;
    expect(router.pick('cart', 'session-b', { clientAddress: '10.0.0.7' }).id).toBe(owner);
    const spread = new Set(Array.from({ length: 60 }, (_, i) => router.pick('cart', 'same-session', { clientAddress: `10.0.1.${i}` }).id));
    expect(spread.size).toBe(3);
  });
});
