import { fakeReplicas } from '../testing/fake-replicas';

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
