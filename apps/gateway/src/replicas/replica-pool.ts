import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { LAB_CONFIG, LabConfig, replicaAddress, ReplicaAddress, Routing, SERVICES, ServiceName } from '@app/config';
import { ErrorCodes, isLabErrorBody, LabPatterns, ReplicaHealth } from '@app/contracts';
import { createSelector, ReplicaSelector } from '@app/routing';
import { attachTraceCarrier, GatewayTelemetry, rpcClientSpanName, RpcOutcome, withClientSpan } from '@app/telemetry';
import { LabHttpException } from '../http/lab-http.exception';

const HEALTH_INTERVAL_MS = 1000;
const HEALTH_TIMEOUT_MS = 800;

export interface ReplicaView {
  address: ReplicaAddress;
  /** Answered the last health check. */
  up: boolean;
  /** The gateway routes to it. */
  active: boolean;
  health?: ReplicaHealth;
}

interface ReplicaLink {
  address: ReplicaAddress;
  client: ClientProxy;
  up: boolean;
  health?: ReplicaHealth;
}

interface ServiceReplicas {
  routing: Routing;
  selector: ReplicaSelector;
  /** Replicas 1..routed receive traffic. */
  routed: number;
  links: ReplicaLink[];
}

export interface SendOptions {
  /** The routing key (the session id) for sticky routing. */
  key?: string;
  /** Collects the id of the replica that served the call (`x-served-by`). */
  servedBy?: string[];
}

/**
 * The gateway's client-side load balancer for the TCP hop: one connection per replica, the
 * routing policy per service, health checks, and the errors of the hop turned into HTTP ones
 * (a replica that is down or silent is a fast 503, never a hang).
 */
