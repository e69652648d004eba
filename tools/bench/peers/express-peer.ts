/**
 * The seed's "Hybrid Architecture Example" (Express + express-session + connect-redis), made
 * runnable so the peers bench can measure it beside the lab. One process.
 *
 * Environment: PEER_PORT, PEER_STORE (`redis` | `memory`), REDIS_URL (redis store),
 * PEER_PRODUCTS_FILE (the lab's catalog, for prices), PEER_SECRET.
 *
 * Kept as the seed wrote it: `resave: false, saveUninitialized: false`, the session holds
 * userId, username and cart, `/api/login`, `/api/cart`, `/api/cart/add`, `/api/logout`,
 * connect-redis on the `redis` client. Changed, and why:
 * - connect-redis 9 API (named `RedisStore` export, `redis` v5 client that must `connect()`);
 *   the seed's `require('connect-redis')(session)` is the pre-v7 API. 9 is the newest that runs
 *   on Node 20 (10 needs Node 22); it no longer supports ioredis.
 * - `cookie.secure: false`: the bench speaks plain HTTP on loopback, where a secure cookie is
 *   never set.
 * - Cart lines are `{productId, quantity, priceCents}` and `GET /api/cart` answers the lab's
 *   `{items, totalCents}`, so every target of the bench returns the same body.
 * - Login checks the lab's demo accounts trivially (user1…user1000, demo-password), no slow hash:
 *   logins are set-up here, not what is measured.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createClient } from 'redis';
import { CartLine, cartView, exitOnSignals, portEnv, READY_LINE, requiredEnv } from './protocol';

declare module 'express-session' {
  interface SessionData {
    userId: string;
    username: string;
    cart: CartLine[];
  }
}

const DEMO_USERS = 1000;
const DEMO_PASSWORD = 'demo-password';

async function authenticateUser(username: unknown, password: unknown): Promise<{ id: string; username: string } | undefined> {
  if (typeof username !== 'string' || password !== DEMO_PASSWORD) return undefined;
  const match = /^user([1-9]\d*)$/.exec(username);
  if (!match || Number(match[1]) > DEMO_USERS) return undefined;
  return { id: `u-${match[1]}`, username };
}

async function main(): Promise<void> {
  const port = portEnv('PEER_PORT');
  const storeKind = requiredEnv('PEER_STORE');
  if (storeKind !== 'redis' && storeKind !== 'memory') throw new Error(`PEER_STORE must be redis or memory, got ${storeKind}`);
  const products = JSON.parse(readFileSync(requiredEnv('PEER_PRODUCTS_FILE'), 'utf8')) as { id: string; priceCents: number }[];
  const prices = new Map(products.map((product) => [product.id, product.priceCents]));

  let store: session.Store;
  let redisClient: ReturnType<typeof createClient> | undefined;
  if (storeKind === 'redis') {
    redisClient = createClient({ url: requiredEnv('REDIS_URL') });
    redisClient.on('error', (error: Error) => process.stderr.write(`redis: ${error.message}\n`));
    await redisClient.connect();
    store = new RedisStore({ client: redisClient });
  } else {
    store = new session.MemoryStore();
  }

  const app = express();
  app.use(express.json());
  app.use(
    session({
      store,
      secret: requiredEnv('PEER_SECRET'),
      resave: false,
      saveUninitialized: false,
      cookie: { secure: false, httpOnly: true, maxAge: 3_600_000 },
    }),
  );

  app.post('/api/login', async (req, res) => {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    const user = await authenticateUser(username, password);
    if (!user) {
      res.status(401).json({ error: 'Invalid credentials' });
      return;
    }
    req.session.userId = user.id;
    req.session.username = user.username;
    req.session.cart = [];
    res.json({ success: true });
  });

  app.get('/api/cart', (req, res) => {
    if (!req.session.userId) {
      res.status(401).json({ error: 'Not authenticated' });
      return;
    }
    res.json(cartView(req.session.cart ?? []));
  });

  app.post('/api/cart/add', (req, res) => {
    if (!req.session.userId) {
      res.status(401).json({ error: 'Not authenticated' });
      return;
    }
    const { productId, quantity = 1 } = (req.body ?? {}) as { productId?: unknown; quantity?: unknown };
    const priceCents = typeof productId === 'string' ? prices.get(productId) : undefined;
    if (priceCents === undefined || typeof productId !== 'string' || !Number.isInteger(quantity) || (quantity as number) < 1) {
      res.status(400).json({ error: 'Unknown product or bad quantity' });
      return;
    }
    req.session.cart ??= [];
    req.session.cart.push({ productId, quantity: quantity as number, priceCents });
    res.json({ success: true, cart: cartView(req.session.cart) });
  });

  app.post('/api/logout', (req, res) => {
    req.session.destroy((error) => {
      if (error) {
        res.status(500).json({ error: 'Logout failed' });
        return;
      }
      res.json({ success: true });
    });
  });

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  exitOnSignals(async () => {
    server.close();
    await redisClient?.quit();
  });
  process.stdout.write(`${READY_LINE} express ${storeKind} on 127.0.0.1:${port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`express peer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
