import { RedisServerProcess } from '../../tools/lab/redis-server';
import { freePort } from './ports';

/** Starts a private redis-server on a free port; the caller stops it. */
export async function startPrivateRedis(options: { appendOnly?: boolean } = {}): Promise<RedisServerProcess> {
  const server = new RedisServerProcess({ port: await freePort(), appendOnly: options.appendOnly });
  await server.start();
  return server;
}
