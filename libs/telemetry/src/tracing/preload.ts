/**
 * Tracing preload. Load it before anything it instruments:
 *
 *   node -r ./dist/tools/register-paths.js -r ./dist/libs/telemetry/src/tracing/preload.js \
 *        dist/apps/<service>/src/main.js
 *
 * With no OTLP endpoint configured (see loadTelemetryConfig) it loads nothing beyond the
 * config library and starts nothing. Otherwise it starts the OpenTelemetry SDK (see
 * startTracing) synchronously, so http, fastify, Nest and ioredis are patched when the app
 * requires them. It installs no signal handlers: apps flush with `shutdownTracing()` from
 * their `onApplicationShutdown` hook. An invalid variable stops the process with one line.
 */
import { configFromProcessEnv, loadTelemetryConfig } from '@app/config';
import { loadTracingIdentity } from './tracing-identity';

if (configFromProcessEnv(loadTelemetryConfig).tracingEnabled) {
  const identity = configFromProcessEnv((env) => loadTracingIdentity(env));
  // A synchronous require, not an import: the SDK and its exporters load only when tracing is
  // on, and they must be in place before this preload returns and the app's main module loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracing } = require('./start-tracing') as typeof import('./start-tracing');
  startTracing(identity);
}
