/**
 * Trace propagation over the internal TCP hop, and the process's tracing lifecycle.
 *
 * The SDK itself is started by `preload.js` in this folder (loaded with `node -r`), which is
 * deliberately not exported here: importing it would start the SDK too late to instrument.
 */
export { TRACE_CARRIER_KEY, attachTraceCarrier, takeTraceCarrier } from './trace-carrier';
export type { TraceCarrier, WithTraceCarrier } from './trace-carrier';
export { injectTraceContext, withClientSpan, rpcClientSpanName, RPC_SYSTEM, TRACER_NAME } from './propagation';
export type { RpcClientTarget } from './propagation';
export { RpcTraceInterceptor } from './rpc-trace.interceptor';
export { currentTraceId, currentSampledTraceId } from './trace-id';
export { isTracingActive, shutdownTracing, tracingIdentity, registerTracingRuntime } from './tracing-runtime';
export type { TracingIdentity, TracingRuntime } from './tracing-runtime';
export { recordSpanFailure } from './span-errors';
export { TracingLifecycle } from './tracing-lifecycle';
