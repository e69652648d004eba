import { GatewayTelemetry } from '@app/telemetry';
import { parseMetrics } from '../../../../tools/kit/metrics';
import { RealtimeTelemetry, RECONNECT_WINDOW_MS } from './realtime-telemetry';

describe('RealtimeTelemetry', () => {
  let now: number;
  let gateway: GatewayTelemetry;
  let telemetry: RealtimeTelemetry;
  beforeEach(() => {
    now = 1_000_000;
    gateway = new GatewayTelemetry({ service: 'gateway', replica: 'gateway', mode: 'stateful', routing: 'sticky-ring' }, true);
    telemetry = new RealtimeTelemetry(gateway, () => now);
  });
  const value = async (name: string) => parseMetrics(await gateway.metrics.render()).find((s) => s.name === name)?.value;

  it('counts a reconnect when a user comes back within a minute of the replica side dropping them', async () => {
    telemetry.opened('u-1');
    telemetry.closed('u-1', true);
    now += 1500;
    expect(telemetry.opened('u-1')).toBe(true);
    expect(await value('lab_ws_reconnects_total')).toBe(1);
  });

  it('does not count a user who closed their own connection, or came back too late', async () => {
    telemetry.opened('u-1');
    telemetry.closed('u-1', false);
    expect(telemetry.opened('u-1')).toBe(false);
    telemetry.closed('u-1', true);
    now += RECONNECT_WINDOW_MS + 1;
    expect(telemetry.opened('u-1')).toBe(false);
    expect(await value('lab_ws_reconnects_total')).toBe(0);
  });

  it('reports the connections it proxies now', async () => {
    telemetry.opened('u-1');
    telemetry.opened('u-2');
    telemetry.closed('u-1', false);
    expect(await value('lab_ws_proxied_connections')).toBe(1);
  });
});
