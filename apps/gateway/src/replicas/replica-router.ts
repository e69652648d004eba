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
 * keys, not just the dead replica's. Chat is the exception: its ring skips replicas seen down
 * (only their users move), since a WebSocket's state lives in the connection, not the replica.
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

  private candidates(service: ServiceName, members: readonly string[]): readonly string[] {
    // Chat state is the connection itself: a client reconnecting while its replica is down goes to a live one.
    if (this.directory.routingOf(service) !== 'round-robin' && service !== 'chat') return members;
    const routed = this.directory.routed(service);
    if (routed.every((link) => link.up)) return members;
    const up = routed.filter((link) => link.up).map((link) => link.id);
    return up.length > 0 ? up : members;
  }
}
