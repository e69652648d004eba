/**
 * A replica of the same-shape floor: a plain TCP server speaking newline-delimited JSON, one
 * Redis GETEX per request. `user` answers a session (or null), `cart` a cart view.
 *
 * Environment: PEER_ROLE (`user` | `cart`), PEER_PORT, REDIS_URL.
 */
import { createServer, Socket } from 'node:net';
import Redis from 'ioredis';
import {
  CartLine,
  cartView,
  exitOnSignals,
  FLOOR_CART_PREFIX,
  FLOOR_SESSION_PREFIX,
  FLOOR_TTL_SECONDS,
  FloorReply,
  FloorRequest,
  FloorSession,
  lineReader,
  portEnv,
  READY_LINE,
  requiredEnv,
} from './protocol';

async function main(): Promise<void> {
  const role = requiredEnv('PEER_ROLE');
  if (role !== 'user' && role !== 'cart') throw new Error(`PEER_ROLE must be user or cart, got ${role}`);
  const port = portEnv('PEER_PORT');
  const redis = new Redis(requiredEnv('REDIS_URL'), { maxRetriesPerRequest: 1, commandTimeout: 5000 });
  redis.on('error', (error: Error) => process.stderr.write(`redis: ${error.message}\n`));
  await redis.ping();

  const handle = async (request: FloorRequest): Promise<unknown> => {
    if (role === 'user' && request.op === 'session') {
      const raw = await redis.getex(FLOOR_SESSION_PREFIX + request.sid, 'EX', FLOOR_TTL_SECONDS);
      if (raw === null) return null;
      const session = JSON.parse(raw) as FloorSession;
      return { userId: session.userId, username: session.username };
    }
    if (role === 'cart' && request.op === 'cart') {
      const raw = await redis.getex(FLOOR_CART_PREFIX + request.userId, 'EX', FLOOR_TTL_SECONDS);
      return cartView(raw === null ? [] : (JSON.parse(raw) as CartLine[]));
    }
    throw new Error(`a ${role} replica does not answer ${request.op}`);
  };

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const reply = (message: FloorReply) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
    };
    socket.on(
      'data',
      lineReader((line) => {
        let request: FloorRequest;
        try {
          request = JSON.parse(line) as FloorRequest;
        } catch {
          socket.destroy();
          return;
        }
        handle(request).then(
          (value) => reply({ id: request.id, ok: true, value }),
          (error: Error) => reply({ id: request.id, ok: false, error: error.message }),
        );
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  exitOnSignals(async () => {
    server.close();
    for (const socket of sockets) socket.destroy();
    await redis.quit();
  });
  process.stdout.write(`${READY_LINE} ${role} replica on 127.0.0.1:${port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`floor replica: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
