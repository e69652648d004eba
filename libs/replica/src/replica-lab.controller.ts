import { Controller, Get, Header, Inject, OnModuleInit, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import type { FastifyReply } from 'fastify';
import type { ReplicaAddress } from '@app/config';
import { LabPatterns, ReplicaHealth } from '@app/contracts';
import { ReplicaTelemetry } from '@app/telemetry';
import { REPLICA_ADDRESS, STORE_PROBE, StoreProbe } from './replica.tokens';

const startedAt = new Date().toISOString();

/** Health and the crash switch over TCP; /metrics and health over HTTP, on every replica. */
@Controller()
export class ReplicaLabController implements OnModuleInit {
  private store: StoreProbe | undefined;

  constructor(
    @Inject(REPLICA_ADDRESS) private readonly address: ReplicaAddress,
    private readonly telemetry: ReplicaTelemetry,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The service module provides STORE_PROBE when it depends on a store; product does not. */
  onModuleInit(): void {
    try {
      this.store = this.moduleRef.get<StoreProbe>(STORE_PROBE, { strict: false });
    } catch {
      this.store = undefined;
    }
  }

  @MessagePattern(LabPatterns.health)
  health(): Promise<ReplicaHealth> {
    return this.describe();
  }

  /** Dies at once, as a crash would: no shutdown hooks, memory gone. The reply leaves first. */
  @MessagePattern(LabPatterns.crash)
  crash(): { id: string; pid: number } {
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 20);
    return { id: this.address.id, pid: process.pid };
  }

  @Get('metrics')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    const body = await this.telemetry.metrics.render();
    void reply.header('content-type', this.telemetry.metrics.contentType).send(body);
  }

  @Get('healthz')
  @Header('cache-control', 'no-store')
  healthz(): { status: 'ok'; id: string } {
    return { status: 'ok', id: this.address.id };
  }

  @Get('readyz')
  async readyz(@Res() reply: FastifyReply): Promise<void> {
    const health = await this.describe();
    void reply.status(health.store === 'down' ? 503 : 200).send(health);
  }

  private async describe(): Promise<ReplicaHealth> {
    const store = this.store ? ((await this.store.ping()) ? 'up' : 'down') : 'none';
    return { id: this.address.id, pid: process.pid, store, startedAt };
  }
}
