import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { IncomingMessage, Server } from 'node:http';
import { connect, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { chatWsPort } from '@app/config';
import { ErrorCodes, SessionUser } from '@app/contracts';
import { NoReplicaError } from '@app/routing';
import { ThrottledErrorLog } from '@app/telemetry';
import { signUpgradeIdentity, UPGRADE_IDENTITY_HEADER } from '@app/transport';
import { HOP_SECRET } from '../gateway.tokens';
import { LabHttpException } from '../http/lab-http.exception';
import { RequestHop } from '../http/request-hop';
import { ReplicaCaller } from '../replicas/replica-caller';
import { ReplicaHealthChecks } from '../replicas/replica-health';
import { ReplicaLink } from '../replicas/replica-link';
import { ReplicaRouter } from '../replicas/replica-router';
import { RealtimeTelemetry } from './realtime-telemetry';
import { UPGRADE_AUTHENTICATOR, UpgradeAuthenticator } from './upgrade-authenticator';

export const WEBSOCKET_PATH = '/ws';
const CONNECT_TIMEOUT_MS = 1000;
/** A replica that refuses the connection is marked down and the next live one on the ring is tried. */
const MAX_ATTEMPTS = 3;
/** Headers the client may not pass on: credentials stay at the edge, the identity is the gateway's to give. */
const DROPPED_HEADERS = new Set(['cookie', 'authorization', UPGRADE_IDENTITY_HEADER, 'x-forwarded-for']);

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' };

/**
 * `GET /ws`: the gateway as a layer-7 load balancer for WebSockets. It authenticates the
 * upgrade request with the HTTP API's own check (401 before any upgrade), picks the user's chat
 * replica on a ring of the live ones (sticky by user id), opens a TCP connection to it, writes
 * the upgrade request again without the client's credentials and with the user id signed
 * with the lab secret, then pipes raw bytes both ways: the replica answers the upgrade itself.
 * When the replica side ends (a crash), the client's connection ends too, and its next upgrade
 * goes to a live replica.
 */
@Injectable()
export class WebSocketProxy implements OnApplicationShutdown {
  private readonly logger = new Logger('WebSocketProxy');
  private readonly errors = new ThrottledErrorLog((line) => this.logger.warn(line));
  private readonly open = new Set<Socket | Duplex>();

  constructor(
    @Inject(HOP_SECRET) private readonly secret: string,
    @Inject(UPGRADE_AUTHENTICATOR) private readonly authenticator: UpgradeAuthenticator,
    private readonly caller: ReplicaCaller,
    private readonly router: ReplicaRouter,
    private readonly health: ReplicaHealthChecks,
    private readonly telemetry: RealtimeTelemetry,
  ) {}

  /** Takes the upgrade requests of the gateway's HTTP server. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      this.handle(request, socket, head).catch((error: unknown) => {
        this.errors.error(error, () => `websocket upgrade: ${(error as Error).message}`);
        reject(socket, 503, ErrorCodes.serviceUnavailable, 'the upgrade failed');
      });
    });
  }

  onApplicationShutdown(): void {
    for (const socket of this.open) socket.destroy();
  }

  private async handle(request: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    if ((request.url ?? '').split('?')[0] !== WEBSOCKET_PATH) return reject(client, 404, ErrorCodes.notFound, `WebSocket upgrades are served at ${WEBSOCKET_PATH} only`);
    if (request.method !== 'GET' || request.headers.upgrade?.toLowerCase() !== 'websocket') {
      this.telemetry.upgrade('bad_request');
      return reject(client, 400, ErrorCodes.badRequest, 'expected a GET with Upgrade: websocket');
    }
    let user: SessionUser;
    try {
      user = await this.authenticator.authenticate(request, new RequestHop(this.caller));
    } catch (error) {
      if (!(error instanceof LabHttpException)) throw error;
      this.telemetry.upgrade(error.getStatus() === 401 ? 'unauthorized' : 'unavailable');
      return reject(client, error.getStatus(), error.code, error.message);
    }
    if (client.destroyed) return;
    const upstream = await this.connectToReplica(user.userId);
    if (!upstream) {
      this.telemetry.upgrade('unavailable');
      return reject(client, 503, ErrorCodes.replicaUnavailable, 'no chat replica answers');
    }
    if (client.destroyed) return void upstream.destroy();
    this.telemetry.upgrade('ok');
    this.pipe(request, client, head, upstream, user.userId);
  }

  /** A TCP connection to the user's chat replica, trying the next live one when it refuses. */
  private async connectToReplica(userId: string): Promise<Socket | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let link: ReplicaLink;
      try {
        link = this.router.pick('chat', userId);
      } catch (error) {
        if (error instanceof NoReplicaError) return undefined;
        throw error;
      }
      try {
        return await openTcp(link.address.host, chatWsPort(link.address));
      } catch {
        this.health.markDown(link);
      }
    }
    return undefined;
  }

  private pipe(request: IncomingMessage, client: Duplex, head: Buffer, upstream: Socket, userId: string): void {
    let lines = `GET ${request.url ?? WEBSOCKET_PATH} HTTP/1.1\r\n`;
    const raw = request.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) if (!DROPPED_HEADERS.has(raw[i].toLowerCase())) lines += `${raw[i]}: ${raw[i + 1]}\r\n`;
    lines += `${UPGRADE_IDENTITY_HEADER}: ${signUpgradeIdentity(this.secret, userId)}\r\n\r\n`;
    upstream.setNoDelay(true);
    upstream.write(lines);
    if (head.length > 0) upstream.write(head);
    this.open.add(client);
    this.open.add(upstream);
    this.telemetry.opened(userId);
    let closedBy: 'client' | 'replica' | undefined;
    const close = (by: 'client' | 'replica') => {
      if (closedBy) return;
      closedBy = by;
      this.open.delete(client);
      this.open.delete(upstream);
      this.telemetry.closed(userId, by === 'replica');
      // Let what is buffered go out (the replica's close frame), then end both sides.
      if (by === 'replica') client.end();
      else upstream.end();
      setTimeout(() => {
        client.destroy();
        upstream.destroy();
      }, 1000).unref();
    };
    upstream.on('error', () => close('replica'));
    upstream.on('close', () => close('replica'));
    client.on('close', () => close('client'));
    upstream.pipe(client);
    client.pipe(upstream);
  }
}

function openTcp(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out`)), CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Answers an upgrade with an HTTP error in the lab's JSON shape and closes the connection. */
function reject(socket: Duplex, status: number, code: string, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-content-type-options: nosniff\r\nconnection: close\r\n\r\n${body}`,
  );
}
