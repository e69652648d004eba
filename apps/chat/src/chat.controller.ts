import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ChatDeliverMessage, ChatPatterns, ChatPresenceMessage, ChatSyncAnswer, ChatSyncMessage } from '@app/contracts';
import { ChatService } from './chat.service';
import { CHAT_FANOUT, ChatFanout } from './fanout/chat-fanout';
import { ChatDelivery } from './fanout/chat-delivery';

/**
 * The chat's messages over the hop: from peers (stateful mode: deliver, presence, sync) and
 * from the gateway (push). Every sender proved the lab secret when it connected.
 */
@Controller()
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly delivery: ChatDelivery,
    @Inject(CHAT_FANOUT) private readonly fanout: ChatFanout,
  ) {}

  /** A peer forwards a frame for a user it believes connected here; answers how many connections got it. */
  @MessagePattern(ChatPatterns.deliver)
  deliver(@Payload() message: ChatDeliverMessage): number {
    return this.delivery.deliverHere(message.to, message.frame);
  }

  @MessagePattern(ChatPatterns.presence)
  presence(@Payload() message: ChatPresenceMessage): boolean {
    this.fanout.presence?.(message);
    return true;
  }

  @MessagePattern(ChatPatterns.sync)
  sync(@Payload() message: ChatSyncMessage): ChatSyncAnswer {
    return this.fanout.sync?.(message) ?? { replica: '', users: [] };
  }

  /** The gateway's push to a user wherever they are connected (order.created). */
  @MessagePattern(ChatPatterns.push)
  async push(@Payload() message: ChatDeliverMessage): Promise<boolean> {
    await this.chat.push(message.to, message.frame);
    return true;
  }
}
