import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { chatWsPort, LAB_CONFIG, LabConfig, ReplicaAddress } from '@app/config';
import { CHAT_LIMITS, CHAT_SEQ_PATTERN } from '@app/contracts';
import { REPLICA_ADDRESS } from '@app/replica';
import { ThrottledErrorLog } from '@app/telemetry';
import { UPGRADE_IDENTITY_HEADER, UpgradeIdentityVerifier } from '@app/transport';
import { ChatService } from '../chat.service';
import { CHAT_HOP_SECRET } from '../chat.tokens';

/** Unanswered pings before a connection counts as dead (a client that vanished without a FIN). */
const PING_INTERVAL_MS = 15_000;

/**
 * The replica's WebSocket side: a plain `ws` server on its own port (rpc + 25) that takes only
 * upgrades the gateway proxied, i.e. those carrying a fresh identity signed with the lab
 * secret (x-lab-user); anything else gets a 401 before the upgrade. Plain `ws` rather than
 * Nest's WsAdapter gateway: a chat replica is a Nest microservice without an HTTP app, and the
 * adapter would add one (and decorators) for what is a single connection handler.
 */
@Injectable()
export class ChatSocketServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ChatSocketServer');
  private readonly errors = new ThrottledErrorLog((line) => this.logger.warn(line));
  private readonly verifier: UpgradeIdentityVerifier;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: CHAT_LIMITS.maxFrameBytes, perMessageDeflate: false });
  private server: Server | undefined;
  private pinger: NodeJS.Timeout | undefined;
  private readonly alive = new WeakSet<WebSocket>();

  constructor(
    @Inject(LAB_CONFIG) private readonly config: LabConfig,
    @Inject(REPLICA_ADDRESS) private readonly address: ReplicaAddress,
    @Inject(CHAT_HOP_SECRET) secret: string,
    private readonly chat: ChatService,
  ) {
    this.verifier = new UpgradeIdentityVerifier(secret);
  }

  get port(): number {
    return chatWsPort(this.address);
  }

  onApplicationBootstrap(): Promise<void> {
    const server = (this.server = createServer((_request, response) => {
      response.writeHead(426, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      response.end(JSON.stringify({ error: { code: 'upgrade_required', message: 'WebSocket only, through the gateway' } }));
    }));
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
    // As on /api: the 101 says which replica holds the connection.
    this.wss.on('headers', (headers) => headers.push(`x-served-by: ${this.address.id}`));
    this.pinger = setInterval(() => this.pingAll(), PING_INTERVAL_MS);
    this.pinger.unref();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.config.bindHost, () => resolve());
    });
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.pinger);
    for (const client of this.wss.clients) client.close(1001, 'replica shutting down');
    for (const client of this.wss.clients) client.terminate();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const userId = this.verifier.verify(request.headers[UPGRADE_IDENTITY_HEADER]);
    if (!userId || (request.url ?? '').split('?')[0] !== '/ws') {
      const body = JSON.stringify({ error: { code: 'unauthorized', message: 'connect through the gateway' } });
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    // handleUpgrade adds the connection in the same turn as it answers 101: no frame can arrive in between.
    this.chat.connecting(userId).then(
      () => {
        const since = new URLSearchParams((request.url ?? '').split('?')[1] ?? '').get('since');
        if (!socket.destroyed) this.wss.handleUpgrade(request, socket, head, (ws) => this.connected(userId, ws, since));
      },
      () => socket.destroy(),
    );
  }

  private connected(userId: string, ws: WebSocket, since: string | null): void {
    this.alive.add(ws);
    this.chat.connected(userId, ws);
    if (since !== null && CHAT_SEQ_PATTERN.test(since)) {
      this.chat.resume(userId, ws, since).catch((error: unknown) => this.errors.error(error, () => `replay to ${userId}: ${(error as Error).message}`));
    }
    ws.on('pong', () => this.alive.add(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'JSON text frames only');
      this.chat
        .received(userId, ws, data.toString())
        .catch((error: unknown) => this.errors.error(error, () => `a frame from ${userId}: ${(error as Error).message}`));
    });
    ws.on('error', () => ws.terminate());
    ws.once('close', () => this.chat.disconnected(userId, ws));
  }

  private pingAll(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }
}
