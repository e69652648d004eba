import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import { SyncContextManager } from './sync-context-manager';
import { registerTracingRuntime, TracingIdentity } from './tracing-runtime';

function ioredisInstrumentation(): IORedisInstrumentation {
  return new IORedisInstrumentation({
    requireParentSpan: true,
    // Keys hold session ids: keep them out of the trace backend.
    dbStatementSerializer: (command) => command,
  });
}

/**
 * The OpenTelemetry SDK's path of startTracing (start-tracing.ts), for what the lean tracer does
 * not cover. Only startTracing requires this module: loading it loads the SDK and its exporters.
 */
export function startSdkTracing(identity: TracingIdentity): void {
  const sdk = new NodeSDK({
    serviceName: identity.service,
    ...(identity.service !== 'chat' && { contextManager: new SyncContextManager() }),
    resource: resources.defaultResource().merge(
      resources.resourceFromAttributes({ 'service.instance.id': identity.replica }),
    ),
    // The stores make their own Redis spans (libs/state, redisCall); the chat service's fan-out
    // is traced by the ioredis instrumentation, with the async context it keeps.
    instrumentations: identity.service === 'chat' ? [ioredisInstrumentation()] : [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  registerTracingRuntime({ identity, shutdown: () => sdk.shutdown() });
}
