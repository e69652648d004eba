import type { CartItem, Order } from '@app/contracts';
import type { RedisClient } from './redis-client';
import { ExpiryGrid } from './expiry';
import { RedisLedger } from './redis-ledger';
import { LUA_STAMPS, redisCall, RedisKeyspace, redisPing, RedisStoreOptions, ReplicationWait, unstamp } from './redis-support';
import { IdempotencyKeyReusedError, SessionEndedError } from './stores';
import type { AddItemOutcome, CartLimits, CartStore, Idempotency, StoreBackend, TraceParent } from './stores';

// A cart is one string key, `<expiresAtMs>|<lines as a JSON array in insertion order>`; an empty
// cart has no key. Each write is one Lua script: atomic, one round trip. It first checks the
// session key of the same id (same hash tag, same Cluster slot) and writes nothing when the
// session is gone: a write racing a logout either runs before the session's end (and the
// logout's discard removes the cart after it) or is refused. It slides the cart's expiry, never
// back (also when it refuses or finds nothing to remove), and returns the cart's expiry before
// and after, which the carts ledger follows ('' = no cart).

/**
 * Makes a write script idempotent. Its last key is the session's outcomes hash
 * (`<prefix>once:{<sid>}`, same slot) and its last three arguments are the Idempotency-Key
 * ('' for none), the write's fingerprint and the hash's lifetime (ms). A key seen before answers
 * {2, the first outcome, JSON} (or {-2} when the fingerprint differs) and changes nothing; a new
 * key's outcome is stored in the same script as the write, so no retry can ever apply it twice.
 * A write refused because the session ended ({-1}) stores nothing.
 */
function idempotent(body: string): string {
  return `${LUA_STAMPS}
local onceKey, once, fingerprint, onceTtl = KEYS[#KEYS], ARGV[#ARGV - 2], ARGV[#ARGV - 1], ARGV[#ARGV]
if once ~= '' then
  local prior = redis.call('HGET', onceKey, once)
  if prior then
    local bar = string.find(prior, '|', 1, true)
    if string.sub(prior, 1, bar - 1) ~= fingerprint then return {-2} end
    return {2, string.sub(prior, bar + 1)}
  end
end
local function write()
${body}
end
local result = write()
if once ~= '' and result[1] ~= -1 then
  redis.call('HSET', onceKey, once, fingerprint .. '|' .. cjson.encode(result))
  redis.call('PEXPIRE', onceKey, onceTtl)
end
return result
`;
}

/** Refuses a write whose session (KEYS[2]) is gone; left out for carts that belong to a user (jwt mode). */
const SESSION_CHECK = `if redis.call('EXISTS', KEYS[2]) == 0 then return {-1} end
`;

/** KEYS: cart, session, once. ARGV: expiry due, productId, quantity, priceCents, maxLines, maxQuantity, (once). → {1, lines, from, to} | {0, reason, from, to} | {-1} */
const ADD_ITEM = (sessionCheck: string) => idempotent(`
${sessionCheck}local raw = redis.call('GET', KEYS[1])
local productId, quantity, price = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local maxLines, maxQuantity = tonumber(ARGV[5]), tonumber(ARGV[6])
local was, body, expiry = '', nil, ARGV[1]
local lines = {}
if raw then
  was, body = unstamp(raw)
  lines = cjson.decode(body)
  expiry = later(was, expiry)
end
local line = nil
for _, l in ipairs(lines) do
  if l.productId == productId then line = l; break end
end
local refusal = nil
if line then
  if line.quantity + quantity > maxQuantity then refusal = 'quantity_limit' end
elseif #lines >= maxLines then
  refusal = 'cart_full'
elseif quantity > maxQuantity then
  refusal = 'quantity_limit'
end
if refusal then
  if not raw then return {0, refusal, '', ''} end
  if expiry ~= was then redis.call('SET', KEYS[1], expiry .. '|' .. body, 'PXAT', expiry) end
  return {0, refusal, was, expiry}
end
if line then
  line.quantity = line.quantity + quantity
  line.priceCents = price
else
  lines[#lines + 1] = {productId = productId, quantity = quantity, priceCents = price}
end
local encoded = cjson.encode(lines)
redis.call('SET', KEYS[1], expiry .. '|' .. encoded, 'PXAT', expiry)
return {1, encoded, was, expiry}
`);

