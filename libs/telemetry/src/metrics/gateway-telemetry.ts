import type { Gauge } from 'prom-client';
import { SERVICES } from '@app/config';
import { CounterChild, HistogramChild, LabCounter, LabHistogram, LabMetricsRegistry, MetricsIdentity } from './lab-metrics';

export type RpcOutcome = 'ok' | 'error' | 'unavailable' | 'timeout';
export type LookupReason = 'none' | 'lost' | 'expired_or_unknown' | 'invalid';
/** jwt mode: why a token check failed (`none`: it passed). */
export type TokenCheckReason =
  'none' | 'absent' | 'expired' | 'bad_signature' | 'bad_algorithm' | 'malformed' | 'not_yet_valid' | 'wrong_type' | 'revoked' | 'refresh_reused';
const TOKEN_CHECK_REASONS: readonly TokenCheckReason[] = [
  'none',
  'absent',
  'expired',
  'bad_signature',
  'bad_algorithm',
  'malformed',
  'not_yet_valid',
  'wrong_type',
  'revoked',
  'refresh_reused',
];
/** sticky-cookie routing: what the `lb` cookie of a request said. */
export type LbCookieResult = 'ok' | 'absent' | 'forged' | 'replica_gone';

type RpcLabels = 'target_service' | 'target_replica' | 'pattern' | 'outcome';

/**
 * The series one (replica, pattern) pair of the hop records into: bound once, each outcome's
 * histogram on its first use (so a pattern that never failed exports no empty error series).
 */
export class RpcSeries {
  private readonly byOutcome: Partial<Record<RpcOutcome, HistogramChild>> = {};

  constructor(
    private readonly family: LabHistogram<RpcLabels> | undefined,
    private readonly labels: Record<Exclude<RpcLabels, 'outcome'>, string>,
    private readonly routedChild: CounterChild | undefined,
  ) {}

  countRouted(): void {
    this.routedChild?.inc();
  }

  observe(outcome: RpcOutcome, seconds: number, exemplarTraceId?: string): void {
    if (!this.family) return;
    (this.byOutcome[outcome] ??= this.family.child({ ...this.labels, outcome })).observe(seconds, exemplarTraceId);
  }
}

/**
 * What the gateway records. Request-path series are bound once per label set (see
 * `rpcSeries`), so a request costs a few array bumps, not label hashing. With metrics disabled
 * (METRICS=off) nothing on the request path is recorded.
 */
export class GatewayTelemetry {
  readonly metrics: LabMetricsRegistry;
  private readonly http: LabHistogram<'http_request_method' | 'http_route' | 'http_response_status_code'>;
  private readonly rpc: LabHistogram<RpcLabels>;
  private readonly lookups: LabCounter<'mode' | 'result' | 'reason'>;
  private readonly lookupsByReason: Record<LookupReason, CounterChild>;
  private readonly routed: LabCounter<'service' | 'replica' | 'routing'>;
  private readonly routedReplicas: Gauge<'service'>;
  private readonly replicaUp: Gauge<'service' | 'replica'>;
  private readonly keysMoved: Gauge<'service'>;
  private readonly keysMovedRatio: Gauge<'service'>;
  private readonly rescales: LabCounter<'service'>;
  private readonly phase: Gauge<'experiment' | 'phase'>;
  private readonly faultActive: Gauge<'fault'>;
  private readonly tokenChecks: Partial<Record<TokenCheckReason, CounterChild>> = {};
  private readonly lbCookies: LabCounter<'result' | 'service'>;
  private readonly httpSeries = new Map<string, HistogramChild>();
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
    this.faultActive = m.gauge('lab_fault_active', 'The value of each fault the lab injects (/lab/faults); 0 when off', ['fault']);
    const tokenChecks = m.counter('lab_token_checks_total', 'jwt mode: token checks by result (ok, rejected) and reason', ['result', 'reason']);
    if (identity.mode === 'jwt') {
      for (const reason of TOKEN_CHECK_REASONS) this.tokenChecks[reason] = tokenChecks.child({ result: reason === 'none' ? 'ok' : 'rejected', reason });
    }
    this.lbCookies = m.counter(
      'lab_lb_cookie_total',
      'sticky-cookie routing: what the lb cookie named, per service (replica_gone: its replica is down or no longer routed)',
      ['result', 'service'],
    );
    m.gauge('lab_known_sessions', 'Session ids the gateway issued and still considers live', [], (g) => g.set(this.knownSessions()));
    // Series that exist from the start at zero, so "no misses yet" and "no rescale yet" read as 0.
    const lookup = (reason: LookupReason) => this.lookups.child({ mode: identity.mode, result: reason === 'none' ? 'hit' : 'miss', reason });
    this.lookupsByReason = { none: lookup('none'), lost: lookup('lost'), expired_or_unknown: lookup('expired_or_unknown'), invalid: lookup('invalid') };
    for (const service of SERVICES) {
      this.rescales.child({ service });
      this.keysMoved.set({ service }, 0);
      this.keysMovedRatio.set({ service }, 0);
    }
  }

  recordHttp(method: string, route: string, status: number, seconds: number, exemplarTraceId?: string): void {
    if (!this.enabled) return;
    const key = `${method} ${route} ${status}`;
    let series = this.httpSeries.get(key);
    if (!series) {
      series = this.http.child({ http_request_method: method, http_route: route, http_response_status_code: status });
      this.httpSeries.set(key, series);
    }
    series.observe(seconds, exemplarTraceId);
  }

  /** The series of calls to one replica with one pattern; the caller keeps it and records through it. */
  rpcSeries(service: string, replica: string, pattern: string, routing: string): RpcSeries {
    const labels = { target_service: service, target_replica: replica, pattern };
    if (!this.enabled) return new RpcSeries(undefined, labels, undefined);
    return new RpcSeries(this.rpc, labels, this.routed.child({ service, replica, routing }));
  }

  countSessionLookup(reason: LookupReason): void {
    if (!this.enabled) return;
    this.lookupsByReason[reason].inc();
  }

  countTokenCheck(reason: TokenCheckReason): void {
    if (!this.enabled) return;
    this.tokenChecks[reason]?.inc();
  }

  countLbCookie(result: LbCookieResult, service: string): void {
    if (!this.enabled) return;
    this.lbCookies.inc({ result, service });
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

  setFaultActive(fault: string, value: number): void {
    this.faultActive.set({ fault }, value);
  }

  trackKnownSessions(count: () => number): void {
    this.knownSessions = count;
  }
}
