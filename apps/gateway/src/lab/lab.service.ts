import { Injectable } from '@nestjs/common';
import { parseReplicaId, SERVICES, ServiceName } from '@app/config';
import { CrashResult, ErrorCodes, LabPatterns, ScaleResult, Topology } from '@app/contracts';
import { countMovedKeys } from '@app/routing';
import { GatewayTelemetry } from '@app/telemetry';
import { LabHttpException } from '../http/lab-http.exception';
import { ReplicaCaller } from '../replicas/replica-caller';
import { ReplicaDirectory } from '../replicas/replica-directory';
import { ReplicaHealthChecks } from '../replicas/replica-health';
import { SupervisorLink } from '../replicas/supervisor-link';
import { SessionRegistry } from '../sessions/session-registry';

/** The lab's operations on the topology: describe it, crash a replica, rescale a service. */
@Injectable()
export class LabService {
  /** One rescale at a time: each computes moves against the routing the previous one left. */
  private scaling: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly directory: ReplicaDirectory,
    private readonly health: ReplicaHealthChecks,
    private readonly caller: ReplicaCaller,
    private readonly supervisor: SupervisorLink,
    private readonly registry: SessionRegistry,
    private readonly telemetry: GatewayTelemetry,
  ) {}

  topology(mode: string, routing: string): Topology {
    const services = {} as Topology['services'];
    for (const service of SERVICES) {
      services[service] = this.directory.view(service).map(({ link, active }) => ({
        id: link.id,
        address: `${link.address.host}:${link.address.rpcPort}`,
        metricsUrl: `http://${link.address.host}:${link.address.metricsPort}/metrics`,
        up: link.up,
        active,
        pid: link.health?.pid,
        startedAt: link.health?.startedAt,
        held: link.health?.held,
      }));
    }
    return { mode, routing, services };
  }

  /** The replica dies at once (SIGKILL, no shutdown hooks); its supervisor starts an empty one. */
  async crash(id: string): Promise<CrashResult> {
    const link = parseReplicaId(id) ? this.directory.find(id) : undefined;
    if (!link) throw new LabHttpException(404, ErrorCodes.notFound, `no replica ${id.slice(0, 32)}`);
    const { pid } = await this.caller.callReplica<{ id: string; pid: number }>(id, LabPatterns.crash, {});
    this.health.markDown(link);
    return { id, pid, crashed: true };
  }

  /**
   * Routes to a new number of replicas and reports the keys that changed owner. Up: the missing
   * replicas are started (empty) and answer before any key is routed to them. Down: routing
   * leaves the removed replicas first, then they stop, their memory with them, as scaled-down
   * pods do; a later rescale up starts empty ones, so no stale cart can come back.
   */
  scale(service: ServiceName, replicas: number): Promise<ScaleResult> {
    const run = this.scaling.then(() => this.applyScale(service, replicas));
    this.scaling = run.catch(() => undefined);
    return run;
  }

  private async setRunningReplicas(service: ServiceName, count: number): Promise<void> {
    try {
      await this.supervisor.setReplicas(service, count);
    } catch (error) {
      throw new LabHttpException(503, ErrorCodes.replicaUnavailable, (error as Error).message);
    }
  }

  /**
   * Replicas a rescale down removed: the native launcher stops them. Without one (compose), they
   * are crashed instead, so their supervisor brings them back empty and unrouted, which is what a
   * fresh pod would be when a later rescale routes to it again.
   */
  private async retire(service: ServiceName, removed: string[]): Promise<void> {
    if (this.supervisor.available) return this.setRunningReplicas(service, this.directory.routedIds(service).length);
    await Promise.all(removed.map((id) => this.caller.callReplica(id, LabPatterns.crash, {}, 1000).catch(() => undefined)));
  }

  private async applyScale(service: ServiceName, replicas: number): Promise<ScaleResult> {
    const before = [...this.directory.routedIds(service)];
    if (replicas > before.length) {
      await this.setRunningReplicas(service, replicas);
      this.directory.ensureLinks(service, replicas);
      await this.health.waitUntilUp(service, replicas, 20000);
    }
    this.directory.setRouted(service, replicas);
    if (replicas < before.length) await this.retire(service, before.slice(replicas));
    const after = this.directory.routedIds(service);
    const routing = this.directory.routingOf(service);
    const moved = countMovedKeys(routing, this.registry.liveIds(), before, after);
    this.telemetry.recordRescale(service, moved.moved, moved.ratio);
    return { service, routing, from: before.length, to: after.length, knownKeys: moved.total, keysMoved: moved.moved, keysMovedRatio: moved.ratio };
  }
}