/** KEYS: cart, session, once. ARGV: expiry due, productId, (once). → {1, remaining lines, from, to} | {0, '', from, to} when the product was not there | {-1} */
const REMOVE_ITEM = (sessionCheck: string) => idempotent(`
${sessionCheck}local raw = redis.call('GET', KEYS[1])
if not raw then return {0, '', '', ''} end
local was, body = unstamp(raw)
local expiry = later(was, ARGV[1])
local lines = cjson.decode(body)
local index = nil
for i, l in ipairs(lines) do
  if l.productId == ARGV[2] then index = i; break end
end
if not index then
  if expiry ~= was then redis.call('SET', KEYS[1], expiry .. '|' .. body, 'PXAT', expiry) end
  return {0, '', was, expiry}
end
table.remove(lines, index)
if #lines == 0 then
  redis.call('DEL', KEYS[1])
  return {1, '[]', was, ''}
end
local encoded = cjson.encode(lines)
redis.call('SET', KEYS[1], expiry .. '|' .. encoded, 'PXAT', expiry)
return {1, encoded, was, expiry}
`);

/** KEYS: cart, session, order, once. ARGV: expiry due (the order's), orderId, userId, createdAt, (once). → {1, order JSON, from} | {0, '', from} when the cart is empty | {-1} */
const CHECKOUT = (sessionCheck: string) => idempotent(`
${sessionCheck}local raw = redis.call('GET', KEYS[1])
if not raw then return {0, '', ''} end
local was, body = unstamp(raw)
local lines = cjson.decode(body)
redis.call('DEL', KEYS[1])
if #lines == 0 then return {0, '', was} end
local total = 0
for _, l in ipairs(lines) do total = total + l.quantity * l.priceCents end
local order = cjson.encode({orderId = ARGV[2], userId = ARGV[3], createdAt = ARGV[4], items = lines, totalCents = total})
redis.call('SET', KEYS[3], order, 'PXAT', ARGV[1])
return {1, order, was}
`);

type Ended = [-1];
/** A retry under an Idempotency-Key: the first outcome as JSON ([2, json]), or a different write under that key ([-2]). */
type Repeated = [2, string] | [-2];
/** The trailing arguments of every write script: Idempotency-Key ('' for none), fingerprint, lifetime of the outcomes hash (ms). */
type OnceArgs = [string, string, number];
type AddReply = [1, string, string, string] | [0, 'cart_full' | 'quantity_limit', string, string] | Ended;
type RemoveReply = [1 | 0, string, string, string] | Ended;
type CheckoutReply = [1 | 0, string, string] | Ended;
interface CartScripts {
  statelabCartAddItem(
    cartKey: string,
    sessionKey: string,
    onceKey: string,
    expiresAt: number,
    productId: string,
    quantity: number,
    priceCents: number,
    maxLines: number,
    maxQuantity: number,
    ...once: OnceArgs
  ): Promise<AddReply | Repeated>;
  statelabCartRemoveItem(cartKey: string, sessionKey: string, onceKey: string, expiresAt: number, productId: string, ...once: OnceArgs): Promise<RemoveReply | Repeated>;
  statelabCartCheckout(
    cartKey: string,
    sessionKey: string,
    orderKey: string,
    onceKey: string,
    expiresAt: number,
    orderId: string,
    userId: string,
    createdAt: string,
    ...once: OnceArgs
  ): Promise<CheckoutReply | Repeated>;
}

/** Options of the Redis cart store beyond the keyspace. */
export interface RedisCartOptions {
  /**
   * `session` (default): a cart id is a session id, and writes are refused once that session
   * has ended. `user` (jwt mode): a cart id names a user, whose cart follows them across logins
   * and devices; no session is checked.
   */
  ownedBy?: 'session' | 'user';
}

/** Stored lines in their stored order, each with a fixed key order. */
function toLines(decoded: unknown): CartItem[] {
  // cjson encodes an empty table as {}: an empty cart is never stored, but stay safe.
  if (!Array.isArray(decoded)) return [];
  return (decoded as CartItem[]).map((l) => ({ productId: l.productId, quantity: l.quantity, priceCents: l.priceCents }));
}

const parseLines = (raw: string): CartItem[] => toLines(JSON.parse(raw));

