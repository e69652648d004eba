import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const dist = path.resolve(__dirname, '..', 'dist');

function boot(entry: string, env: Record<string, string>): { status: number | null; stderr: string; stdout: string } {
  const result = spawnSync(
    process.execPath,
    ['-r', path.join(dist, 'tools/register-paths.js'), '-r', path.join(dist, 'libs/telemetry/src/tracing/preload.js'), path.join(dist, entry)],
    {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
      timeout: 20000,
    },
  );
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('a process started with an invalid variable', () => {
  it.each([
    ['apps/gateway/src/main.js', { STATE_MODE: 'jwtt' }, 'statelab: invalid STATE_MODE="jwtt": expected one of stateful, redis'],
    [
      'apps/cart/src/main.js',
      { REPLICA_ID: 'cart-1', ROUTING: 'sticky' },
      'statelab: invalid ROUTING="sticky": expected one of round-robin, sticky-modulo, sticky-ring',
    ],
    ['apps/user/src/main.js', { REPLICA_ID: 'user-99' }, 'statelab: invalid REPLICA_ID="user-99"'],
    ['apps/gateway/src/main.js', { OTEL_EXPORTER_OTLP_ENDPOINT: 'nowhere' }, 'statelab: invalid OTEL_EXPORTER_OTLP_ENDPOINT="nowhere"'],
    ['apps/cart/src/main.js', { REPLICA_ID: 'cart-1', LAB_SECRET: '' }, 'statelab: invalid LAB_SECRET=""'],
    ['apps/gateway/src/main.js', { LAB_SECRET: 'too-short' }, 'statelab: invalid LAB_SECRET="too-short"'],
    ['apps/user/src/main.js', { REPLICA_ID: 'user-1', LAB_SECRET_FILE: '/nonexistent/secret' }, 'statelab: invalid LAB_SECRET_FILE="/nonexistent/secret"'],
    ['apps/gateway/src/main.js', { REPLICA_DISCOVERY: 'dns' }, 'statelab: invalid REPLICA_SRV_NAME="": expected a DNS name with {service} in it'],
    ['apps/gateway/src/main.js', { SESSION_SECRET_FILE: '/nonexistent/session' }, 'statelab: invalid SESSION_SECRET_FILE="/nonexistent/session"'],
    ['apps/cart/src/main.js', { REPLICA_ID: 'cart-1', REPLICA_PORTS: 'per-pod' }, 'statelab: invalid REPLICA_PORTS="per-pod"'],
    ['apps/gateway/src/main.js', { STATE_MODE: 'jwt', JWT_SECRET: 'too-short' }, 'statelab: invalid JWT_SECRET="too-short": expected at least 32 characters'],
    ['apps/gateway/src/main.js', { STATE_MODE: 'jwt', JWT_ALG: 'EdDSA' }, 'statelab: invalid JWT_KEY_FILE=""'],
  ])('%s stops before serving, with one line on stderr', (entry, env, line) => {
    const result = boot(entry, { GATEWAY_PORT: '1', LAB_PORT_BASE: '1024', LAB_SECRET: 'a-valid-lab-secret-of-32-characters-or-more', ...env });
    expect(result.status).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(line)]);
  });
});
