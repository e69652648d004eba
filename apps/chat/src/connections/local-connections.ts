import type { ChatDeliverable } from '@app/contracts';

/** What LocalConnections needs of a connection: the `ws` WebSocket fits. */
export interface ChatSocket {
  readonly readyState: number;
  send(data: string): void;
}

const OPEN = 1;

/**
 * This replica's presence: the open connections of each user here. A user's first connection
 * and last disconnection are the presence changes the fan-out announces (to peers in stateful
 * mode, to Redis in redis mode).
 */
export class LocalConnections<S extends ChatSocket = ChatSocket> {
  private readonly byUser = new Map<string, Set<S>>();
  private total = 0;

  /** Adds a connection; true when it is the user's first here. */
  add(userId: string, socket: S): boolean {
    let sockets = this.byUser.get(userId);
    const first = sockets === undefined;
    if (!sockets) this.byUser.set(userId, (sockets = new Set()));
    if (!sockets.has(socket)) this.total++;
    sockets.add(socket);
    return first;
  }

  /** Removes a connection; true when it was the user's last here. */
  remove(userId: string, socket: S): boolean {
    const sockets = this.byUser.get(userId);
    if (!sockets?.delete(socket)) return false;
    this.total--;
    if (sockets.size > 0) return false;
    this.byUser.delete(userId);
    return true;
  }

  /** Writes the frame to every open connection of the user here; answers how many. */
  deliver(userId: string, frame: ChatDeliverable): number {
    const sockets = this.byUser.get(userId);
    if (!sockets) return 0;
    const data = JSON.stringify(frame);
    let written = 0;
    for (const socket of sockets) {
      if (socket.readyState !== OPEN) continue;
      socket.send(data);
      written++;
    }
    return written;
  }

  has(userId: string): boolean {
    return this.byUser.has(userId);
  }

  users(): string[] {
    return [...this.byUser.keys()];
  }

  sockets(): IterableIterator<S> {
    const byUser = this.byUser;
    return (function* () {
      for (const sockets of byUser.values()) yield* sockets;
    })();
  }

  get connections(): number {
    return this.total;
  }
}
