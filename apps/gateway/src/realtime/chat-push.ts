import { Injectable } from '@nestjs/common';
import { ChatDeliverMessage, ChatPatterns, Order } from '@app/contracts';
import { ThrottledErrorLog } from '@app/telemetry';
import { Logger } from '@nestjs/common';
import { ReplicaDirectory } from '../replicas/replica-directory';
import { ReplicaRouter } from '../replicas/replica-router';

/** A push is worth little late; it never holds anything up longer than this. */
const PUSH_TIMEOUT_MS = 1000;

/**
 * Pushes `order.created` to the buyer's open WebSocket connections: one fire-and-forget call to
 * the buyer's chat replica on the ring (the one their connections are routed to), which routes
 * it like a chat message (its peers in stateful mode, Redis pub/sub in redis mode). The
 * checkout neither waits for it nor fails with it; with no chat replica up it costs nothing.
 */
@Injectable()
export class ChatPush {
  private readonly errors = new ThrottledErrorLog((line) => new Logger('ChatPush').warn(line));

  constructor(
    private readonly router: ReplicaRouter,
    private readonly directory: ReplicaDirectory,
  ) {}

  orderCreated(userId: string, order: Pick<Order, 'orderId' | 'totalCents' | 'items'>): void {
    if (!this.directory.routed('chat').some((link) => link.up)) return;
    let link;
    try {
      link = this.router.pick('chat', userId);
    } catch {
      return;
    }
    const message: ChatDeliverMessage = {
      to: userId,
      frame: { type: 'order.created', orderId: order.orderId, totalCents: order.totalCents, items: order.items.length, sentAt: Date.now() },
    };
    link.client.request(ChatPatterns.push, message, { timeoutMs: PUSH_TIMEOUT_MS }).catch((error: unknown) => {
      this.errors.error(error, () => `order.created push to ${link.id}: ${(error as Error).message}`);
    });
  }
}
