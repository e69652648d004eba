import Redis from 'ioredis';

/** Options of {@link createRedisClient}. */
export interface RedisClientOptions {
  /** How long one command may wait for its reply before it rejects. Default 500 ms. */
  commandTimeoutMs?: number;
  /** Receives connection errors, at most one per {@link REDIS_ERROR_LOG_INTERVAL_MS}. */
  onError?: (error: Error) => void;
}

/** Default of {@link RedisClientOptions.commandTimeoutMs}. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 500;
/** Upper bound of the delay between two reconnection attempts. */
export const REDIS_MAX_RECONNECT_DELAY_MS = 500;
/** Minimum interval between two errors handed to {@link RedisClientOptions.onError}. */
export const REDIS_ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * An ioredis client that fails fast while Redis is down or frozen and heals by itself.
 *
 * ioredis' defaults queue a command issued during an outage and retry it for about 70 s;
 * here it rejects at once when the connection is down (no offline queue, so a command sent
 * before the first connect rejects too) and after `commandTimeoutMs` when Redis does not answer.
 * The client keeps reconnecting every ≤ 500 ms for ever and is usable again as soon as Redis is.
 * The caller owns the client and ends it with `quit()`/`disconnect()`.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    // Commands issued in the same turn of the event loop go out in one write: a replica answers
    // the many calls one gateway write carried, and a syscall per command costs more than Redis.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 50, REDIS_MAX_RECONNECT_DELAY_MS),
    // A command in flight when the connection dropped has already failed for its caller
    // (timeout or flush); replaying it after the reconnect would apply it behind their back.
    autoResendUnfulfilledCommands: false,
    // disconnect() arms a timer of this length to destroy the last socket, even one that is
    // already closed (during reconnection): keep it short so a closed client lets the process exit.
    disconnectTimeout: 200,
  });
  let lastReportedAt = Number.NEGATIVE_INFINITY;
  // Without a listener an 'error' event would be thrown as an uncaught exception.
  client.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastReportedAt < REDIS_ERROR_LOG_INTERVAL_MS) return;
    lastReportedAt = now;
    options.onError?.(error);
  });
  return client;
}

/** Ends a client politely (QUIT) when it is connected, at once otherwise. Never throws. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status === 'ready') await client.quit();
  } catch {
    // QUIT timed out or the connection dropped meanwhile: disconnect below.
  } finally {
    client.disconnect();
  }
}
