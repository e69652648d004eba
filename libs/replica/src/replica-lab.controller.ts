import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { ReplicaAddress } from '@app/config';
import { ErrorCodes, labError, LabPatterns, ReplicaFaults, ReplicaHealth } from '@app/contracts';
import { ReplicaFaultState } from './replica-faults';
import { ReplicaHealthService } from './replica-health';
import { REPLICA_ADDRESS } from './replica.tokens';

/** Health and the crash switch over the hop, on every replica. */
@Controller()
export class ReplicaLabController {
  private crashing = false;

  constructor(
    @Inject(REPLICA_ADDRESS) private readonly address: ReplicaAddress,
    private readonly health: ReplicaHealthService,
    private readonly faults: ReplicaFaultState,
  ) {}

  /** The gateway's health check, which also carries the faults this replica must apply. */
  @MessagePattern(LabPatterns.health)
  describe(@Payload() check: { faults?: ReplicaFaults } | null): Promise<ReplicaHealth> {
    if (check?.faults) this.faults.apply(check.faults);
    return this.health.describe();
  }

  /**
   * Dies at once, as a crash would: no shutdown hooks, memory gone. The reply leaves first; a
   * second crash in that moment is told the replica is already going (not a second 202).
   */
  @MessagePattern(LabPatterns.crash)
  crash(): { id: string; pid: number } {
    if (this.crashing) throw labError(503, ErrorCodes.replicaCrashing, `${this.address.id} is already crashing`);
    this.crashing = true;
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 20);
    return { id: this.address.id, pid: process.pid };
  }
}