@Injectable()
export class ReplicaPool implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReplicaPool');
  private readonly services = {} as Record<ServiceName, ServiceReplicas>;
  private healthTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(LAB_CONFIG) private readonly config: LabConfig,
    private readonly telemetry: GatewayTelemetry,
  ) {
    for (const service of SERVICES) {
      // The catalog is reference data: any replica can answer, so it is always round-robin.
      const routing: Routing = service === 'product' ? 'round-robin' : config.routing;
      this.services[service] = { routing, selector: createSelector(routing), routed: 0, links: [] };
      this.setRouted(service, config.replicas[service]);
    }
  }

  onApplicationBootstrap(): void {
    void this.checkHealth();
    this.healthTimer = setInterval(() => void this.checkHealth(), HEALTH_INTERVAL_MS);
    this.healthTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.healthTimer);
    for (const service of SERVICES) for (const link of this.services[service].links) await link.client.close();
  }

  routingOf(service: ServiceName): Routing {
    return this.services[service].routing;
  }

  /** Ids of the replicas that receive traffic, in order. */
  routedMembers(service: ServiceName): string[] {
    const entry = this.services[service];
    return entry.links.slice(0, entry.routed).map((link) => link.address.id);
  }

  /** Opens links (lazily connected) to replicas 1..count without routing to new ones. */
  ensureLinks(service: ServiceName, count: number): void {
    const entry = this.services[service];
    for (let index = entry.links.length + 1; index <= count; index++) {
      const address = replicaAddress(this.config, service, index);
      const client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: address.host, port: address.rpcPort } });
      entry.links.push({ address, client, up: false });
    }
  }

  /** Routes to replicas 1..count. */
  setRouted(service: ServiceName, count: number): void {
    const entry = this.services[service];
    this.ensureLinks(service, count);
    entry.routed = count;
    this.telemetry.setRoutedReplicas(service, count);
  }

  /** Every replica the gateway knows of, routed or not. */
  view(service: ServiceName): ReplicaView[] {
    const entry = this.services[service];
    return entry.links.map((link, i) => ({ address: link.address, up: link.up, active: i < entry.routed, health: link.health }));
  }

  find(id: string): ReplicaLink | undefined {
    for (const service of SERVICES) {
      const link = this.services[service].links.find((l) => l.address.id === id);
      if (link) return link;
    }
    return undefined;
  }

  /** Sends a request to the replica the routing policy picks for the key. */
  async send<T>(service: ServiceName, pattern: string, payload: object, options: SendOptions = {}): Promise<T> {
    const entry = this.services[service];
    const members = this.candidates(entry);
    const id = entry.selector.pick(members, options.key);
    const link = entry.links.find((l) => l.address.id === id) as ReplicaLink;
    options.servedBy?.push(id);
    this.telemetry.countRouted(service, id, entry.routing);
    return this.call<T>(link, pattern, payload, this.config.rpcTimeoutMs);
  }

  /**
   * Round-robin skips replicas the health checks see down, as a health-checked load balancer
   * would. Sticky routing keeps the owner even while it is down (a 503): sending the key
   * elsewhere would not find its state in stateful mode, and under modulo it would remap
   * most keys, not just the dead replica's.
   */
  private candidates(entry: ServiceReplicas): string[] {
    const routed = entry.links.slice(0, entry.routed);
    if (entry.routing === 'round-robin') {
      const up = routed.filter((link) => link.up);
      if (up.length > 0) return up.map((link) => link.address.id);
    }
    return routed.map((link) => link.address.id);
  }

  /** Sends to one named replica, bypassing routing (lab control). */
  sendTo<T>(id: string, pattern: string, payload: object, timeoutMs = this.config.rpcTimeoutMs): Promise<T> {
    const link = this.find(id);
    if (!link) throw new LabHttpException(404, ErrorCodes.notFound, `no replica ${id}`);
    return this.call<T>(link, pattern, payload, timeoutMs);
  }

  markDown(id: string): void {
    const link = this.find(id);
    if (link) this.setUp(link, false);
  }

  /** Resolves once every routed replica of the service answered a health check, or throws. */
  async waitUntilUp(service: ServiceName, count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const entry = this.services[service];
    for (;;) {
      await this.checkHealth();
      if (entry.links.slice(0, count).every((link) => link.up)) return;
      if (Date.now() > deadline) {
        const down = entry.links.slice(0, count).filter((l) => !l.up).map((l) => l.address.id);
        throw new LabHttpException(503, ErrorCodes.replicaUnavailable, `${down.join(', ')} did not answer within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async call<T>(link: ReplicaLink, pattern: string, payload: object, timeoutMs: number): Promise<T> {
    const { address } = link;
    const started = process.hrtime.bigint();
    let outcome: RpcOutcome = 'ok';
    try {
      return await withClientSpan(
        rpcClientSpanName(pattern),
        { service: address.service, method: pattern, replica: address.id, address: address.host, port: address.rpcPort },
        async (carrier) => {
          return (await firstValueFrom(link.client.send<T>(pattern, attachTraceCarrier(payload, carrier)).pipe(timeout(timeoutMs)), { defaultValue: null })) as T;
        },
      );
    } catch (error) {
      if (isLabErrorBody(error)) {
        outcome = 'error';
        throw new LabHttpException(error.status, error.code, error.message);
      }
      outcome = error instanceof TimeoutError ? 'timeout' : 'unavailable';
      this.setUp(link, false);
      throw new LabHttpException(
        503,
        ErrorCodes.replicaUnavailable,
        outcome === 'timeout' ? `${address.id} did not answer within ${timeoutMs} ms` : `${address.id} is unavailable`,
      );
    } finally {
      this.telemetry.recordRpc(address.service, address.id, pattern, outcome, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private async checkHealth(): Promise<void> {
    const checks: Promise<void>[] = [];
    for (const service of SERVICES) {
      for (const link of this.services[service].links) {
        checks.push(
          firstValueFrom(link.client.send<ReplicaHealth>(LabPatterns.health, {}).pipe(timeout(HEALTH_TIMEOUT_MS)))
            .then((health) => {
              link.health = health;
              this.setUp(link, true);
            })
            .catch(() => this.setUp(link, false)),
        );
      }
    }
    await Promise.all(checks);
  }

  private setUp(link: ReplicaLink, up: boolean): void {
    if (link.up !== up && link.health !== undefined) {
      this.logger.log(`${link.address.id} is ${up ? 'up' : 'down'}`);
    }
    link.up = up;
    this.telemetry.setReplicaUp(link.address.service, link.address.id, up);
  }
}
