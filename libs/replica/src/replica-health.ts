import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { ReplicaAddress } from '@app/config';
import { ReplicaHealth } from '@app/contracts';
import { REPLICA_ADDRESS, STORE_PROBE, StoreProbe } from './replica.tokens';

const startedAt = new Date().toISOString();

/**
 * What a replica says of itself: id, pid, start time, whether its state store answers and how
 * much state it holds (the gateway's topology and status page show it).
 */
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
    const health: ReplicaHealth = { id: this.address.id, pid: process.pid, store: 'none', startedAt };
    if (!this.store) return health;
    health.store = (await this.store.ping()) ? 'up' : 'down';
    if (health.store === 'up') {
      const held = await this.store.count().catch(() => undefined);
      if (held !== undefined) health.held = { count: held, shared: this.store.backend === 'redis' };
    }
    return health;
  }
}
