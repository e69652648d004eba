import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { childEnvironment } from '@app/config';
import { freePort, waitUntil } from '../tools/kit';
import { prometheusAvailable } from '../tools/lab/prometheus';
import { redisServerAvailable } from '../tools/lab/redis-server';
import type { RunRecord } from '../tools/lab/lab-run';
import { descendantsOf, LauncherProcess, smallLabEnvironment, stillRunning } from './support/launcher';

/**
 * A launcher killed with SIGKILL cannot stop anything. Its replicas notice (IPC); the children
 * that cannot (its private redis-server, Prometheus, the exporter) are taken down by its
 * watchdog, or, should the watchdog be killed too, by the next `npm run lab` in the same folder.
 */
describe('npm run lab: a launcher killed with SIGKILL', () => {
  let folder: string;
  let env: NodeJS.ProcessEnv;
  const launchers: LauncherProcess[] = [];
  const seen = new Set<number>();
  const record = () => JSON.parse(readFileSync(path.join(folder, '.lab', 'run.json'), 'utf8')) as RunRecord;
  const leftFolders = () => readdirSync(folder).filter((name) => name.startsWith('statelab-'));

  const start = async () => {
    const launcher = new LauncherProcess(folder, env);
    launchers.push(launcher);
    await launcher.ready();
    for (const pid of descendantsOf(launcher.pid)) seen.add(pid);
    return launcher;
  };

  beforeAll(async () => {
    if (!redisServerAvailable()) throw new Error('this suite needs redis-server on PATH (apt-get install redis-server)');
    folder = mkdtempSync(path.join(tmpdir(), 'statelab-launcher-'));
    env = childEnvironment(
      await smallLabEnvironment(folder, {
        STATE_MODE: 'redis',
        // Nothing answers there: the launcher starts its own redis-server, a child without IPC.
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      }),
    );
  });

  afterAll(() => {
    for (const launcher of launchers) launcher.kill();
    for (const pid of stillRunning([...seen])) process.kill(pid, 'SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  });

  it('takes everything it started down with it (its watchdog does), so the next lab starts on the same ports', async () => {
    const first = await start();
    const children = descendantsOf(first.pid);
    const external = record().children.filter((child) => child.name !== 'watchdog');
    expect(external.map((child) => child.name)).toEqual(expect.arrayContaining(['redis-server', ...(prometheusAvailable() ? ['prometheus'] : [])]));
    if (prometheusAvailable()) expect(leftFolders()).toHaveLength(1);

    first.child.kill('SIGKILL');
    await waitUntil('every child of the killed launcher to be gone', () => stillRunning(children).length === 0, { timeoutMs: 15_000 }).catch(() => {
      throw new Error(`still running: ${stillRunning(children).join(', ')}`);
    });
    expect(leftFolders()).toEqual([]);
    expect(existsSync(path.join(folder, '.lab', 'run.json'))).toBe(false);

    const second = await start();
    expect(second.output).not.toMatch(/port taken|already answers/);
    second.interrupt();
    await second.exited();
  }, 120_000);

  it('has the next lab take down what a launcher and its watchdog left, then start on the same ports', async () => {
    const first = await start();
    const left = record().children;
    const watchdog = left.find((child) => child.name === 'watchdog');
    expect(watchdog).toBeDefined();
    process.kill(watchdog!.pid, 'SIGKILL');
    first.child.kill('SIGKILL');
    await first.exited();
    const orphans = left.filter((child) => child.name !== 'watchdog').map((child) => child.pid);
    expect(stillRunning(orphans)).toEqual(orphans); // nobody took them down: the record is all that is left

    const second = await start();
    const cleaned = second.lines.find((line) => line.startsWith('cleaned up after a lab that did not stop'));
    expect(cleaned).toEqual(expect.stringContaining(`(launcher pid ${first.pid})`));
    expect(cleaned).toEqual(expect.stringContaining('stopped redis-server'));
    expect(stillRunning(orphans)).toEqual([]);
    expect(leftFolders()).toHaveLength(prometheusAvailable() ? 1 : 0); // the new lab's own
    second.interrupt();
    await second.exited();
    expect(leftFolders()).toEqual([]);
  }, 120_000);
});
