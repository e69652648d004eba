import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, freePortBlock } from '../../tools/kit/ports';
import { GiveUp, waitUntil } from '../../tools/kit/wait';

const DIST = path.resolve(__dirname, '..', '..', 'dist');

/** Ports a launcher uses, all free: two launchers of one suite get the same ones to show they are given back. */
export async function launcherPorts(): Promise<Record<string, string>> {
  const base = await freePortBlock();
  return {
    GATEWAY_PORT: String(await freePort()),
    LAB_PORT_BASE: String(base),
    PROMETHEUS_PORT: String(await freePort()),
    REDIS_EXPORTER_PORT: String(await freePort()),
    GRAFANA_PORT: String(await freePort()),
  };
}

/**
 * The environment of a small native lab for the launcher suites: free ports, one replica per
 * service, temp folders under `folder` (where the test can see what is left), tracing off.
 */
export async function smallLabEnvironment(folder: string, extra: Record<string, string | undefined>): Promise<Record<string, string | undefined>> {
  return {
    ...(await launcherPorts()),
    USER_REPLICAS: '1',
    CART_REPLICAS: '1',
    PRODUCT_REPLICAS: '1',
    CHAT_REPLICAS: '1',
    TMPDIR: folder,
    OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
    ...extra,
  };
}

/** pid → parent pid of every process on the machine (Linux /proc); zombies left out. */
function parentsOfAll(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parents.set(Number(entry), Number(fields[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  return parents;
}

/** Every live descendant of `pid` (children, their children, …). */
export function descendantsOf(pid: number): number[] {
  const parents = parentsOfAll();
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** The ones of `pids` still running (not zombies). */
export function stillRunning(pids: readonly number[]): number[] {
  const parents = parentsOfAll();
  return pids.filter((pid) => parents.has(pid));
}

/**
 * `npm run lab` as a real child process (compiled, from dist/), in `cwd` (where its `.lab/`
 * goes), as the leader of a process group of its own, like a shell's foreground job: `interrupt()`
 * is a terminal's Ctrl-C (SIGINT to the whole group).
 */
export class LauncherProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(cwd: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['-r', path.join(DIST, 'tools', 'register-paths.js'), path.join(DIST, 'tools', 'lab', 'main.js')], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    for (const stream of [this.child.stdout, this.child.stderr]) if (stream) createInterface({ input: stream }).on('line', (line) => this.lines.push(line));
    this.exit = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get output(): string {
    return this.lines.join('\n');
  }

  /** Resolves once the launcher printed that the lab is up; rejects at once if it exited. */
  async ready(timeoutMs = 45_000): Promise<void> {
    await waitUntil(
      'the launcher to print "statelab is up"',
      () => {
        if (this.child.exitCode !== null || this.child.signalCode !== null) throw new GiveUp(`the launcher exited:\n${this.output}`);
        return this.lines.some((line) => line.startsWith('statelab is up'));
      },
      { timeoutMs, intervalMs: 100 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- output ---\n${this.output}`);
    });
  }

  /** The URL printed for `name` in the launcher's list (`  prometheus  http://…`). */
  url(name: string): string | undefined {
    const line = this.lines.find((candidate) => new RegExp(`^  ${name}\\s{2,}http://`).test(candidate));
    return line ? /(http:\/\/\S+)/.exec(line)?.[1] : undefined;
  }

  /** Ctrl-C in its terminal: SIGINT to its whole process group. */
  interrupt(): void {
    process.kill(-this.pid, 'SIGINT');
  }

  exited(timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return Promise.race([
      this.exit,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`the launcher did not exit within ${timeoutMs} ms:\n${this.output}`)), timeoutMs).unref(),
      ),
    ]);
  }

  /** For afterAll: whatever a failed test left, SIGKILL the launcher's group and every descendant. */
  kill(): void {
    for (const pid of [...descendantsOf(this.pid), this.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}
