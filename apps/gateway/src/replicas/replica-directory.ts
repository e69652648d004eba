import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { LAB_CONFIG, LabConfig, replicaAddress, Routing, SERVICES, ServiceName } from '@app/config';
import { GatewayTelemetry } from '@app/telemetry';
import { HOP_SECRET } from '../gateway.tokens';
import { ReplicaLink } from './replica-link';

interface ServiceReplicas {
  routing: Routing;
  links: ReplicaLink[];
  /** links[first..first+n): the replicas that receive traffic, and their ids (kept, not derived per call). */
  first: number;
  routed: ReplicaLink[];
  routedIds: string[];
}

/** A replica as the topology shows it. */
export interface ReplicaView {
  link: ReplicaLink;
  /** The gateway routes to it. */
  active: boolean;
}

/**
 * Which replicas of each service the gateway knows (one link each, connected lazily) and how
 * many of them it routes to. Routing per service: the catalog is reference data any replica
 * can answer, so product is always round-robin; chat is always sticky by user on a ring (one
 * user's connections meet on one replica, and a dead replica moves only its own users); user
 * and cart follow ROUTING.
 */
@Injectable()
export class ReplicaDirectory implements OnApplicationShutdown {
  private readonly services = {} as Record<ServiceName, ServiceReplicas>;
  private readonly byId = new Map<string, ReplicaLink>();
  /** Replicas being drained for a restart: no new session is placed on them, round-robin skips them. */
  private readonly draining = new Set<string>();

  constructor(
    @Inject(LAB_CONFIG) private readonly config: LabConfig,
    @Inject(HOP_SECRET) private readonly secret: string,
    private readonly telemetry: GatewayTelemetry,
  ) {
    for (const service of SERVICES) {
      const routing: Routing = service === 'product' ? 'round-robin' : service === 'chat' ? 'sticky-ring' : config.routing;
      this.services[service] = { routing, links: [], first: 0, routed: [], routedIds: [] };
      this.setRouted(service, config.replicas[service]);
    }
  }

  onApplicationShutdown(): void {
    for (const link of this.byId.values()) link.client.close();
  }

  routingOf(service: ServiceName): Routing {
    return this.services[service].routing;
  }

  /** The replicas that receive traffic, in order. */
  routed(service: ServiceName): readonly ReplicaLink[] {
    return this.services[service].routed;
  }

  /** Ids of the replicas that receive traffic, in order. */
  routedIds(service: ServiceName): readonly string[] {
    return this.services[service].routedIds;
  }

  /** Index (from 1) of the first replica that receives traffic: 1, or past the old set after a blue-green switch. */
  firstIndex(service: ServiceName): number {
    return this.services[service].first + 1;
  }

  /** Opens links (lazily connected) to replicas 1..count without routing to new ones. */
  ensureLinks(service: ServiceName, count: number): void {
    const entry = this.services[service];
    for (let index = entry.links.length + 1; index <= count; index++) {
      const link = new ReplicaLink(replicaAddress(this.config, service, index), this.secret, this.telemetry, entry.routing);
      entry.links.push(link);
      this.byId.set(link.id, link);
    }
  }

  /** Routes to `count` replicas from the first routed one (replicas 1..count, unless a blue-green switch moved the range). */
  setRouted(service: ServiceName, count: number): void {
    this.routeRange(service, this.firstIndex(service), count);
  }

  /** Routes to replicas first..first+count-1 (a blue-green switch). */
  routeRange(service: ServiceName, first: number, count: number): void {
    this.ensureLinks(service, first - 1 + count);
    const entry = this.services[service];
    entry.first = first - 1;
    entry.routed = entry.links.slice(entry.first, entry.first + count);
    entry.routedIds = entry.routed.map((link) => link.id);
    this.telemetry.setRoutedReplicas(service, count);
  }

  /** The links of the `count` replicas from the first routed one, whether routed yet or not. */
  rangeLinks(service: ServiceName, count: number): ReplicaLink[] {
    const entry = this.services[service];
    return entry.links.slice(entry.first, entry.first + count);
  }

  /** Every replica the gateway knows of, routed or not. */
  view(service: ServiceName): ReplicaView[] {
    const entry = this.services[service];
    return entry.links.map((link, i) => ({ link, active: i >= entry.first && i < entry.first + entry.routed.length }));
  }

  setDraining(id: string, draining: boolean): void {
    if (draining) this.draining.add(id);
    else this.draining.delete(id);
  }

  isDraining(id: string): boolean {
    return this.draining.has(id);
  }

  /** True while any replica is being drained (a quick test before per-key checks). */
  get anyDraining(): boolean {
    return this.draining.size > 0;
  }

  find(id: string): ReplicaLink | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<ReplicaLink> {
    return this.byId.values();
  }
}
