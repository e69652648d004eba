import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { childEnvironment, MAX_REPLICAS, replicaAddress, Routing, SERVICES, ServiceName, StateMode } from '@app/config';
import type { SupervisorReply, SupervisorRequest } from '@app/contracts';
import { httpRequest } from '../kit/http';
import { waitUntil } from '../kit/wait';
import { MALLOC_ENV, NODE_OPTIONS } from './node-options';
import { nodeEntry, SupervisedProcess } from './supervised-process';

export interface LabOptions {
  mode: StateMode;
  /** Default: sticky-ring when stateful, round-robin in redis mode. */
  routing?: Routing;
  replicas?: Partial<Record<ServiceName, number>>;
  gatewayPort: number;
  /** Replica ports are portBase + 1xx/2xx/3xx (see libs/config). */
  portBase: number;
  redisUrl?: string;
  sessionTtlSeconds?: number;
  /** Extra environment for every process (OTEL_*, METRICS, LOG_LEVEL, …). */
  env?: Record<string, string | undefined>;
  /** Receives every output line of every process, prefixed by nothing: `id` says who. */
  onLine?: (id: string, line: string) => void;
  restartDelayMs?: number;
}

export interface LabTarget {
  job: string;
  instance: string;
  address: string;
}

/**
 * A whole native lab: the gateway plus every replica as separate supervised OS processes.
 * A crashed replica comes back with the same id and empty memory; stop() leaves nothing running.
 */
export class Lab {
  private readonly processes = new Map<string, SupervisedProcess>();
  private readonly replicaCount: Record<ServiceName, number>;
  /** Indices (from 1) of the replicas running per service: 1..count, or another set after a blue-green switch. */
  private readonly running = {} as Record<ServiceName, number[]>;
  private readonly onLine: (id: string, line: string) => void;
  private readonly sharedEnv: Record<string, string | undefined>;
  /** Called after replicas were added, e.g. to rewrite Prometheus targets. */
  onTopologyChange: (() => void) | undefined;

  private constructor(private readonly options: LabOptions) {
    this.replicaCount = { user: 3, cart: 3, product: 3, chat: 3, ...options.replicas };
    this.onLine = options.onLine ?? (() => undefined);
    this.sharedEnv = {
      STATE_MODE: options.mode,
      ROUTING: options.routing,
      USER_REPLICAS: String(this.replicaCount.user),
      CART_REPLICAS: String(this.replicaCount.cart),
      PRODUCT_REPLICAS: String(this.replicaCount.product),
      CHAT_REPLICAS: String(this.replicaCount.chat),
      LAB_PORT_BASE: String(options.portBase),
      GATEWAY_PORT: String(options.gatewayPort),
      REDIS_URL: options.redisUrl,
      SESSION_TTL_SECONDS: options.sessionTtlSeconds === undefined ? undefined : String(options.sessionTtlSeconds),
      REPLICA_HOST: '127.0.0.1',
      BIND_HOST: '127.0.0.1',
      // One secret per lab run, the same for every process and every restart of one: the hop's
      // (LAB_SECRET), and the cookies' and tokens' (SESSION_SECRET, JWT_SECRET), so a restarted gateway keeps everyone logged in.
      LAB_SECRET: randomBytes(32).toString('base64url'),
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      ...MALLOC_ENV,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      ...options.env,
    };
  }

