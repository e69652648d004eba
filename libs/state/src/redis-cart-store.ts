import type { CartItem, Order } from '@app/contracts';
import type Redis from 'ioredis';
import { countKeys, DEFAULT_KEY_PREFIX, redisCall, redisPing } from './redis-support';
import type { AddItemOutcome, CartLimits, CartStore, StoreKind } from './stores';
import { assertTtlSeconds } from './ttl';

// A cart is one string key holding its lines as a JSON array in insertion order; an empty
// cart has no key. Each mutation is one Lua script: atomic, one round trip, and it slides the
// cart's expiry (also when it refuses or finds nothing to remove).

/** KEYS: cart. ARGV: ttl, productId, quantity, priceCents, maxLines, maxQuantity. → {1, lines} | {0, reason} */
const ADD_ITEM = `
local raw = redis.call('GET', KEYS[1])
local ttl = tonumber(ARGV[1])
local productId, quantity, price = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local maxLines, maxQuantity = tonumber(ARGV[5]), tonumber(ARGV[6])
local lines = {}
if raw then lines = cjson.decode(raw) end
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
  if raw then redis.call('EXPIRE', KEYS[1], ttl) end
  return {0, refusal}
end
if line then
  line.quantity = line.quantity + quantity
  line.priceCents = price
else
  lines[#lines + 1] = {productId = productId, quantity = quantity, priceCents = price}
end
local encoded = cjson.encode(lines)
redis.call('SET', KEYS[1], encoded, 'EX', ttl)
return {1, encoded}
`;

/** KEYS: cart. ARGV: ttl, productId. → remaining lines | nil when the product was not there */
const REMOVE_ITEM = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local lines = cjson.decode(raw)
local index = nil
for i, l in ipairs(lines) do
  if l.productId == ARGV[2] then index = i; break end
end
if not index then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  return false
end
table.remove(lines, index)
if #lines == 0 then
  redis.call('DEL', KEYS[1])
  return '[]'
end
local encoded = cjson.encode(lines)
redis.call('SET', KEYS[1], encoded, 'EX', ARGV[1])
return encoded
`;

/** KEYS: cart, order. ARGV: ttl, orderId, userId, createdAt. → order JSON | nil when the cart is empty */
const CHECKOUT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local lines = cjson.decode(raw)
if #lines == 0 then
  redis.call('DEL', KEYS[1])
  return false
end
local total = 0
for _, l in ipairs(lines) do total = total + l.quantity * l.priceCents end
local order = cjson.encode({orderId = ARGV[2], userId = ARGV[3], createdAt = ARGV[4], items = lines, totalCents = total})
redis.call('SET', KEYS[2], order, 'EX', ARGV[1])
redis.call('DEL', KEYS[1])
return order
`;

interface CartScripts {
  statelabCartAddItem(
    cartKey: string,
    ttlSeconds: number,
    productId: string,
    quantity: number,
    priceCents: number,
    maxLines: number,
    maxQuantity: number,
  ): Promise<[1, string] | [0, 'cart_full' | 'quantity_limit']>;
  statelabCartRemoveItem(cartKey: string, ttlSeconds: number, productId: string): Promise<string | null>;
  statelabCartCheckout(
    cartKey: string,
    orderKey: string,
    ttlSeconds: number,
    orderId: string,
    userId: string,
    createdAt: string,
  ): Promise<string | null>;
}

/** Stored lines in their stored order, each with a fixed key order. */
function toLines(decoded: unknown): CartItem[] {
  // cjson encodes an empty table as {}: an empty cart is never stored, but stay safe.
  if (!Array.isArray(decoded)) return [];
  return (decoded as CartItem[]).map((l) => ({ productId: l.productId, quantity: l.quantity, priceCents: l.priceCents }));
}

const parseLines = (raw: string): CartItem[] => toLines(JSON.parse(raw));

/**
 * Carts in Redis as `<prefix>cart:<cartId>` (the lines as JSON, in insertion order) and the
 * orders made from them as `<prefix>order:<orderId>`. Every operation is one round trip;
 * addItem, removeItem and checkout run as Lua scripts (EVALSHA, falling back to EVAL after a
 * Redis restart), so they are atomic across replicas. A cart's expiry slides on every access;
 * an order expires one TTL after checkout. Redis failures reject with StoreUnavailableError.
 * The client belongs to the caller: `close()` leaves it open.
 */
export class RedisCartStore implements CartStore {
  readonly kind: StoreKind = 'redis';
  private readonly cartPrefix: string;
  private readonly orderPrefix: string;
  private readonly scripts: CartScripts;

  constructor(
    private readonly client: Redis,
    private readonly ttlSeconds: number,
    keyPrefix: string = DEFAULT_KEY_PREFIX,
  ) {
    assertTtlSeconds(ttlSeconds);
    this.cartPrefix = `${keyPrefix}cart:`;
    this.orderPrefix = `${keyPrefix}order:`;
    client.defineCommand('statelabCartAddItem', { numberOfKeys: 1, lua: ADD_ITEM });
    client.defineCommand('statelabCartRemoveItem', { numberOfKeys: 1, lua: REMOVE_ITEM });
    client.defineCommand('statelabCartCheckout', { numberOfKeys: 2, lua: CHECKOUT });
    this.scripts = client as unknown as CartScripts;
  }

  async get(cartId: string): Promise<CartItem[]> {
    const raw = await redisCall('get', () => this.client.getex(this.cartKey(cartId), 'EX', this.ttlSeconds));
    return raw === null ? [] : parseLines(raw);
  }

  async addItem(cartId: string, item: CartItem, limits: CartLimits): Promise<AddItemOutcome> {
    const [ok, result] = await redisCall('add_item', () =>
      this.scripts.statelabCartAddItem(
        this.cartKey(cartId),
        this.ttlSeconds,
        item.productId,
        item.quantity,
        item.priceCents,
        limits.maxLines,
        limits.maxQuantity,
      ),
    );
    return ok === 1 ? { ok: true, items: parseLines(result) } : { ok: false, reason: result };
  }

  async removeItem(cartId: string, productId: string): Promise<CartItem[] | null> {
    const raw = await redisCall('remove_item', () =>
      this.scripts.statelabCartRemoveItem(this.cartKey(cartId), this.ttlSeconds, productId),
    );
    return raw === null ? null : parseLines(raw);
  }

  async checkout(cartId: string, order: Omit<Order, 'items' | 'totalCents'>): Promise<Order | null> {
    const raw = await redisCall('checkout', () =>
      this.scripts.statelabCartCheckout(
        this.cartKey(cartId),
        this.orderPrefix + order.orderId,
        this.ttlSeconds,
        order.orderId,
        order.userId,
        order.createdAt,
      ),
    );
    if (raw === null) return null;
    const placed = JSON.parse(raw) as Order;
    return {
      orderId: placed.orderId,
      userId: placed.userId,
      items: toLines(placed.items),
      totalCents: placed.totalCents,
      createdAt: placed.createdAt,
    };
  }

  async clear(cartId: string): Promise<void> {
    await redisCall('clear', () => this.client.del(this.cartKey(cartId)));
  }

  async count(): Promise<number> {
    return countKeys(this.client, this.cartPrefix, 'count');
  }

  async countOrders(): Promise<number> {
    return countKeys(this.client, this.orderPrefix, 'count_orders');
  }

  ping(): Promise<boolean> {
    return redisPing(this.client);
  }

  async close(): Promise<void> {
    // The client is shared and owned by whoever created it.
  }

  private cartKey(cartId: string): string {
    return this.cartPrefix + cartId;
  }
}
