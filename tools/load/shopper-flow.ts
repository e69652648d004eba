import { DEMO_PASSWORD } from '@app/contracts';
import type { Client, Request as AutocannonRequest, ResponseHeaders } from 'autocannon';
import { tally } from '../kit/format';
import { CookieJar, errorCodeOf, headerValues, servedByIds } from '../kit/headers';

/** The cookies the lab sets: a session's (`sid`; jwt mode: `at`, `rt`) and sticky-cookie routing's `lb`. */
const LAB_COOKIES = new Set(['sid', 'at', 'rt', 'lb']);
const SESSION_COOKIES = ['sid', 'at', 'rt'];

/**
 * The shopper journey driven by `npm run load` and the experiments.
 *
 * Why the session lives in a `ConnectionShopper` and not in autocannon's `context`: autocannon deep-clones
 * `initialContext` into a fresh context every time a connection's sequence wraps around
 * (requestIterator.js `nextRequest`), so a cookie kept there would force a login per pass.
 * `setupClient` runs once per connection (httpClient.js constructor), so each connection gets
 * its own request sequence closing over its own `ConnectionShopper`; the session survives sequence
 * restarts and reconnects, and is dropped only when the gateway answers 401.
 *
 * Every step logs in first when the shopper holds no session: the first request of each
 * connection is its login, and the request after a 401 (e.g. a crashed replica lost the
 * session) is the re-login. Works with pipelining 1 only (one request in flight per connection).
 */

export const SHOPPER_ACTIONS = ['browse', 'add', 'view', 'checkout'] as const;
export type ShopperAction = (typeof SHOPPER_ACTIONS)[number];

/** How many of each action one shopper cycle holds (browse = product list + one product page). */
export type ShopperMix = Record<ShopperAction, number>;

export const DEFAULT_MIX: Readonly<ShopperMix> = Object.freeze({ browse: 4, add: 2, view: 2, checkout: 1 });

/** What one request of the journey does. */
export type JourneyStep = 'list-products' | 'product-detail' | 'add-to-cart' | 'view-cart' | 'checkout';

/** A journey step, or the login any step turns into while the shopper holds no session. */
export type ShopperStep = 'login' | JourneyStep;

const MAX_PER_CYCLE = 1000;

/** Counters shared by every connection of one run. Keys of the records are status codes and replica ids. */
export interface ShopperStats {
  statusCounts: Record<string, number>;
  /** Responses each replica took part in, from the `x-served-by` header (`user-2,cart-1` counts both). */
  servedBy: Record<string, number>;
  logins: number;
  loginFailures: number;
  /** 401 answers to anything but a login; each one makes the connection log in again. */
  unauthorized: number;
  /** The subset of `unauthorized` whose error code is `session_lost`. */
  sessionLost: number;
  requestsWritten: number;
  /** Exact bytes written to sockets (request line, headers with cookie, body). */
  requestBytesWritten: number;
}

export function createShopperStats(): ShopperStats {
  return {
    statusCounts: Object.create(null) as Record<string, number>,
    servedBy: Object.create(null) as Record<string, number>,
    logins: 0,
    loginFailures: 0,
    unauthorized: 0,
    sessionLost: 0,
    requestsWritten: 0,
    requestBytesWritten: 0,
  };
}

/** Why a mix cannot drive a shopper, or undefined when it can. */
export function mixProblem(mix: ShopperMix): string | undefined {
  for (const action of SHOPPER_ACTIONS) {
    const count = mix[action];
    if (!Number.isSafeInteger(count) || count < 0 || count > MAX_PER_CYCLE) {
      return `${action}=${String(count)} must be an integer from 0 to ${MAX_PER_CYCLE}`;
    }
  }
  if (mix.browse + mix.add + mix.view === 0) return 'at least one of browse, add, view must be above 0';
  return undefined;
}

/**
 * The ordered actions of one shopper cycle. The cycle has as many rounds as the largest count;
 * each action is spread evenly over the rounds and a round runs browse, add, view, checkout in
 * that order, so the default mix reads: browse | browse add view | browse | browse add view checkout.
 */
