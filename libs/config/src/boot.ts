import { ConfigError, Env } from './env';

/**
 * Reads configuration from the process environment, the only place in statelab that does.
 * An invalid value stops the process here, before it serves anything, with one line naming
 * the variable, the value and what is allowed.
 */
export function configFromProcessEnv<T>(load: (env: Env) => T): T {
  try {
    return load(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`statelab: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/**
 * The environment a child process of the lab starts with: this process's environment (so
 * OTEL_* and the like pass through) with the given variables set.
 */
export function childEnvironment(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/**
 * Ends this process when the launcher that started it with an IPC channel goes away, so a
 * killed launcher (or test runner) never leaves orphan replicas behind.
 */
export function exitWithParent(): void {
  if (typeof process.send !== 'function') return;
  process.on('disconnect', () => process.exit(0));
}
