import { Injectable } from '@nestjs/common';
import { SERVICES, ServiceName } from '@app/config';
import { createSelector, ReplicaSelector } from '@app/routing';
import { ReplicaDirectory } from './replica-directory';
import { ReplicaLink } from './replica-link';

/**
 * Picks the replica for a call: the service's routing policy over the replicas it routes to.
 * Round-robin skips replicas the health checks see down, as a health-checked load balancer
 * would. Sticky routing keeps the owner even while it is down (a 503): sending the key
 * elsewhere would not find its state in stateful mode, and under modulo it would remap most
 * keys, not just the dead replica's.
 */
@Injectable()
export class ReplicaRouter {
  private readonly selectors = {} as Record<ServiceName, ReplicaSelector>;

  constructor(private readonly directory: ReplicaDirectory) {
    for (const service of SERVICES) this.selectors[service] = createSelector(directory.routingOf(service));
  }

  pick(service: ServiceName, key?: string): ReplicaLink {
    const members = this.directory.routedIds(service);
    const id = this.selectors[service].pick(this.candidates(service, members), key);
    return this.directory.find(id) as ReplicaLink;
  }

  /**
   * True when sticky routing would place `key` on a replica being drained: login then draws
   * another session id, so new sessions land elsewhere while the drained replica's own finish.
   */
  ownerDraining(service: ServiceName, key: string): boolean {
    if (!this.directory.anyDraining || this.directory.routingOf(service) === 'round-robin') return false;
    return this.directory.isDraining(this.pick(service, key).id);
  }

  private candidates(service: ServiceName, members: readonly string[]): readonly string[] {
    if (this.directory.routingOf(service) !== 'round-robin') return members;
    const routed = this.directory.routed(service);
    const drain = this.directory.anyDraining;
    if (!drain && routed.every((link) => link.up)) return members;
    const usable = routed.filter((link) => link.up && !(drain && this.directory.isDraining(link.id))).map((link) => link.id);
    return usable.length > 0 ? usable : members;
  }
}