  /** Starts every process and resolves once the gateway reports ready. */
  static async start(options: LabOptions, readyTimeoutMs = 60000): Promise<Lab> {
    const lab = new Lab(options);
    try {
      for (const service of SERVICES) {
        lab.running[service] = Array.from({ length: lab.replicaCount[service] }, (_, i) => i + 1);
        for (const i of lab.running[service]) lab.startReplica(service, i);
      }
      lab.startGateway();
      await lab.waitReady(readyTimeoutMs);
      return lab;
    } catch (error) {
      await lab.stop();
      throw error;
    }
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.options.gatewayPort}`;
  }

  get mode(): StateMode {
    return this.options.mode;
  }

  /** Every process's Prometheus target. */
  targets(): LabTarget[] {
    const targets: LabTarget[] = [{ job: 'gateway', instance: 'gateway', address: `127.0.0.1:${this.options.gatewayPort}` }];
    for (const service of SERVICES) {
      for (const i of this.running[service]) {
        const address = replicaAddress({ portBase: this.options.portBase, replicaHostTemplate: '127.0.0.1' }, service, i);
        targets.push({ job: service, instance: address.id, address: `127.0.0.1:${address.metricsPort}` });
      }
    }
    return targets;
  }

  /** How often the supervisor restarted a process. */
  restarts(id: string): number {
    return this.processes.get(id)?.restarts ?? 0;
  }

  pidOf(id: string): number | undefined {
    return this.processes.get(id)?.pid;
  }

  /** Polls /readyz until it answers 200; past the deadline the error quotes its last answer. */
  async waitReady(timeoutMs = 30000): Promise<void> {
    await waitUntil(
      `${this.gatewayUrl}/readyz to answer 200`,
      async () => {
        const answer = await httpRequest(`${this.gatewayUrl}/readyz`, { timeoutMs: 1000 });
        if (answer.status !== 200) throw new Error(`${answer.status} ${answer.text}`);
        return true;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /**
   * Runs exactly replicas 1..count of a service: starts the missing ones (empty) and stops the
   * ones past count, whose memory goes with them, as a scaled-down pod's does (a rescale asks for
   * this: up before routing to new replicas, down after routing away from the removed ones).
   */
  async setReplicas(service: ServiceName, count: number): Promise<void> {
    if (count < 1 || count > MAX_REPLICAS) throw new Error(`from 1 to ${MAX_REPLICAS} replicas`);
    await this.runReplicas(
      service,
      Array.from({ length: count }, (_, i) => i + 1),
    );
  }

  /**
   * Runs exactly these replicas (indices from 1) of a service: starts the missing ones (empty)
   * and stops the others. A blue-green switch asks for the old and new set, then the new alone.
   */
  async runReplicas(service: ServiceName, indices: readonly number[]): Promise<void> {
    const wanted = [...new Set(indices)].sort((a, b) => a - b);
    if (wanted.length === 0 || wanted.some((i) => !Number.isInteger(i) || i < 1 || i > MAX_REPLICAS)) {
      throw new Error(`replica indices from 1 to ${MAX_REPLICAS}, at least one`);
    }
    const before = this.running[service];
    if (before.length === wanted.length && before.every((i, k) => i === wanted[k])) return;
    this.running[service] = wanted;
    this.replicaCount[service] = wanted.length;
    for (const i of wanted) if (!before.includes(i)) this.startReplica(service, i);
    const removed = [];
    for (const i of before) {
      if (wanted.includes(i)) continue;
      const id = `${service}-${i}`;
      removed.push(this.processes.get(id)?.stop());
      this.processes.delete(id);
    }
    await Promise.all(removed);
    this.onTopologyChange?.();
  }

  /** Stops every process (gateway first), SIGKILLing any that outlive the grace period. */
  async stop(): Promise<void> {
    // Every process first: a replica that dies while the gateway stops is not restarted.
    for (const process of this.processes.values()) process.markStopping();
    await this.processes.get('gateway')?.stop();
    await Promise.all([...this.processes.values()].map((p) => p.stop()));
  }

  private startReplica(service: ServiceName, index: number): void {
    const id = `${service}-${index}`;
    this.spawn(id, `apps/${service}/src/main.js`, { REPLICA_ID: id, NODE_OPTIONS: this.nodeOptions('replica') });
  }

  private startGateway(): void {
    this.spawn('gateway', 'apps/gateway/src/main.js', { REPLICA_ID: undefined, NODE_OPTIONS: this.nodeOptions('gateway') }, (message, child) =>
      this.onGatewayMessage(message, child),
    );
  }

  /** The kind's memory settings, then whatever NODE_OPTIONS the lab was given (a bench's profiler preload). */
  private nodeOptions(kind: keyof typeof NODE_OPTIONS): string {
    return [NODE_OPTIONS[kind], this.sharedEnv.NODE_OPTIONS].filter(Boolean).join(' ');
  }

  private spawn(id: string, entry: string, env: Record<string, string | undefined>, onMessage?: (message: unknown, child: ChildProcess) => void): void {
    const process = new SupervisedProcess({
      id,
      args: nodeEntry(entry),
      env: childEnvironment({ ...this.sharedEnv, ...env }),
      onLine: this.onLine,
      onMessage,
      restartDelayMs: this.options.restartDelayMs,
    });
    this.processes.set(id, process);
    process.start();
  }

  private onGatewayMessage(message: unknown, child: ChildProcess): void {
    const request = message as SupervisorRequest;
    if (request?.type !== 'set-replicas') return;
    const answer = (reply: SupervisorReply) => {
      if (child.connected) child.send(reply);
    };
    this.runReplicas(request.service, request.indices).then(
      () => answer({ type: 'set-replicas-done', requestId: request.requestId, ok: true }),
      (error: Error) => answer({ type: 'set-replicas-done', requestId: request.requestId, ok: false, error: error.message }),
    );
  }
}