export function planCycle(mix: ShopperMix): ShopperAction[] {
  const problem = mixProblem(mix);
  if (problem) throw new RangeError(`invalid mix: ${problem}`);
  const rounds = Math.max(...SHOPPER_ACTIONS.map((action) => mix[action]));
  const cycle: ShopperAction[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const action of SHOPPER_ACTIONS) {
      const due = Math.floor(((round + 1) * mix[action]) / rounds) - Math.floor((round * mix[action]) / rounds);
      for (let i = 0; i < due; i++) cycle.push(action);
    }
  }
  return cycle;
}

/** The requests one action makes. */
export function stepsOf(action: ShopperAction): JourneyStep[] {
  switch (action) {
    case 'browse':
      return ['list-products', 'product-detail'];
    case 'add':
      return ['add-to-cart'];
    case 'view':
      return ['view-cart'];
    case 'checkout':
      return ['checkout'];
  }
}

export interface ConnectionShopperOptions {
  username: string;
  password: string;
  stats: ShopperStats;
  /** Products `p-1` … `p-<catalogSize>`. */
  catalogSize: number;
  /** `limit` of the product list pages. */
  pageSize: number;
  /** Uniform in [0, 1); injectable for deterministic tests. */
  random: () => number;
}

/** One connection's shopper: its account, its session and what it is waiting for. */
export class ConnectionShopper {
  /** The lab's cookies only (`sid`, or jwt mode's `at` and `rt`, and sticky-cookie's `lb`), scoped by Path as a browser does. */
  private readonly jar = new CookieJar();
  private awaiting: ShopperStep | undefined;
  private lastProductId: string | undefined;

  constructor(private readonly options: ConnectionShopperOptions) {}

  get username(): string {
    return this.options.username;
  }

  /** What proves the shopper's login (the `sid` cookie, or jwt mode's access token), if it holds one. */
  get sessionId(): string | undefined {
    return this.jar.get('sid') ?? this.jar.get('at');
  }

  /** autocannon `setupRequest` for a slot doing `step`: that request, or a login while there is no session. */
  setupRequest(step: JourneyStep, base: AutocannonRequest): AutocannonRequest {
    const headers: Record<string, string> = { ...base.headers };
    for (const key of Object.keys(headers)) {
      if (/^(cookie|content-type)$/i.test(key)) delete headers[key];
    }
    const actual: ShopperStep = this.sessionId === undefined ? 'login' : step;
    this.awaiting = actual;
    const { method, path, body } = this.describe(actual);
    const cookie = this.jar.header(path);
    if (cookie !== undefined) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return { ...base, method, path, headers, body };
  }

  /** autocannon `onResponse`: counts the answer and keeps, refreshes or drops the session. */
  onResponse(status: number, body: string, headers: ResponseHeaders | undefined): void {
    const { stats } = this.options;
    tally(stats.statusCounts, String(status));
    for (const id of servedByIds(headers)) tally(stats.servedBy, id);

    const answered = this.awaiting;
    this.awaiting = undefined;
    const labCookies = headerValues(headers, 'set-cookie').filter((line) => LAB_COOKIES.has(line.slice(0, line.indexOf('=')).trim()));

    if (answered === 'login') {
      if (status === 200 && labCookies.some((line) => /^\s*(sid|at)=[^;]/.test(line))) {
        this.jar.update(labCookies);
        stats.logins++;
      } else {
        stats.loginFailures++;
      }
      return;
    }
    if (status === 401) {
      for (const name of SESSION_COOKIES) this.jar.delete(name);
      stats.unauthorized++;
      if (errorCodeOf(body) === 'session_lost') stats.sessionLost++;
      return;
    }
    this.jar.update(labCookies);
  }

