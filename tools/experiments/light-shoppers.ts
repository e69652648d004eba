import { setMaxListeners } from 'node:events';
import { tally } from '../kit/format';
import { GatewayClient, Reply } from '../kit/http';
import { demoUser, Shopper } from '../kit/shopper';
import { delay, mapLimit, range } from '../kit/wait';

export interface LightShoppersOptions {
  count: number;
  /** Requests per second of each shopper (jittered ±50 %). */
  ratePerSecond: number;
  /** First demo account; default 101. */
  firstUser?: number;
}

export interface LightShoppersResult {
  shoppers: number;
  requests: number;
  non2xx: number;
  errors: number;
  servedBy: Record<string, number>;
}

/** What each light shopper does, in turn, one request at a time. */
const STEPS: readonly ((shopper: Shopper, n: number) => Promise<Reply>)[] = [
  (shopper) => shopper.get('/api/cart'),
  (shopper, n) => shopper.get(`/api/products?limit=20&offset=${(n * 20) % 500}`),
  (shopper, n) => shopper.post('/api/cart/items', { productId: `p-${(n % 500) + 1}`, quantity: 1 }),
  (shopper) => shopper.get('/api/me'),
];

/**
 * Many shoppers that each send about `ratePerSecond` requests per second (login first): the
 * "long tail" of light users beside a few heavy ones. autocannon has no per-connection pacing
 * the load driver exposes, hence this small paced client.
 */
export class LightShoppers {
  private readonly stop = new AbortController();
  private readonly result: LightShoppersResult;
  private loops: Promise<void>[] = [];

  private constructor(
    private readonly client: GatewayClient,
    private readonly options: LightShoppersOptions,
  ) {
    this.result = { shoppers: options.count, requests: 0, non2xx: 0, errors: 0, servedBy: {} };
    // Every shopper's pause listens to the one stop signal.
    setMaxListeners(0, this.stop.signal);
  }

  /** Logs every shopper in, then starts their paced loops. */
  static async start(baseUrl: string, options: LightShoppersOptions): Promise<LightShoppers> {
    const shoppers = new LightShoppers(new GatewayClient(baseUrl), options);
    const firstUser = options.firstUser ?? 101;
    const loggedIn = await mapLimit(range(options.count), 8, async (i) => {
      const shopper = new Shopper(shoppers.client, demoUser(firstUser, i));
      const login = await shopper.login();
      if (login.status !== 200 || !shopper.cookie) throw new Error(`a light shopper could not log in (${login.status})`);
      shoppers.count(login.status, login.servedBy);
      return shopper;
    });
    shoppers.loops = loggedIn.map((shopper, i) => shoppers.loop(shopper, i));
    return shoppers;
  }

  /** Stops every loop (after its request in flight) and returns what they did. */
  async finish(): Promise<LightShoppersResult> {
    this.stop.abort();
    await Promise.all(this.loops);
    this.client.close();
    return this.result;
  }

  private count(status: number, servedBy: readonly string[]): void {
    this.result.requests++;
    if (status < 200 || status > 299) this.result.non2xx++;
    for (const id of servedBy) tally(this.result.servedBy, id);
  }

  private async loop(shopper: Shopper, index: number): Promise<void> {
    const interval = 1000 / this.options.ratePerSecond;
    // Spread the first requests over one interval so the shoppers do not move in lockstep.
    await delay(Math.random() * interval, this.stop.signal);
    for (let n = index; !this.stop.signal.aborted; n++) {
      try {
        const reply = await STEPS[n % STEPS.length](shopper, n);
        this.count(reply.status, reply.servedBy);
      } catch {
        this.result.errors++;
      }
      await delay(interval * (0.5 + Math.random()), this.stop.signal);
    }
  }
}
