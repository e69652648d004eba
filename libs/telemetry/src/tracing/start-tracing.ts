import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { SyncContextManager } from './sync-context-manager';
import { registerTracingRuntime, TracingIdentity } from './tracing-runtime';

/**
 * Starts the OpenTelemetry SDK for this process. Only preload.ts calls this, and only when
 * tracing is on: loading this module loads the SDK and its exporters.
 *
 * - Resource: `service.name` and `service.instance.id` from the identity, merged over the
 *   detected process/host attributes (OTEL_RESOURCE_ATTRIBUTES still applies).
 * - Instrumentations: ioredis only (inside a trace only, command names without keys). The
 *   lab makes its own spans at its boundaries, cheaper than generic patching: the gateway's
 *   HTTP SERVER span (startHttpServerSpan), the hop's CLIENT and SERVER spans (withClientSpan,
 *   withServerSpan). The http and nestjs-core instrumentations cost more than the lab's whole
 *   request path did without them, and added nothing a reader of a trace needs.
 * - Traces: no exporter or processor is passed, so the SDK builds them from the standard
 *   variables: an OTLP exporter for OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL (`http/protobuf`
 *   by default, `http/json`, `grpc`) and endpoint, in a BatchSpanProcessor tuned by
 *   OTEL_BSP_*; the sampler from OTEL_TRACES_SAMPLER(_ARG).
 * - Context: explicit, not async. The gateway hands its request's span to each call; a
 *   replica's transport hands the call's SERVER span context to the handler (LabTcpContext),
 *   which passes it to the store, whose Redis calls run with it active for the synchronous send
 *   (SyncContextManager): no promise hook, which cost a replica more than its spans did. Only
 *   the chat service, whose WebSocket handlers await across calls they trace, keeps the SDK's
 *   async-local-storage context.
 * - No metrics or logs exporters: prom-client owns metrics, and the SDK would otherwise start
 *   OTLP metric and log exporters by default.
 */
export function startTracing(identity: TracingIdentity): void {
  const sdk = new NodeSDK({
    serviceName: identity.service,
    ...(identity.service !== 'chat' && { contextManager: new SyncContextManager() }),
    resource: resources.defaultResource().merge(
      resources.resourceFromAttributes({ 'service.instance.id': identity.replica }),
    ),
    instrumentations: [
      new IORedisInstrumentation({
        requireParentSpan: true,
        // Keys hold session ids: keep them out of the trace backend.
        dbStatementSerializer: (command) => command,
      }),
    ],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  registerTracingRuntime({ identity, shutdown: () => sdk.shutdown() });
}
