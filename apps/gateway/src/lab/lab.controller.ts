import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { LAB_CONFIG, LabConfig } from '@app/config';
import { CrashResult, FaultDescription, ScaleResult, Topology } from '@app/contracts';
import { GatewayTelemetry } from '@app/telemetry';
import { FAULT_SCHEMA, FaultBody, PHASE_SCHEMA, PhaseBody, SCALE_SCHEMA, ScaleBody } from '../http/schemas';
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
