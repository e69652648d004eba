import { createServer, Server as NetServer, Socket } from 'node:net';
import { BaseRpcContext, CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { ErrorCodes, isLabErrorBody, LabErrorBody } from '@app/contracts';
import type { Context } from '@opentelemetry/api';
import { context as otelContext } from '@opentelemetry/api';
import { endServerSpan, RpcServerTrace, startServerSpan, TraceCarrier } from '@app/telemetry';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, FrameWriter } from './frames';
import { newChallenge, verifyProof } from './handshake';
import { isObject, RequestFrame } from './protocol';

/**
 * What a handler sees of the hop through `@Ctx()`: the pattern, the caller's trace context as it
 * came, and the call's SERVER span when the call is traced.
 */
export class LabTcpContext extends BaseRpcContext<[string, TraceCarrier | undefined, RpcServerTrace | undefined]> {
  getPattern(): string {
    return this.args[0];
  }

  getTraceCarrier(): TraceCarrier | undefined {
    return this.args[1];
  }

  /**
   * The context of this call's SERVER span, undefined when the call is not traced: the parent a
   * handler hands to its store calls, so their Redis spans join the trace. The replicas keep no
   * async context (it cost more than the spans), so it is passed, not looked up.
   */
  getTraceParent(): Context | undefined {
    return this.args[2]?.context;
  }
}

/**
 * What runs before a handler (the lab's injected faults): undefined to go ahead at once, a
 * promise to wait for (it may reject with a LabErrorBody, which becomes the answer), or `hang`
 * to never answer the call at all.
 */
export type CallGate = Promise<void> | 'hang' | undefined;

/** Receives the duration and outcome of every handled call (the replica's RPC histogram). */
export interface RpcServerObserver {
  /** `traceId`: the call's trace when it is traced (sampled), for an exemplar. */
  handled(pattern: string, outcome: 'ok' | 'error', seconds: number, traceId?: string): void;
}

export interface LabTcpServerOptions {
  host: string;
  port: number;
  /** The lab secret (LAB_SECRET) every connection must prove it holds. */
  secret: string;
  observer?: RpcServerObserver;
  /** Consulted before every call's handler; see CallGate. */
  beforeCall?: (pattern: string) => CallGate;
  /** Told when a call that passed `beforeCall` (not a hung one) has been answered, well or not. */
  afterCall?: (pattern: string) => void;
  maxFrameBytes?: number;
  /** Past this many unanswered calls on one connection the server stops reading it. Default 512. */
  maxInFlightPerConnection?: number;
  /** A connection that has not proved the secret within this time is closed. Default 2000 ms. */
  handshakeTimeoutMs?: number;
}

interface Connection {
  socket: Socket;
  writer: FrameWriter;
  challenge: string;
  authenticated: boolean;
  inFlight: number;
  paused: boolean;
  refused: boolean;
}

const INTERNAL_ERROR: LabErrorBody = { status: 500, code: ErrorCodes.internal, message: 'internal error' };

/**
 * The replicas' end of the lab's TCP hop, a Nest CustomTransportStrategy: `@MessagePattern`
 * handlers, Nest's exception filters and DI work as with the built-in TCP transport, but
 * without its per-message rxjs pipeline, character-counted framing and one write per reply.
 * Frames are byte-length-prefixed JSON; replies written in one turn go out in one write; a
 * connection must first prove it holds the lab secret. When tracing is on, a call that carries a
 * trace context runs inside a SERVER span continuing the caller's trace, so the spans of the
 * store (ioredis) land in the same trace; every call is timed for the observer.
 */
export class LabTcpServer extends Server implements CustomTransportStrategy {
  private server: NetServer | undefined;
  private readonly connections = new Set<Connection>();

