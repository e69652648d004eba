import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import type { IncomingMessage } from 'node:http';
import { registerTracingRuntime, TracingIdentity } from './tracing-runtime';

/** Scrapes and probes arrive every few seconds; tracing them would bury the requests. */
const UNTRACED_PATHS = new Set(['/metrics', '/healthz', '/readyz']);

function isUntracedRequest(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  const query = url.indexOf('?');
  return UNTRACED_PATHS.has(query === -1 ? url : url.slice(0, query));
}

/**
 * Starts the OpenTelemetry SDK for this process. Only preload.ts calls this, and only when
 * tracing is on: loading this module loads the SDK and its exporters.
 *
 * - Resource: `service.name` and `service.instance.id` from the identity, merged over the
 *   detected process/host attributes (OTEL_RESOURCE_ATTRIBUTES still applies).
 * - Instrumentations: http (incoming only, minus scrapes and probes), ioredis (inside a trace
 *   only, command names without keys), nestjs-core. Nothing else is patched.
 * - Traces: no exporter or processor is passed, so the SDK builds them from the standard
 *   variables: an OTLP exporter for OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL (`http/protobuf`
 *   by default, `http/json`, `grpc`) and endpoint, in a BatchSpanProcessor tuned by
 *   OTEL_BSP_*; the sampler from OTEL_TRACES_SAMPLER(_ARG).
 * - No metrics or logs exporters: prom-client owns metrics, and the SDK would otherwise start
 *   OTLP metric and log exporters by default.
 */
export function startTracing(identity: TracingIdentity): void {
  const sdk = new NodeSDK({
    serviceName: identity.service,
    resource: resources.defaultResource().merge(
      resources.resourceFromAttributes({ 'service.instance.id': identity.replica }),
    ),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: isUntracedRequest,
        // The gateway's only outgoing HTTP is the exporter's own; the TCP hop has its own spans.
        disableOutgoingRequestInstrumentation: true,
      }),
      new IORedisInstrumentation({
        requireParentSpan: true,
        // Keys hold session ids: keep them out of the trace backend.
        dbStatementSerializer: (command) => command,
      }),
      new NestInstrumentation(),
    ],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  registerTracingRuntime({ identity, shutdown: () => sdk.shutdown() });
}
