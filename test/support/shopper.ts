import { findReplica, GatewayClient, Reply as KitReply, Shopper as KitShopper, Topology, waitUntil } from '../../tools/kit';

/*
 * The kit's shopper for the end-to-end suites. A test reads a reply's JSON by the shape it
 * expects (`reply.body.error.code`), hence the loose body type: a wrong guess fails the
 * assertion that reads it.
 */

export type Reply<T = any> = KitReply<T>;

export class Shopper extends KitShopper<any> {}

/** One JSON call to the lab control API, sent with `token` as its Bearer token when given. */
export async function labCall<T = any>(baseUrl: string, method: string, path: string, body?: unknown, token?: string): Promise<Reply<T>> {
  const client = new GatewayClient(baseUrl, { adminToken: token });
  try {
    return await client.request<T>(method, path, { body });
  } finally {
    client.close();
  }
}

/** A logged-in shopper with one cart line, and the replicas that hold its session and its cart. */
export interface PlacedShopper {
  shopper: Shopper;
  userReplica: string;
  cartReplica: string;
}

/**
 * Logs in `count` shoppers (accounts `user<firstUser>` on), ten at a time, each adding `quantity`
 * of `productId`; fails the test if a login or an add does not succeed.
 */
export async function placeShoppers(url: string, count: number, options: { firstUser: number; productId: string; quantity: number }): Promise<PlacedShopper[]> {
  const placed: PlacedShopper[] = [];
  for (let start = 0; start < count; start += 10) {
    const batch = Array.from({ length: Math.min(10, count - start) }, async (_, i) => {
      const shopper = new Shopper(url, `user${options.firstUser + start + i}`);
      const login = await shopper.login();
      expect(login.status).toBe(200);
      const add = await shopper.post('/api/cart/items', { productId: options.productId, quantity: options.quantity });
      expect(add.status).toBe(201);
      return { shopper, userReplica: login.servedBy[0], cartReplica: add.servedBy[1] };
    });
    placed.push(...(await Promise.all(batch)));
  }
  return placed;
}

/** Crashes a replica through the lab API and waits until its supervisor brought a new process up. */
export async function crashAndAwaitRestart(url: string, id: string): Promise<void> {
  const crash = await labCall(url, 'POST', `/lab/replicas/${id}/crash`);
  expect(crash.status).toBe(202);
  await waitUntil(
    `${id} to come back`,
    async () => {
      const topology = (await labCall<Topology>(url, 'GET', '/lab/topology')).body;
      const replica = topology && findReplica(topology, id);
      return replica?.up && replica.pid !== crash.body.pid;
    },
    { timeoutMs: 20_000 },
  );
}
