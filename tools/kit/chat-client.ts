import { EventEmitter } from 'node:events';
import { WebSocket } from 'ws';
import type { ChatServerFrame } from '@app/contracts';
import { waitUntil } from './wait';

/** The gateway refused the upgrade (401 without a session, 503 without a chat replica). */
export class UpgradeRefused extends Error {
  override readonly name = 'UpgradeRefused';
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`the WebSocket upgrade was refused with ${status}: ${body.slice(0, 200)}`);
  }
}

export interface ChatClientOptions {
  /** The `Cookie` header to upgrade with (a Shopper's `cookie`). */
  cookie?: string;
  /** Reconnect after a drop the client did not ask for, with jittered exponential backoff. Default off. */
  reconnect?: boolean;
  /** First backoff delay; default 1000 ms (socket.io-client's), each drop doubling it up to `maxDelayMs`. */
  baseDelayMs?: number;
  /** Default 5000 ms. */
  maxDelayMs?: number;
  /** ± share of each delay drawn at random, so a crash does not become a reconnect storm; default 0.5. */
  jitter?: number;
  /** Keep at most this many received frames; default 10 000. */
  keptFrames?: number;
  /**
   * CHAT_DELIVERY=at-least-once: reconnect with `?since=<cursor>`, the `seq` of the last frame
   * received (before the first one, the time of the first connection, as a stream id), and drop
   * frames that come twice (by id).
   */
  resume?: boolean;
}

/**
 * A WebSocket client of the lab's chat, for tests and experiments: connects to the gateway's
 * `/ws` with a session cookie, sends `send` frames, keeps what it receives, and (when asked)
 * reconnects after a drop with jittered backoff, timing each reconnect from the drop to the
 * new connection being open.
 */
export class ChatClient extends EventEmitter<{ frame: [ChatServerFrame]; open: []; drop: [] }> {
  readonly received: ChatServerFrame[] = [];
  /** Drop → open again, per reconnect. */
  readonly reconnectMs: number[] = [];
  drops = 0;
  /** Frames received a second time (a replay overlapping live delivery) and dropped. */
  duplicates = 0;
  /** With `resume`: where the next connection resumes from. */
  cursor: string | undefined;
  private readonly seen = new Set<string>();
  /** The chat replica holding the current (or last) connection, from the 101's `x-served-by`. */
  servedBy: string | undefined;
  private socket: WebSocket | undefined;
  private closing = false;
  private droppedAt: number | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private nextId = 1;

  constructor(
    private readonly gatewayUrl: string,
    private readonly options: ChatClientOptions = {},
  ) {
    super();
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the connection; rejects with {@link UpgradeRefused} when the gateway answers with an HTTP error. */
  connect(timeoutMs = 5000): Promise<void> {
    this.closing = false;
    return new Promise((resolve, reject) => {
      const since = this.options.resume && this.cursor ? `?since=${this.cursor}` : '';
      const url = `${this.gatewayUrl.replace(/^http/, 'ws')}/ws${since}`;
      const socket = new WebSocket(url, { headers: this.options.cookie ? { cookie: this.options.cookie } : {}, handshakeTimeout: timeoutMs, perMessageDeflate: false });
      this.socket = socket;
      let opened = false;
      socket.on('unexpected-response', (_request, response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => reject(new UpgradeRefused(response.statusCode ?? 0, body)));
        response.on('error', () => reject(new UpgradeRefused(response.statusCode ?? 0, body)));
      });
      socket.on('upgrade', (response) => {
        const servedBy = response.headers['x-served-by'];
        this.servedBy = typeof servedBy === 'string' ? servedBy : undefined;
      });
      socket.on('open', () => {
        opened = true;
        this.attempt = 0;
        if (this.options.resume) this.cursor ??= `${Date.now()}-0`;
        if (this.droppedAt !== undefined) this.reconnectMs.push(Date.now() - this.droppedAt);
        this.droppedAt = undefined;
        this.emit('open');
        resolve();
      });
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as ChatServerFrame;
        if (frame.type === 'message' || frame.type === 'order.created') {
          if (frame.seq && this.options.resume && (!this.cursor || compareSeq(frame.seq, this.cursor) > 0)) this.cursor = frame.seq;
          const key = frame.type === 'message' ? `m:${frame.from}:${frame.id}` : `o:${frame.orderId}`;
          if (this.seen.has(key)) return void this.duplicates++;
          this.seen.add(key);
          if (this.seen.size > 100_000) this.seen.delete(this.seen.values().next().value as string);
        }
        this.received.push(frame);
        if (this.received.length > (this.options.keptFrames ?? 10_000)) this.received.shift();
        this.emit('frame', frame);
      });
      socket.on('error', (error) => {
        if (!opened) reject(error);
      });
      socket.on('close', () => {
        if (this.socket !== socket) return;
        if (!opened) return this.scheduleReconnect();
        if (this.closing) return;
        this.drops++;
        this.droppedAt ??= Date.now();
        this.emit('drop');
        this.scheduleReconnect();
      });
    });
  }

  /** Sends a message to user `to`; answers the frame's id. */
  send(to: string, text: string, id = `m${this.nextId++}`): string {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) throw new Error('not connected');
    this.socket.send(JSON.stringify({ type: 'send', to, text, id }));
    return id;
  }

  /** Sends any text as it is (malformed frames, for tests). */
  sendRaw(text: string): void {
    this.socket?.send(text);
  }

  /** Resolves with the first received frame (already or later) matching `match`. */
  waitFor<T extends ChatServerFrame>(what: string, match: (frame: ChatServerFrame) => frame is T, timeoutMs?: number): Promise<T>;
  waitFor(what: string, match: (frame: ChatServerFrame) => boolean, timeoutMs?: number): Promise<ChatServerFrame>;
  waitFor(what: string, match: (frame: ChatServerFrame) => boolean, timeoutMs = 5000): Promise<ChatServerFrame> {
    return waitUntil(what, () => this.received.find(match), { timeoutMs, intervalMs: 10 });
  }

  /** Waits until connected again (after a drop, with `reconnect` on). */
  waitConnected(timeoutMs = 15_000): Promise<true> {
    return waitUntil('the chat connection to be open', () => this.connected, { timeoutMs, intervalMs: 20 });
  }

  /** Closes the connection and stops reconnecting; resolves once it is closed. */
  close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.terminate();
    });
  }

  private scheduleReconnect(): void {
    if (this.closing || !this.options.reconnect) return;
    const { baseDelayMs = 1000, maxDelayMs = 5000, jitter = 0.5 } = this.options;
    const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** this.attempt++) * (1 - jitter + 2 * jitter * Math.random());
    this.retryTimer = setTimeout(() => {
      this.connect().catch(() => undefined);
    }, delay);
    this.retryTimer.unref();
  }
}

/** Orders two Redis Stream ids (`<ms>-<n>`). */
export function compareSeq(a: string, b: string): number {
  const [am, an] = a.split('-').map(Number);
  const [bm, bn] = b.split('-').map(Number);
  return am - bm || an - bn;
}
