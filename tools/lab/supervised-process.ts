import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { DIST } from '../kit/dist';
import { isRunning, stopChild } from '../kit/process';
import { NODE_FLAGS } from './node-options';

/** The node arguments that start a compiled entry point with the lab's flags, aliases and tracing preloaded. */
export function nodeEntry(entry: string): string[] {
  return [
    ...NODE_FLAGS,
    '-r', path.join(DIST, 'tools', 'register-paths.js'),
    '-r', path.join(DIST, 'libs', 'telemetry', 'src', 'tracing', 'preload.js'),
    path.join(DIST, entry),
  ];
}

export interface SupervisedProcessOptions {
  /** gateway, user-1, … */
  id: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Receives every output line of the process. */
  onLine: (id: string, line: string) => void;
  /** Called with each IPC message the process sends. */
  onMessage?: (message: unknown, child: ChildProcess) => void;
  restartDelayMs?: number;
}

/**
 * One lab process, restarted (same id, same environment, fresh memory) whenever it dies
 * unless the lab is stopping. Each child holds an IPC channel so it exits with the launcher,
 * and runs in a process group of its own: a terminal's Ctrl-C reaches only the launcher, which
 * then stops every child in order, instead of racing the children's own deaths.
 */
export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopAnnounced = false;
  restarts = 0;
  /** Resolves each time a child process has been spawned. */
  pid: number | undefined;

  constructor(private readonly options: SupervisedProcessOptions) {}

  get id(): string {
    return this.options.id;
  }

  get running(): boolean {
    return isRunning(this.child);
  }

  start(): void {
    const child = spawn(process.execPath, this.options.args, { env: this.options.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    this.child = child;
    this.pid = child.pid;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.options.onLine(this.options.id, line));
    }
    child.on('message', (message) => this.options.onMessage?.(message, child));
    child.on('exit', (code, signal) => {
      if (this.stopping) {
        this.stopAnnounced = true;
        this.options.onLine(this.options.id, signal === 'SIGKILL' ? 'stopped (killed: it outlived the grace period)' : code ? `stopped (exit code ${code})` : 'stopped');
        return;
      }
      this.options.onLine(this.options.id, `exited (${signal ?? `code ${code}`}); restarting`);
      this.restarts++;
      this.restartTimer = setTimeout(() => this.start(), this.options.restartDelayMs ?? 250);
    });
  }

  send(message: unknown): void {
    if (this.child?.connected) this.child.send(message as object);
  }

  /** From now on a death is a stop, not a crash: nothing restarts it. */
  markStopping(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    this.markStopping();
    if (!this.running) {
      // It died and waited for its restart: say so once, as a running one says "stopped".
      if (!this.stopAnnounced) this.options.onLine(this.options.id, 'stopped (was down)');
      this.stopAnnounced = true;
      return;
    }
    await stopChild(this.child, graceMs);
  }
}
