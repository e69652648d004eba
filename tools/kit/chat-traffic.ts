import type { ChatServerFrame } from '@app/contracts';
import { ChatClient } from './chat-client';
import { Shopper } from './shopper';
import { delay, mapLimit } from './wait';

export interface ChatTrafficOptions {
  /** Demo user numbers (user<n>), each logged in with one chat connection. */
  users: readonly number[];
  /** Reconnect backoff of every client (see ChatClient); default 1 s base, 5 s max, ±50 %. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** CHAT_DELIVERY=at-least-once: clients resume from their last message when they reconnect. */
  resume?: boolean;
}

export interface ChatTrafficFigures {
  users: number;
  /** Messages sent (each acknowledged or not). */
  sent: number;
  /** Acknowledged by the sender's replica. */
  acked: number;
  /** Received by their recipient. */
  delivered: number;
  /** Sent and never received (at-most-once: sent while the recipient had no connection, or lost on the way). */
  lost: number;
  /** Sends skipped because the sender was disconnected at that moment. */
  skipped: number;
  /** Messages received twice (at-least-once: a replay overlapping live delivery), dropped by the clients. */
  duplicates: number;
  /** Connections dropped by the server side (a crash), over all clients. */
  connectionsDropped: number;
  /** Drop → open again, per reconnect. */
  reconnectMs: number[];
  /** Client send → recipient receipt, ms, split at `splitAtMs` (wall clock) when given. */
  deliveryMs: { before: number[]; after: number[] };
  /** Messages lost, split as above by their send time. */
  lostBySendTime: { before: number; after: number };
}

interface Sent {
  to: string;
  at: number;
}

/**
 * Chat traffic for experiments and tests: demo users logged in, each with a ChatClient that
 * reconnects with jittered backoff; `run()` sends messages at a bounded rate, each from the
 * next connected user to the user after it in the list; `figures()` says what arrived, what was
 * lost and how long delivery took, as the clients saw it.
 */
export class ChatTraffic {
  private readonly sent = new Map<string, Sent>();
  private readonly receivedAt = new Map<string, number>();
  private readonly acked = new Set<string>();
  private skipped = 0;
  private next = 0;

  private constructor(private readonly clients: { userId: string; chat: ChatClient }[]) {
    for (const { chat } of clients) chat.on('frame', (frame) => this.observe(frame));
  }

  /** Logs every user in (5 at a time) and opens their connections. */
  static async connect(url: string, options: ChatTrafficOptions): Promise<ChatTraffic> {
    const opened: { userId: string; chat: ChatClient }[] = [];
    try {
      await mapLimit(options.users, 5, async (n) => {
        const shopper = new Shopper(url, `user${n}`);
        const login = await shopper.login();
        shopper.client.close();
        if (login.status !== 200) throw new Error(`user${n} could not log in: ${login.status}`);
        const chat = new ChatClient(url, { cookie: shopper.cookie, reconnect: true, baseDelayMs: options.baseDelayMs, maxDelayMs: options.maxDelayMs, resume: options.resume });
        opened.push({ userId: (login.body as { userId: string }).userId, chat });
        await chat.connect();
      });
    } catch (error) {
      await Promise.all(opened.map(({ chat }) => chat.close()));
      throw error;
    }
    return new ChatTraffic(opened);
  }

  /** Sends `ratePerSecond` messages a second for `durationMs` (or until `signal` aborts). */
  async run(options: { ratePerSecond: number; durationMs: number; signal?: AbortSignal }): Promise<void> {
    const tickMs = 20;
    const started = Date.now();
    let due = 0;
    while (Date.now() - started < options.durationMs && !options.signal?.aborted) {
      due += (options.ratePerSecond * tickMs) / 1000;
      for (; due >= 1; due--) this.sendOne();
      await delay(tickMs, options.signal);
    }
  }

  /** What was sent, received and lost; messages not received within `graceMs` from now are lost. */
  async figures(options: { graceMs?: number; splitAtMs?: number } = {}): Promise<ChatTrafficFigures> {
    await delay(options.graceMs ?? 2000);
    const split = options.splitAtMs ?? Number.POSITIVE_INFINITY;
    const deliveryMs = { before: [] as number[], after: [] as number[] };
    const lostBySendTime = { before: 0, after: 0 };
    for (const [id, { at }] of this.sent) {
      const received = this.receivedAt.get(id);
      const side = at < split ? 'before' : 'after';
      if (received === undefined) lostBySendTime[side]++;
      else deliveryMs[side].push(received - at);
    }
    const lost = lostBySendTime.before + lostBySendTime.after;
    return {
      users: this.clients.length,
      sent: this.sent.size,
      acked: this.acked.size,
      delivered: this.sent.size - lost,
      lost,
      skipped: this.skipped,
      duplicates: this.clients.reduce((sum, { chat }) => sum + chat.duplicates, 0),
      connectionsDropped: this.clients.reduce((sum, { chat }) => sum + chat.drops, 0),
      reconnectMs: this.clients.flatMap(({ chat }) => chat.reconnectMs),
      deliveryMs,
      lostBySendTime,
    };
  }

  /** Where each user's connection is now (the chat replica from the 101's x-served-by). */
  placement(): Record<string, string | undefined> {
    return Object.fromEntries(this.clients.map(({ userId, chat }) => [userId, chat.connected ? chat.servedBy : undefined]));
  }

  close(): Promise<void> {
    return Promise.all(this.clients.map(({ chat }) => chat.close())).then(() => undefined);
  }

  private sendOne(): void {
    const count = this.clients.length;
    if (count < 2) return;
    const index = this.next++ % count;
    const from = this.clients[index];
    const to = this.clients[(index + 1) % count];
    if (!from.chat.connected) {
      this.skipped++;
      return;
    }
    const id = `t${this.next}`;
    this.sent.set(id, { to: to.userId, at: Date.now() });
    from.chat.send(to.userId, 'traffic', id);
  }

  private observe(frame: ChatServerFrame): void {
    if (frame.type === 'ack') this.acked.add(frame.id);
    else if (frame.type === 'message' && this.sent.has(frame.id) && !this.receivedAt.has(frame.id)) this.receivedAt.set(frame.id, Date.now());
  }
}
