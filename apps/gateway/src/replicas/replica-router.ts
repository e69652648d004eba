import { Injectable, Logger } from '@nestjs/common';
import { SERVICES, ServiceName } from '@app/config';
import { createSelector, ReplicaSelector } from '@app/routing';
import { GatewayTelemetry, ThrottledErrorLog } from '@app/telemetry';
import type { Affinity } from './lb-cookie';
import { ReplicaDirectory } from './replica-directory';
import { ReplicaLink } from './replica-link';

/** What a request tells the router beyond the key: who the client is (ip-hash), and its `lb` cookie (sticky-cookie). */
export interface RoutingHints {
  clientAddress?: string;
  affinity?: Affinity;
}

/**
 * Picks the replica for a call: the service's routing policy over the replicas it routes to.
 * Round-robin skips replicas the health checks see down, as a health-checked load balancer
 * would. Sticky routing keeps the owner even while it is down (a 503): sending the key
 * elsewhere would not find its state in stateful mode, and under modulo it would remap most
 * keys, not just the dead replica's.
 *
 * `ip-hash` hashes the client address instead of the key (modulo, as nginx's ip_hash).
 * `sticky-cookie` follows the client's `lb` cookie; without one (or with a forged one) it picks
 * round-robin among the replicas up and pins the client there. A pin to a replica that is down
 * or no longer routed is not hidden: it is counted (`lab_lb_cookie_total{result="replica_gone"}`)
 * and logged, then the client is pinned afresh (in stateful mode its session stayed behind).
 *
 * Chat is the exception: its ring skips replicas seen down (only their users move), since a
 * WebSocket's state lives in the connection, not the replica.
 */
@Injectable()
export class ReplicaRouter {
  private readonly selectors = {} as Record<ServiceName, ReplicaSelector>;

  private readonly logger = new Logger('ReplicaRouter');
  private readonly goneLog = new ThrottledErrorLog((line) => this.logger.warn(line));

  constructor(
    private readonly directory: ReplicaDirectory,
    private readonly telemetry: GatewayTelemetry,
  ) {
    for (const service of SERVICES) this.selectors[service] = createSelector(directory.routingOf(service));
  }

  pick(service: ServiceName, key?: string, hints: RoutingHints = {}): ReplicaLink {
    const routing = this.directory.routingOf(service);
    if (routing === 'sticky-cookie' && hints.affinity) return this.pickPinned(service, hints.affinity);
    const members = this.directory.routedIds(service);
    const id = this.selectors[service].pick(this.candidates(service, members), routing === 'ip-hash' ? (hints.clientAddress ?? key) : key);
    return this.directory.find(id) as ReplicaLink;
  }

  /**
   * True when sticky routing by session key would place `key` on a replica being drained: login
   * then draws another session id, so new sessions land elsewhere while the drained replica's own
   * finish. (Round-robin and sticky-cookie skip a draining replica themselves; ip-hash cannot.)
   */
  ownerDraining(service: ServiceName, key: string): boolean {
    const routing = this.directory.routingOf(service);
    if (!this.directory.anyDraining || (routing !== 'sticky-ring' && routing !== 'sticky-modulo')) return false;
    return this.directory.isDraining(this.pick(service, key).id);
  }

  private pickPinned(service: ServiceName, affinity: Affinity): ReplicaLink {
    const pinned = affinity.replicaFor(service);
    if (pinned !== undefined) {
      const link = this.directory.find(pinned);
      if (link && link.up && this.directory.routedIds(service).includes(pinned)) {
        this.telemetry.countLbCookie('ok', service);
        return link;
      }
      this.telemetry.countLbCookie('replica_gone', service);
      const why = !link || !this.directory.routedIds(service).includes(pinned) ? 'is no longer routed' : 'is down';
      this.goneLog.error(
        new Error(`lb cookie replica ${why}`),
        () => `lb cookie names ${pinned}, which ${why}: the client is re-pinned (its state there is out of reach)`,
      );
    } else {
      this.telemetry.countLbCookie(affinity.cookie === 'forged' ? 'forged' : 'absent', service);
    }
    const members = this.directory.routedIds(service);
    const link = this.directory.find(this.selectors[service].pick(this.candidates(service, members))) as ReplicaLink;
    affinity.choose(service, link.id);
    return link;
  }

  private candidates(service: ServiceName, members: readonly string[]): readonly string[] {
    const routing = this.directory.routingOf(service);
    // Chat state is the connection itself: a client reconnecting while its replica is down goes to a live one.
    if (routing !== 'round-robin' && routing !== 'sticky-cookie' && service !== 'chat') return members;
    const routed = this.directory.routed(service);
    const drain = this.directory.anyDraining;
    if (!drain && routed.every((link) => link.up)) return members;
    const usable = routed.filter((link) => link.up && !(drain && this.directory.isDraining(link.id))).map((link) => link.id);
    return usable.length > 0 ? usable : members;
  }
}
