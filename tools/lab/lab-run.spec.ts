import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { waitUntil } from '../kit/wait';
import { processStartTime, reclaimRun, RunRecord } from './lab-run';

describe('reclaimRun()', () => {
  let dir: string;
  const sleepers: ReturnType<typeof spawn>[] = [];
  const sleeper = () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    sleepers.push(child);
    return child;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'statelab-lab-run-'));
  });

  afterEach(() => {
    for (const child of sleepers.splice(0)) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const writeRecord = (record: RunRecord) => {
    const file = path.join(dir, 'run.json');
    writeFileSync(file, JSON.stringify(record));
    return file;
  };

  it('stops the recorded children that still run, removes their folders and the record', async () => {
    const child = sleeper();
    await waitUntil('the sleeper to run', () => processStartTime(child.pid as number));
    const left = path.join(dir, 'statelab-prometheus-x');
    mkdirSync(left);
    const file = writeRecord({ launcherPid: 1, launcherStartTime: '0', children: [{ name: 'prometheus', pid: child.pid as number, startTime: processStartTime(child.pid as number) }], dirs: [left] });

    const reclaimed = await reclaimRun(file);

    expect(reclaimed).toEqual({ killed: [expect.objectContaining({ name: 'prometheus', pid: child.pid })], removed: [left] });
    await waitUntil('the sleeper to exit', () => child.exitCode !== null || child.signalCode !== null);
    expect(child.signalCode).toBe('SIGTERM');
    expect(existsSync(left)).toBe(false);
    expect(existsSync(file)).toBe(false);
  });

  it('leaves alone a process that reused a recorded pid (another start time)', async () => {
    const child = sleeper();
    await waitUntil('the sleeper to run', () => processStartTime(child.pid as number));
    const file = writeRecord({ launcherPid: 1, launcherStartTime: '0', children: [{ name: 'redis-server', pid: child.pid as number, startTime: '1' }], dirs: [] });

    expect(await reclaimRun(file)).toEqual({ killed: [], removed: [] });
    expect(processStartTime(child.pid as number)).toBeDefined();
  });
});
