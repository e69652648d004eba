import type { ChatDelivery, RedisTopologyKind, Routing, ServiceName, StateMode } from '@app/config';
import type { RedisServerProcess } from '../lab/redis-server';
import type { LatencyProxyProcess } from '../lab/latency-proxy';
import type { PrivateRedisTopology } from '../lab/redis-topology';
import { GatewayClient, Reply } from './http';
import { startLab, StartedLab } from './lab';
import { parseMetrics, Sample } from './metrics';
import { delay, waitUntil } from './wait';
import type { BlueGreenResult, RestartResult, RestartStyle, ScaleResult, Topology, TopologyReplica } from '@app/contracts';

/** The lab one run needs. */
export interface LabSpec {
  mode: StateMode;
  routing: Routing;
  /** Redis mode only: the private redis-server's persistence. Default: AOF on (as `npm run lab`). */
  redisAppendOnly?: boolean;
  /** CHAT_DELIVERY of the lab; default at-most-once. */
  chatDelivery?: ChatDelivery;
  /** Redis mode only: `sentinel` or `cluster` starts a private replicated topology. Default `single`. */
  redisTopology?: RedisTopologyKind;
  /** REDIS_WAIT_REPLICAS of the replicas, and `min-replicas-to-write` of the private topology's nodes. Default 0. */
  redisWaitReplicas?: number;
  /** A latency proxy with this added Redis round-trip time between the replicas and a private single Redis (see startLab). */
  redisProxyRttMs?: number;
}

// The /lab answers are the gateway's own types, shared through @app/contracts.
export type { BlueGreenResult, RestartResult, RestartStyle, ScaleResult, Topology, TopologyReplica } from '@app/contracts';

export interface LabHandleOptions {
  /** LAB_ADMIN_TOKEN of the lab, when it is guarded. */
  adminToken?: string;
  /** Every output line of every process of a lab we start. */
  onLine?: (id: string, line: string) => void;
}

/** What went wrong at the lab API, with the gateway's status and error code. */
export class LabApiError extends Error {
  override readonly name = 'LabApiError';
}

/**
 * One lab a tool talks to (an experiment run, a test): either a fresh native lab (and, in redis mode, a private
 * redis-server) on free ports that close() tears down, or an already running lab (`--target`)
 * that close() leaves alone. Mode and routing are the lab's own answer (GET /lab/topology),
 * never what was asked for.
 */
export class LabHandle {
  private constructor(
    readonly client: GatewayClient,
    readonly topologyAtStart: Topology,
    private readonly started: StartedLab | undefined,
  ) {}

  /** Starts a lab for `spec` on free ports (redis mode: with a private redis-server) and waits until it is ready. */
  static async start(spec: LabSpec, options: LabHandleOptions = {}): Promise<LabHandle> {
    const started = await startLab({
      mode: spec.mode,
      routing: spec.routing,
      privateRedis: {
        appendOnly: spec.redisAppendOnly ?? true,
        topology: spec.redisTopology,
        minReplicasToWrite: spec.redisWaitReplicas,
        latencyProxyRttMs: spec.redisProxyRttMs,
      },
      onLine: options.onLine,
      env: {
        LAB_ADMIN_TOKEN: options.adminToken,
        CHAT_DELIVERY: spec.chatDelivery,
        ...(spec.redisWaitReplicas ? { REDIS_WAIT_REPLICAS: String(spec.redisWaitReplicas) } : {}),
      },
    });
    const client = new GatewayClient(started.url, { adminToken: options.adminToken });
    try {
      return new LabHandle(client, await fetchTopology(client), started);
    } catch (error) {
      client.close();
      await started.stop();
      throw error;
    }
  }

  /** Uses the lab at `url` as it is. */
  static async attach(url: string, options: LabHandleOptions = {}): Promise<LabHandle> {
    const client = new GatewayClient(url, { adminToken: options.adminToken });
    try {
      return new LabHandle(client, await fetchTopology(client), undefined);
    } catch (error) {
      client.close();
      if (error instanceof LabApiError) throw new LabApiError(`${url}: ${error.message}`);
      throw new Error(`no statelab gateway answers at ${url}: ${(error as Error).message}`);
    }
  }

  get url(): string {
    return this.client.baseUrl;
  }

  get mode(): StateMode {
    return this.topologyAtStart.mode as StateMode;
  }

  get routing(): Routing {
    return this.topologyAtStart.routing as Routing;
  }

  /** True for a lab this process started (and may restart Redis of). */
  get owned(): boolean {
    return this.started !== undefined;
  }

  /** The private Redis of a lab this process started in redis mode; undefined for --target labs. */
  get redis(): RedisServerProcess | undefined {
    return this.started?.redis;
  }

  /** The latency proxy between the replicas and Redis of a lab started with one. */
  get redisProxy(): LatencyProxyProcess | undefined {
    return this.started?.redisProxy;
  }

