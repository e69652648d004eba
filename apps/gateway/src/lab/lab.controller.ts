import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { GatewayConfig, LAB_CONFIG, LabConfig } from '@app/config';
import { BlueGreenResult, CrashResult, FaultDescription, RestartResult, ScaleResult, Topology } from '@app/contracts';
import { GatewayTelemetry } from '@app/telemetry';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { FAULT_SCHEMA, FaultBody, PHASE_SCHEMA, PhaseBody, RESTART_SCHEMA, RestartBody, SCALE_SCHEMA, ScaleBody } from '../http/schemas';
import { ReplicaHealthChecks } from '../replicas/replica-health';
import { FaultsService } from './faults.service';
import { STATUS_PAGE_HTML, STATUS_PAGE_JS } from './status-page';

/** The status page runs only its own script and talks only to this gateway. */
const PAGE_POLICY = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";
import { LabService } from './lab.service';

/**
 * Lab control: look at the topology, crash a replica, rescale, inject faults, mark experiment phases. Guarded by
 * LAB_ADMIN_TOKEN when set (lab-access.ts, before the body is parsed).
 */
@Controller('lab')
export class LabController {
  constructor(
    @Inject(LAB_CONFIG) private readonly config: LabConfig,
    @Inject(GATEWAY_CONFIG) private readonly gatewayConfig: GatewayConfig,
    private readonly lab: LabService,
    private readonly faults: FaultsService,
    private readonly health: ReplicaHealthChecks,
    private readonly telemetry: GatewayTelemetry,
  ) {}

  /** The status page: topology, state per replica, faults, and buttons for the lab's operations. */
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', PAGE_POLICY)
  @Header('cache-control', 'no-store')
  page(): string {
    return STATUS_PAGE_HTML;
  }

  @Get('status.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'no-store')
  pageScript(): string {
    return STATUS_PAGE_JS;
  }

  @Get('topology')
  topology(): Topology {
    return this.lab.topology(this.config.stateMode, this.config.routing);
  }

  @Post('replicas/:id/crash')
  @HttpCode(202)
  crash(@Param('id') id: string): Promise<CrashResult> {
    return this.lab.crash(id);
  }

  /** A deploy's step: replace one replica by a fresh process (kill, drain or handoff); answers when it serves again. */
  @Post('replicas/:id/restart')
  @HttpCode(200)
  @RouteSchema(RESTART_SCHEMA)
  restart(@Param('id') id: string, @Body() body: RestartBody): Promise<RestartResult> {
    return this.lab.restart(id, body.style, body.drainSeconds ?? this.gatewayConfig.drainSeconds, this.config.stateMode);
  }

  /** Every user and cart replica replaced by a fresh set at once (the native launcher starts it). */
  @Post('blue-green')
  @HttpCode(200)
  blueGreen(): Promise<BlueGreenResult> {
    return this.lab.blueGreen();
  }

  @Post('scale')
  @HttpCode(200)
  @RouteSchema(SCALE_SCHEMA)
  scale(@Body() body: ScaleBody): Promise<ScaleResult> {
    return this.lab.scale(body.service, body.replicas);
  }

  @Get('faults')
  listFaults(): { faults: FaultDescription[] } {
    return { faults: this.faults.list() };
  }

  /** Sets one fault (0 turns it off) and hands it to the replicas at once, not at the next health round. */
  @Put('faults/:name')
  @RouteSchema(FAULT_SCHEMA)
  async setFault(@Param('name') name: string, @Body() body: FaultBody): Promise<FaultDescription> {
    const fault = this.faults.set(name, body.value);
    await this.health.checkAll();
    return fault;
  }

  @Delete('faults')
  @HttpCode(204)
  async resetFaults(): Promise<void> {
    this.faults.reset();
    await this.health.checkAll();
  }

  @Post('phase')
  @HttpCode(204)
  @RouteSchema(PHASE_SCHEMA)
  phase(@Body() body: PhaseBody): void {
    this.telemetry.setExperimentPhase(body.experiment, body.phase, body.active);
  }
}
