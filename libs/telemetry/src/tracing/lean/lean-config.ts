import { Env, EnvReader } from '@app/config';
import { SAMPLER_NAMES, SamplerConfig, SamplerName } from './lean-tracer';

export interface LeanTracingConfig {
  url: string;
  headers: Record<string, string>;
  sampler: SamplerConfig;
  scheduleDelayMs: number;
  maxExportBatchSize: number;
  maxQueueSize: number;
  timeoutMs: number;
}

/** LAB_TRACER: `lean` (the default) uses the lab's tracer where it covers the configuration; `sdk` always uses the OpenTelemetry SDK's. */
export const LAB_TRACERS = ['lean', 'sdk'] as const;

/** The variable, trimmed (as the SDK reads it), or undefined when unset or blank. */
function nonEmpty(env: Env, name: string): string | undefined {
  return new EnvReader(env).raw(name)?.trim() || undefined;
}

function positiveInt(env: Env, names: string[], fallback: number): number {
  for (const name of names) {
    const raw = nonEmpty(env, name);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (Number.isInteger(value) && value > 0) return value;
  }
  return fallback;
}

/** `k1=v1,k2=v2` (values URL-encoded), as OTEL_EXPORTER_OTLP_HEADERS is written. */
export function parseOtlpHeaders(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of (raw ?? '').split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const key = decodeURIComponent(part.slice(0, at).trim());
    if (key) headers[key] = decodeURIComponent(part.slice(at + 1).trim());
  }
  return headers;
}

/**
 * The lean tracer's configuration from the same OTEL_* variables the SDK reads, or why this
 * process needs the SDK instead: the lean tracer speaks OTLP over HTTP in protobuf only,
 * uncompressed, with the standard samplers and the W3C propagators; anything else (http/json,
 * grpc, gzip, another sampler or propagator, chosen resource detectors, LAB_TRACER=sdk) keeps
 * the SDK, which reads the variables itself.
 */
export function leanTracingConfig(env: Env, service: string): LeanTracingConfig | { sdkBecause: string } {
  // The lab's own variable fails loudly like the others (ConfigError); the OTEL_* ones below
  // follow the SDK, which falls back on a value it cannot use.
  if (new EnvReader(env).oneOf('LAB_TRACER', LAB_TRACERS, 'lean') === 'sdk') return { sdkBecause: 'LAB_TRACER=sdk' };
  // The chat service awaits across the calls it traces and keeps the SDK's async context.
  if (service === 'chat') return { sdkBecause: 'the chat service uses the async context' };
  const protocol = nonEmpty(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? nonEmpty(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (protocol !== 'http/protobuf') return { sdkBecause: `protocol ${protocol}` };
  const compression = nonEmpty(env, 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION') ?? nonEmpty(env, 'OTEL_EXPORTER_OTLP_COMPRESSION') ?? 'none';
  if (compression !== 'none') return { sdkBecause: `compression ${compression}` };
  const exporter = nonEmpty(env, 'OTEL_TRACES_EXPORTER') ?? 'otlp';
  if (exporter !== 'otlp') return { sdkBecause: `OTEL_TRACES_EXPORTER=${exporter}` };
  const propagators = nonEmpty(env, 'OTEL_PROPAGATORS') ?? 'tracecontext,baggage';
  if (propagators.replace(/\s/g, '') !== 'tracecontext,baggage') return { sdkBecause: `OTEL_PROPAGATORS=${propagators}` };
  if (nonEmpty(env, 'OTEL_NODE_RESOURCE_DETECTORS') !== undefined) return { sdkBecause: 'OTEL_NODE_RESOURCE_DETECTORS' };
  const samplerName = nonEmpty(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on';
  if (!(SAMPLER_NAMES as readonly string[]).includes(samplerName)) return { sdkBecause: `sampler ${samplerName}` };
  const ratioRaw = nonEmpty(env, 'OTEL_TRACES_SAMPLER_ARG');
  const ratioValue = ratioRaw === undefined ? 1 : Number(ratioRaw);
  // The SDK falls back to 1 for a missing or invalid ratio (and warns).
  const ratio = Number.isFinite(ratioValue) && ratioValue >= 0 && ratioValue <= 1 ? ratioValue : 1;

  const tracesEndpoint = nonEmpty(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseEndpoint = nonEmpty(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const url = tracesEndpoint ?? (baseEndpoint === undefined ? 'http://localhost:4318/v1/traces' : `${baseEndpoint.replace(/\/+$/, '')}/v1/traces`);
  return {
    url,
    headers: { ...parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS), ...parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS) },
    sampler: { name: samplerName as SamplerName, ratio },
    scheduleDelayMs: positiveInt(env, ['OTEL_BSP_SCHEDULE_DELAY'], 5000),
    maxExportBatchSize: positiveInt(env, ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE'], 512),
    maxQueueSize: positiveInt(env, ['OTEL_BSP_MAX_QUEUE_SIZE'], 2048),
    timeoutMs: positiveInt(env, ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'], 10_000),
  };
}
