import { Logger } from '@nestjs/common';
import type { RedisTopology, ReplicaAddress } from '@app/config';
import type { ChatDeliverable, ChatDeliverMessage } from '@app/contracts';
import { closeRedisClient, createTopologyClient, DEFAULT_KEY_PREFIX, type RedisClient } from '@app/state';
import { injectTraceContext, isTracingActive, ThrottledErrorLog, TraceCarrier, withServerSpan } from '@app/telemetry';
import type { ChatDelivery } from './chat-delivery';
import { ChatFanout, RouteResult } from './chat-fanout';

const PRESENCE_TTL_SECONDS = 24 * 3600;
/** At-least-once: each user's stream keeps about this many messages, for a day after the last. */
const INBOX_MAX_LENGTH = 1000;
const INBOX_TTL_SECONDS = 24 * 3600;
/** At most this many missed messages are replayed to one reconnecting connection. */
const REPLAY_MAX = 1000;

/** The Redis keys and channels of the chat. */
export const chatKeys = {
  /** Pub/sub channel of one user's frames; the replicas holding their connections subscribe. */
  channel: (userId: string) => `${DEFAULT_KEY_PREFIX}chat:user:${userId}`,
  /** Set of the replicas where a user has connections. */
  presence: (userId: string) => `${DEFAULT_KEY_PREFIX}chat:presence:${userId}`,
  /** Set of the users with connections on one replica (cleared when it starts afresh). */
  replica: (replicaId: string) => `${DEFAULT_KEY_PREFIX}chat:replica:${replicaId}`,
  /** CHAT_DELIVERY=at-least-once: the Stream of a user's messages. */
  inbox: (userId: string) => `${DEFAULT_KEY_PREFIX}chat:inbox:${userId}`,
};

/**
 * Redis mode: presence in Redis (who is connected on which replica, as sets), fan-out through
 * pub/sub. A replica subscribes to the channel of each user connected to it; a sender's replica
 * PUBLISHes to the recipient's channel, and Redis answers how many replicas received it (0: the
 * recipient is offline). Pub/sub keeps nothing: a replica that is not subscribed at that moment
 * (crashed, reconnecting to Redis) never sees the frame. A replica starting afresh clears the
 * presence its previous life left.
 *
 * With `atLeastOnce` (CHAT_DELIVERY=at-least-once) every frame is first appended to the
 * recipient's Stream (XADD, capped) and carries its stream id as `seq`; a client that reconnects
 * with `?since=<the last seq it got>` is sent what came after it (XRANGE), so a message sent while
 * it was away arrives late instead of never; one that also arrived live comes twice (the client
 * drops duplicates by id). A frame Redis did not store is `lost`.
 */
export class RedisFanout implements ChatFanout {
  private readonly logger = new Logger('RedisFanout');
  private readonly errors = new ThrottledErrorLog((line) => this.logger.warn(line));
  private publisher: RedisClient | undefined;
  private subscriber: RedisClient | undefined;

  constructor(
    private readonly topology: RedisTopology,
    private readonly self: ReplicaAddress,
    private readonly delivery: ChatDelivery,
    private readonly atLeastOnce = false,
  ) {}

