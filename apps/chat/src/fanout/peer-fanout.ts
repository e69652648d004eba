import { Logger } from '@nestjs/common';
import { LabConfig, replicaAddress, ReplicaAddress } from '@app/config';
import { ChatDeliverable, ChatDeliverMessage, ChatPatterns, ChatPresenceMessage, ChatSyncAnswer, ChatSyncMessage } from '@app/contracts';
import { rpcClientSpanName, ThrottledErrorLog, withClientSpan } from '@app/telemetry';
import { LabTcpClient } from '@app/transport';
import type { ChatDelivery } from './chat-delivery';
import { ChatFanout, RouteResult } from './chat-fanout';

/** A peer that does not answer within this time is treated as gone for this frame. */
const PEER_TIMEOUT_MS = 1000;

/**
 * Stateful mode: presence lives in each replica's memory. Every replica knows its own
 * connections and, from its peers' announcements, on which other replicas each user is
 * connected; a frame goes straight to those replicas over the authenticated hop (one
 * LabTcpClient per peer, the address found as the gateway finds replicas). A replica that
 * starts (fresh after a crash) asks every peer who is connected there, and they forget what they
 * knew of its previous life. A peer that crashed takes its connections' frames with it until
 * their clients reconnect elsewhere: those frames are `lost`.
 */
export class PeerFanout implements ChatFanout {
  private readonly logger = new Logger('PeerFanout');
  private readonly errors = new ThrottledErrorLog((line) => this.logger.warn(line));
  private readonly peers = new Map<string, LabTcpClient>();
  private readonly addresses = new Map<string, ReplicaAddress>();
  /** userId → the other replicas where they have connections. */
  private readonly remote = new Map<string, Set<string>>();

  constructor(
    private readonly config: LabConfig,
    private readonly self: ReplicaAddress,
    private readonly secret: string,
    private readonly delivery: ChatDelivery,
  ) {}

  async start(): Promise<void> {
    for (let index = 1; index <= this.config.replicas.chat; index++) {
      if (index === this.self.index) continue;
      const peer = replicaAddress(this.config, 'chat', index);
      this.addresses.set(peer.id, peer);
      this.peers.set(peer.id, new LabTcpClient({ host: peer.host, port: peer.rpcPort, secret: this.secret, connectTimeoutMs: PEER_TIMEOUT_MS }));
    }
    // Not awaited: peers that are down now will ask us when they start.
    void this.syncWithPeers();
  }

  stop(): Promise<void> {
    for (const peer of this.peers.values()) peer.close();
    return Promise.resolve();
  }

  online(userId: string): Promise<void> {
    return this.announce({ userId, replica: this.self.id, online: true });
  }

  offline(userId: string): void {
    void this.announce({ userId, replica: this.self.id, online: false });
  }

  async route(to: string, frame: ChatDeliverable): Promise<RouteResult> {
    const here = this.delivery.deliverHere(to, frame);
    const elsewhere = [...(this.remote.get(to) ?? [])];
    if (elsewhere.length === 0) return here > 0 ? 'delivered' : 'offline';
    const message: ChatDeliverMessage = { to, frame };
    const written = await Promise.all(
      elsewhere.map(async (replica) => {
        const peer = this.peers.get(replica);
        if (!peer) return -1;
        try {
          const address = this.addresses.get(replica)!;
          const target = { service: 'chat', method: ChatPatterns.deliver, replica, address: address.host, port: address.rpcPort };
          const count = await withClientSpan(rpcClientSpanName(ChatPatterns.deliver), target, (trace) =>
            peer.request<number>(ChatPatterns.deliver, message, { timeoutMs: PEER_TIMEOUT_MS, trace }),
          );
          if (count === 0) this.forget(to, replica);
          return count;
        } catch (error) {
          this.errors.error(error, () => `forwarding to ${replica} failed: ${(error as Error).message}`);
          return -1;
        }
      }),
    );
    if (here > 0 || written.some((count) => count > 0)) return 'delivered';
    return written.some((count) => count < 0) ? 'lost' : 'offline';
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** A peer announced a user's first connection there, or their last leaving. */
  presence(message: ChatPresenceMessage): void {
    if (!this.peers.has(message.replica)) return;
    if (message.online) this.remember(message.userId, message.replica);
    else this.forget(message.userId, message.replica);
  }

  /** A peer (re)started: what we knew of its previous life is gone; tell it who is here. */
  sync(message: ChatSyncMessage): ChatSyncAnswer {
    if (this.peers.has(message.replica)) for (const userId of [...this.remote.keys()]) this.forget(userId, message.replica);
    return { replica: this.self.id, users: this.delivery.local.users() };
  }

  /** Users connected on other replicas, as known here (for tests and the topology). */
  remoteCount(): number {
    return this.remote.size;
  }

  private async syncWithPeers(): Promise<void> {
    await Promise.all(
      [...this.peers].map(async ([id, peer]) => {
        try {
          const answer = await peer.request<ChatSyncAnswer>(ChatPatterns.sync, { replica: this.self.id } satisfies ChatSyncMessage, { timeoutMs: PEER_TIMEOUT_MS });
          for (const userId of answer.users) this.remember(userId, id);
        } catch {
          // Down or starting: it syncs with us when it is up.
        }
      }),
    );
  }

  /** Tells every peer (one ordered connection each, so an online never overtakes an earlier offline). */
  private async announce(message: ChatPresenceMessage): Promise<void> {
    await Promise.all(
      [...this.peers].map(([id, peer]) =>
        peer.request(ChatPatterns.presence, message, { timeoutMs: PEER_TIMEOUT_MS }).catch((error: unknown) => {
          this.errors.error(error, () => `telling ${id} about presence failed: ${(error as Error).message}`);
        }),
      ),
    );
  }

  private remember(userId: string, replica: string): void {
    let replicas = this.remote.get(userId);
    if (!replicas) this.remote.set(userId, (replicas = new Set()));
    replicas.add(replica);
  }

  private forget(userId: string, replica: string): void {
    const replicas = this.remote.get(userId);
    if (!replicas?.delete(replica)) return;
    if (replicas.size === 0) this.remote.delete(userId);
  }
}
