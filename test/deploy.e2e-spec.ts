import { activeReplicas, findReplica, LabHandle, RestartResult, waitUntil } from '../tools/kit';
import { runExperiment } from '../tools/experiments/runner';
import { PlacedShopper, placeShoppers as placeWithLine, Shopper } from './support/shopper';

type Placed = PlacedShopper;

/** Logs in `count` shoppers from account `firstUser` on, each with one line of p-7. */
const placeShoppers = (url: string, count: number, firstUser: number) => placeWithLine(url, count, { firstUser, productId: 'p-7', quantity: 1 });

/** How many placed shoppers still have their session, and their session and cart line. */
async function survivors(placed: readonly Placed[]): Promise<{ sessions: number; carts: number }> {
  let sessions = 0;
  let carts = 0;
  for (const { shopper } of placed) {
    const cart = await shopper.get('/api/cart');
    if (cart.status === 200) {
      sessions++;
      if (cart.body.items.some((line: { productId: string }) => line.productId === 'p-7')) carts++;
    } else {
      expect(cart.status).toBe(401);
    }
  }
  return { sessions, carts };
}

describe('deploys: restarting replicas one way or another', () => {
  describe('in stateful mode', () => {
    let lab: LabHandle;
    beforeAll(async () => (lab = await LabHandle.start({ mode: 'stateful', routing: 'sticky-ring' })), 90_000);
    afterAll(() => lab?.close());

    it('keeps every session and cart of replicas restarted with a hand-off', async () => {
      const placed = await placeShoppers(lab.url, 30, 100);
      const user = await lab.restart('user-1', 'handoff');
      const cart = await lab.restart('cart-1', 'handoff');
      for (const result of [user, cart]) expect(result.pidAfter).not.toBe(result.pidBefore);
      expect(user.handedOff).toBe(placed.filter((p) => p.userReplica === 'user-1').length);
      expect(cart.handedOff).toBeGreaterThanOrEqual(placed.filter((p) => p.cartReplica === 'cart-1').length);
      expect(user.handedOff).toBeGreaterThan(2);
      expect(await survivors(placed)).toEqual({ sessions: placed.length, carts: placed.length });
    }, 60_000);

    it('loses the sessions of a replica restarted with kill, and says how many it held', async () => {
      const placed = await placeShoppers(lab.url, 30, 200);
      const held = placed.filter((p) => p.userReplica === 'user-2').length;
      const result = await lab.restart('user-2', 'kill');
      expect(result.heldAtStop).toBeGreaterThanOrEqual(held);
      const after = await survivors(placed);
      expect(after.sessions).toBe(placed.length - held);
      expect(held).toBeGreaterThan(2);
    }, 60_000);

    it('places no new session on a draining replica and restarts it as soon as its sessions have ended', async () => {
      // user-3 starts empty: the sessions earlier tests left on it would keep the drain waiting.
      await lab.restart('user-3', 'kill');
      const placed = await placeShoppers(lab.url, 30, 300);
      const onUser3 = placed.filter((p) => p.userReplica === 'user-3');
      expect(onUser3.length).toBeGreaterThan(2);
      let result: RestartResult | undefined;
      const restarting = lab.restart('user-3', 'drain', 60).then((r) => (result = r));
      await waitUntil('user-3 to be draining', async () => findReplica(await lab.topology(), 'user-3')?.draining === true, { timeoutMs: 20_000 });
      // The drain has begun once the topology still shows user-3 up and new logins avoid it.
      const newcomers = await placeShoppers(lab.url, 20, 400);
      expect(newcomers.filter((p) => p.userReplica === 'user-3')).toEqual([]);
      expect(result).toBeUndefined();
      // Its own sessions end (logout), which is what the drain waits for.
      for (const { shopper } of onUser3) expect((await shopper.post('/api/logout')).status).toBe(204);
      await restarting;
      expect(result?.heldAtStop).toBe(0);
      expect(result?.drainedMs).toBeLessThan(60_000);
      // Everyone else kept their session and cart.
      const others = placed.filter((p) => p.userReplica !== 'user-3').concat(newcomers);
      expect(await survivors(others)).toEqual({ sessions: others.length, carts: others.length });
    }, 90_000);

    it('switches every user and cart replica to a fresh set at once with blue-green, losing what the old set held', async () => {
      const placed = await placeShoppers(lab.url, 12, 500);
      const result = await lab.blueGreen();
      expect(result.blue).toEqual(['user-1', 'user-2', 'user-3', 'cart-1', 'cart-2', 'cart-3']);
      expect(result.green).toEqual(['user-4', 'user-5', 'user-6', 'cart-4', 'cart-5', 'cart-6']);
      expect(result.heldAtSwitch).toBeGreaterThanOrEqual(placed.length);
      const topology = await lab.topology();
      expect(activeReplicas(topology, 'user')).toEqual(['user-4', 'user-5', 'user-6']);
      expect(await survivors(placed)).toEqual({ sessions: 0, carts: 0 });
      // The old set is stopped; the new one serves a fresh login, and a rescale works from it.
      await waitUntil('the old set to be down', async () => (await lab.topology()).services.user.filter((r) => !r.active).every((r) => !r.up), {
        timeoutMs: 20_000,
      });
      const fresh = await placeShoppers(lab.url, 3, 600);
      expect(fresh.every((p) => ['user-4', 'user-5', 'user-6'].includes(p.userReplica))).toBe(true);
      expect((await lab.scale('user', 4)).to).toBe(4);
      expect(activeReplicas(await lab.topology(), 'user')).toEqual(['user-4', 'user-5', 'user-6', 'user-7']);
    }, 90_000);
  });

  describe('in redis mode', () => {
    let lab: LabHandle;
    beforeAll(async () => (lab = await LabHandle.start({ mode: 'redis', routing: 'round-robin' })), 90_000);
    afterAll(() => lab?.close());

    it('refuses a hand-off (the state is shared) and loses nothing to kill, drain or blue-green', async () => {
      const placed = await placeShoppers(lab.url, 15, 100);
      const handoff = await lab.client.post('/lab/replicas/user-1/restart', { style: 'handoff' });
      expect(handoff.status).toBe(409);
      expect(handoff.body).toMatchObject({ error: { code: 'restart_style_unsupported' } });
      const kill = await lab.restart('cart-1', 'kill');
      expect(kill.heldAtStop).toBeNull();
      const drain = await lab.restart('user-1', 'drain', 10);
      expect(drain.drainedMs).toBeLessThan(10_000);
      await lab.blueGreen();
      expect(await survivors(placed)).toEqual({ sessions: placed.length, carts: placed.length });
    }, 90_000);

    it('answers every request while a drained replica restarts under round-robin', async () => {
      const shopper = new Shopper(lab.url, 'user700');
      expect((await shopper.login()).status).toBe(200);
      let stop = false;
      const statuses: number[] = [];
      const loop = (async () => {
        while (!stop && statuses.length < 5000) statuses.push((await shopper.get('/api/cart')).status);
      })();
      await lab.restart('user-5', 'drain', 10);
      await lab.restart('cart-5', 'drain', 10);
      stop = true;
      await loop;
      expect(statuses.length).toBeGreaterThan(10);
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
    }, 60_000);
  });
});

