import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { GatewayClient, Reply } from '../kit/http';
import { demoUser, Shopper } from '../kit/shopper';
import { delay, range } from '../kit/wait';

export interface JourneyShoppersOptions {
  count: number;
  /** Pause between two steps of a journey, jittered ±50 %; default 250 ms. */
  pauseMs?: number;
  /** First demo account; default 301. */
  firstUser?: number;
}

/** What the journeys saw; a journey is login, add a line, look at the cart, check out, log out. */
export interface JourneyFigures {
  shoppers: number;
  /** Journeys that reached their logout. */
  completed: number;
  /** Journeys whose session ended under them (401 after a login that succeeded). */
  sessionsLost: number;
  /** Journeys whose session lived but whose cart line was gone (seen at the cart, or an empty cart at checkout). */
  cartsLost: number;
  /** Responses outside 2xx that lost nothing (503 while a replica restarted, …), and requests without a response. */
  failedRequests: number;
  /** Journeys that gave up: a step kept failing for 30 s, or an answer no journey expects. */
  abandoned: number;
  requests: number;
}

/** One journey's fate. */
type Fate = 'completed' | 'session_lost' | 'cart_lost' | 'abandoned' | 'stopped';

/** How long one step is retried (503 or no answer) before its journey is abandoned. */
const RETRY_FOR_MS = 30_000;

/**
 * Shoppers that keep doing short journeys (login, add, view, checkout, logout) one after
 * another, for as long as they run: the sessions a deploy meets are mostly in the middle of
 * something, and they end, which is what a drain waits for. A request answered 503 (or not at
 * all) is counted as failed and retried after a pause for up to 30 s; writes carry an
 * Idempotency-Key, so a retry of a write that did happen gets its first answer. A 401 or a
 * vanished cart line ends the journey as a loss (a 401 to the logout only says it is over).
 */
export class JourneyShoppers {
  private readonly stop = new AbortController();
  private readonly figures: JourneyFigures;
  private loops: Promise<void>[] = [];

  private constructor(
    private readonly client: GatewayClient,
    private readonly options: JourneyShoppersOptions,
  ) {
    this.figures = { shoppers: options.count, completed: 0, sessionsLost: 0, cartsLost: 0, failedRequests: 0, abandoned: 0, requests: 0 };
    setMaxListeners(0, this.stop.signal);
  }

  static start(baseUrl: string, options: JourneyShoppersOptions): JourneyShoppers {
    const shoppers = new JourneyShoppers(new GatewayClient(baseUrl), options);
    shoppers.loops = range(options.count).map((i) => shoppers.loop(new Shopper(shoppers.client, demoUser(options.firstUser ?? 301, i)), i));
    return shoppers;
  }

  /** A copy of the figures so far. */
  snapshot(): JourneyFigures {
    return { ...this.figures };
  }

  /** Stops every loop (its journey in flight is abandoned, not counted) and returns the figures. */
  async finish(): Promise<JourneyFigures> {
    this.stop.abort();
    await Promise.all(this.loops);
    this.client.close();
    return this.snapshot();
  }

  private async loop(shopper: Shopper, index: number): Promise<void> {
    await this.pause(index % 7);
    while (!this.stop.signal.aborted) {
      const fate = await this.journey(shopper, `p-${(index % 500) + 1}`);
      if (fate === 'completed') this.figures.completed++;
      else if (fate === 'session_lost') this.figures.sessionsLost++;
      else if (fate === 'cart_lost') this.figures.cartsLost++;
      else if (fate === 'abandoned') this.figures.abandoned++;
      await this.pause();
    }
  }

  private async journey(shopper: Shopper, productId: string): Promise<Fate> {
    const login = await this.send(() => shopper.login());
    if (login === 'stopped' || login === 'abandoned') return login;
    if (login.status !== 200) return 'abandoned';
    const once = (key: string) => ({ headers: { 'idempotency-key': key } });
    const [addKey, checkoutKey] = [randomUUID(), randomUUID()];
    const steps: Array<() => Promise<Reply>> = [
      () => shopper.post('/api/cart/items', { productId, quantity: 1 }, once(addKey)),
      () => shopper.get('/api/cart'),
      () => shopper.post('/api/checkout', undefined, once(checkoutKey)),
      () => shopper.post('/api/logout'),
    ];
    for (const [step, send] of steps.entries()) {
      await this.pause();
      const reply = await this.send(send);
      if (reply === 'stopped' || reply === 'abandoned') return reply;
      if (step === 3) return 'completed';
      if (reply.status === 401) return 'session_lost';
      if (step === 1 && !(reply.body as { items?: Array<{ productId: string }> }).items?.some((line) => line.productId === productId)) return 'cart_lost';
      if (step === 2 && reply.status === 409) return 'cart_lost';
      if (reply.status < 200 || reply.status > 299) return 'abandoned';
    }
    return 'completed';
  }

  /** Sends, retrying a 503 or a request without an answer; 'stopped' when the run ended meanwhile. */
  private async send(call: () => Promise<Reply>): Promise<Reply | 'stopped' | 'abandoned'> {
    const deadline = Date.now() + RETRY_FOR_MS;
    while (Date.now() < deadline) {
      if (this.stop.signal.aborted) return 'stopped';
      this.figures.requests++;
      try {
        const reply = await call();
        if (reply.status !== 503) return reply;
      } catch {
        // no answer: counted below, retried
      }
      this.figures.failedRequests++;
      await this.pause();
    }
    return 'abandoned';
  }

  private async pause(factor = 1): Promise<void> {
    const pauseMs = this.options.pauseMs ?? 250;
    await delay(pauseMs * factor * (0.5 + Math.random()), this.stop.signal);
  }
}
