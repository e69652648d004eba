import { Attributes, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RedisClient } from './redis-client';
import { StoreUnavailableError, TraceParent } from './stores';

/** Default key prefix of the Redis adapters. */
export const DEFAULT_KEY_PREFIX = 'statelab:';

/** What counts in Redis: one expiry ledger per kind of entry. */
export type LedgerName = 'sessions' | 'carts' | 'orders';

/**
 * The lab's Redis keys. Everything of one session carries the hash tag `{<sid>}`, so it lives in
 * one Redis Cluster slot and a cart script can read the session key atomically with the cart:
 *
 * | key | value |
 * |---|---|
 * | `<prefix>session:{<sid>}` | `<expiresAtMs>\|<user JSON>`, PXAT expiresAtMs |
 * | `<prefix>cart:{<sid>}` | `<expiresAtMs>\|<lines JSON>`, PXAT expiresAtMs (a cart id is its session id) |
 * | `<prefix>order:{<sid>}:<orderId>` | the order's JSON, PXAT one TTL (rounded up) after checkout |
 * | `<prefix>once:{<sid>}` | hash: Idempotency-Key → `<fingerprint>\|<first outcome JSON>`, one TTL after the last keyed write |
 * | `<prefix>ledger:{<name>}` | hash: expiry boundary (Unix ms) → entries of that kind expiring there |
 *
 * Each ledger is one key, hence one slot: it is written as its own command, never inside a
 * script with a session's keys (see RedisLedger).
 */
export class RedisKeyspace {
  constructor(readonly prefix: string = DEFAULT_KEY_PREFIX) {}

  session(sid: string): string {
    return `${this.prefix}session:{${sid}}`;
  }

  cart(cartId: string): string {
    return `${this.prefix}cart:{${cartId}}`;
  }

  order(cartId: string, orderId: string): string {
    return `${this.prefix}order:{${cartId}}:${orderId}`;
  }

  /** The outcomes of the cart's writes made with an Idempotency-Key (a hash: key → fingerprint|outcome). */
  once(cartId: string): string {
    return `${this.prefix}once:{${cartId}}`;
  }

  ledger(name: LedgerName): string {
    return `${this.prefix}ledger:{${name}}`;
  }
}

/** Options of the Redis adapters. */
export interface RedisStoreOptions {
  /** Prefix of every key. Default `statelab:`. */
  keyPrefix?: string;
  /** Expiry boundaries (see ExpiryGrid). Default: a sixtieth of the TTL, within 100 ms … 10 s. */
  expiryStepMs?: number;
  /** WAIT after every write until this many replicas have it (REDIS_WAIT_REPLICAS). Default 0: no WAIT. */
  waitReplicas?: number;
  /** How long that WAIT may block. Default 250 ms. */
  waitTimeoutMs?: number;
}

/**
 * Synchronous replication, as far as Redis offers it: after a write is applied, WAIT on the same
 * connection (the node that holds the key, in a cluster) until `replicas` replicas acknowledged
 * everything this connection wrote. A write they do not all acknowledge in time rejects with
 * StoreUnavailableError (mayHaveApplied: the master has it, a failover may drop it), so the caller
 * answers 503 `outcome_unknown` rather than acknowledging a write a failover could lose. WAIT
 * narrows the window; it does not make Redis strongly consistent (a replica that acknowledged may
 * still lose the promotion race).
 */
export class ReplicationWait {
  readonly replicas: number;
  readonly timeoutMs: number;

  constructor(
    private readonly client: RedisClient,
    options: Pick<RedisStoreOptions, 'waitReplicas' | 'waitTimeoutMs'> = {},
  ) {
    this.replicas = options.waitReplicas ?? 0;
    this.timeoutMs = options.waitTimeoutMs ?? 250;
  }

  /** Resolves once `replicas` replicas have the write just made on `key` (at once when replicas is 0). */
  async after(operation: string, key: string, parent?: TraceParent): Promise<void> {
    if (this.replicas === 0) return;
    let acknowledged: number;
    try {
      // A pipeline with a keyed command goes to the node that holds the key, on the connection the
      // write took: WAIT then covers that write (in a cluster as on a single master).
      const replies = await traced('wait', parent, () => this.client.pipeline().exists(key).wait(this.replicas, this.timeoutMs).exec());
      const [error, count] = replies?.[1] ?? [new Error('no reply to WAIT'), 0];
      if (error) throw error;
      acknowledged = Number(count);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`redis ${operation}: WAIT failed after the write: ${reason}`, { cause: error, mayHaveApplied: true });
    }
    if (acknowledged < this.replicas) {
      throw new StoreUnavailableError(
        `redis ${operation}: ${acknowledged} of ${this.replicas} replicas acknowledged the write within ${this.timeoutMs} ms`,
        { mayHaveApplied: true },
      );
    }
  }
}

