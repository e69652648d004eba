import { errorCode, GatewayClient } from './gateway-client';
import { mapLimit } from './wait';

/** A shopper the experiment logged in and gave one cart line, to look at again after the event. */
export interface ProbeShopper {
  username: string;
  /** `sid=…` */
  cookie: string;
  /** Where sticky routing put the session and the cart (x-served-by); any replica under round-robin. */
  userReplica: string;
  cartReplica: string;
  productId: string;
  quantity: number;
}

/** Demo accounts are user1 … user1000; probes start at `firstUser` and wrap (an account may hold several sessions). */
const ACCOUNTS = 1000;

export interface PlaceOptions {
  /** First demo account number; default 501 (the load drivers use the low numbers). */
  firstUser?: number;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Logs in `count` shoppers and adds one cart line each. Every one must succeed: the experiment's
 * "before" is only meaningful when all its shoppers hold a session and a cart.
 */
export async function placeShoppers(client: GatewayClient, count: number, options: PlaceOptions = {}): Promise<ProbeShopper[]> {
  const firstUser = options.firstUser ?? 501;
  let done = 0;
  return mapLimit(Array.from({ length: count }, (_, i) => i), options.concurrency ?? 8, async (i) => {
    const username = `user${((firstUser - 1 + i) % ACCOUNTS) + 1}`;
    const login = await client.post('/api/login', { username, password: 'demo-password' });
    if (login.status !== 200 || !login.sessionCookie) throw new Error(`login of ${username} answered ${login.status} (${errorCode(login) ?? 'no code'})`);
    const productId = `p-${(i % 500) + 1}`;
    const quantity = (i % 3) + 1;
    const add = await client.post('/api/cart/items', { productId, quantity }, { cookie: login.sessionCookie });
    if (add.status !== 201) throw new Error(`adding to the cart of ${username} answered ${add.status} (${errorCode(add) ?? 'no code'})`);
    options.onProgress?.(++done, count);
    return {
      username,
      cookie: login.sessionCookie,
      userReplica: login.servedBy[0] ?? '',
      cartReplica: add.servedBy.filter((id) => id.startsWith('cart-')).pop() ?? '',
      productId,
      quantity,
    };
  });
}

/** What a look at every probe shopper found. */
export interface ProbeCheck {
  /** Shoppers looked at. */
  checked: number;
  /** GET /api/me answered 200. */
  sessionsAlive: number;
  /** GET /api/me answered 401: the session is gone (`session_lost` when the gateway knew it as live). */
  sessionsLost: number;
  /** Of the alive sessions: GET /api/cart answered 200 without the line the shopper added. */
  cartsLost: number;
  /** No decisive answer even after retries (503, socket errors): neither kept nor lost. */
  unknown: number;
  /** Lost sessions by the user replica that had created them. */
  sessionsLostByReplica: Record<string, number>;
  /** Lost carts by the cart replica that had held them. */
  cartsLostByReplica: Record<string, number>;
  /** 401 codes seen (`session_lost`, `session_expired_or_unknown`). */
  lostCodes: Record<string, number>;
}

type Verdict = { kind: 'alive'; cartKept: boolean } | { kind: 'lost'; code: string } | { kind: 'unknown' };

async function lookAt(client: GatewayClient, shopper: ProbeShopper): Promise<Verdict> {
  try {
    const me = await client.get('/api/me', { cookie: shopper.cookie });
    if (me.status === 401) return { kind: 'lost', code: errorCode(me) ?? 'unauthorized' };
    if (me.status !== 200) return { kind: 'unknown' };
    const cart = await client.get<{ items?: { productId: string; quantity: number }[] }>('/api/cart', { cookie: shopper.cookie });
    if (cart.status !== 200) return cart.status === 401 ? { kind: 'lost', code: errorCode(cart) ?? 'unauthorized' } : { kind: 'unknown' };
    const cartKept = (cart.body?.items ?? []).some((item) => item.productId === shopper.productId && item.quantity >= shopper.quantity);
    return { kind: 'alive', cartKept };
  } catch {
    return { kind: 'unknown' };
  }
}

/**
 * Calls GET /api/me, then GET /api/cart, for every shopper. Answers that decide nothing (503, a
 * socket error) are retried up to `attempts` times, after `beforeRetry` (e.g. wait for /readyz).
 */
export async function checkShoppers(
  client: GatewayClient,
  shoppers: readonly ProbeShopper[],
  options: { concurrency?: number; attempts?: number; beforeRetry?: () => Promise<unknown> } = {},
): Promise<ProbeCheck> {
  const verdicts = new Array<Verdict>(shoppers.length).fill({ kind: 'unknown' });
  let pending = shoppers.map((_, i) => i);
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
    if (attempt > 1) await options.beforeRetry?.();
    await mapLimit(pending, options.concurrency ?? 16, async (i) => {
      verdicts[i] = await lookAt(client, shoppers[i]);
    });
    pending = pending.filter((i) => verdicts[i].kind === 'unknown');
  }

  const result: ProbeCheck = { checked: shoppers.length, sessionsAlive: 0, sessionsLost: 0, cartsLost: 0, unknown: 0, sessionsLostByReplica: {}, cartsLostByReplica: {}, lostCodes: {} };
  verdicts.forEach((verdict, i) => {
    const shopper = shoppers[i];
    if (verdict.kind === 'alive') {
      result.sessionsAlive++;
      if (!verdict.cartKept) {
        result.cartsLost++;
        result.cartsLostByReplica[shopper.cartReplica] = (result.cartsLostByReplica[shopper.cartReplica] ?? 0) + 1;
      }
    } else if (verdict.kind === 'lost') {
      result.sessionsLost++;
      result.sessionsLostByReplica[shopper.userReplica] = (result.sessionsLostByReplica[shopper.userReplica] ?? 0) + 1;
      result.lostCodes[verdict.code] = (result.lostCodes[verdict.code] ?? 0) + 1;
    } else {
      result.unknown++;
    }
  });
  return result;
}
