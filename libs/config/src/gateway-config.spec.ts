import { generateKeyPairSync } from 'node:crypto';
import { ConfigError } from './env';
import { loadGatewayConfig } from './gateway-config';

describe('loadGatewayConfig()', () => {
  it('defaults to a random signing key, no previous key, no Secure flag and 5/30 failed logins a minute', () => {
    const config = loadGatewayConfig({});
    expect(config.sessionSecrets.current).toHaveLength(64);
    expect(config.sessionSecrets.previous).toBeUndefined();
    expect(config.cookieSecure).toBe(false);
    expect(config.loginLimits).toEqual({ failuresPerAccount: 5, failuresPerClient: 30, windowSeconds: 60 });
    expect(config.requestTimeoutMs).toBe(10_000);
  });

  it('keeps a configured key and the previous one for rotation', () => {
    const config = loadGatewayConfig({ SESSION_SECRET: 'n'.repeat(32), SESSION_SECRET_PREVIOUS: 'p'.repeat(40), COOKIE_SECURE: 'on' });
    expect(config.sessionSecrets).toEqual({ current: 'n'.repeat(32), previous: 'p'.repeat(40) });
    expect(config.cookieSecure).toBe(true);
  });

  it.each([
    ['SESSION_SECRET', 'too-short', 'invalid SESSION_SECRET="too-short": expected at least 32 characters'],
    ['SESSION_SECRET_PREVIOUS', 'short', 'invalid SESSION_SECRET_PREVIOUS="short": expected at least 32 characters'],
    ['COOKIE_SECURE', 'yes', 'invalid COOKIE_SECURE="yes": expected one of on, off'],
    ['LOGIN_FAILURES_PER_ACCOUNT', '0', 'invalid LOGIN_FAILURES_PER_ACCOUNT="0": expected an integer from 1 to 10000'],
  ])('rejects %s=%s with one line', (name, value, message) => {
    expect(() => loadGatewayConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ [name]: value })).toThrow(message);
  });

  it('reads SESSION_SECRET_FILE before SESSION_SECRET: the first line, trimmed', () => {
    const files: Record<string, string> = { '/run/secrets/session-secret': 'a-session-secret-from-a-mounted-file-0123\nignored\n' };
    const config = loadGatewayConfig({ SESSION_SECRET_FILE: '/run/secrets/session-secret', SESSION_SECRET: 'x'.repeat(40) }, (file) => files[file]);
    expect(config.sessionSecrets.current).toBe('a-session-secret-from-a-mounted-file-0123');
  });

  it.each([
    ['short', 'invalid SESSION_SECRET_FILE="/s": expected a file whose first line is 32 to 512 characters'],
    [undefined, 'invalid SESSION_SECRET_FILE="/s": expected a readable file (ENOENT)'],
  ])('refuses a SESSION_SECRET_FILE holding %s', (content, message) => {
    const readFile = () => {
      if (content === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return content;
    };
    expect(() => loadGatewayConfig({ SESSION_SECRET_FILE: '/s' }, readFile)).toThrow(message);
  });

  describe('jwt mode variables', () => {
    it('defaults to HS256 with a random secret, 900 s access and 86400 s refresh tokens, the denylist on and TRUST_PROXY off', () => {
      const config = loadGatewayConfig({});
      expect(config.jwt).toEqual({
        key: { alg: 'HS256', secret: expect.stringMatching(/^[0-9a-f]{64}$/) },
        accessTtlSeconds: 900,
        refreshTtlSeconds: 86_400,
        denylist: true,
      });
      expect(config.trustProxy).toBe(false);
    });

    it('reads JWT_SECRET, the TTLs, JWT_DENYLIST=off and TRUST_PROXY=on', () => {
      const config = loadGatewayConfig({
        JWT_SECRET: 's'.repeat(32),
        ACCESS_TTL_SECONDS: '60',
        REFRESH_TTL_SECONDS: '600',
        JWT_DENYLIST: 'off',
        TRUST_PROXY: 'on',
      });
      expect(config.jwt).toEqual({ key: { alg: 'HS256', secret: 's'.repeat(32) }, accessTtlSeconds: 60, refreshTtlSeconds: 600, denylist: false });
      expect(config.trustProxy).toBe(true);
    });

    it('reads an Ed25519 private key from JWT_KEY_FILE with JWT_ALG=EdDSA', () => {
      const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      expect(loadGatewayConfig({ JWT_ALG: 'EdDSA', JWT_KEY_FILE: '/k' }, () => pem).jwt.key).toEqual({ alg: 'EdDSA', privateKeyPem: pem.trim() });
    });

    it.each([
      [{ JWT_SECRET: 'short' }, 'invalid JWT_SECRET="short": expected at least 32 characters'],
      [{ JWT_ALG: 'RS256' }, 'invalid JWT_ALG="RS256": expected one of HS256, EdDSA'],
      [{ JWT_ALG: 'EdDSA' }, 'invalid JWT_KEY_FILE="": expected a readable file holding an Ed25519 private key in PEM'],
      [{ JWT_DENYLIST: 'no' }, 'invalid JWT_DENYLIST="no": expected one of on, off'],
      [{ ACCESS_TTL_SECONDS: '0' }, 'invalid ACCESS_TTL_SECONDS="0": expected an integer from 1 to 86400'],
      [{ TRUST_PROXY: 'yes' }, 'invalid TRUST_PROXY="yes": expected one of on, off'],
    ])('refuses %j with one line', (env, message) => {
      expect(() => loadGatewayConfig(env)).toThrow(message);
    });

    it('refuses an RSA key where EdDSA needs Ed25519', () => {
      const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      expect(() => loadGatewayConfig({ JWT_ALG: 'EdDSA', JWT_KEY_FILE: '/k' }, () => pem)).toThrow('invalid JWT_KEY_FILE="/k"');
    });
  });
});