/** A stored value with its expiry in front, so a plain GET tells whether the entry's expiry is due to slide. */
export function stamp(expiresAt: number, payload: string): string {
  return `${expiresAt}|${payload}`;
}

/** The expiry and payload of a stamped value; null for anything else. */
export function unstamp(raw: string): { expiresAt: number; payload: string } | null {
  const bar = raw.indexOf('|');
  const expiresAt = bar > 0 ? Number(raw.slice(0, bar)) : NaN;
  return Number.isSafeInteger(expiresAt) ? { expiresAt, payload: raw.slice(bar + 1) } : null;
}

/** The Lua side of stamp/unstamp, for scripts that change stamped values. */
export const LUA_STAMPS = `
local function unstamp(raw)
  local bar = string.find(raw, '|', 1, true)
  return string.sub(raw, 1, bar - 1), string.sub(raw, bar + 1)
end
local function later(a, b)
  if tonumber(a) >= tonumber(b) then return a end
  return b
end
`;

/**
 * ioredis refuses a command without sending it when the connection is not up (no offline queue):
 * only then is a failed write surely not applied. A timeout or a connection that dropped under a
 * command leaves its outcome unknown.
 */
const NOT_SENT = /Stream isn't writeable|enableOfflineQueue/;

/** Instrumentation scope of the stores' Redis spans. */
export const REDIS_TRACER_NAME = 'statelab-redis';

const redisAttributes = new Map<string, Attributes>();

/** A Redis span's attributes, one frozen object per operation (the stores' operations are a fixed set), so a lean tracer encodes them once. */
function redisSpanAttributes(operation: string): Attributes {
  let attributes = redisAttributes.get(operation);
  if (!attributes) {
    attributes = Object.freeze({ 'db.system.name': 'redis', 'db.operation.name': operation });
    redisAttributes.set(operation, attributes);
  }
  return attributes;
}

/**
 * The CLIENT span of one Redis round trip of a traced call, named after the store's operation
 * (`get`, `add_item`, `wait`, …), with no key or argument in it: keys hold session ids. The lab
 * makes it itself instead of loading the ioredis instrumentation, which wraps every command
 * and cost a traced cart view about 170 µs of CPU across the replicas (README, "Where a
 * request's CPU goes"). One span per round trip: a script or pipeline is one span.
 */
function startRedisSpan(operation: string, parent: TraceParent): Span | undefined {
  if (!parent) return undefined;
  return trace.getTracer(REDIS_TRACER_NAME).startSpan(operation, { kind: SpanKind.CLIENT, attributes: redisSpanAttributes(operation) }, parent);
}

function endRedisSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    const message = error instanceof Error ? error.message : String(error);
    span.recordException(error instanceof Error ? error : message);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}

/**
 * Runs one Redis round trip inside its span when the call is traced; an untraced call is `send()`
 * itself, with no extra async frame or promise on the request path.
 */
function traced<T>(operation: string, parent: TraceParent, send: () => Promise<T>): Promise<T> {
  const span = startRedisSpan(operation, parent);
  return span ? inSpan(span, send) : send();
}

async function inSpan<T>(span: Span, send: () => Promise<T>): Promise<T> {
  try {
    const result = await send();
    endRedisSpan(span);
    return result;
  } catch (error) {
    endRedisSpan(span, error);
    throw error;
  }
}

/**
 * Runs one Redis round trip; whatever ioredis throws becomes a StoreUnavailableError saying
 * whether it may have applied. With `parent` (a traced call's span), the round trip is a CLIENT
 * span under it.
 */
export async function redisCall<T>(operation: string, call: () => Promise<T>, parent?: TraceParent): Promise<T> {
  try {
    return await traced(operation, parent, call);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreUnavailableError(`redis ${operation} failed: ${reason}`, { cause: error, mayHaveApplied: !NOT_SENT.test(reason) });
  }
}

/** PING answered within the client's command timeout. */
export async function redisPing(client: RedisClient): Promise<boolean> {
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  }
}
