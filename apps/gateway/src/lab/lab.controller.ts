import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { LAB_CONFIG, LabConfig } from '@app/config';
import { CrashResult, ScaleResult, Topology } from '@app/contracts';
import { GatewayTelemetry } from '@app/telemetry';
import { PHASE_SCHEMA, PhaseBody, SCALE_SCHEMA, ScaleBody } from '../http/schemas';
import { LabService } from './lab.service';

/**
 * Lab control: look at the topology, crash a replica, rescale, mark experiment phases. Guarded by
 * LAB_ADMIN_TOKEN when set (lab-access.ts, before the body is parsed).
 */
@Controller('lab')
export class LabController {
  constructor(
    @Inject(LAB_CONFIG) private readonly config: LabConfig,
    private readonly lab: LabService,
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

  @Post('phase')
  @HttpCode(204)
  @RouteSchema(PHASE_SCHEMA)
  phase(@Body() body: PhaseBody): void {
    this.telemetry.setExperimentPhase(body.experiment, body.phase, body.active);
  }
}
