/**
 * The gateway of the same-shape floor: the lab's topology doing only the work. node:http checks
 * the cookie's HMAC, asks a user replica for the session, then a cart replica for the cart, and
 * answers. One persistent TCP connection per replica, newline-delimited JSON with request ids
 * (many requests in flight on one connection), replicas picked round-robin.
 *
 * Environment: PEER_PORT, PEER_SECRET, USER_PORTS and CART_PORTS (comma-separated, 127.0.0.1).
 * A replica connection that drops fails its requests (502) and is not reopened: a floor that
 * loses a replica shows up in the bench as errors, not as silent recovery.
 */
import { createServer, ServerResponse } from 'node:http';
import { connect, Socket } from 'node:net';
import {
  cookieValue,
  exitOnSignals,
  FLOOR_COOKIE,
  FloorReply,
  FloorRequest,
  FloorSession,
  lineReader,
  portEnv,
  READY_LINE,
  requiredEnv,
  verifySignedSessionId,
} from './protocol';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Body = { op: 'session'; sid: string } | { op: 'cart'; userId: string };

/** One persistent connection to a replica; answers are matched to requests by id. */
class ReplicaLink {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed: Error | undefined;

  private constructor(
    readonly port: number,
    private readonly socket: Socket,
  ) {
    socket.setNoDelay(true);
    socket.on('data', lineReader((line) => this.onLine(line)));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error(`replica on port ${port} closed the connection`)));
  }

  static open(port: number): Promise<ReplicaLink> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new ReplicaLink(port, socket));
      });
    });
  }

  call(body: Body): Promise<unknown> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    const request = { id, ...body } as FloorRequest;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(`${JSON.stringify(request)}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onLine(line: string): void {
    const reply = JSON.parse(line) as FloorReply;
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(new Error(reply.error));
  }

  private fail(error: Error): void {
    this.closed ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

class RoundRobin {
  private next = 0;
  constructor(private readonly links: readonly ReplicaLink[]) {}
  pick(): ReplicaLink {
    const link = this.links[this.next];
    this.next = (this.next + 1) % this.links.length;
    return link;
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function ports(name: string): number[] {
  const list = requiredEnv(name)
    .split(',')
    .map((part) => Number(part.trim()));
  if (list.length === 0 || list.some((port) => !Number.isInteger(port) || port < 1 || port > 65535)) throw new Error(`${name} must list ports`);
  return list;
}

async function main(): Promise<void> {
  const port = portEnv('PEER_PORT');
  const key = Buffer.from(requiredEnv('PEER_SECRET'), 'utf8');
  const links = await Promise.all([...ports('USER_PORTS'), ...ports('CART_PORTS')].map((replicaPort) => ReplicaLink.open(replicaPort)));
  const userCount = ports('USER_PORTS').length;
  const users = new RoundRobin(links.slice(0, userCount));
  const carts = new RoundRobin(links.slice(userCount));

  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/api/cart') {
      answer(res, 404, { error: { code: 'not_found', message: 'only GET /api/cart' } });
      return;
    }
    const sid = verifySignedSessionId(cookieValue(req.headers.cookie, FLOOR_COOKIE), key);
    if (sid === undefined) {
      answer(res, 401, { error: { code: 'unauthenticated', message: 'no valid session cookie' } });
      return;
    }
    // Session first, then the cart of that session's user: the lab's two dependent hops.
    (async () => {
      const session = (await users.pick().call({ op: 'session', sid })) as FloorSession | null;
      if (session === null) return answer(res, 401, { error: { code: 'unauthenticated', message: 'session not found' } });
      answer(res, 200, await carts.pick().call({ op: 'cart', userId: session.userId }));
    })().catch((error: Error) => answer(res, 502, { error: { code: 'bad_gateway', message: error.message } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  exitOnSignals(() => {
    server.close();
    for (const link of links) link.close();
  });
  process.stdout.write(`${READY_LINE} same-shape gateway on 127.0.0.1:${port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`floor gateway: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
