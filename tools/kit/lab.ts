import { usesRedis, type RedisTopologyKind } from '@app/config';
import { Lab, LabOptions } from '../lab/lab';
import { RedisServerProcess, redisServerAvailable } from '../lab/redis-server';
import { LatencyProxyProcess } from '../lab/latency-proxy';
import { PrivateRedisTopology } from '../lab/redis-topology';
import { freePort, freePortBlock } from './ports';

/** Starts a private redis-server on a free port (never the machine's 6379); the caller stops it. */
export async function startPrivateRedis(options: { appendOnly?: boolean } = {}): Promise<RedisServerProcess> {
  if (!redisServerAvailable()) throw new Error('redis mode needs a redis-server binary on PATH (apt-get install redis-server)');
  const server = new RedisServerProcess({ port: await freePort(), appendOnly: options.appendOnly });
  try {
    await server.start();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

export interface StartLabOptions extends Omit<LabOptions, 'gatewayPort' | 'portBase'> {
  /**
   * Redis mode without a `redisUrl`: the private redis-server to start for this lab (stopped
   * with it). Default: AOF on, as `npm run lab` starts one.
   */
  privateRedis?: {
    appendOnly?: boolean;
    /** `sentinel` or `cluster`: a private replicated topology (PrivateRedisTopology) instead of one redis-server. Default `single`. */
    topology?: RedisTopologyKind;
    /** `min-replicas-to-write` of a replicated topology's nodes. */
    minReplicasToWrite?: number;
    /**
     * Put a latency-injecting TCP proxy (LatencyProxyProcess) with this added round-trip time
     * between the replicas and the private single Redis (started in stateful mode too, where
     * nothing uses it). Emulates a Redis on another machine where the kernel has no netem.
     */
    latencyProxyRttMs?: number;
  };
  /** How long the gateway may take to report ready; default 60 s. */
  readyTimeoutMs?: number;
  /** Output lines kept for `output` and for the error of a failed start; default 200. */
  keptLines?: number;
}

/** A native lab on free ports that this process started, and owns. */
export interface StartedLab {
  lab: Lab;
  url: string;
  /** The private redis-server started for it (redis mode without a `redisUrl`, single topology). */
  redis: RedisServerProcess | undefined;
  /** The private Sentinel or Cluster topology started for it (privateRedis.topology). */
  redisTopology: PrivateRedisTopology | undefined;
  /** The latency proxy in front of the private Redis (privateRedis.latencyProxyRttMs). */
  redisProxy: LatencyProxyProcess | undefined;
  /** The last output lines of every process (`<id> <line>`), for failure messages. */
  output: string[];
  /** Stops the lab, then its private Redis. */
  stop(): Promise<void>;
}

/**
 * Starts a whole native lab (compiled, from dist/) on free ports, with LOG_LEVEL=warn unless
 * `env` says otherwise, and a private redis-server in redis mode unless `redisUrl` names one.
 * Resolves once the gateway reports ready; a failed start leaves nothing running and its error
 * quotes the last lines of output.
 */
export async function startLab(options: StartLabOptions): Promise<StartedLab> {
  const { privateRedis, readyTimeoutMs = 60_000, keptLines = 200, ...labOptions } = options;
  const output: string[] = [];
  const onLine = (id: string, line: string) => {
    output.push(`${id} ${line}`);
    if (output.length > keptLines) output.shift();
    options.onLine?.(id, line);
  };
  let redis: RedisServerProcess | undefined;
  let redisTopology: PrivateRedisTopology | undefined;
  let redisProxy: LatencyProxyProcess | undefined;
  const stopRedis = async () => {
    await redisProxy?.stop();
    await redis?.stop();
    await redisTopology?.stop();
  };
  try {
    const topology = privateRedis?.topology ?? 'single';
    const proxied = privateRedis?.latencyProxyRttMs !== undefined && options.redisUrl === undefined;
    if ((usesRedis(options.mode) || proxied) && options.redisUrl === undefined) {
      if (topology === 'single') redis = await startPrivateRedis({ appendOnly: privateRedis?.appendOnly ?? true });
      else redisTopology = await PrivateRedisTopology.start({ kind: topology, minReplicasToWrite: privateRedis?.minReplicasToWrite });
    }
    if (proxied && redis) {
      redisProxy = new LatencyProxyProcess({ host: '127.0.0.1', port: redis.port }, privateRedis?.latencyProxyRttMs);
      await redisProxy.start();
    }
    const lab = await Lab.start(
      {
        restartDelayMs: 100,
        ...labOptions,
        gatewayPort: await freePort(),
        portBase: await freePortBlock(),
        redisUrl: options.redisUrl ?? redisProxy?.url ?? redis?.url,
        env: { LOG_LEVEL: 'warn', ...redisTopology?.env(), ...options.env },
        onLine,
      },
      readyTimeoutMs,
    );
    const stop = async () => {
      await lab.stop();
      await stopRedis();
    };
    return { lab, url: lab.gatewayUrl, redis, redisTopology, redisProxy, output, stop };
  } catch (error) {
    await stopRedis();
    const tail = output.length > 0 ? `\n--- last lab output ---\n${output.slice(-40).join('\n')}` : '';
    throw new Error(`could not start a ${options.mode} lab: ${(error as Error).message}${tail}`);
  }
}
