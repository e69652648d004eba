import { tally } from '../kit/format';
import { errorCode, GatewayClient } from '../kit/http';
import { demoUser, Shopper } from '../kit/shopper';
import { mapLimit, range } from '../kit/wait';
import type { RunContext } from './experiment';

/** A shopper the experiment logged in and gave one cart line, to look at again after the event. */
export interface ProbeShopper {
  shopper: Shopper;
  /** Where sticky routing put the session and the cart (x-served-by); any replica under round-robin. */
  userReplica: string;
  cartReplica: string;
  productId: string;
  quantity: number;
}

export interface PlaceOptions {
  /** First demo account number; default 501 (the load drivers use the low numbers). */
  firstUser?: number;
  concurrency?: number;
}

/**
 * Logs in `count` shoppers and adds one cart line each. Every one must succeed: the experiment's
 * "before" is only meaningful when all its shoppers hold a session and a cart.
 */
export async function placeShoppers(client: GatewayClient, count: number, options: PlaceOptions = {}): Promise<ProbeShopper[]> {
  return mapLimit(range(count), options.concurrency ?? 8, async (i) => {
    const shopper = new Shopper(client, demoUser(options.firstUser ?? 501, i));
    const login = await shopper.login();
    if (login.status !== 200 || !shopper.cookie) throw new Error(`login of ${shopper.username} answered ${login.status} (${errorCode(login) ?? 'no code'})`);
    const productId = `p-${(i % 500) + 1}`;
    const quantity = (i % 3) + 1;
    const add = await shopper.post('/api/cart/items', { productId, quantity });
    if (add.status !== 201) throw new Error(`adding to the cart of ${shopper.username} answered ${add.status} (${errorCode(add) ?? 'no code'})`);
    return {
      shopper,
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

async function lookAt(probe: ProbeShopper): Promise<Verdict> {
  try {
    const me = await probe.shopper.get('/api/me');
    if (me.status === 401) return { kind: 'lost', code: errorCode(me) ?? 'unauthorized' };
    if (me.status !== 200) return { kind: 'unknown' };
    const cart = await probe.shopper.get<{ items?: { productId: string; quantity: number }[] }>('/api/cart');
    if (cart.status !== 200) return cart.status === 401 ? { kind: 'lost', code: errorCode(cart) ?? 'unauthorized' } : { kind: 'unknown' };
    const cartKept = (cart.body?.items ?? []).some((item) => item.productId === probe.productId && item.quantity >= probe.quantity);
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
  shoppers: readonly ProbeShopper[],
  options: { concurrency?: number; attempts?: number; beforeRetry?: () => Promise<unknown> } = {},
): Promise<ProbeCheck> {
  const verdicts = new Array<Verdict>(shoppers.length).fill({ kind: 'unknown' });
  let pending = range(shoppers.length);
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
    if (attempt > 1) await options.beforeRetry?.();
    await mapLimit(pending, options.concurrency ?? 16, async (i) => {
      verdicts[i] = await lookAt(shoppers[i]);
    });
    pending = pending.filter((i) => verdicts[i].kind === 'unknown');
  }

  const result: ProbeCheck = {
    checked: shoppers.length,
    sessionsAlive: 0,
    sessionsLost: 0,
    cartsLost: 0,
    unknown: 0,
    sessionsLostByReplica: {},
    cartsLostByReplica: {},
    lostCodes: {},
  };
  verdicts.forEach((verdict, i) => {
    const shopper = shoppers[i];
    if (verdict.kind === 'alive') {
      result.sessionsAlive++;
      if (!verdict.cartKept) {
        result.cartsLost++;
        tally(result.cartsLostByReplica, shopper.cartReplica);
      }
    } else if (verdict.kind === 'lost') {
      result.sessionsLost++;
      tally(result.sessionsLostByReplica, shopper.userReplica);
      tally(result.lostCodes, verdict.code);
    } else {
      result.unknown++;
    }
  });
  return result;
}

/** An experiment's setup phase: `settings.sessions` probe shoppers placed on the lab. */
export async function placeProbes({ lab, settings, progress, phases }: RunContext): Promise<ProbeShopper[]> {
  await phases.enter('setup');
  progress.note(`placing ${settings.sessions} probe shoppers (login + one cart line)`);
  return placeShoppers(lab.client, settings.sessions);
}

/** An experiment's check phase: every probe shopper looked at, retrying undecided ones once the lab is ready. */
export async function checkProbes({ lab, progress, phases }: RunContext, shoppers: readonly ProbeShopper[]): Promise<ProbeCheck> {
  await phases.enter('check');
  progress.note(`looking at ${shoppers.length} probe shoppers with GET /api/me and GET /api/cart`);
  const check = await checkShoppers(shoppers, { beforeRetry: () => lab.waitReady(30_000) });
  await phases.end();
  return check;
}
