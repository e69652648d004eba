import type Redis from 'ioredis';
import { StoreUnavailableError } from './stores';

/** Default key prefix of the Redis adapters. */
export const DEFAULT_KEY_PREFIX = 'statelab:';

/** Runs one Redis round trip; whatever ioredis throws becomes a StoreUnavailableError. */
export async function redisCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreUnavailableError(`redis ${operation} failed: ${reason}`, { cause: error });
  }
}

/** PING answered within the client's command timeout. */
export async function redisPing(client: Redis): Promise<boolean> {
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/**
 * Live keys that start with `prefix`: a full SCAN (MATCH, COUNT 1000), so O(keys in the
 * database). Fine at scrape time for a lab; SCAN may return a key twice, hence the Set.
 */
export async function countKeys(client: Redis, prefix: string, operation: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redisCall(operation, () => client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000));
    for (const key of keys) seen.add(key);
    cursor = next;
  } while (cursor !== '0');
  return seen.size;
}
