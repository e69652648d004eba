import type { LabConfig, ReplicaAddress } from '@app/config';

/** Injection token of this process's ReplicaAddress (id, ports). */
export const REPLICA_ADDRESS = Symbol('REPLICA_ADDRESS');

/** What a replica needs to know about itself and the lab. */
export interface ReplicaContext {
  config: LabConfig;
  address: ReplicaAddress;
  /** The lab secret of the hop (LAB_SECRET), for replicas that call their peers (chat). */
  hopSecret: string;
}

/** Optional token: the state store this replica depends on, pinged and counted by health checks. */
export const STORE_PROBE = Symbol('STORE_PROBE');

export interface StoreProbe {
  ping(): Promise<boolean>;
  /** Live entries it holds (sessions or carts), without visiting each. */
  count(): Promise<number>;
  /** `memory`, or `redis` when every replica shares the same entries. */
  readonly backend: 'memory' | 'redis';
}