  async start(): Promise<void> {
    const onError = (error: Error) => this.logger.warn(`redis: ${error.message}`);
    const publisher = (this.publisher = createTopologyClient(this.topology, { onError }));
    const subscriber = (this.subscriber = createTopologyClient(this.topology, { onError }));
    subscriber.on('message', (_channel: string, data: string) => this.receive(data));
    // After a reconnect, subscribe again to every user here (also those whose SUBSCRIBE failed while Redis was away).
    subscriber.on('ready', () => {
      const users = this.delivery.local.users();
      if (users.length > 0) subscriber.subscribe(...users.map(chatKeys.channel)).catch((error: unknown) => this.fail(error, 'resubscribe'));
    });
    publisher.once('ready', () => void this.clearPreviousLife());
    await Promise.race([
      Promise.all([once(publisher, 'ready'), once(subscriber, 'ready')]),
      new Promise((resolve) => setTimeout(resolve, 2000).unref()),
    ]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.publisher, this.subscriber].map((client) => client && closeRedisClient(client)));
  }

  async online(userId: string): Promise<void> {
    const presence = this.publisher
      ?.multi()
      .sadd(chatKeys.presence(userId), this.self.id)
      .expire(chatKeys.presence(userId), PRESENCE_TTL_SECONDS)
      .sadd(chatKeys.replica(this.self.id), userId)
      .exec()
      .catch((error: unknown) => this.fail(error, 'presence'));
    await Promise.all([this.subscriber?.subscribe(chatKeys.channel(userId)).catch((error: unknown) => this.fail(error, 'subscribe')), presence]);
  }

  offline(userId: string): void {
    this.subscriber?.unsubscribe(chatKeys.channel(userId)).catch((error: unknown) => this.fail(error, 'unsubscribe'));
    this.publisher
      ?.multi()
      .srem(chatKeys.presence(userId), this.self.id)
      .srem(chatKeys.replica(this.self.id), userId)
      .exec()
      .catch((error: unknown) => this.fail(error, 'presence'));
  }

  async route(to: string, frame: ChatDeliverable): Promise<RouteResult> {
    if (!this.publisher) return 'lost';
    const trace = injectTraceContext();
    try {
      if (this.atLeastOnce) frame = { ...frame, seq: await this.keep(to, frame) };
      const published: PublishedFrame = { to, frame, trace };
      const receivers = await this.publisher.publish(chatKeys.channel(to), JSON.stringify(published));
      return receivers > 0 ? 'delivered' : 'offline';
    } catch (error) {
      this.fail(error, 'publish');
      return 'lost';
    }
  }

  async replay(userId: string, since: string): Promise<ChatDeliverable[]> {
    if (!this.atLeastOnce || !this.publisher) return [];
    const entries = await this.publisher.xrange(chatKeys.inbox(userId), `(${since}`, '+', 'COUNT', REPLAY_MAX);
    return entries.map(([seq, fields]) => ({ ...(JSON.parse(fields[1]) as ChatDeliverable), seq }));
  }

  /** Appends the frame to the recipient's stream; answers its id. */
  private async keep(to: string, frame: ChatDeliverable): Promise<string> {
    const key = chatKeys.inbox(to);
    const [[addError, seq], [expireError]] = (await this.publisher!.multi()
      .xadd(key, 'MAXLEN', '~', INBOX_MAX_LENGTH, '*', 'f', JSON.stringify(frame))
      .expire(key, INBOX_TTL_SECONDS)
      .exec()) as [[Error | null, string], [Error | null, number]];
    if (addError || expireError) throw addError ?? expireError;
    return seq;
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.publisher?.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  private receive(data: string): void {
    try {
      const message = JSON.parse(data) as PublishedFrame;
      if (message.trace && isTracingActive()) {
        void withServerSpan('chat.deliver', message.trace, () => Promise.resolve(this.delivery.deliverHere(message.to, message.frame)));
      } else {
        this.delivery.deliverHere(message.to, message.frame);
      }
    } catch (error) {
      this.fail(error, 'a published frame');
    }
  }

  /** This replica starts with no connection: whatever presence its previous life left is stale. */
  private async clearPreviousLife(): Promise<void> {
    const publisher = this.publisher;
    if (!publisher) return;
    try {
      const key = chatKeys.replica(this.self.id);
      const users = (await publisher.smembers(key)).filter((userId) => !this.delivery.local.has(userId));
      if (users.length === 0) return;
      const pipeline = publisher.multi();
      for (const userId of users) pipeline.srem(chatKeys.presence(userId), this.self.id).srem(key, userId);
      await pipeline.exec();
    } catch (error) {
      this.fail(error, 'clearing stale presence');
    }
  }

  private fail(error: unknown, what: string): void {
    this.errors.error(error, () => `${what}: ${(error as Error).message}`);
  }
}

/** What goes through pub/sub: the frame, its recipient, and the sender's trace context when traced. */
interface PublishedFrame extends ChatDeliverMessage {
  trace?: TraceCarrier;
}

function once(client: RedisClient, event: string): Promise<void> {
  return new Promise((resolve) => client.once(event, () => resolve()));
}
