import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { childEnvironment } from '@app/config';
import { Shopper, startPrivateRedis, waitUntil } from '../tools/kit';
import { findGrafana } from '../tools/lab/grafana';
import { prometheusAvailable, redisExporterAvailable } from '../tools/lab/prometheus';
import type { RedisServerProcess } from '../tools/lab/redis-server';
import { descendantsOf, LauncherProcess, smallLabEnvironment, stillRunning } from './support/launcher';

/**
 * `npm run lab` as a person runs it: a real launcher process (one replica per service, redis
 * mode against a private redis-server of the test's), stopped with a terminal's Ctrl-C.
 */
describe('npm run lab: Ctrl-C and restarts', () => {
  let redis: RedisServerProcess;
  let folder: string;
  let env: NodeJS.ProcessEnv;
  const launchers: LauncherProcess[] = [];
  const seen = new Set<number>();

  const start = async () => {
    const launcher = new LauncherProcess(folder, env);
    launchers.push(launcher);
    await launcher.ready();
    for (const pid of descendantsOf(launcher.pid)) seen.add(pid);
    return launcher;
  };

  beforeAll(async () => {
    redis = await startPrivateRedis({ appendOnly: false });
    folder = mkdtempSync(path.join(tmpdir(), 'statelab-launcher-'));
    env = childEnvironment(await smallLabEnvironment(folder, { STATE_MODE: 'redis', REDIS_URL: redis.url }));
  });

  afterAll(async () => {
    for (const launcher of launchers) launcher.kill();
    for (const pid of stillRunning([...seen])) process.kill(pid, 'SIGKILL');
    await redis?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('stops on Ctrl-C with one line per process stopped and "lab stopped in", restarting nothing and leaving no process behind', async () => {
    const launcher = await start();
    const children = descendantsOf(launcher.pid);
    // Without Grafana on PATH the launcher says, in one line, how to get it.
    if (!findGrafana()) expect(launcher.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^ {2}grafana\s+not on PATH \(.+\), skipped$/)]));
    expect(children.length).toBeGreaterThanOrEqual(5); // gateway, 3 replicas, the watchdog (+ Prometheus)

    launcher.interrupt();
    expect(await launcher.exited()).toEqual({ code: 0, signal: null });

    const afterStop = launcher.lines.slice(launcher.lines.indexOf('stopping the lab…'));
    const stoppedLines = (id: string) => afterStop.filter((line) => new RegExp(`^${id}\\s+stopped`).test(line));
    const expected = [
      'gateway',
      'user-1',
      'cart-1',
      'product-1',
      ...(prometheusAvailable() ? ['prometheus'] : []),
      ...(prometheusAvailable() && redisExporterAvailable() ? ['exporter'] : []),
    ];
    for (const id of expected) expect({ id, lines: stoppedLines(id) }).toEqual({ id, lines: [expect.stringMatching(new RegExp(`^${id}\\s+stopped$`))] });
    expect(launcher.lines.filter((line) => /restarting|exited \(/.test(line))).toEqual([]);
    expect(launcher.lines[launcher.lines.length - 1]).toMatch(/^lab stopped in \d+\.\ds$/);

    await waitUntil('every process the launcher started to be gone', () => stillRunning(children).length === 0, { timeoutMs: 10_000 }).catch(() => {
      throw new Error(`still running after the launcher stopped: ${stillRunning(children).join(', ')}`);
    });
    expect(existsSync(path.join(folder, '.lab', 'run.json'))).toBe(false);
    expect(readdirSync(folder).filter((name) => name.startsWith('statelab-'))).toEqual([]);
  }, 90_000);

  it('keeps one session secret per lab folder: a shopper logged in before a restart is still logged in after it', async () => {
    const first = await start();
    const shopper = new Shopper(first.url('gateway') as string, 'user7');
    expect((await shopper.login()).status).toBe(200);
    const secretFile = path.join(folder, '.lab', 'secrets', 'session-secret');
    const secret = readFileSync(secretFile, 'utf8');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    shopper.client.close();
    first.interrupt();
    await first.exited();

    const second = await start();
    const again = new Shopper(second.url('gateway') as string, 'user7');
    again.cookie = shopper.cookie;
    const me = await again.get('/api/me');
    again.client.close();
    expect({ status: me.status, body: me.body }).toEqual({ status: 200, body: { userId: expect.any(String), username: 'user7' } });
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    second.interrupt();
    await second.exited();
  }, 120_000);
});
