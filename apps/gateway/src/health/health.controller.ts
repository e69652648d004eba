import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { LAB_CONFIG, LabConfig, SERVICES, usesRedis } from '@app/config';
import { GatewayTelemetry } from '@app/telemetry';
import { ReplicaDirectory } from '../replicas/replica-directory';

/** Liveness, readiness (every routed replica and, in redis and jwt modes, Redis) and /metrics. */
@Controller()
export class HealthController {
  constructor(
    @Inject(LAB_CONFIG) private readonly config: LabConfig,
    private readonly directory: ReplicaDirectory,
    private readonly telemetry: GatewayTelemetry,
  ) {}

  @Get('healthz')
  @Header('cache-control', 'no-store')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  readyz(@Res() reply: FastifyReply): void {
    const down: string[] = [];
    let storeDown = false;
    for (const service of SERVICES) {
      for (const link of this.directory.routed(service)) {
        if (!link.up) down.push(link.id);
        if (link.health?.store === 'down') storeDown = true;
      }
    }
    const ready = down.length === 0 && !storeDown;
    void reply
      .status(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ready' : 'unavailable', mode: this.config.stateMode, replicasDown: down, stateStore: usesRedis(this.config.stateMode) ? (storeDown ? 'down' : 'up') : 'memory' });
  }

  @Get('metrics')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    const body = await this.telemetry.metrics.render();
    void reply.header('content-type', this.telemetry.metrics.contentType).send(body);
  }
}
