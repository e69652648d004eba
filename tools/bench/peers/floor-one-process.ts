/**
 * The one-process floor: node:http + ioredis doing only what a logged-in cart read needs.
 * Check the HMAC of the `sid` cookie, GETEX the session, GETEX the cart, answer. No framework.
 *
 * Environment: PEER_PORT, REDIS_URL, PEER_SECRET (the key the bench signed the cookies with).
 */
import { createServer, ServerResponse } from 'node:http';
import Redis from 'ioredis';
import {
  CartLine,
  cartView,
  cookieValue,
  exitOnSignals,
  FLOOR_CART_PREFIX,
  FLOOR_COOKIE,
  FLOOR_SESSION_PREFIX,
  FLOOR_TTL_SECONDS,
  FloorSession,
  portEnv,
  READY_LINE,
  requiredEnv,
  verifySignedSessionId,
} from './protocol';

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function main(): Promise<void> {
  const port = portEnv('PEER_PORT');
  const key = Buffer.from(requiredEnv('PEER_SECRET'), 'utf8');
  const redis = new Redis(requiredEnv('REDIS_URL'), { maxRetriesPerRequest: 1, commandTimeout: 5000 });
  redis.on('error', (error: Error) => process.stderr.write(`redis: ${error.message}\n`));
  await redis.ping();

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
    (async () => {
      const rawSession = await redis.getex(FLOOR_SESSION_PREFIX + sid, 'EX', FLOOR_TTL_SECONDS);
      if (rawSession === null) return answer(res, 401, { error: { code: 'unauthenticated', message: 'session not found' } });
      const { userId } = JSON.parse(rawSession) as FloorSession;
      const rawCart = await redis.getex(FLOOR_CART_PREFIX + userId, 'EX', FLOOR_TTL_SECONDS);
      answer(res, 200, cartView(rawCart === null ? [] : (JSON.parse(rawCart) as CartLine[])));
    })().catch((error: Error) => answer(res, 503, { error: { code: 'unavailable', message: error.message } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  exitOnSignals(async () => {
    server.close();
    await redis.quit();
  });
  process.stdout.write(`${READY_LINE} one-process floor on 127.0.0.1:${port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`one-process floor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