/** A boundary a script returned ('' = none). */
const boundary = (value: string): number | null => (value === '' ? null : Number(value));

/**
 * Carts in Redis as `<prefix>cart:{<cartId>}` and the orders made from them as
 * `<prefix>order:{<cartId>}:<orderId>` (see RedisKeyspace): a cart id is its session's id, and
 * every key of a session shares its hash tag. Every operation is one round trip; addItem,
 * removeItem and checkout run as Lua scripts (EVALSHA, falling back to EVAL after a Redis
 * restart) that refuse with SessionEndedError, writing nothing, once the session key is gone,
 * so they are atomic across replicas and no cart outlives its session. A cart's expiry slides on
 * every access (get slides it in the background, at most once per expiry step); an order expires
 * one TTL after checkout. The carts and orders ledgers (RedisLedger) make `count()` and
 * `countOrders()` one command each. With `waitReplicas`, a write answers only once that many
 * replicas have it (ReplicationWait). Redis failures reject with StoreUnavailableError. The client
 * belongs to the caller: `close()` leaves it open.
 */
export class RedisCartStore implements CartStore {
  readonly backend: StoreBackend = 'redis';
  private readonly keys: RedisKeyspace;
  private readonly carts: RedisLedger;
  private readonly orders: RedisLedger;
  private readonly scripts: CartScripts;
  private readonly replication: ReplicationWait;
  /** Outcomes of keyed writes live one TTL after the last of them, as the cart does. */
  private readonly onceTtlMs: number;

  constructor(
    private readonly client: RedisClient,
    ttlSeconds: number,
    options: RedisStoreOptions & RedisCartOptions = {},
  ) {
    this.keys = new RedisKeyspace(options.keyPrefix);
    const grid = new ExpiryGrid(ttlSeconds, options.expiryStepMs);
    this.carts = new RedisLedger(client, this.keys.ledger('carts'), grid);
    this.orders = new RedisLedger(client, this.keys.ledger('orders'), grid);
    this.onceTtlMs = ttlSeconds * 1000;
    this.replication = new ReplicationWait(client, options);
    // A user's cart (jwt mode) outlives every login: its scripts check no session, under their own names.
    const check = options.ownedBy === 'user' ? '' : SESSION_CHECK;
    const suffix = options.ownedBy === 'user' ? 'OfUser' : '';
    client.defineCommand(`statelabCartAddItem${suffix}`, { numberOfKeys: 3, lua: ADD_ITEM(check) });
    client.defineCommand(`statelabCartRemoveItem${suffix}`, { numberOfKeys: 3, lua: REMOVE_ITEM(check) });
    client.defineCommand(`statelabCartCheckout${suffix}`, { numberOfKeys: 4, lua: CHECKOUT(check) });
    const commands = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    this.scripts = {
      statelabCartAddItem: (...args) => commands[`statelabCartAddItem${suffix}`](...args),
      statelabCartRemoveItem: (...args) => commands[`statelabCartRemoveItem${suffix}`](...args),
      statelabCartCheckout: (...args) => commands[`statelabCartCheckout${suffix}`](...args),
    } as CartScripts;
  }

  async get(cartId: string, parent?: TraceParent): Promise<CartItem[]> {
    const key = this.keys.cart(cartId);
    const raw = await redisCall('get', () => this.client.get(key), parent);
    const entry = raw === null ? null : unstamp(raw);
    if (!entry) return [];
    this.carts.slide(key, entry.expiresAt);
    return parseLines(entry.payload);
  }

  async addItem(cartId: string, item: CartItem, limits: CartLimits, once?: Idempotency, parent?: TraceParent): Promise<AddItemOutcome> {
    const sent = await redisCall('add_item', () =>
      this.scripts.statelabCartAddItem(
        this.keys.cart(cartId),
        this.keys.session(cartId),
        this.keys.once(cartId),
        this.carts.expiryNow(),
        item.productId,
        item.quantity,
        item.priceCents,
        limits.maxLines,
        limits.maxQuantity,
        ...this.onceArgs(once),
      ),
      parent,
    );
    const reply = this.firstOutcome<AddReply>(cartId, sent, once, () => this.carts.move(boundary(sent[2] as string), boundary(sent[3] as string)));
    await this.replicated('add_item', cartId, sent, parent);
    return reply[0] === 1 ? { ok: true, items: parseLines(reply[1]) } : { ok: false, reason: reply[1] };
  }

