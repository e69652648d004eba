import { PrivateRedisTopology } from '../../../tools/lab/redis-topology';
import { loadRedisConfig } from '@app/config';
import { closeRedisClient, createTopologyClient, RedisClient } from './redis-client';
import { RedisCartStore } from './redis-cart-store';
import { RedisSessionStore } from './redis-session-store';
import { StoreUnavailableError } from './stores';
import { eventually } from './testing/wait';

const limits = { maxLines: 50, maxQuantity: 99 };
const user = (i: number) => ({ userId: `u-${i}`, username: `user${i}` });

/** Writes until one succeeds; resolves with how long that took. */
async function msUntilWritable(sessions: RedisSessionStore, deadlineMs: number): Promise<number> {
  const startedAt = Date.now();
  let i = 0;
  await eventually(
    'a session write to succeed',
    async () => {
      await sessions.create(`after-${i++}`, user(1));
      return true;
    },
    deadlineMs,
  );
  return Date.now() - startedAt;
}

describe.each(['sentinel', 'cluster'] as const)('the Redis stores on a %s topology', (kind) => {
  let topology: PrivateRedisTopology;
  let client: RedisClient;
  let sessions: RedisSessionStore;
  let carts: RedisCartStore;

  beforeAll(async () => {
    topology = await PrivateRedisTopology.start({ kind });
    client = createTopologyClient(loadRedisConfig(topology.env()).topology);
    await eventually('the client to be ready', () => client.status === 'ready', 15_000);
    // The first command to each node opens its connection: on a busy machine that can outlast the
    // 500 ms command timeout, which is the behaviour under test, not what this setup is about.
    await eventually(
      'every master to take a write',
      async () => {
        await Promise.all(Array.from({ length: 16 }, (_, i) => client.set(`warmup:{${i}}`, '1')));
        return true;
      },
      15_000,
    );
    sessions = new RedisSessionStore(client, 60);
    carts = new RedisCartStore(client, 60);
  }, 60_000);

  afterAll(async () => {
    if (client) await closeRedisClient(client);
    await topology?.stop();
  });

  it('runs every session and cart script in one slot and counts entries across all masters', async () => {
    const sids = Array.from({ length: 40 }, (_, i) => `sid-${kind}-${i}`);
    await Promise.all(sids.map((sid, i) => sessions.create(sid, user(i))));
    for (const sid of sids) await carts.addItem(sid, { productId: 'p-1', quantity: 2, priceCents: 100 }, limits);
    await carts.removeItem(sids[0], 'p-1');
    const order = await carts.checkout(sids[1], { orderId: 'o-1', userId: 'u-1', createdAt: new Date().toISOString() });
    expect(order?.totalCents).toBe(200);
    expect(await carts.get(sids[2])).toEqual([{ productId: 'p-1', quantity: 2, priceCents: 100 }]);
    if (kind === 'cluster') {
      // The sessions really are spread over the three masters.
      const masters = await topology.clusterMasters();
      expect(masters).toHaveLength(3);
    }
    await eventually('the ledgers to count every entry', async () => (await sessions.count()) === 40 && (await carts.count()) === 38 && (await carts.countOrders()) === 1);
  });

  it('with WAIT, acknowledges a write once a replica has it, and answers "may have applied" when too few replicas do', async () => {
    const replicas = kind === 'sentinel' ? 2 : 1;
    const waited = new RedisCartStore(client, 60, { waitReplicas: replicas, waitTimeoutMs: 200 });
    await sessions.create(`wait-${kind}`, user(1));
    const added = await waited.addItem(`wait-${kind}`, { productId: 'p-2', quantity: 1, priceCents: 10 }, limits);
    expect(added.ok).toBe(true);

    const greedy = new RedisCartStore(client, 60, { waitReplicas: replicas + 1, waitTimeoutMs: 100 });
    const startedAt = Date.now();
    const error = await greedy.addItem(`wait-${kind}`, { productId: 'p-3', quantity: 1, priceCents: 10 }, limits).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ mayHaveApplied: true, message: expect.stringContaining(`${replicas} of ${replicas + 1} replicas acknowledged`) });
    expect(Date.now() - startedAt).toBeLessThan(1000); // the WAIT timeout (100 ms) plus a busy machine, not the 500 ms command timeout twice
  });

  it('writes again within 15 s after the master (or one of three) is SIGKILLed', async () => {
    const master = await topology.victim();
    await master.kill();
    const ms = await msUntilWritable(sessions, 15_000);
    await topology.waitFailover(master, 15_000);
    expect(ms).toBeLessThan(15_000);
    expect(await sessions.ping()).toBe(true);
  }, 30_000);

  it('fails fast instead of hanging while a master is frozen, and writes again once a replica took over', async () => {
    const master = await topology.victim();
    master.pause();
    // A key served by the frozen master: in a cluster, find one by trying the sessions written above.
    const startedAt = Date.now();
    const failures: number[] = [];
    for (let i = 0; i < 40 && failures.length === 0; i++) {
      const sent = Date.now();
      await sessions.get(`sid-${kind}-${i}`).catch((error: unknown) => {
        expect(error).toBeInstanceOf(StoreUnavailableError);
        failures.push(Date.now() - sent);
      });
    }
    expect(failures.length).toBe(1);
    expect(failures[0]).toBeLessThan(1500);
    await topology.waitFailover(master, 20_000);
    await eventually(
      'every session to be readable again',
      async () => {
        for (let i = 2; i < 40; i++) await sessions.get(`sid-${kind}-${i}`);
        return true;
      },
      20_000,
    );
    expect(Date.now() - startedAt).toBeLessThan(25_000);
  }, 40_000);
});
