import { createPrivateKey, randomBytes } from 'node:crypto';
import { ConfigError, Env, EnvReader } from './env';
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
  /** STATE_MODE=jwt: how tokens are signed, how long they live, whether logouts are remembered. */
  jwt: JwtConfig;
  /**
   * TRUST_PROXY=on: the client address is the first of `X-Forwarded-For` (the gateway sits behind
   * a proxy that sets it); off, the socket's peer, whatever the header says. ROUTING=ip-hash and
   * the login throttle use it.
   */
  trustProxy: boolean;
}

export const JWT_ALGORITHMS = ['HS256', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** The signing key of jwt mode: an HMAC secret (HS256) or an Ed25519 private key in PEM (EdDSA). */
export type JwtKeyConfig = { alg: 'HS256'; secret: string } | { alg: 'EdDSA'; privateKeyPem: string };

export interface JwtConfig {
  /**
   * JWT_ALG (HS256 default, or EdDSA) with its key: HS256 takes JWT_SECRET (>= 32 characters) or
   * the first line of JWT_KEY_FILE, random per gateway start when neither is set (the native
   * launcher sets one per lab run); EdDSA takes JWT_KEY_FILE, an Ed25519 private key in PEM.
   */
  key: JwtKeyConfig;
  /** ACCESS_TTL_SECONDS: life of an access token (cookie `at`). */
  accessTtlSeconds: number;
  /** REFRESH_TTL_SECONDS: life of a refresh token (cookie `rt`) and of its family's record. */
  refreshTtlSeconds: number;
  /** JWT_DENYLIST=off forgets logouts: a logged-out token works until it expires. */
  denylist: boolean;
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
    jwt: {
      key: readJwtKey(read, readFile),
      accessTtlSeconds: read.int('ACCESS_TTL_SECONDS', 1, 86_400, 900),
      refreshTtlSeconds: read.int('REFRESH_TTL_SECONDS', 1, 90 * 86_400, 86_400),
      denylist: read.oneOf('JWT_DENYLIST', ['on', 'off'] as const, 'on') === 'on',
    },
    trustProxy: read.oneOf('TRUST_PROXY', ['on', 'off'] as const, 'off') === 'on',
  };
}

function isEd25519PrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}

const PEM_PRIVATE_KEY = /-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/;

function readJwtKey(read: EnvReader, readFile: ReadSecretFile): JwtKeyConfig {
  const alg = read.oneOf('JWT_ALG', JWT_ALGORITHMS, 'HS256');
  const file = read.raw('JWT_KEY_FILE');
  if (alg === 'EdDSA') {
    const allowed = 'a readable file holding an Ed25519 private key in PEM (JWT_ALG=EdDSA)';
    if (file === undefined) throw new ConfigError('JWT_KEY_FILE', '', allowed);
    let pem: string;
    try {
      pem = readFile(file);
    } catch {
      throw new ConfigError('JWT_KEY_FILE', file, allowed);
    }
    const match = PEM_PRIVATE_KEY.exec(pem);
    if (!match || !isEd25519PrivateKey(match[0])) throw new ConfigError('JWT_KEY_FILE', file, allowed);
    return { alg, privateKeyPem: match[0] };
  }
  const secret =
    file === undefined
      ? read.pattern('JWT_SECRET', SECRET, 'at least 32 characters')
      : readSecretFile('JWT_KEY_FILE', file, SECRET, '32 to 512 characters (the HS256 secret)', readFile);
  return { alg, secret: secret ?? randomBytes(32).toString('hex') };
}
