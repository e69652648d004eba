import { spawnSync } from 'node:child_process';
import type Redis from 'ioredis';
import { usesRedis, type StateMode } from '@app/config';
import { closeRedisClient, createRedisClient } from '@app/state';
import { startLab, StartedLab, startPrivateRedis } from '../kit/lab';
import { waitUntil } from '../kit/wait';
import { RedisServerProcess, redisServerAvailable } from '../lab/redis-server';
import { OtlpSink, startOtlpSink } from './otlp-sink';

/**
 * The labs the benches use. `telemetry-metrics` is configured like `redis` but is a lab of its
 * own, so the three telemetry configurations share the same history (boot, warm-up, load).
 */
export type BenchLabName = 'stateful' | 'redis' | 'jwt' | 'telemetry-off' | 'telemetry-metrics' | 'telemetry-tracing' | 'telemetry-tracing-sdk' | 'telemetry-tracing-10';

export interface BenchLab extends StartedLab {
  name: BenchLabName;
  mode: StateMode;
  /** What this lab's configuration is, in words. */
  description: string;
}

export interface BenchRedis {
  server: RedisServerProcess;
  url: string;
  version: string;
  appendOnly: boolean;
}

/** OTEL_* variables the lab's processes read: cleared unless a configuration sets them, so the shell cannot leak tracing in. */
const OTEL_CLEARED: Record<string, undefined> = {
  OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_PROTOCOL: undefined,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: undefined,
  OTEL_TRACES_EXPORTER: undefined,
  OTEL_TRACES_SAMPLER: undefined,
  OTEL_TRACES_SAMPLER_ARG: undefined,
  OTEL_SDK_DISABLED: undefined,
  LAB_TRACER: undefined,
};

/**
 * Everything the benches start (one private redis-server, labs, the OTLP sink), started on first
 * use and shared between sections; `stopAll()` stops whatever was started, whatever failed.
 */
export class BenchResources {
  private redis: Promise<BenchRedis> | undefined;
  private redisClient: Promise<Redis> | undefined;
  private readonly sinks = new Map<string, Promise<OtlpSink>>();
  private readonly labs = new Map<BenchLabName, Promise<BenchLab>>();

  constructor(private readonly progress: (message: string) => void) {}

  static redisAvailable(): boolean {
    return redisServerAvailable();
  }

  /** A private redis-server with AOF everysec, as `npm run lab` starts; never the machine's 6379. */
  redisServer(): Promise<BenchRedis> {
    this.redis ??= (async () => {
      const server = await startPrivateRedis({ appendOnly: true });
      const versionLine = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout ?? '';
      const version = /v=(\S+)/.exec(versionLine)?.[1] ?? 'unknown';
      this.progress(`started a private redis-server ${version} at ${server.url}`);
      return { server, url: server.url, version, appendOnly: true };
    })();
    return this.redis;
  }

  /** A client of the bench's redis-server, for INFO (its CPU time); closed by stopAll(). */
  redisInfoClient(): Promise<Redis> {
    this.redisClient ??= (async () => {
      const client = createRedisClient((await this.redisServer()).url, { commandTimeoutMs: 2000 });
      try {
        await waitUntil('the bench redis client to connect', () => client.status === 'ready', { timeoutMs: 10_000 });
      } catch (error) {
        await closeRedisClient(client);
        throw error;
      }
      return client;
    })();
    return this.redisClient;
  }

  /** An OTLP sink; each `name` is a sink of its own, so two traced labs' spans are counted apart. */
  otlpSink(name = 'traces'): Promise<OtlpSink> {
    let sink = this.sinks.get(name);
    if (!sink) {
      sink = startOtlpSink();
      this.sinks.set(name, sink);
    }
    return sink;
  }

  lab(name: BenchLabName): Promise<BenchLab> {
    let lab = this.labs.get(name);
    if (!lab) {
      lab = this.startLab(name);
      this.labs.set(name, lab);
    }
    return lab;
  }

  async stopLab(name: BenchLabName): Promise<void> {
    const lab = this.labs.get(name);
    this.labs.delete(name);
    const running = await lab?.catch(() => undefined);
    await running?.stop();
  }

  /** Stops labs first (they talk to Redis and the sink), then the sink and Redis. Never throws. */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.labs.keys()].map((name) => this.stopLab(name)));
    const client = await this.redisClient?.catch(() => undefined);
    this.redisClient = undefined;
    if (client) await closeRedisClient(client);
    const sinks = [...this.sinks.values()];
    this.sinks.clear();
    for (const pending of sinks) await (await pending.catch(() => undefined))?.close().catch(() => undefined);
    const redis = await this.redis?.catch(() => undefined);
    this.redis = undefined;
    await redis?.server.stop().catch(() => undefined);
  }

  private async startLab(name: BenchLabName): Promise<BenchLab> {
    const { mode, description, env } = await this.labConfiguration(name);
    const redisUrl = usesRedis(mode) ? (await this.redisServer()).url : undefined;
    const started = Date.now();
    this.progress(`starting the ${name} lab (${description}) …`);
    const lab = await startLab({ mode, redisUrl, env: { ...OTEL_CLEARED, ...env }, readyTimeoutMs: 90_000 });
    this.progress(`the ${name} lab is ready at ${lab.url} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { ...lab, name, mode, description };
  }

  private async labConfiguration(name: BenchLabName): Promise<{ mode: StateMode; description: string; env: Record<string, string | undefined> }> {
    switch (name) {
      case 'stateful':
        return { mode: 'stateful', description: 'stateful, sticky-ring, metrics on, no tracing', env: { METRICS: 'on' } };
      case 'redis':
        return { mode: 'redis', description: 'redis, round-robin, metrics on, no tracing', env: { METRICS: 'on' } };
      case 'jwt':
        return { mode: 'jwt', description: 'jwt (denylist on), round-robin, metrics on, no tracing', env: { METRICS: 'on' } };
      case 'telemetry-off':
        return { mode: 'redis', description: 'redis, round-robin, METRICS=off, no tracing', env: { METRICS: 'off' } };
      case 'telemetry-metrics':
        return { mode: 'redis', description: 'redis, round-robin, metrics on, no tracing', env: { METRICS: 'on' } };
      case 'telemetry-tracing':
        return this.tracedLab('tracing always_on to the OTLP sink', undefined, { OTEL_TRACES_SAMPLER: 'always_on' });
      case 'telemetry-tracing-sdk':
        return this.tracedLab('tracing always_on through the OpenTelemetry SDK (LAB_TRACER=sdk) to an OTLP sink of its own', 'sdk', {
          LAB_TRACER: 'sdk',
          OTEL_TRACES_SAMPLER: 'always_on',
        });
      case 'telemetry-tracing-10':
        return this.tracedLab('tracing 10 % (parentbased_traceidratio 0.1) to an OTLP sink of its own', 'sampled-10', {
          OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
          OTEL_TRACES_SAMPLER_ARG: '0.1',
        });
    }
  }
  /** A redis-mode lab with metrics on that traces into an OTLP sink (`sinkName`'s, else the shared one) over http/protobuf. */
  private async tracedLab(
    tracing: string,
    sinkName: string | undefined,
    env: Record<string, string>,
  ): Promise<{ mode: StateMode; description: string; env: Record<string, string | undefined> }> {
    const sink = await this.otlpSink(sinkName);
    return {
      mode: 'redis',
      description: `redis, round-robin, metrics on, ${tracing}`,
      // http/protobuf: the exporters' default protocol, and what a collector is usually fed.
      env: { METRICS: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', ...env },
    };
  }
}
