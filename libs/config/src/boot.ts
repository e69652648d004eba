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
