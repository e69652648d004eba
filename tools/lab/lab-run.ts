import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DIST } from '../kit/dist';

/** A process the launcher started that holds no IPC channel to it (Prometheus, redis-server, …). */
export interface RecordedChild {
  name: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat: tells this process from a later one given the same pid. */
  startTime: string | undefined;
}

/** `.lab/run.json`: what a running launcher must take down with it. */
export interface RunRecord {
  launcherPid: number;
  launcherStartTime: string | undefined;
  children: RecordedChild[];
  /** Temporary directories (Prometheus and Grafana data) to remove. */
  dirs: string[];
}

export interface Reclaimed {
  killed: RecordedChild[];
  removed: string[];
}

/** The start time of a process (clock ticks since boot), or undefined when it is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has exited: only its parent's wait() is missing.
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** True while the very process that was recorded still runs (not one that reused its pid). */
function stillRuns(pid: number, startTime: string | undefined): boolean {
  const now = processStartTime(pid);
  return now !== undefined && (startTime === undefined || now === startTime);
}

export function readRunRecord(file: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes down what a dead launcher left: SIGTERM to each recorded child still running, SIGKILL
 * to any alive after `graceMs`, then removes its temporary directories and the record itself.
 */
export async function reclaimRun(file: string, graceMs = 3000): Promise<Reclaimed> {
  const record = readRunRecord(file);
  if (!record) {
    rmSync(file, { force: true });
    return { killed: [], removed: [] };
  }
  const alive = record.children.filter((child) => child.pid !== process.pid && stillRuns(child.pid, child.startTime));
  for (const child of alive) signal(child.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive.some((child) => stillRuns(child.pid, child.startTime)) && Date.now() < deadline) await sleep(50);
  for (const child of alive) if (stillRuns(child.pid, child.startTime)) signal(child.pid, 'SIGKILL');
  const removed = record.dirs.filter((dir) => existsSync(dir));
  for (const dir of removed) rmSync(dir, { recursive: true, force: true });
  rmSync(file, { force: true });
  return { killed: alive, removed };
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone meanwhile.
  }
}

/**
 * The launcher's record of the children that cannot hold an IPC channel (so cannot notice the
 * launcher die), kept in `<stateDir>/run.json`. A launcher killed with SIGKILL leaves the record
 * behind: its watchdog (a small process that notices the launcher's end) takes them down at
 * once, and the next `npm run lab` does it should the watchdog have died too.
 */
export class LabRun {
  readonly file: string;
  private readonly record: RunRecord;

  private constructor(stateDir: string) {
    this.file = path.join(stateDir, 'run.json');
    this.record = { launcherPid: process.pid, launcherStartTime: processStartTime(process.pid), children: [], dirs: [] };
  }

  /**
   * Claims `stateDir` for this launcher: reclaims what a dead one left (reported through
   * `onReclaimed`), refuses when another launcher still runs there, writes a fresh record and
   * starts the watchdog.
   */
  static async begin(stateDir: string, onReclaimed: (reclaimed: Reclaimed, launcherPid: number) => void): Promise<LabRun> {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const run = new LabRun(stateDir);
    const previous = readRunRecord(run.file);
    if (previous && previous.launcherPid !== process.pid && stillRuns(previous.launcherPid, previous.launcherStartTime)) {
      throw new Error(`another lab is running from this folder (launcher pid ${previous.launcherPid}); stop it first (Ctrl-C in its terminal, or kill ${previous.launcherPid})`);
    }
    if (previous) onReclaimed(await reclaimRun(run.file), previous.launcherPid);
    run.save();
    run.startWatchdog();
    return run;
  }

  addChild(name: string, pid: number | undefined): void {
    if (pid === undefined) return;
    this.record.children.push({ name, pid, startTime: processStartTime(pid) });
    this.save();
  }

  addDir(dir: string): void {
    this.record.dirs.push(path.resolve(dir));
    this.save();
  }

  /** After a clean stop: nothing is left to reclaim. */
  end(): void {
    rmSync(this.file, { force: true });
  }

  private save(): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.record, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  /**
   * The watchdog runs in a process group of its own (a terminal's Ctrl-C does not reach it) and
   * reads a pipe from the launcher: the pipe closes when the launcher exits, however it dies.
   */
  private startWatchdog(): void {
    const entry = path.join(DIST, 'tools', 'lab', 'watchdog.js');
    const watchdog = spawn(process.execPath, [entry, this.file, String(process.pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    watchdog.on('error', () => undefined);
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.addChild('watchdog', watchdog.pid);
  }
}
