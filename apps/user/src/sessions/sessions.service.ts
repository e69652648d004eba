import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { SessionUser } from '@app/contracts';
import { REPLICA_ADDRESS } from '@app/replica';
import type { ReplicaAddress } from '@app/config';
import { SESSION_STORE, SessionStore } from '@app/state';
import { ReplicaTelemetry } from '@app/telemetry';

/** Sessions, wherever STATE_MODE put them; this class never asks which. */
@Injectable()
export class SessionsService implements OnModuleInit {
  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(REPLICA_ADDRESS) private readonly address: ReplicaAddress,
    private readonly telemetry: ReplicaTelemetry,
  ) {}

  onModuleInit(): void {
    // Shared state is labelled `redis` so every replica reports the same series.
    const holder = this.store.kind === 'redis' ? 'redis' : this.address.id;
    this.telemetry.trackState('sessions', async () => ({ replica: holder, count: await this.store.count() }));
  }

  create(sid: string, user: SessionUser): Promise<void> {
    return this.store.create(sid, user);
  }

  find(sid: string): Promise<SessionUser | null> {
    return this.store.get(sid);
  }

  destroy(sid: string): Promise<boolean> {
    return this.store.destroy(sid);
  }
}
