import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { SrvRecord } from 'node:dns';
import { LAB_CONFIG, LabConfig, parseReplicaId, SERVICES, ServiceName } from '@app/config';
import { ScaleResult } from '@app/contracts';
import { SRV_RESOLVER } from '../gateway.tokens';
import { LabService } from '../lab/lab.service';
import { ReplicaDirectory } from './replica-directory';

/** What discovery needs of DNS (node:dns's promises Resolver in the gateway, a fake in tests). */
export interface SrvResolver {
  resolveSrv(name: string): Promise<SrvRecord[]>;
  cancel?(): void;
}

/** How often DNS is asked; CoreDNS answers from a cache of about 5 s, so a change shows within ~7 s. */
export const DISCOVERY_INTERVAL_MS = 2000;

/**
 * How long DNS must keep naming fewer replicas before the gateway routes to fewer: a StatefulSet
 * pod being replaced (deleted, then recreated under the same name) leaves DNS for a moment, and
 * rescaling away and back would move keys twice.
 */
export const SCALE_DOWN_SETTLE_MS = 6000;

/**
 * The lab indexes of `service`'s replicas among SRV targets: a target whose first label is a
 * replica id of that service (`cart-2.cart.statelab.svc.cluster.local` → 2), ascending and
 * deduplicated. Targets of other services, pods without a hostname and indexes past
 * MAX_REPLICAS are not replicas the lab can route to.
 */
export function replicaIndexes(service: ServiceName, records: readonly SrvRecord[]): number[] {
  const indexes = new Set<number>();
  for (const record of records) {
    const parsed = parseReplicaId(record.name.split('.')[0]);
    if (parsed?.service === service) indexes.add(parsed.index);
  }
  return [...indexes].sort((a, b) => a - b);
}

interface ServiceWatch {
  /** The count the gateway last applied from DNS (at boot: USER_REPLICAS & co.). */
  applied: number;
  /** When DNS first named fewer than `applied`, while it still does. */
  lowerSince: number | undefined;
  /** The last failure reported, so a lasting one is logged once. */
  failure: string | undefined;
}

/**
 * REPLICA_DISCOVERY=dns: learns how many replicas each service has from the SRV records of its
 * headless Service. At boot, before the gateway serves, the first answer sets the routing as
 * USER_REPLICAS & co. would (a restarted gateway routes as the one before it did); later
 * changes rescale through the lab's own path (`LabService.scale`: wait until the new replicas
 * answer, count the keys that move), so `kubectl scale` is seen without a restart.
 *
 * The count is the highest replica index DNS names: a replica missing below it (crashed,
 * restarting) stays routed and the health checks mark it down, as in the native lab. More
 * replicas are routed to once they answer; fewer once DNS has said so for SCALE_DOWN_SETTLE_MS. Only changes of what DNS says are applied, so a `POST /lab/scale` holds
 * until the next one. A failed lookup keeps the routing as it is. With REPLICA_DISCOVERY=static
 * this does nothing.
 */
@Injectable()
export class ReplicaDiscovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReplicaDiscovery');
  private readonly watches = {} as Record<ServiceName, ServiceWatch>;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    @Inject(LAB_CONFIG) private readonly config: LabConfig,
    @Inject(ReplicaDirectory) private readonly directory: Pick<ReplicaDirectory, 'setRouted'>,
    @Inject(LabService) private readonly lab: Pick<LabService, 'scale'>,
    @Inject(SRV_RESOLVER) private readonly resolver: SrvResolver,
  ) {
    for (const service of SERVICES) this.watches[service] = { applied: config.replicas[service], lowerSince: undefined, failure: undefined };
  }

  /** Nest awaits this before the gateway listens: the first answers set the routing, then polling starts. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.replicaDiscovery.mode !== 'dns') return;
    await Promise.all(SERVICES.map((service) => this.initialize(service)));
    this.timer = setInterval(() => this.tick(), DISCOVERY_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.resolver.cancel?.();
    await this.polling;
  }

  /** The DNS name asked for `service`'s replicas. */
  srvName(service: ServiceName): string | undefined {
    const discovery = this.config.replicaDiscovery;
    return discovery.mode === 'dns' ? discovery.srvNameTemplate.replaceAll('{service}', service) : undefined;
  }

  /** One round: every service's SRV records asked, changes applied. `now` is for tests. */
  async poll(now = Date.now()): Promise<void> {
    await Promise.all(SERVICES.map((service) => this.pollService(service, now)));
  }

  /** A poll, unless the last one still runs (a rescale can wait up to 20 s for new replicas). */
  private tick(): void {
    if (this.polling) return;
    this.polling = this.poll().finally(() => (this.polling = undefined));
  }

  /** The replica count DNS names for `service`, or undefined (reported) when the lookup fails. */
  private async lookup(service: ServiceName): Promise<number | undefined> {
    const name = this.srvName(service);
    if (name === undefined) return undefined;
    const watch = this.watches[service];
    try {
      const indexes = replicaIndexes(service, await this.resolver.resolveSrv(name));
      if (indexes.length === 0) throw new Error(`no target names a ${service} replica`);
      return indexes[indexes.length - 1];
    } catch (error) {
      this.reportFailure(service, watch, `${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; routing stays at ${watch.applied}`);
      return undefined;
    }
  }

  /** At boot nothing has been routed yet: route to what DNS names at once, as static config does. */
  private async initialize(service: ServiceName): Promise<void> {
    const count = await this.lookup(service);
    if (count === undefined || count === this.watches[service].applied) return;
    this.directory.setRouted(service, count);
    this.watches[service].applied = count;
    this.logger.log(`${service}: DNS names ${count} replicas; routing to them`);
  }

  private async pollService(service: ServiceName, now: number): Promise<void> {
    const watch = this.watches[service];
    const count = await this.lookup(service);
    if (count === undefined) return;
    if (count === watch.applied) {
      watch.lowerSince = undefined;
      this.reportRecovered(service, watch);
      return;
    }
    if (count < watch.applied) {
      watch.lowerSince ??= now;
      if (now - watch.lowerSince < SCALE_DOWN_SETTLE_MS) return;
    }
    await this.rescale(service, watch, count);
  }

  private async rescale(service: ServiceName, watch: ServiceWatch, count: number): Promise<void> {
    let result: ScaleResult;
    try {
      result = await this.lab.scale(service, count);
    } catch (error) {
      this.reportFailure(service, watch, `DNS names ${count} replicas, not routed yet: ${(error as Error).message}`);
      return;
    }
    watch.applied = count;
    watch.lowerSince = undefined;
    watch.failure = undefined;
    this.logger.log(
      `${service}: DNS names ${count} replicas; routing ${result.from} → ${result.to}, ${result.keysMoved} of ${result.knownKeys} known keys moved`,
    );
  }

  private reportFailure(service: ServiceName, watch: ServiceWatch, message: string): void {
    if (watch.failure !== message) this.logger.warn(`${service}: ${message}`);
    watch.failure = message;
  }

  private reportRecovered(service: ServiceName, watch: ServiceWatch): void {
    if (watch.failure !== undefined) this.logger.log(`${service}: DNS names ${watch.applied} replicas again`);
    watch.failure = undefined;
  }
}