  /** The private Sentinel or Cluster topology of a lab this process started with one. */
  get redisTopology(): PrivateRedisTopology | undefined {
    return this.started?.redisTopology;
  }

  topology(): Promise<Topology> {
    return fetchTopology(this.client);
  }

  async ready(): Promise<boolean> {
    try {
      return (await this.client.get('/readyz', { timeoutMs: 2000 })).status === 200;
    } catch {
      return false;
    }
  }

  waitReady(timeoutMs = 30_000, signal?: AbortSignal): Promise<true> {
    return waitUntil(`${this.url}/readyz to answer 200`, () => this.ready(), { timeoutMs, signal });
  }

  /** SIGKILLs a replica through the lab API; resolves with the pid that died. */
  /**
   * Crashes a replica; resolves with the pid that died. On a busy machine the gateway may get no
   * answer from the replica in time (503): then the topology tells whether the crash happened
   * anyway (the replica is down, or back under another pid), and if it did not, the crash is
   * asked again, up to five times. Fails only when the replica never went down, saying so.
   */
  async crash(id: string): Promise<number> {
    const pidBefore = findReplica(await this.topology(), id)?.pid;
    let last: Reply<{ pid: number }> | undefined;
    for (let attempt = 1; attempt <= 5; attempt++) {
      last = await this.client.post<{ pid: number }>(`/lab/replicas/${encodeURIComponent(id)}/crash`);
      if (last.status !== 503) return expectStatus(last, 202, `crash ${id}`).pid;
      await delay(300 * attempt);
      const now = findReplica(await this.topology(), id);
      if (pidBefore !== undefined && (!now?.up || (now.pid !== undefined && now.pid !== pidBefore))) return pidBefore;
    }
    return expectStatus(last as Reply<{ pid: number }>, 202, `crash ${id} (asked 5 times; it never went down)`).pid;
  }

  async scale(service: ServiceName, replicas: number): Promise<ScaleResult> {
    const reply = await this.client.post<ScaleResult>('/lab/scale', { service, replicas }, { timeoutMs: 60_000 });
    return expectStatus(reply, 200, `scale ${service} to ${replicas}`);
  }

  /** Replaces one replica by a fresh process (a deploy's step); resolves once it serves again. */
  async restart(id: string, style: RestartStyle, drainSeconds?: number): Promise<RestartResult> {
    const body = drainSeconds === undefined ? { style } : { style, drainSeconds };
    const reply = await this.client.post<RestartResult>(`/lab/replicas/${encodeURIComponent(id)}/restart`, body, {
      timeoutMs: 120_000 + (drainSeconds ?? 0) * 1000,
    });
    return expectStatus(reply, 200, `restart ${id} (${style})`);
  }

  /** Switches every user and cart replica to a fresh set at once. */
  async blueGreen(): Promise<BlueGreenResult> {
    const reply = await this.client.post<BlueGreenResult>('/lab/blue-green', undefined, { timeoutMs: 120_000 });
    return expectStatus(reply, 200, 'blue-green switch');
  }

  /** Sets `lab_experiment_phase{experiment, phase}` so dashboards can shade the phase. */
  async phase(experiment: string, phase: string, active: boolean): Promise<void> {
    const reply = await this.client.post('/lab/phase', { experiment, phase, active });
    expectStatus(reply, 204, `mark phase ${phase}`);
  }

  async metrics(): Promise<Sample[]> {
    return parseMetrics(await this.client.text('/metrics'));
  }

  /** Stops what this handle started (the lab, then its Redis); leaves a --target lab running. */
  async close(): Promise<void> {
    this.client.close();
    await this.started?.stop();
  }
}

async function fetchTopology(client: GatewayClient): Promise<Topology> {
  const reply = await client.get<Topology>('/lab/topology', { timeoutMs: 5000 });
  return expectStatus(reply, 200, 'read /lab/topology');
}

function expectStatus<T>(reply: Reply<T>, status: number, what: string): T {
  if (reply.status !== status) {
    const error = (reply.body as { error?: { code?: string; message?: string } } | undefined)?.error;
    const detail = error ? `${error.code}: ${error.message}` : 'no error body';
    const hint = reply.status === 401 || reply.status === 403 ? " (set LAB_ADMIN_TOKEN to the lab's token)" : '';
    throw new LabApiError(`${what}: the gateway answered ${reply.status} (${detail})${hint}`);
  }
  return reply.body as T;
}

/** Routed (active) replica ids of a service, in order. */
export function activeReplicas(topology: Topology, service: ServiceName): string[] {
  return topology.services[service].filter((replica) => replica.active).map((replica) => replica.id);
}

/** The replica `id` in a topology, whatever its service. */
export function findReplica(topology: Topology, id: string): TopologyReplica | undefined {
  return Object.values(topology.services)
    .flat()
    .find((replica) => replica.id === id);
}
