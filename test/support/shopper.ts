import { GatewayClient, Reply as KitReply, Shopper as KitShopper } from '../../tools/kit';

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
