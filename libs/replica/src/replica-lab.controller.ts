import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import type { ReplicaAddress } from '@app/config';
import { LabPatterns, ReplicaHealth } from '@app/contracts';
import { ReplicaHealthService } from './replica-health';
import { REPLICA_ADDRESS } from './replica.tokens';

/** Health and the crash switch over the hop, on every replica. */
@Controller()
export class ReplicaLabController {
  constructor(
    @Inject(REPLICA_ADDRESS) private readonly address: ReplicaAddress,
    private readonly health: ReplicaHealthService,
  ) {}

  @MessagePattern(LabPatterns.health)
  describe(): Promise<ReplicaHealth> {
    return this.health.describe();
  }

  /** Dies at once, as a crash would: no shutdown hooks, memory gone. The reply leaves first. */
  @MessagePattern(LabPatterns.crash)
  crash(): { id: string; pid: number } {
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 20);
    return { id: this.address.id, pid: process.pid };
  }
}
