import { CounterChild, GatewayTelemetry, LabCounter } from '@app/telemetry';

export type UpgradeResult = 'ok' | 'unauthorized' | 'unavailable' | 'bad_request';

/** How long after losing a connection its user's next one counts as a reconnect. */
export const RECONNECT_WINDOW_MS = 60_000;
const MAX_TRACKED_DROPS = 100_000;

/**
 * The gateway's side of the real-time metrics: upgrades by result, proxied connections open,
 * and reconnects: a user whose connection the replica side ended (a crash, a shutdown)
 * connecting again within a minute.
 */
export class RealtimeTelemetry {
  private readonly upgrades: LabCounter<'result'>;
  private readonly reconnects: CounterChild;
  private readonly droppedAt = new Map<string, number>();
  private proxied = 0;

  constructor(
    private readonly telemetry: GatewayTelemetry,
    private readonly now: () => number = Date.now,
  ) {
    const m = telemetry.metrics;
    this.upgrades = m.counter('lab_ws_upgrades_total', 'WebSocket upgrades at the gateway by result', ['result']);
    for (const result of ['ok', 'unauthorized', 'unavailable', 'bad_request'] as const) this.upgrades.child({ result });
    this.reconnects = m.counter('lab_ws_reconnects_total', 'Users connecting again within a minute of the replica side dropping their connection', []).child({});
    m.gauge('lab_ws_proxied_connections', 'WebSocket connections the gateway proxies now', [], (gauge) => gauge.set(this.proxied));
  }

  upgrade(result: UpgradeResult): void {
    if (this.telemetry.enabled) this.upgrades.child({ result }).inc();
  }

  /** A proxied connection opened for the user; answers whether it is a reconnect. */
  opened(userId: string): boolean {
    this.proxied++;
    const dropped = this.droppedAt.get(userId);
    if (dropped === undefined) return false;
    this.droppedAt.delete(userId);
    if (this.now() - dropped > RECONNECT_WINDOW_MS) return false;
    if (this.telemetry.enabled) this.reconnects.inc();
    return true;
  }

  /** A proxied connection closed; `byReplica` when the replica side ended it first. */
  closed(userId: string, byReplica: boolean): void {
    this.proxied--;
    if (!byReplica) return;
    this.droppedAt.delete(userId);
    this.droppedAt.set(userId, this.now());
    if (this.droppedAt.size > MAX_TRACKED_DROPS) this.droppedAt.delete(this.droppedAt.keys().next().value as string);
  }
}
