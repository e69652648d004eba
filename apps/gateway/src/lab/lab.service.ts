import { Injectable } from '@nestjs/common';
import { MAX_REPLICAS, parseReplicaId, SERVICES, ServiceName, StateMode } from '@app/config';
import { BlueGreenResult, CrashResult, ErrorCodes, HandoffExport, LabPatterns, RestartResult, RestartStyle, ScaleResult, Topology } from '@app/contracts';
import { countMovedKeys } from '@app/routing';
import { GatewayTelemetry } from '@app/telemetry';
import { LabHttpException } from '../http/lab-http.exception';
import { ReplicaCaller } from '../replicas/replica-caller';
import { ReplicaDirectory } from '../replicas/replica-directory';
import { ReplicaHealthChecks } from '../replicas/replica-health';
import { ReplicaLink } from '../replicas/replica-link';
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
        draining: this.directory.isDraining(link.id),
        pid: link.health?.pid,
        startedAt: link.health?.startedAt,
        held: link.health?.held,
      }));
    }
    return { mode, routing, services };
  }

  /** The replica dies at once (SIGKILL, no shutdown hooks); its supervisor starts an empty one. */
  async crash(id: string): Promise<CrashResult> {
    const link = this.link(id);
    const { pid } = await this.caller.callReplica<{ id: string; pid: number }>(id, LabPatterns.crash, {});
    this.health.markDown(link);
    return { id, pid, crashed: true };
  }

  /**
   * One step of a deploy: the replica is replaced by a fresh process under the same id.
   * - `kill`: at once; whatever it held in memory is gone.
   * - `drain`: no new session is placed on it (login draws ids that land elsewhere; round-robin
   *   skips it) and the gateway waits, up to `drainSeconds`, until it holds nothing (stateful:
   *   its sessions or carts ended or expired; redis: its calls in flight finished), then kills it.
   * - `handoff` (stateful): it exports every entry and refuses later calls in the same step, is
   *   replaced, and its successor imports the entries before the gateway routes to it again
   *   (calls meanwhile get 503 replica_restarting): the lab's session replication.
   * One restart or rescale at a time.
   */
  restart(id: string, style: RestartStyle, drainSeconds: number, mode: StateMode): Promise<RestartResult> {
    const link = this.link(id);
    if (style === 'handoff' && mode !== 'stateful') {
      throw new LabHttpException(
        409,
        ErrorCodes.restartStyleUnsupported,
        `handoff moves a replica's own memory; in ${mode} mode the state is shared and nothing moves`,
      );
    }
    return this.serially(() => this.applyRestart(link, style, drainSeconds));
  }

  /**
   * Blue-green: a fresh set of user and cart replicas starts beside the serving one, routing
   * switches to it at once when every new replica answers, and the old set stops. Stateful
   * replicas take their memory with them; in redis mode nothing is lost. Needs the native
   * launcher (it starts the second set).
   */
  blueGreen(): Promise<BlueGreenResult> {
    if (!this.supervisor.available) {
      throw new LabHttpException(
        409,
        ErrorCodes.restartStyleUnsupported,
        'blue-green needs the native launcher (npm run lab) to start a second set of replicas',
      );
    }
    return this.serially(() => this.applyBlueGreen());
  }

  /**
   * Routes to a new number of replicas and reports the keys that changed owner. Up: the missing
   * replicas are started (empty) and answer before any key is routed to them. Down: routing
   * leaves the removed replicas first, then they stop, their memory with them, as scaled-down
   * pods do; a later rescale up starts empty ones, so no stale cart can come back.
   */
  scale(service: ServiceName, replicas: number): Promise<ScaleResult> {
    return this.serially(() => this.applyScale(service, replicas));
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.scaling.then(operation);
    this.scaling = run.catch(() => undefined);
    return run;
  }

  private link(id: string): ReplicaLink {
    const link = parseReplicaId(id) ? this.directory.find(id) : undefined;
    if (!link) throw new LabHttpException(404, ErrorCodes.notFound, `no replica ${id.slice(0, 32)}`);
    return link;
  }

  /** Runs `count` replicas of the service from its first routed index (replicas 1..count unless a blue-green switch moved them). */
  private async setRunningReplicas(service: ServiceName, count: number, first = this.directory.firstIndex(service)): Promise<void> {
    try {
      await this.supervisor.setReplicas(service, indexRange(first, count));
    } catch (error) {
      throw new LabHttpException(503, ErrorCodes.replicaUnavailable, (error as Error).message);
    }
  }

  private async applyRestart(link: ReplicaLink, style: RestartStyle, drainSeconds: number): Promise<RestartResult> {
    const started = Date.now();
    await this.health.checkAll();
    const pidBefore = link.health?.pid;
    if (!link.up || pidBefore === undefined) throw new LabHttpException(503, ErrorCodes.replicaUnavailable, `${link.id} is not up`);
    let drainedMs = 0;
    let handedOff = 0;
    let heldAtStop: number | null;
    this.directory.setDraining(link.id, true);
    try {
      if (style === 'drain') drainedMs = await this.drain(link, drainSeconds * 1000);
      let exported: HandoffExport | undefined;
      if (style === 'handoff') {
        link.restarting = true;
        exported = await this.caller.callReplica<HandoffExport>(link.id, LabPatterns.handoffExport, {}, 10_000);
        heldAtStop = exported.shared ? null : exported.entries;
      } else {
        await this.health.checkAll();
        heldAtStop = link.health?.held?.shared ? null : (link.health?.held?.count ?? 0);
      }
      await this.crash(link.id);
      const pidAfter = await this.waitForSuccessor(link, pidBefore);
      if (exported && !exported.shared) {
        handedOff = (await this.caller.callReplica<{ taken: number }>(link.id, LabPatterns.handoffImport, { snapshot: exported.snapshot }, 10_000)).taken;
      }
      return { id: link.id, style, pidBefore, pidAfter, drainedMs, heldAtStop, handedOff, tookMs: Date.now() - started };
    } finally {
      link.restarting = false;
      this.directory.setDraining(link.id, false);
    }
  }

  /** Waits until the replica holds nothing it would lose (sticky: no entries; any: no call in flight) or the deadline; returns the time waited. */
  private async drain(link: ReplicaLink, timeoutMs: number): Promise<number> {
    const started = Date.now();
    const sticky = this.directory.routingOf(link.address.service) !== 'round-robin';
    let lastCheck = 0;
    while (Date.now() - started < timeoutMs) {
      if (sticky && Date.now() - lastCheck >= 250) {
        await this.health.checkAll();
        lastCheck = Date.now();
      }
      const held = link.health?.held;
      const empty = !sticky || held === undefined || held.shared || held.count === 0;
      if (empty && link.client.inFlight === 0) break;
      await sleep(sticky ? 50 : 10);
    }
    return Date.now() - started;
  }

  /** The new pid, once the supervisor's fresh process answers a health check. */
  private async waitForSuccessor(link: ReplicaLink, pidBefore: number): Promise<number> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      await this.health.checkAll();
      const pid = link.health?.pid;
      if (link.up && pid !== undefined && pid !== pidBefore) return pid;
      if (Date.now() > deadline) throw new LabHttpException(503, ErrorCodes.replicaUnavailable, `${link.id} did not come back within 60 s`);
      await sleep(50);
    }
  }

  private async applyBlueGreen(): Promise<BlueGreenResult> {
    const started = Date.now();
    const switched: Array<ServiceName> = ['user', 'cart'];
    const plans = switched.map((service) => {
      const count = this.directory.routedIds(service).length;
      const first = this.directory.firstIndex(service);
      const greenFirst = count < first ? 1 : first + count;
      if (greenFirst + count - 1 > MAX_REPLICAS) {
        throw new LabHttpException(409, ErrorCodes.restartStyleUnsupported, `a second set of ${count} ${service} replicas would pass ${MAX_REPLICAS}`);
      }
      return { service, count, first, greenFirst, blue: [...this.directory.routedIds(service)] };
    });
    for (const plan of plans) {
      await this.supervisor.setReplicas(plan.service, [...indexRange(plan.first, plan.count), ...indexRange(plan.greenFirst, plan.count)]);
      this.directory.ensureLinks(plan.service, plan.greenFirst - 1 + plan.count);
    }
    const greenLinks = plans.flatMap((plan) => indexRange(plan.greenFirst, plan.count).map((i) => this.directory.find(`${plan.service}-${i}`) as ReplicaLink));
    const deadline = Date.now() + 60_000;
    for (;;) {
      await this.health.checkAll();
      if (greenLinks.every((link) => link.up)) break;
      if (Date.now() > deadline) throw new LabHttpException(503, ErrorCodes.replicaUnavailable, 'the green set did not answer within 60 s');
      await sleep(50);
    }
    const greenReadyMs = Date.now() - started;
    await this.health.checkAll();
    const blueHeld = plans.flatMap((plan) => plan.blue.map((id) => this.directory.find(id)?.health?.held));
    const held = blueHeld.some((h) => h?.shared) ? null : blueHeld.reduce((sum, h) => sum + (h?.count ?? 0), 0);
    for (const plan of plans) this.directory.routeRange(plan.service, plan.greenFirst, plan.count);
    // Calls already on their way to the old set finish before it stops (at most 5 s), as a load balancer's connection draining does.
    const blueLinks = plans.flatMap((plan) => plan.blue.map((id) => this.directory.find(id) as ReplicaLink));
    const drainedBy = Date.now() + 5_000;
    while (blueLinks.some((link) => link.client.inFlight > 0) && Date.now() < drainedBy) await sleep(10);
    for (const plan of plans) await this.setRunningReplicas(plan.service, plan.count, plan.greenFirst);
    return {
      blue: plans.flatMap((plan) => plan.blue),
      green: plans.flatMap((plan) => [...this.directory.routedIds(plan.service)]),
      greenReadyMs,
      heldAtSwitch: held,
      tookMs: Date.now() - started,
    };
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
      this.directory.ensureLinks(service, this.directory.firstIndex(service) - 1 + replicas);
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

/** Replica indices first..first+count-1. */
function indexRange(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
