import { LabMetricsRegistry, MetricsIdentity, ExemplarHistogram } from './lab-metrics';
import type { Counter, Gauge } from 'prom-client';
import { SERVICES } from '@app/config';

export type RpcOutcome = 'ok' | 'error' | 'unavailable' | 'timeout';
export type LookupReason = 'none' | 'lost' | 'expired_or_unknown' | 'invalid';

/** What the gateway records. With metrics disabled every method is a no-op. */
export class GatewayTelemetry {
  readonly metrics: LabMetricsRegistry;
  private readonly http: ExemplarHistogram<'http_request_method' | 'http_route' | 'http_response_status_code'>;
  private readonly rpc: ExemplarHistogram<'target_service' | 'target_replica' | 'pattern' | 'outcome'>;
  private readonly lookups: Counter<'mode' | 'result' | 'reason'>;
  private readonly routed: Counter<'service' | 'replica' | 'routing'>;
  private readonly routedReplicas: Gauge<'service'>;
  private readonly replicaUp: Gauge<'service' | 'replica'>;
  private readonly keysMoved: Gauge<'service'>;
  private readonly keysMovedRatio: Gauge<'service'>;
  private readonly rescales: Counter<'service'>;
  private readonly phase: Gauge<'experiment' | 'phase'>;
  private knownSessions: () => number = () => 0;

  constructor(
    identity: MetricsIdentity,
    readonly enabled: boolean,
  ) {
    const m = (this.metrics = new LabMetricsRegistry(identity));
    this.http = m.histogram('http_server_request_duration_seconds', 'Gateway HTTP request duration', [
      'http_request_method',
      'http_route',
      'http_response_status_code',
    ]);
    this.rpc = m.histogram('lab_rpc_client_duration_seconds', 'Duration of a TCP call from the gateway to a replica', [
      'target_service',
      'target_replica',
      'pattern',
      'outcome',
    ]);
    this.lookups = m.counter('lab_session_lookups_total', 'Session lookups by result; misses by reason', ['mode', 'result', 'reason']);
    this.routed = m.counter('lab_routed_requests_total', 'Calls the gateway routed to each replica', ['service', 'replica', 'routing']);
    this.routedReplicas = m.gauge('lab_routed_replicas', 'How many replicas of a service the gateway routes to', ['service']);
    this.replicaUp = m.gauge('lab_replica_up', "Gateway's health view of each replica (1 up, 0 down)", ['service', 'replica']);
    this.keysMoved = m.gauge('lab_rescale_keys_moved', 'Known session keys that changed owner at the last rescale', ['service']);
    this.keysMovedRatio = m.gauge('lab_rescale_keys_moved_ratio', 'Share of known session keys that changed owner at the last rescale', ['service']);
    this.rescales = m.counter('lab_rescales_total', 'Rescales applied through /lab/scale', ['service']);
    this.phase = m.gauge('lab_experiment_phase', '1 while a phase of an experiment runs', ['experiment', 'phase']);
    m.gauge('lab_known_sessions', 'Session ids the gateway issued and still considers live', [], (g) => g.set(this.knownSessions()));
    // Series that exist from the start at zero, so "no misses yet" and "no rescale yet" read as 0.
    for (const reason of ['none', 'lost', 'expired_or_unknown', 'invalid'] as const) {
      this.lookups.inc({ mode: identity.mode, result: reason === 'none' ? 'hit' : 'miss', reason }, 0);
    }
    for (const service of SERVICES) {
      this.rescales.inc({ service }, 0);
      this.keysMoved.set({ service }, 0);
      this.keysMovedRatio.set({ service }, 0);
    }
  }

  recordHttp(method: string, route: string, status: number, seconds: number): void {
    if (!this.enabled) return;
    this.http.observe({ http_request_method: method, http_route: route, http_response_status_code: status }, seconds);
  }

  recordRpc(service: string, replica: string, pattern: string, outcome: RpcOutcome, seconds: number): void {
    if (!this.enabled) return;
    this.rpc.observe({ target_service: service, target_replica: replica, pattern, outcome }, seconds);
  }

  countSessionLookup(mode: string, reason: LookupReason): void {
    if (!this.enabled) return;
    this.lookups.inc({ mode, result: reason === 'none' ? 'hit' : 'miss', reason });
  }

  countRouted(service: string, replica: string, routing: string): void {
    if (!this.enabled) return;
    this.routed.inc({ service, replica, routing });
  }

  setRoutedReplicas(service: string, count: number): void {
    this.routedReplicas.set({ service }, count);
  }

  setReplicaUp(service: string, replica: string, up: boolean): void {
    this.replicaUp.set({ service, replica }, up ? 1 : 0);
  }

  recordRescale(service: string, moved: number, ratio: number): void {
    this.rescales.inc({ service });
    this.keysMoved.set({ service }, moved);
    this.keysMovedRatio.set({ service }, ratio);
  }

  setExperimentPhase(experiment: string, phase: string, active: boolean): void {
    this.phase.set({ experiment, phase }, active ? 1 : 0);
  }

  trackKnownSessions(count: () => number): void {
    this.knownSessions = count;
  }
}
