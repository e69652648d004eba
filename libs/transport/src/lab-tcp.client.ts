import { connect, Socket } from 'node:net';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { isLabErrorBody, LabErrorBody } from '@app/contracts';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, FrameWriter } from './frames';
import { proveChallenge } from './handshake';
import { HopError } from './hop-error';
import type { TraceCarrier } from '@app/telemetry';
import { isObject, RequestFrame } from './protocol';

export interface LabTcpClientOptions {
  host: string;
  port: number;
  /** The lab secret (LAB_SECRET) the replica challenges for. */
  secret: string;
  /** Connecting and the handshake together may take this long. Default 1000 ms. */
  connectTimeoutMs?: number;
  maxFrameBytes?: number;
}

export interface RequestOptions {
  /** The call fails with a `timeout` HopError when no answer came within this time. */
  timeoutMs: number;
  /** Trace context to send beside the data. */
  trace?: TraceCarrier;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
  /** The request was handed to the socket: the replica may act on it. */
  sent: boolean;
  /** The connection the request was queued on. */
  connection?: Connection;
}

type Connection = { socket: Socket; writer: FrameWriter; ready: boolean };

/**
 * The gateway's end of the lab's TCP hop: one persistent, authenticated connection to one
 * replica, many calls in flight on it (integer ids), frames coalesced per event-loop turn,
 * Nagle off. `request()` is the promise path the gateway uses; `send()`/`emit()` work as on
 * any Nest ClientProxy. A dropped connection fails what was in flight and the next call
 * reconnects; a call never waits longer than its timeout.
 */
export class LabTcpClient extends ClientProxy {
  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: LabTcpClientOptions) {
    super();
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** Calls in flight on this connection. */
  get inFlight(): number {
    return this.pending.size;
  }

  async connect(): Promise<void> {
    await this.ensureConnection();
  }

  /**
   * One call: resolves with the replica's answer, rejects with its LabErrorBody when the
   * handler failed, or with a HopError when no answer came (see HopError.sent).
   */
  request<T>(pattern: string, data: unknown, options: RequestOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++;
      const pending: Pending = {
        resolve: resolve as (value: unknown) => void,
        reject,
        sent: false,
        timer: setTimeout(() => {
          this.pending.delete(id);
          reject(new HopError('timeout', pending.sent, `${this.address} did not answer within ${options.timeoutMs} ms`));
        }, options.timeoutMs),
      };
      this.pending.set(id, pending);
      const frame: RequestFrame = options.trace ? { id, pattern, data, trace: options.trace } : { id, pattern, data };
      const json = JSON.stringify(frame);
      const queue = (connection: Connection) => {
        pending.connection = connection;
        connection.writer.write(json, () => (pending.sent = true));
      };
      if (this.connection?.ready) return queue(this.connection);
      this.ensureConnection().then(
        (ready) => {
          if (this.pending.has(id)) queue(ready);
        },
        (error: Error) => this.settle(id, undefined, new HopError('unavailable', false, `${this.address} is unavailable: ${error.message}`)),
      );
    });
  }

  close(): void {
    this.closed = true;
    this.connection?.socket.destroy();
    this.connection = undefined;
  }

  unwrap<T>(): T {
    return this.connection?.socket as T;
  }

  override on(): void {
    throw new Error('LabTcpClient has no events to subscribe to');
  }

  /** Nest's send(): the same call as request(), with the gateway's default timeout of 2 s. */
  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let active = true;
    this.request(this.normalizePattern(packet.pattern), packet.data, { timeoutMs: 2000 }).then(
      (response) => active && callback({ response, isDisposed: true }),
      (err: unknown) => active && callback({ err }),
    );
    return () => (active = false);
  }

  /** Nest's emit(): a frame without an id, which the replica does not answer. */
  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const connection = await this.ensureConnection();
    connection.writer.write(JSON.stringify({ pattern: this.normalizePattern(packet.pattern), data: packet.data }));
    return undefined as T;
  }

  private ensureConnection(): Promise<Connection> {
    if (this.connection?.ready) return Promise.resolve(this.connection);
    if (this.closed) return Promise.reject(new Error('the client is closed'));
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private open(): Promise<Connection> {
    const timeoutMs = this.options.connectTimeoutMs ?? 1000;
    return new Promise<Connection>((resolve, reject) => {
      const socket = connect({ host: this.options.host, port: this.options.port, noDelay: true });
      const connection: Connection = { socket, writer: new FrameWriter(socket), ready: false };
      let settled = false;
      const fail = (error: Error) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(error);
        }
        socket.destroy();
      };
      const timer = setTimeout(() => fail(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      const decoder = new FrameDecoder((message) => {
        if (!isObject(message)) throw new Error('not an object');
        if (connection.ready) return this.onResponse(message);
        if (typeof message.challenge === 'string') {
          connection.writer.write(JSON.stringify({ proof: proveChallenge(this.options.secret, message.challenge) }));
        } else if (message.welcome === true) {
          settled = true;
          clearTimeout(timer);
          connection.ready = true;
          this.connection = connection;
          resolve(connection);
        } else if (isLabErrorBody(message.fatal)) {
          fail(new Error(message.fatal.message));
        }
      }, this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
      socket.on('data', (chunk: Buffer) => {
        try {
          decoder.push(chunk);
        } catch (error) {
          fail(error as Error);
        }
      });
      socket.on('error', (error) => fail(error));
      socket.on('close', () => {
        fail(new Error('the connection closed'));
        if (this.connection === connection) this.connection = undefined;
        if (connection.ready) this.failInFlight(connection);
      });
    });
  }

  private onResponse(message: Record<string, unknown>): void {
    const id = message.id;
    if (typeof id !== 'number') return;
    if ('err' in message) {
      const err = message.err;
      this.settle(id, undefined, isLabErrorBody(err) ? err : ({ status: 500, code: 'internal_error', message: 'malformed error from a replica' } satisfies LabErrorBody));
    } else {
      this.settle(id, message.response ?? null);
    }
  }

  private settle(id: number, response: unknown, error?: unknown): void {
    const pending = this.pending.get(id);
    if (!pending) return; // timed out meanwhile
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (error === undefined) pending.resolve(response);
    else pending.reject(error);
  }

  /** A connection dropped: every call queued on it ends now, saying whether it had been sent. */
  private failInFlight(connection: Connection): void {
    for (const [id, pending] of this.pending) {
      if (pending.connection !== connection) continue;
      const why = pending.sent ? `the connection to ${this.address} closed before it answered` : `the connection to ${this.address} closed`;
      this.settle(id, undefined, new HopError('unavailable', pending.sent, why));
    }
  }
}
