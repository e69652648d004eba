import { randomBytes } from 'node:crypto';
import { Env, EnvReader } from './env';
import { ReadSecretFile, readSecretFile, readSecretFileSync } from './secrets';

/** Limits on failed logins (429 with Retry-After past them), per account and per client address. */
export interface LoginLimits {
  /** Failed logins of one username allowed per window. */
  failuresPerAccount: number;
  /** Failed logins from one client address allowed per window. */
  failuresPerClient: number;
  windowSeconds: number;
}

/** What only the gateway reads, beyond LabConfig. */
export interface GatewayConfig {
  /**
   * Keys that sign `sid` cookies: `current` (SESSION_SECRET, or the file SESSION_SECRET_FILE
   * names, which wins) signs, `previous` (SESSION_SECRET_PREVIOUS) is still accepted, so a key
   * rotation logs nobody out. `current` is random per gateway start when neither is set (the
   * native launcher sets one per lab run, so restarts keep it).
   */
  sessionSecrets: { current: string; previous: string | undefined };
  /** COOKIE_SECURE=on adds `Secure` to the session cookie (a lab behind HTTPS). */
  cookieSecure: boolean;
  loginLimits: LoginLimits;
  /** A request (headers and body) must arrive within this time, or the connection closes with a 408. */
  requestTimeoutMs: number;
  /** How long a `drain` restart waits at most for a replica's sessions and calls to end (DRAIN_SECONDS). */
  drainSeconds: number;
}

const SECRET = /^.{32,512}$/;

export function loadGatewayConfig(env: Env, readFile: ReadSecretFile = readSecretFileSync): GatewayConfig {
  const read = new EnvReader(env);
  const file = read.raw('SESSION_SECRET_FILE');
  return {
    sessionSecrets: {
      current:
        (file === undefined
          ? read.pattern('SESSION_SECRET', SECRET, 'at least 32 characters')
          : readSecretFile('SESSION_SECRET_FILE', file, SECRET, '32 to 512 characters', readFile)) ?? randomBytes(32).toString('hex'),
      previous: read.pattern('SESSION_SECRET_PREVIOUS', SECRET, 'at least 32 characters'),
    },
    cookieSecure: read.oneOf('COOKIE_SECURE', ['on', 'off'] as const, 'off') === 'on',
    loginLimits: {
      failuresPerAccount: read.int('LOGIN_FAILURES_PER_ACCOUNT', 1, 10_000, 5),
      failuresPerClient: read.int('LOGIN_FAILURES_PER_CLIENT', 1, 100_000, 30),
      windowSeconds: read.int('LOGIN_FAILURE_WINDOW_SECONDS', 1, 86_400, 60),
    },
    requestTimeoutMs: read.int('REQUEST_TIMEOUT_MS', 200, 300_000, 10_000),
    drainSeconds: read.int('DRAIN_SECONDS', 0, 3600, 30),
  };
}
