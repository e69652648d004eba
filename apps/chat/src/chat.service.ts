import { Inject, Injectable } from '@nestjs/common';
import { ChatDeliverable, ChatSendFrame, ChatServerFrame, parseChatFrame } from '@app/contracts';
import { withRootSpan } from '@app/telemetry';
import { ChatTelemetry } from './chat-telemetry';
import { ChatSocket } from './connections/local-connections';
import { CHAT_FANOUT, ChatFanout } from './fanout/chat-fanout';
import { ChatDelivery } from './fanout/chat-delivery';

/**
 * What the chat does with frames, whatever the mode: a client's `send` is acknowledged at once
 * (at-most-once: the ack says the replica took it, not that it arrived) and routed to every
 * connection of the recipient; a push from the gateway is routed the same way.
 */
@Injectable()
export class ChatService {
  constructor(
    private readonly delivery: ChatDelivery,
    @Inject(CHAT_FANOUT) private readonly fanout: ChatFanout,
    private readonly telemetry: ChatTelemetry,
  ) {}

  /**
   * Before a connection of the user is accepted: the user's first one here makes them reachable
   * here first (peers or Redis told), so nothing sent to them after their upgrade goes astray.
   */
  async connecting(userId: string): Promise<void> {
    if (!this.delivery.local.has(userId)) await this.fanout.online(userId);
  }

  connected(userId: string, socket: ChatSocket): void {
    this.delivery.local.add(userId, socket);
  }

  disconnected(userId: string, socket: ChatSocket): void {
    if (this.delivery.local.remove(userId, socket)) this.fanout.offline(userId);
  }

  /**
   * A client reconnecting with `?since=<seq>` (at-least-once): what it missed, written to this
   * connection only, oldest first. Frames it also gets live come twice; it drops them by id.
   */
  async resume(userId: string, socket: ChatSocket, since: string): Promise<void> {
    const missed = (await this.fanout.replay?.(userId, since)) ?? [];
    for (const frame of missed) {
      if (socket.readyState !== 1) return;
      socket.send(JSON.stringify(frame));
      this.telemetry.delivered(frame.sentAt);
    }
  }

  /** A frame from a connected client. */
  async received(from: string, socket: ChatSocket, raw: string): Promise<void> {
    const frame = parseChatFrame(raw);
    if (frame.type === 'error') {
      this.telemetry.count('rejected');
      return reply(socket, frame);
    }
    // With tracing on, each message is a trace: this span, the forward to a peer (or the Redis
    // PUBLISH) and the delivery on the recipient's replica.
    await withRootSpan('chat.message receive', { 'messaging.system': 'websocket', 'messaging.operation': 'receive' }, () => this.send(from, socket, frame));
  }

  /** Routes a frame the gateway pushes (order.created) to the user's connections. */
  async push(to: string, frame: ChatDeliverable): Promise<void> {
    this.telemetry.count('sent');
    await this.route(to, frame);
  }

  private async send(from: string, socket: ChatSocket, frame: ChatSendFrame): Promise<void> {
    const sentAt = Date.now();
    this.telemetry.count('sent');
    reply(socket, { type: 'ack', id: frame.id });
    await this.route(frame.to, { type: 'message', from, to: frame.to, text: frame.text, id: frame.id, sentAt });
  }

  private async route(to: string, frame: ChatDeliverable): Promise<void> {
    const result = await this.fanout.route(to, frame);
    // `delivered` is counted where the frame was written (here or on the recipient's replica).
    if (result !== 'delivered') this.telemetry.count(result);
  }
}

function reply(socket: ChatSocket, frame: ChatServerFrame): void {
  if (socket.readyState === 1) socket.send(JSON.stringify(frame));
}
