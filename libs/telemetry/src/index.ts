export * from './metrics/lab-metrics';
export * from './metrics/gateway-telemetry';
export * from './metrics/replica-telemetry';
export * from './tracing';
export * from './logging/throttled-error-log';
