import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ServiceName } from '@app/config';
import { ErrorCodes, LabPatterns, ReplicaHealth } from '@app/contracts';
import { GatewayTelemetry } from '@app/telemetry';
import { LabHttpException } from '../http/lab-http.exception';
import { FaultsService } from '../lab/faults.service';
import { ReplicaDirectory } from './replica-directory';
import { ReplicaLink } from './replica-link';

const HEALTH_INTERVAL_MS = 1000;
const HEALTH_TIMEOUT_MS = 800;

/**
 * The gateway's health view of every replica it knows: a `lab.health` call to each every
 * second (a replica that does not answer within 800 ms is down), and a replica is marked down
 * at once when a call to it finds no connection. Each check also hands the replica the faults
 * it must apply (FaultsService).
 */
@Injectable()
export class ReplicaHealthChecks implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReplicaHealth');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly directory: ReplicaDirectory,
    private readonly telemetry: GatewayTelemetry,
    private readonly faults: FaultsService,
  ) {}

  onApplicationBootstrap(): void {
    void this.checkAll();
    this.timer = setInterval(() => void this.checkAll(), HEALTH_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async checkAll(): Promise<void> {
    await Promise.all([...this.directory.all()].map((link) => this.check(link)));
  }

  markDown(link: ReplicaLink): void {
    this.setUp(link, false);
  }

  /** Resolves once `count` replicas of the service from its first routed one answered a health check, or throws a 503. */
  async waitUntilUp(service: ServiceName, count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const links = () => this.directory.rangeLinks(service, count);
    for (;;) {
      await this.checkAll();
      const down = links().filter((link) => !link.up);
      if (down.length === 0) return;
      if (Date.now() > deadline) {
        throw new LabHttpException(503, ErrorCodes.replicaUnavailable, `${down.map((l) => l.id).join(', ')} did not answer within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async check(link: ReplicaLink): Promise<void> {
    try {
      const check = { faults: this.faults.forReplica(link.id) };
      link.health = await link.client.request<ReplicaHealth>(LabPatterns.health, check, { timeoutMs: HEALTH_TIMEOUT_MS });
      this.setUp(link, true);
    } catch {
      this.setUp(link, false);
    }
  }

  private setUp(link: ReplicaLink, up: boolean): void {
    if (link.up !== up && link.health !== undefined) this.logger.log(`${link.id} is ${up ? 'up' : 'down'}`);
    link.up = up;
    this.telemetry.setReplicaUp(link.address.service, link.id, up);
  }
}