  constructor(private readonly options: LabTcpServerOptions) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    server.once('error', (error) => callback(error));
    server.listen(this.options.port, this.options.host, () => callback());
  }

  close(): void {
    this.server?.close();
    for (const connection of this.connections) {
      connection.writer.flush();
      connection.socket.destroy();
    }
    this.connections.clear();
  }

  on(): void {
    throw new Error('LabTcpServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.server as T;
  }

  private accept(socket: Socket): void {
    const connection: Connection = {
      socket,
      writer: new FrameWriter(socket),
      challenge: newChallenge(),
      authenticated: false,
      inFlight: 0,
      paused: false,
      refused: false,
    };
    this.connections.add(connection);
    const timer = setTimeout(() => {
      if (!connection.authenticated) this.refuse(connection, ErrorCodes.hopUnauthenticated, 'no proof of the lab secret in time');
    }, this.options.handshakeTimeoutMs ?? 2000);
    const decoder = new FrameDecoder((message) => this.onFrame(connection, message), this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk);
      } catch (error) {
        this.refuse(connection, ErrorCodes.badFrame, (error as Error).message);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      this.connections.delete(connection);
    });
    connection.writer.write(JSON.stringify({ challenge: connection.challenge }));
  }

  private onFrame(connection: Connection, message: unknown): void {
    if (connection.refused) return;
    if (!isObject(message)) throw new Error('a frame that is not an object');
    if (!connection.authenticated) {
      if (!verifyProof(this.options.secret, connection.challenge, message.proof)) {
        return this.refuse(connection, ErrorCodes.hopUnauthenticated, 'wrong or missing proof of the lab secret');
      }
      connection.authenticated = true;
      connection.writer.write('{"welcome":true}');
      return;
    }
    const frame = message as unknown as RequestFrame;
    if (typeof frame.pattern !== 'string') throw new Error('a request without a pattern');
    if (typeof frame.id === 'number') this.call(connection, frame.id, frame);
    else void this.event(frame);
  }

  private call(connection: Connection, id: number, frame: RequestFrame): void {
    const handler = this.messageHandlers.get(frame.pattern);
    if (!handler || handler.isEventHandler) {
      connection.writer.write(
        JSON.stringify({ id, err: { status: 501, code: ErrorCodes.unknownPattern, message: `no handler for ${frame.pattern.slice(0, 64)}` } }),
      );
      return;
    }
    const gate = this.options.beforeCall?.(frame.pattern);
    if (gate === 'hang') return; // never answered, and not held against the connection's in-flight bound
    const started = process.hrtime.bigint();
    const server = frame.trace ? startServerSpan(frame.pattern, frame.trace) : undefined;
    const context = new LabTcpContext([frame.pattern, frame.trace, server]);
    const handle = () => invoke(handler, frame.data, context);
    const run = gate ? () => gate.then(handle) : handle;
    // Active for the synchronous part of the handler only (SyncContextManager); what it awaits gets getTraceParent().
    const result = server ? otelContext.with(server.context, run) : run();
    if (++connection.inFlight >= (this.options.maxInFlightPerConnection ?? 512) && !connection.paused) {
      connection.paused = true;
      connection.socket.pause();
    }
    const done = (outcome: 'ok' | 'error', json: string, failure?: { error: unknown }) => {
      connection.writer.write(json);
      if (--connection.inFlight < (this.options.maxInFlightPerConnection ?? 512) && connection.paused) {
        connection.paused = false;
        connection.socket.resume();
      }
      if (server) endServerSpan(server, failure);
      this.options.afterCall?.(frame.pattern);
      this.options.observer?.handled(frame.pattern, outcome, Number(process.hrtime.bigint() - started) / 1e9, server?.traceId);
    };
    result.then(
      (response) => done('ok', JSON.stringify({ id, response })),
      (error: unknown) => done('error', JSON.stringify({ id, err: isLabErrorBody(error) ? error : INTERNAL_ERROR }), { error }),
    );
  }

  private async event(frame: RequestFrame): Promise<void> {
    const context = new LabTcpContext([frame.pattern, frame.trace, undefined]);
    try {
      await this.handleEvent(frame.pattern, { pattern: frame.pattern, data: frame.data }, context);
    } catch {
      // Events have no answer to carry an error; Nest's filters already saw it.
    }
  }

  private refuse(connection: Connection, code: string, message: string): void {
    if (connection.refused) return;
    connection.refused = true;
    connection.writer.write(JSON.stringify({ fatal: { status: 401, code, message } }));
    connection.writer.flush();
    connection.socket.end();
    connection.socket.destroySoon();
  }
}

/**
 * Runs a handler as Nest wrapped it. A handler's value comes back as is; an exception comes back
 * as the Observable Nest's exception filters made of it, which errors with the filter's body.
 */
async function invoke(handler: MessageHandler, data: unknown, context: LabTcpContext): Promise<unknown> {
  const result: unknown = await handler(data, context);
  return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
}
