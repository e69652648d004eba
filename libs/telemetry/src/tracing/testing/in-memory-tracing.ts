import { context, propagation, trace } from '@opentelemetry/api';
import { node } from '@opentelemetry/sdk-node';
import { registerTracingRuntime, shutdownTracing, TracingIdentity } from '../tracing-runtime';

/** What an in-process test gets: finished spans, and a way to undo the global registration. */
export interface InMemoryTracing {
  spans(): node.ReadableSpan[];
  stop(): Promise<void>;
}

/**
 * For unit tests: registers a real tracer provider (async-hooks context, W3C propagator) that
 * keeps finished spans in memory, and marks tracing as active, as preload.ts would.
 */
export function startInMemoryTracing(identity: TracingIdentity = { service: 'cart', replica: 'cart-1' }): InMemoryTracing {
  const exporter = new node.InMemorySpanExporter();
  const provider = new node.NodeTracerProvider({ spanProcessors: [new node.SimpleSpanProcessor(exporter)] });
  provider.register();
  registerTracingRuntime({ identity, shutdown: () => provider.shutdown() });
  return {
    spans: () => exporter.getFinishedSpans(),
    async stop() {
      await shutdownTracing(); // shuts the provider down and marks tracing inactive again
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
