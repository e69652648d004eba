/**
 * The real-time service (§8): the JSON frames a WebSocket client and a chat replica exchange,
 * and the hop messages chat replicas and the gateway send each other.
 */

/** Client → server: a message to every connection of user `to`. */
export interface ChatSendFrame {
  type: 'send';
  /** The recipient's user id (`u-42`). */
  to: string;
  text: string;
  /** The client's id of the message, echoed in the ack and the delivered message. */
  id: string;
}

/** Server → sender: the replica accepted the message (at-most-once: not that it arrived). */
export interface ChatAckFrame {
  type: 'ack';
  id: string;
}

/** Server → recipient. `sentAt` (ms since the epoch) is when the sender's replica accepted it. */
export interface ChatMessageFrame {
  type: 'message';
  from: string;
  to: string;
  text: string;
  id: string;
  sentAt: number;
  /** CHAT_DELIVERY=at-least-once: its id in the recipient's stream, the cursor to resume from. */
  seq?: string;
}

/** Server → buyer, after a checkout. */
export interface OrderCreatedFrame {
  type: 'order.created';
  orderId: string;
  totalCents: number;
  items: number;
  sentAt: number;
  seq?: string;
}

export interface ChatErrorFrame {
  type: 'error';
  code: string;
  message: string;
  /** The id of the frame it answers, when it had a readable one. */
  id?: string;
}

export type ChatServerFrame = ChatAckFrame | ChatMessageFrame | OrderCreatedFrame | ChatErrorFrame;

/** The frames one replica hands another (or the gateway a replica) for a user's connections. */
export type ChatDeliverable = ChatMessageFrame | OrderCreatedFrame;

export const ChatPatterns = {
  /** Deliver a frame to this replica's connections of a user; answers how many got it. */
  deliver: 'chat.deliver',
  /** A user came online on, or left, a replica (stateful mode: peers keep a presence map). */
  presence: 'chat.presence',
  /** A replica (re)started: drop what you knew of it, and tell it who is connected to you. */
  sync: 'chat.presence.sync',
  /** The gateway's push (order.created) to a user, wherever connected. */
  push: 'chat.push',
} as const;

export interface ChatDeliverMessage {
  to: string;
  frame: ChatDeliverable;
}

export interface ChatPresenceMessage {
  userId: string;
  replica: string;
  online: boolean;
}

export interface ChatSyncMessage {
  replica: string;
}

export interface ChatSyncAnswer {
  replica: string;
  users: string[];
}

/** Limits of a client frame. */
export const CHAT_LIMITS = { maxFrameBytes: 16 * 1024, maxTextChars: 2000 } as const;
export const CHAT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
export const CHAT_USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** A Redis Stream id, the `since` a reconnecting client resumes from (`/ws?since=1796222502976-0`). */
export const CHAT_SEQ_PATTERN = /^\d{1,20}-\d{1,20}$/;

/** Error codes of `{"type":"error"}` frames. */
export const ChatErrorCodes = {
  badFrame: 'bad_frame',
  unknownType: 'unknown_type',
} as const;

/**
 * Validates a client frame; answers the frame or the error frame to send back. Never throws:
 * a client's garbage is answered, not a crash.
 */
export function parseChatFrame(raw: string): ChatSendFrame | ChatErrorFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { type: 'error', code: ChatErrorCodes.badFrame, message: 'a frame is one JSON object' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { type: 'error', code: ChatErrorCodes.badFrame, message: 'a frame is one JSON object' };
  const frame = value as Record<string, unknown>;
  const id = typeof frame.id === 'string' && CHAT_ID_PATTERN.test(frame.id) ? frame.id : undefined;
  const bad = (message: string): ChatErrorFrame => ({ type: 'error', code: ChatErrorCodes.badFrame, message, ...(id ? { id } : {}) });
  if (frame.type !== 'send') return { type: 'error', code: ChatErrorCodes.unknownType, message: 'the only client frame is {"type":"send",to,text,id}', ...(id ? { id } : {}) };
  if (id === undefined) return bad('id must be 1 to 64 of A-Z a-z 0-9 _ . : -');
  if (typeof frame.to !== 'string' || !CHAT_USER_ID_PATTERN.test(frame.to)) return bad('to must be a user id');
  if (typeof frame.text !== 'string' || frame.text.length === 0 || frame.text.length > CHAT_LIMITS.maxTextChars) return bad(`text must be 1 to ${CHAT_LIMITS.maxTextChars} characters`);
  return { type: 'send', to: frame.to, text: frame.text, id };
}
