import type { ChatDeliverable } from '@app/contracts';
import type { ChatTelemetry } from '../chat-telemetry';
import { ChatSocket, LocalConnections } from '../connections/local-connections';

/** Writes frames to this replica's connections of a user, counting each delivered frame and its delay. */
export class ChatDelivery {
  constructor(
    readonly local: LocalConnections<ChatSocket>,
    private readonly telemetry: ChatTelemetry,
  ) {}

  /** Delivers here; answers how many connections got the frame. */
  deliverHere(to: string, frame: ChatDeliverable): number {
    const written = this.local.deliver(to, frame);
    if (written > 0) this.telemetry.delivered(frame.sentAt);
    return written;
  }
}
