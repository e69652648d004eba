import { CounterChild, HistogramChild, ReplicaTelemetry } from '@app/telemetry';

/** What happened to a message (or push) at this replica. */
export type ChatOutcome = 'sent' | 'delivered' | 'offline' | 'lost' | 'rejected';
const OUTCOMES: readonly ChatOutcome[] = ['sent', 'delivered', 'offline', 'lost', 'rejected'];

/** Sender → receiver within a few ms on one host; a crash or Redis trouble shows in the upper buckets. */
const DELIVERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * A chat replica's metrics, beside the replica's own: open connections, messages by outcome
 * (`sent` when a sender's replica accepted one, `delivered` per message written to a
 * recipient's connections, `offline` when no connection of the recipient existed, `lost` when
 * the replica or Redis holding the way to it failed, `rejected` for bad frames), and how long a
 * message took from the sender's replica accepting it to the recipient's replica writing it.
 */
export class ChatTelemetry {
  private readonly outcomes = {} as Record<ChatOutcome, CounterChild>;
  private readonly delivery: HistogramChild;

  constructor(
    private readonly telemetry: ReplicaTelemetry,
    replica: string,
    connections: () => number,
  ) {
    const m = telemetry.metrics;
    m.gauge('lab_ws_connections', 'WebSocket connections open on this chat replica', ['replica'], (gauge) => gauge.set({ replica }, connections()));
    const messages = m.counter('lab_ws_messages_total', 'Chat messages and pushes by outcome at this replica', ['result']);
    for (const result of OUTCOMES) this.outcomes[result] = messages.child({ result });
    this.delivery = m
      .histogram('lab_ws_delivery_seconds', "From the sender's replica accepting a frame to the recipient's replica writing it", [], DELIVERY_BUCKETS)
      .child({});
  }

  count(outcome: ChatOutcome, by = 1): void {
    if (this.telemetry.enabled) this.outcomes[outcome].inc(by);
  }

  /** A frame stamped `sentAt` (ms since the epoch) was written to a recipient's connection now. */
  delivered(sentAt: number): void {
    if (!this.telemetry.enabled) return;
    this.outcomes.delivered.inc();
    this.delivery.observe(Math.max(0, Date.now() - sentAt) / 1000);
  }
}
