import type { ChatDeliverable, ChatPresenceMessage, ChatSyncAnswer, ChatSyncMessage } from '@app/contracts';

/**
 * Where a frame for a user went: `delivered` (some connection of theirs got it, here or
 * elsewhere), `offline` (they have no connection anywhere the fan-out knows of), `lost` (the
 * way to them failed: a crashed peer, Redis down).
 */
export type RouteResult = 'delivered' | 'offline' | 'lost';

/**
 * Presence and fan-out across chat replicas. `stateful`: each replica's memory, peers told
 * directly ({@link PeerFanout}); `redis`: Redis sets and pub/sub ({@link RedisFanout}). The
 * ChatService never branches on the mode.
 */
export interface ChatFanout {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * The user's first connection on this replica is about to open: resolves once the others
   * can route to it (peers told, the Redis channel subscribed), or gave up (bounded), so a
   * frame sent to them right after their upgrade finds them.
   */
  online(userId: string): Promise<void>;
  /** The user's last connection on this replica closed. */
  offline(userId: string): void;
  /** Delivers a frame to every connection of `to`, here and on other replicas. */
  route(to: string, frame: ChatDeliverable): Promise<RouteResult>;
  /**
   * At-least-once only: what was kept for the user after `since` (a stream id), oldest first;
   * undefined when this fan-out keeps nothing.
   */
  replay?(userId: string, since: string): Promise<ChatDeliverable[]>;
  /** Stateful mode only: a peer announced a user's first connection there, or their last leaving. */
  presence?(message: ChatPresenceMessage): void;
  /** Stateful mode only: a peer (re)started; answers who is connected here. */
  sync?(message: ChatSyncMessage): ChatSyncAnswer;
  /** Whether its backing store answers (readiness): always for memory, a PING for Redis. */
  ping(): Promise<boolean>;
}

/** Injection token of the ChatFanout the mode chose. */
export const CHAT_FANOUT = Symbol('CHAT_FANOUT');
