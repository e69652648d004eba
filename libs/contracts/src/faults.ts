/**
 * The faults the lab can inject (`/lab/faults`, LAB-SPEC §10), in the spirit of the OpenTelemetry
 * demo's feature flags but driven by an API. Every fault is a number; 0 (or absent) means off.
 */

/** One fault as `GET /lab/faults` lists it. */
export interface FaultDescription {
  name: string;
  value: number;
  /** Values worth trying (any value from 0 to `max` is accepted). */
  variants: number[];
  max: number;
  unit: 'ms' | '%' | 'on';
  description: string;
}

/** The faults a replica applies, as the gateway sends them with every health check. */
export interface ReplicaFaults {
  /** Milliseconds added before each of the replica's handlers (not the lab's own). */
  latencyMs: number;
  /** Percent of the replica's calls answered with 500 `injected_failure` instead of being handled. */
  failurePercent: number;
  /** Answers health checks but never answers a request. */
  hang: boolean;
  /** Milliseconds added to each state store call (user and cart replicas in redis mode, and memory too). */
  storeLatencyMs: number;
  /** Milliseconds added to each login (user replicas). */
  loginSlowMs: number;
}

export const NO_FAULTS: ReplicaFaults = { latencyMs: 0, failurePercent: 0, hang: false, storeLatencyMs: 0, loginSlowMs: 0 };

type FaultSpec = Omit<FaultDescription, 'name' | 'value'>;

const SERVICES = ['user', 'cart', 'product'] as const;

/** The fixed faults, by name; `hang.<replica id>` exists for every replica the gateway knows. */
export const FAULTS: Readonly<Record<string, FaultSpec>> = {
  ...Object.fromEntries(
    SERVICES.map((service) => [
      `latency.${service}`,
      { variants: [0, 10, 50, 200, 1000], max: 10_000, unit: 'ms', description: `milliseconds added to every ${service} handler` } satisfies FaultSpec,
    ]),
  ),
  ...Object.fromEntries(
    SERVICES.map((service) => [
      `failure.${service}`,
      { variants: [0, 1, 10, 50, 100], max: 100, unit: '%', description: `percent of ${service} calls answered 500 injected_failure instead of handled` } satisfies FaultSpec,
    ]),
  ),
  'latency.redis': { variants: [0, 1, 5, 20, 100], max: 10_000, unit: 'ms', description: 'milliseconds added to every state store call (Redis round trip, or memory)' },
  'login.slow': { variants: [0, 100, 500, 2000], max: 30_000, unit: 'ms', description: 'milliseconds added to every login on top of the password hash' },
};

export const HANG_FAULT = { variants: [0, 1], max: 1, unit: 'on', description: 'the replica answers health checks but never answers a request' } satisfies FaultSpec;

/** The spec of a fault name, `hang.<replica id>` included for the ids given. */
export function faultSpec(name: string, replicaIds: readonly string[]): FaultSpec | undefined {
  if (name.startsWith('hang.')) return replicaIds.includes(name.slice('hang.'.length)) ? HANG_FAULT : undefined;
  return FAULTS[name];
}

/** The faults one replica applies, from the lab's fault values. */
export function faultsFor(replicaId: string, values: ReadonlyMap<string, number>): ReplicaFaults {
  const service = replicaId.slice(0, replicaId.lastIndexOf('-'));
  return {
    latencyMs: values.get(`latency.${service}`) ?? 0,
    failurePercent: values.get(`failure.${service}`) ?? 0,
    hang: (values.get(`hang.${replicaId}`) ?? 0) > 0,
    storeLatencyMs: values.get('latency.redis') ?? 0,
    loginSlowMs: service === 'user' ? (values.get('login.slow') ?? 0) : 0,
  };
}