describe('npm run experiment -- deploy', () => {
  it('loses journeys to kill and blue-green in stateful mode only, none to hand-off, and no more to drain than to kill', async () => {
    const lines: string[] = [];
    const result = await runExperiment('deploy', {
      settings: { durationSeconds: 4, sessions: 9, connections: 2, drainSeconds: 3 },
      progress: { write: (chunk: string) => void lines.push(chunk) },
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${lines.slice(-20).join('')}`);
    });
    const run = (label: string) => {
      const found = result.runs.find((r) => r.label === label);
      if (!found) throw new Error(`no run ${label}`);
      return { ...found, lost: found.sessionsLost + found.cartsLost };
    };
    expect(result.runs.map((r) => r.label)).toEqual([
      'stateful · kill',
      'stateful · drain',
      'stateful · handoff',
      'stateful · blue-green',
      'redis · kill',
      'redis · drain',
      'redis · blue-green',
    ]);
    for (const r of result.runs) {
      expect(r.journeysCompleted).toBeGreaterThan(0);
      expect(r.deploySeconds).toBeGreaterThan(0);
    }
    // Six replicas restarted one at a time; each kill takes the journeys in flight on it.
    expect(run('stateful · kill').heldAtStop).toBeGreaterThan(0);
    expect(run('stateful · kill').lost).toBeGreaterThan(0);
    expect(run('stateful · drain').lost).toBeLessThanOrEqual(run('stateful · kill').lost);
    expect(run('stateful · handoff').lost).toBe(0);
    expect(run('stateful · handoff').handedOff).toBeGreaterThan(0);
    expect(run('stateful · blue-green').heldAtStop).toBeGreaterThan(0);
    for (const label of ['redis · kill', 'redis · drain', 'redis · blue-green']) {
      expect(run(label).lost).toBe(0);
      expect(run(label).heldAtStop).toBeNull();
    }
  }, 600_000);
});
