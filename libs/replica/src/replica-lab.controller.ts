import { Controller, Inject, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { STATE_TRANSFER, StateSnapshot, TransferableState } from '@app/state';
import type { ReplicaAddress } from '@app/config';
import { ErrorCodes, HandoffExport, labError, LabPatterns, ReplicaFaults, ReplicaHealth } from '@app/contracts';
import { ReplicaFaultState } from './replica-faults';
import { ReplicaHealthService } from './replica-health';
import { REPLICA_ADDRESS } from './replica.tokens';

/** Health, the crash switch and a deploy's hand-off over the hop, on every replica. */
@Controller()
export class ReplicaLabController implements OnModuleInit {
  private crashing = false;
  private transfer: TransferableState | null = null;

  constructor(
    @Inject(REPLICA_ADDRESS) private readonly address: ReplicaAddress,
    private readonly health: ReplicaHealthService,
    private readonly faults: ReplicaFaultState,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The service module's StateModule provides STATE_TRANSFER (null in redis mode); product has none. */
  onModuleInit(): void {
    try {
      this.transfer = this.moduleRef.get<TransferableState | null>(STATE_TRANSFER, { strict: false });
    } catch {
      this.transfer = null;
    }
  }

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

  /**
   * A deploy's hand-off, first half: the gate closes (every later call is refused with 503
   * replica_restarting until the process is replaced), the calls already being handled finish,
   * and only then is every entry copied: no write can land after the copy and be lost.
   */
  @MessagePattern(LabPatterns.handoffExport)
  async handoffExport(): Promise<HandoffExport> {
    if (!this.transfer) return { shared: true };
    this.faults.closeForRestart();
    await this.faults.whenIdle(5_000);
    const snapshot = this.transfer.exportState();
    const entries = Object.values(snapshot).reduce((sum, list) => sum + (list?.length ?? 0), 0);
    return { shared: false, snapshot, entries };
  }

  /** A deploy's hand-off, second half: the restarted replica takes its predecessor's entries. */
  @MessagePattern(LabPatterns.handoffImport)
  handoffImport(@Payload() body: { snapshot?: StateSnapshot } | null): { taken: number } {
    if (!this.transfer) throw labError(409, ErrorCodes.restartStyleUnsupported, `${this.address.id} keeps no state of its own to take`);
    return { taken: this.transfer.importState(body?.snapshot ?? {}) };
  }
}