  async removeItem(cartId: string, productId: string, once?: Idempotency, parent?: TraceParent): Promise<CartItem[] | null> {
    const sent = await redisCall('remove_item', () =>
      this.scripts.statelabCartRemoveItem(this.keys.cart(cartId), this.keys.session(cartId), this.keys.once(cartId), this.carts.expiryNow(), productId, ...this.onceArgs(once)),
      parent,
    );
    const reply = this.firstOutcome<RemoveReply>(cartId, sent, once, () => this.carts.move(boundary(sent[2] as string), boundary(sent[3] as string)));
    await this.replicated('remove_item', cartId, sent, parent);
    return reply[0] === 1 ? parseLines(reply[1]) : null;
  }

  async checkout(cartId: string, order: Omit<Order, 'items' | 'totalCents'>, once?: Idempotency, parent?: TraceParent): Promise<Order | null> {
    const expiresAt = this.orders.expiryNow();
    const sent = await redisCall('checkout', () =>
      this.scripts.statelabCartCheckout(
        this.keys.cart(cartId),
        this.keys.session(cartId),
        this.keys.order(cartId, order.orderId),
        this.keys.once(cartId),
        expiresAt,
        order.orderId,
        order.userId,
        order.createdAt,
        ...this.onceArgs(once),
      ),
      parent,
    );
    const reply = this.firstOutcome<CheckoutReply>(cartId, sent, once, () => {
      this.carts.move(boundary(sent[2] as string), null);
      if (sent[0] === 1) this.orders.move(null, expiresAt);
    });
    await this.replicated('checkout', cartId, sent, parent);
    if (reply[0] === 0) return null;
    const placed = JSON.parse(reply[1]) as Order;
    return {
      orderId: placed.orderId,
      userId: placed.userId,
      items: toLines(placed.items),
      totalCents: placed.totalCents,
      createdAt: placed.createdAt,
    };
  }

  /** WAIT for the replicas (ReplicationWait) after a script that wrote: not after a retry answered from the outcomes hash. */
  private async replicated(operation: string, cartId: string, sent: unknown[], parent: TraceParent): Promise<void> {
    if (sent[0] !== 2) await this.replication.after(operation, this.keys.cart(cartId), parent);
  }

  private onceArgs(once: Idempotency | undefined): OnceArgs {
    return [once?.key ?? '', once?.fingerprint ?? '', this.onceTtlMs];
  }

  /**
   * The outcome a write script answered: this write's own (the ledgers then follow the expiry it
   * moved, `onApplied`), or, for a retry under an Idempotency-Key, the first write's (which moved
   * the ledgers then). Throws when the session had ended or the key named a different write.
   */
  private firstOutcome<Reply extends unknown[]>(cartId: string, sent: Reply | Ended | Repeated, once: Idempotency | undefined, onApplied: () => void): Exclude<Reply, Ended> {
    if (sent[0] === -1) throw new SessionEndedError(cartId);
    if (sent[0] === -2) throw new IdempotencyKeyReusedError(once?.key ?? '');
    if (sent[0] === 2) {
      const first = JSON.parse(sent[1] as string) as Reply;
      return first as Exclude<Reply, Ended>;
    }
    onApplied();
    return sent as Exclude<Reply, Ended>;
  }

  /**
   * Drops the cart. Later writes are refused by the session check of the scripts: the caller
   * ends the session first (see the gateway's logout), and session ids are never reused.
   */
  async discard(cartId: string, parent?: TraceParent): Promise<void> {
    const raw = await redisCall('discard', () => this.client.getdel(this.keys.cart(cartId)), parent);
    if (raw !== null) this.carts.move(unstamp(raw)?.expiresAt ?? null, null);
    if (raw !== null) await this.replication.after('discard', this.keys.cart(cartId), parent);
  }

  count(): Promise<number> {
    return this.carts.live('count');
  }

  countOrders(): Promise<number> {
    return this.orders.live('count_orders');
  }

  ping(): Promise<boolean> {
    return redisPing(this.client);
  }

  /** Waits for ledger updates in flight; the client is shared and owned by whoever created it. */
  async close(): Promise<void> {
    await Promise.all([this.carts.settled(), this.orders.settled()]);
  }
}
