import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * What the peers bench and the peer programs it starts agree on: the cart answer, the floors'
 * Redis keys and signed `sid` cookie, the ready line, and the newline-delimited JSON of the
 * same-shape floor. Nothing here imports the lab: the peers must not borrow its code.
 */

export interface CartLine {
  productId: string;
  quantity: number;
  priceCents: number;
}

/** The body of every target's `GET /api/cart` (the lab's contract). */
export interface CartView {
  items: CartLine[];
  totalCents: number;
}

export function cartView(items: readonly CartLine[]): CartView {
  return {
    items: items.map((line) => ({ productId: line.productId, quantity: line.quantity, priceCents: line.priceCents })),
    totalCents: items.reduce((sum, line) => sum + line.quantity * line.priceCents, 0),
  };
}

/** A peer program prints this line on stdout once it serves; the bench waits for it. */
export const READY_LINE = 'peer ready';

/** The lab's sliding session TTL (SESSION_TTL_SECONDS default): every floor GETEX renews it. */
export const FLOOR_TTL_SECONDS = 1800;
export const FLOOR_SESSION_PREFIX = 'floor:session:';
export const FLOOR_CART_PREFIX = 'floor:cart:';
export const FLOOR_COOKIE = 'sid';

export interface FloorSession {
  userId: string;
  username: string;
}

/** 128 random bits, base64url: the lab's session id. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/** `<sid>.<HMAC-SHA256(sid) base64url>`: the lab's signed cookie value, 66 characters. */
export function signSessionId(sid: string, key: Buffer): string {
  return `${sid}.${createHmac('sha256', key).update(sid).digest('base64url')}`;
}

const SIGNED_SID = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/** The session id of a correctly signed cookie value; undefined for anything else. */
export function verifySignedSessionId(value: string | undefined, key: Buffer): string | undefined {
  if (value === undefined) return undefined;
  const match = SIGNED_SID.exec(value);
  if (!match) return undefined;
  // Compared as text: a decoded comparison would also accept the non-canonical spellings of the
  // last base64url character (it carries 2 unused bits).
  const expected = Buffer.from(createHmac('sha256', key).update(match[1]).digest('base64url'), 'utf8');
  const given = Buffer.from(match[2], 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected) ? match[1] : undefined;
}

/** The value of one cookie in a Cookie header; undefined when absent. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * One message of the same-shape floor's internal hop. Requests carry an `id` the answer echoes,
 * so many requests share one connection; `session` asks a user replica, `cart` a cart replica.
 */
export type FloorRequest = { id: number; op: 'session'; sid: string } | { id: number; op: 'cart'; userId: string };
export type FloorReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/**
 * Splits a byte stream into lines and hands each one over; the tail of a chunk waits for the
 * rest of its line. Returns the `data` listener.
 */
export function lineReader(onLine: (line: string) => void): (chunk: Buffer) => void {
  let buffered = '';
  return (chunk) => {
    buffered += chunk.toString('utf8');
    let start = 0;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      if (newline > start) onLine(buffered.slice(start, newline));
      start = newline + 1;
      newline = buffered.indexOf('\n', start);
    }
    buffered = buffered.slice(start);
  };
}

/** A required environment variable of a peer program; exits with one line when missing. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`${name} is required\n`);
    process.exit(2);
  }
  return value;
}

export function portEnv(name: string): number {
  const port = Number(requiredEnv(name));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`${name} must be a port, got ${process.env[name]}\n`);
    process.exit(2);
  }
  return port;
}

/**
 * SIGTERM/SIGINT, or the bench's IPC channel closing (the bench died): close what the program
 * holds (errors ignored), then exit 0. No peer outlives the bench that started it.
 */
export function exitOnSignals(close: () => Promise<unknown> | void): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    Promise.resolve()
      .then(close)
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (process.connected) process.once('disconnect', stop);
}
