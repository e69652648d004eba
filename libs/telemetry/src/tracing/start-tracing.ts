import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { leanTracingConfig, LeanTracingConfig } from './lean/lean-config';
import { LeanTracerProvider } from './lean/lean-tracer';
import { OtlpSpanExporter } from './lean/otlp-span-exporter';
import { SyncContextManager } from './sync-context-manager';
import { registerTracingRuntime, TracingIdentity } from './tracing-runtime';

/**
 * The resource every span of this process carries: the SDK's default (telemetry.sdk.*), the
 * env, process and host detectors (as NodeSDK runs them by default), and the lab's identity.
 */
function processResource(identity: TracingIdentity): Resource {
  return defaultResource()
    .merge(detectResources({ detectors: [envDetector, processDetector, hostDetector] }))
    .merge(resourceFromAttributes({ 'service.name': identity.service, 'service.instance.id': identity.replica }));
}

/**
 * Starts tracing for this process: the lab's lean tracer where it covers the configuration
 * (see lean/lean-config.ts), else the OpenTelemetry SDK. Only preload.ts calls this, and only
 * when tracing is on. The SDK (sdk-tracing.ts) is required only on its path: with its
 * exporters it is about 860 modules, 10 MB of heap and 24 MB of RSS per process, which the lean
 * path does without (it needs the API, core's propagators and the resource detectors).
 *
 * - Resource: `service.name` and `service.instance.id` from the identity, merged over the
 *   detected process/host attributes (OTEL_RESOURCE_ATTRIBUTES still applies).
 * - Spans: the lab makes its own at its boundaries, cheaper than generic patching: the
 *   gateway's HTTP SERVER span (startHttpServerSpan), the hop's CLIENT and SERVER spans
 *   (withClientSpan, startServerSpan), and the stores' Redis CLIENT spans (redisCall in
 *   libs/state). The http and nestjs-core instrumentations cost more than the lab's whole
 *   request path did without them; the ioredis instrumentation cost a traced cart view about
 *   170 µs of CPU. Only the chat service loads it, for its fan-out.
 * - Traces (SDK path): no exporter or processor is passed, so the SDK builds them from the
 *   standard variables: an OTLP exporter for OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL
 *   (`http/protobuf` by default, `http/json`, `grpc`) and endpoint, in a BatchSpanProcessor tuned
 *   by OTEL_BSP_*; the sampler from OTEL_TRACES_SAMPLER(_ARG).
 * - Context: explicit, not async. The gateway hands its request's span to each call; a
 *   replica's transport hands the call's SERVER span context to the handler (LabTcpContext),
 *   which passes it to the store, which opens its Redis spans under it (SyncContextManager: no
 *   promise hook, which cost a replica more than its spans did). Only the chat service, whose
 *   WebSocket handlers await across calls they trace, keeps the SDK's async-local-storage context.
 * - No metrics or logs exporters: prom-client owns metrics, and the SDK would otherwise start
 *   OTLP metric and log exporters by default.
 */
export function startTracing(identity: TracingIdentity, env: Record<string, string | undefined> = process.env): void {
  const lean = leanTracingConfig(env, identity.service);
  if ('sdkBecause' in lean) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startSdkTracing } = require('./sdk-tracing') as typeof import('./sdk-tracing');
    startSdkTracing(identity);
  } else {
    startLeanTracing(identity, lean);
  }
}

/**
 * The lab's lean tracer behind the OpenTelemetry API (see lean/lean-tracer.ts): the same spans,
 * resource, sampler and propagators as the SDK path, but a span is
 * encoded to OTLP/protobuf as it ends instead of queued as an object for a batch, the spans are
 * plain objects without the SDK's processors, limits and clocks, and the export is one buffer
 * per scope. The SDK's span pipeline cost a traced request more than the request's own work.
 */
function startLeanTracing(identity: TracingIdentity, config: LeanTracingConfig): void {
  const resource = processResource(identity);
  const exporter = new OtlpSpanExporter({
    url: config.url,
    headers: config.headers,
    resource: (async () => {
      await resource.waitForAsyncAttributes?.();
      return resource.attributes;
    })(),
    scheduleDelayMs: config.scheduleDelayMs,
    maxExportBatchSize: config.maxExportBatchSize,
    maxQueueSize: config.maxQueueSize,
    timeoutMs: config.timeoutMs,
  });
  const provider = new LeanTracerProvider(exporter, config.sampler);
  context.setGlobalContextManager(new SyncContextManager());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(provider);
  registerTracingRuntime({
    identity,
    shutdown: () => exporter.shutdown(),
  });
}