  private describe(step: ShopperStep): { method: string; path: string; body?: string } {
    const { catalogSize, pageSize, random } = this.options;
    const pick = (n: number) => Math.min(n - 1, Math.floor(random() * n));
    switch (step) {
      case 'login':
        return {
          method: 'POST',
          path: '/api/login',
          body: JSON.stringify({ username: this.options.username, password: this.options.password }),
        };
      case 'list-products': {
        const pages = Math.max(1, Math.ceil(catalogSize / pageSize));
        return { method: 'GET', path: `/api/products?limit=${pageSize}&offset=${pick(pages) * pageSize}` };
      }
      case 'product-detail':
        this.lastProductId = `p-${pick(catalogSize) + 1}`;
        return { method: 'GET', path: `/api/products/${this.lastProductId}` };
      case 'add-to-cart': {
        const productId = this.lastProductId ?? `p-${pick(catalogSize) + 1}`;
        return { method: 'POST', path: '/api/cart/items', body: JSON.stringify({ productId, quantity: pick(3) + 1 }) };
      }
      case 'view-cart':
        return { method: 'GET', path: '/api/cart' };
      case 'checkout':
        return { method: 'POST', path: '/api/checkout' };
    }
  }
}

export interface ShopperFlowOptions {
  mix: ShopperMix;
  /** Shared counters; a fresh set when omitted. */
  stats?: ShopperStats;
  /** Demo accounts `user<firstUser>` … `user<firstUser + userCount - 1>`. Defaults: 1 and 1000. */
  firstUser?: number;
  userCount?: number;
  /** Which account number connection `index` (0-based, in creation order) uses; default: round-robin over the accounts. */
  userFor?: (connectionIndex: number) => number;
  usernamePrefix?: string;
  password?: string;
  catalogSize?: number;
  pageSize?: number;
  random?: () => number;
}

export interface ShopperFlow {
  readonly stats: ShopperStats;
  readonly mix: Readonly<ShopperMix>;
  /** The steps of one cycle, in request order. */
  readonly steps: readonly JourneyStep[];
  /** The shopper of the next connection (each call takes the next account). */
  nextShopper(): ConnectionShopper;
  /** The autocannon `requests` of one connection: one cycle, every slot bound to `shopper`. */
  requestsFor(shopper: ConnectionShopper): AutocannonRequest[];
  /** autocannon `setupClient`: gives the connection its shopper and counts the bytes it writes. */
  setupClient(client: Client): void;
}

export function createShopperFlow(options: ShopperFlowOptions): ShopperFlow {
  const stats = options.stats ?? createShopperStats();
  const firstUser = options.firstUser ?? 1;
  const userCount = options.userCount ?? 1000;
  if (!Number.isSafeInteger(firstUser) || firstUser < 1) throw new RangeError(`firstUser must be a positive integer, got ${firstUser}`);
  if (!Number.isSafeInteger(userCount) || userCount < 1) throw new RangeError(`userCount must be a positive integer, got ${userCount}`);
  const userFor = options.userFor ?? ((index: number) => firstUser + (index % userCount));
  const steps = planCycle(options.mix).flatMap(stepsOf);
  let connections = 0;

  const nextShopper = (): ConnectionShopper =>
    new ConnectionShopper({
      username: `${options.usernamePrefix ?? 'user'}${userFor(connections++)}`,
      password: options.password ?? DEMO_PASSWORD,
      stats,
      catalogSize: options.catalogSize ?? 500,
      pageSize: options.pageSize ?? 20,
      random: options.random ?? Math.random,
    });

  const requestsFor = (shopper: ConnectionShopper): AutocannonRequest[] =>
    steps.map((step) => ({
      method: 'GET',
      path: '/',
      setupRequest: (request: AutocannonRequest) => shopper.setupRequest(step, request),
      onResponse: (status: number, body: string, _context: unknown, headers: ResponseHeaders) =>
        shopper.onResponse(status, body, headers),
    }));

  return {
    stats,
    mix: Object.freeze({ ...options.mix }),
    steps,
    nextShopper,
    requestsFor,
    setupClient(client: Client): void {
      client.setRequests(requestsFor(nextShopper()));
      // Every write goes through getRequestBuffer (httpClient.js _doRequest), so this sees the
      // real wire bytes, cookie and autocannon's Host/Connection headers included.
      const requestBuffer = client.getRequestBuffer.bind(client);
      client.getRequestBuffer = () => {
        const buffer = requestBuffer();
        stats.requestsWritten++;
        stats.requestBytesWritten += buffer.length;
        return buffer;
      };
    },
  };
}
