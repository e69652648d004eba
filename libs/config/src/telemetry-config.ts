import { Env, EnvReader } from './env';

export interface TelemetryConfig {
  /** Tracing is on only when an OTLP endpoint is configured. */
  tracingEnabled: boolean;
  /** METRICS=off removes the lab's own instrumentation (used to measure its cost). */
  metricsEnabled: boolean;
}

export function loadTelemetryConfig(env: Env): TelemetryConfig {
  const read = new EnvReader(env);
  const endpointVariable = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'].find((name) => read.raw(name) !== undefined);
  const endpoint = endpointVariable === undefined ? undefined : read.url(endpointVariable, ['http', 'https'], '');
  const disabled = read.oneOf('OTEL_SDK_DISABLED', ['true', 'false'] as const, 'false') === 'true';
  const exporter = read.raw('OTEL_TRACES_EXPORTER');
  return {
    tracingEnabled: endpoint !== undefined && !disabled && exporter !== 'none',
    metricsEnabled: read.oneOf('METRICS', ['on', 'off'] as const, 'on') === 'on',
  };
}
