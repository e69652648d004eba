import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { ReplicaAddress } from '@app/config';
import { ReplicaHealth } from '@app/contracts';
import { REPLICA_ADDRESS, STORE_PROBE, StoreProbe } from './replica.tokens';

const startedAt = new Date().toISOString();

/** What a replica says of itself: id, pid, start time, and whether its state store answers. */
@Injectable()
export class ReplicaHealthService implements OnModuleInit {
  private store: StoreProbe | undefined;

  constructor(
    @Inject(REPLICA_ADDRESS) private readonly address: ReplicaAddress,
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

  async describe(): Promise<ReplicaHealth> {
    const store = this.store ? ((await this.store.ping()) ? 'up' : 'down') : 'none';
    return { id: this.address.id, pid: process.pid, store, startedAt };
  }
}
