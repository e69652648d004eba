import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { LAB_CONFIG, LabConfig, parseReplicaId, SERVICES, ServiceName } from '@app/config';
import { ErrorCodes, LabPatterns } from '@app/contracts';
import { countMovedKeys } from '@app/routing';
import { GatewayTelemetry } from '@app/telemetry';
import { LabHttpException } from '../http/lab-http.exception';
import { ReplicaPool } from '../replicas/replica-pool';
import { SupervisorLink } from '../replicas/supervisor-link';
import { SessionRegistry } from '../sessions/session-registry';
import { AdminGuard } from './admin.guard';
import { PhaseDto, ScaleDto } from './lab.dto';

export interface TopologyReplica {
  id: string;
  address: string;
  metricsUrl: string;
  up: boolean;
  active: boolean;
  pid?: number;
  startedAt?: string;
}

export interface ScaleResult {
  service: ServiceName;
  routing: string;
  from: number;
  to: number;
  knownKeys: number;
  keysMoved: number;
  keysMovedRatio: number;
}

/** Lab control: look at the topology, crash a replica, rescale, mark experiment phases. */
@Controller('lab')
@UseGuards(AdminGuard)
export class LabController {
  private scaling = Promise.resolve();

  constructor(
    @Inject(LAB_CONFIG) private readonly config: LabConfig,
    private readonly pool: ReplicaPool,
    private readonly supervisor: SupervisorLink,
    private readonly registry: SessionRegistry,
    private readonly telemetry: GatewayTelemetry,
  ) {}

  @Get('topology')
  topology(): { mode: string; routing: string; services: Record<ServiceName, TopologyReplica[]> } {
    const services = {} as Record<ServiceName, TopologyReplica[]>;
    for (const service of SERVICES) {
      services[service] = this.pool.view(service).map(({ address, up, active, health }) => ({
        id: address.id,
        address: `${address.host}:${address.rpcPort}`,
        metricsUrl: `http://${address.host}:${address.metricsPort}/metrics`,
        up,
        active,
        pid: health?.pid,
        startedAt: health?.startedAt,
      }));
    }
    return { mode: this.config.stateMode, routing: this.config.routing, services };
  }

  /** The replica dies at once (SIGKILL, no shutdown hooks); its supervisor starts an empty one. */
  @Post('replicas/:id/crash')
  @HttpCode(202)
  async crash(@Param('id') id: string): Promise<{ id: string; pid: number; crashed: true }> {
    if (!parseReplicaId(id) || !this.pool.find(id)) throw new LabHttpException(404, ErrorCodes.notFound, `no replica ${id.slice(0, 32)}`);
    const { pid } = await this.pool.sendTo<{ id: string; pid: number }>(id, LabPatterns.crash, {}, 1000);
    this.pool.markDown(id);
    return { id, pid, crashed: true };
  }

  /** Routes to a new number of replicas, starting missing ones first; reports the keys that changed owner. */
  @Post('scale')
  @HttpCode(200)
  async scale(@Body() body: ScaleDto): Promise<ScaleResult> {
    // One rescale at a time: each computes moves against the routing the previous one left.
    const run = this.scaling.then(() => this.applyScale(body));
    this.scaling = run.then(() => undefined, () => undefined);
    return run;
  }

  @Post('phase')
  @HttpCode(204)
  phase(@Body() body: PhaseDto): void {
    this.telemetry.setExperimentPhase(body.experiment, body.phase, body.active);
  }

  private async applyScale({ service, replicas }: ScaleDto): Promise<ScaleResult> {
    const before = this.pool.routedMembers(service);
    if (replicas > before.length) {
      try {
        await this.supervisor.ensureReplicas(service, replicas);
      } catch (error) {
        throw new LabHttpException(503, ErrorCodes.replicaUnavailable, (error as Error).message);
      }
      this.pool.ensureLinks(service, replicas);
      await this.pool.waitUntilUp(service, replicas, 20000);
    }
    this.pool.setRouted(service, replicas);
    const after = this.pool.routedMembers(service);
    const routing = this.pool.routingOf(service);
    const moved = countMovedKeys(routing, this.registry.liveIds(), before, after);
    this.telemetry.recordRescale(service, moved.moved, moved.ratio);
    return { service, routing, from: before.length, to: after.length, knownKeys: moved.total, keysMoved: moved.moved, keysMovedRatio: moved.ratio };
  }
}
