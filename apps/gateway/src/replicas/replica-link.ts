import type { ReplicaAddress } from '@app/config';
import type { ReplicaHealth } from '@app/contracts';
import { GatewayTelemetry, RpcClientTarget, RpcSeries } from '@app/telemetry';
import { LabTcpClient } from '@app/transport';

/**
 * The gateway's link to one replica: its address, the authenticated hop connection, the last
 * health view, and the metric series of its calls (bound once per pattern).
 */
export class ReplicaLink {
  readonly client: LabTcpClient;
  /** Answered the last health check. */
  up = false;
  health: ReplicaHealth | undefined;
  /** Between a hand-off's export and import: calls are refused (503 replica_restarting), not sent to an empty successor. */
  restarting = false;
  private readonly series = new Map<string, RpcSeries>();
  private readonly spanTargets = new Map<string, RpcClientTarget>();

  constructor(
    readonly address: ReplicaAddress,
    secret: string,
    private readonly telemetry: GatewayTelemetry,
    private readonly routing: string,
  ) {
    this.client = new LabTcpClient({ host: address.host, port: address.rpcPort, secret });
  }

  get id(): string {
    return this.address.id;
  }

  /** The series calls of this pattern to this replica record into. */
  seriesFor(pattern: string): RpcSeries {
    let series = this.series.get(pattern);
    if (!series) {
      series = this.telemetry.rpcSeries(this.address.service, this.address.id, pattern, this.routing);
      this.series.set(pattern, series);
    }
    return series;
  }

  /** Where a traced call of this pattern goes (its CLIENT span's attributes): frozen and kept, so the tracer encodes it once. */
  spanTargetFor(pattern: string): RpcClientTarget {
    let target = this.spanTargets.get(pattern);
    if (!target) {
      const { service, id, host, rpcPort } = this.address;
      target = Object.freeze({ service, method: pattern, replica: id, address: host, port: rpcPort });
      this.spanTargets.set(pattern, target);
    }
    return target;
  }
}
