import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { LAB_CONFIG, LabConfig } from '@app/config';
import { CrashResult, FaultDescription, ScaleResult, Topology } from '@app/contracts';
import { GatewayTelemetry } from '@app/telemetry';
import { FAULT_SCHEMA, FaultBody, PHASE_SCHEMA, PhaseBody, SCALE_SCHEMA, ScaleBody } from '../http/schemas';
import { ReplicaHealthChecks } from '../replicas/replica-health';
import { FaultsService } from './faults.service';
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
