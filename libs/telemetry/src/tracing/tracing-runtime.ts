/** Who this process is in traces: `service.name` and `service.instance.id` of its resource. */
export interface TracingIdentity {
  /** gateway | user | cart | product */
  service: string;
  /** gateway, cart-2, … */
  replica: string;
}

/** What preload.ts leaves behind when it started the SDK. */
export interface TracingRuntime {
  identity: TracingIdentity;
  /** Flushes pending spans and stops the SDK. */
  shutdown(): Promise<void>;
}

// Module state, not a Nest provider: the SDK starts before Nest exists (preload), and the
// interceptor and the gateway helpers only need to know whether it did.
let runtime: TracingRuntime | undefined;
let shutdownPromise: Promise<void> | undefined;

/**
 * Records that a tracer provider is registered for this process. preload.ts calls it after
 * starting the SDK; an in-process test that registers its own provider may call it too.
 */
export function registerTracingRuntime(started: TracingRuntime): void {
  runtime = started;
  shutdownPromise = undefined;
}

/** True when this process exports traces; false costs the callers one property read. */
export function isTracingActive(): boolean {
  return runtime !== undefined;
}

/** This process's identity in traces, when tracing is on. */
export function tracingIdentity(): TracingIdentity | undefined {
  return runtime?.identity;
}

/**
 * Flushes buffered spans and stops the SDK; resolves at once when tracing is off. Call it from
 * `onApplicationShutdown` (after Nest closed its servers, so the last spans have ended). The
 * preload installs no signal handlers of its own: Nest's shutdown hooks re-raise the signal
 * once they ran, and a second listener would swallow that and keep the process alive.
 * Bounded by `timeoutMs` so an unreachable collector never holds up a shutdown.
 */
export function shutdownTracing(timeoutMs = 5000): Promise<void> {
  const current = runtime;
  if (!current) return Promise.resolve();
  shutdownPromise ??= new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    current
      .shutdown()
      .catch(() => undefined) // an export failure at exit is not worth failing the shutdown for
      .finally(() => {
        clearTimeout(timer);
        resolve();
      });
  }).finally(() => {
    if (runtime === current) runtime = undefined;
  });
  return shutdownPromise;
}
