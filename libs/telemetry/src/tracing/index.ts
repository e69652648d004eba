/**
 * Trace propagation over the internal TCP hop (client and server spans), and the process's
 * tracing lifecycle.
 *
 * The SDK itself is started by `preload.js` in this folder (loaded with `node -r`), which is
 * deliberately not exported here: importing it would start the SDK too late to instrument.
 */
export type { TraceCarrier } from './trace-carrier';
export { injectTraceContext, withClientSpan, withServerSpan, startServerSpan, endServerSpan, withRootSpan, rpcClientSpanName, RPC_SYSTEM, TRACER_NAME } from './propagation';
export type { RpcClientTarget, RpcServerTrace } from './propagation';
export { startHttpServerSpan, endHttpServerSpan } from './http-server-span';
export type { HttpServerTrace, HttpServerRequest } from './http-server-span';
export { currentTraceId, currentSampledTraceId } from './trace-id';
export { isTracingActive, shutdownTracing, tracingIdentity, registerTracingRuntime } from './tracing-runtime';
export type { TracingIdentity, TracingRuntime } from './tracing-runtime';
export { recordSpanFailure } from './span-errors';
export { TracingLifecycle } from './tracing-lifecycle';
