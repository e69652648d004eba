import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isRunning } from '../kit/process';
import { GiveUp, waitUntil } from '../kit/wait';

export interface RedisServerOptions {
  port: number;
  /** AOF persistence: a restart keeps the data. Off: a restart loses everything. */
  appendOnly?: boolean;
  /** Directory for the AOF; a fresh temporary one when omitted. */
  dir?: string;
  /**
   * Run in a process group of its own, so a terminal's Ctrl-C reaches only its owner, which
   * stops it in order (the launcher: after the replicas that use it). Default false.
   */
  ownProcessGroup?: boolean;
  /** More redis-server arguments (replication, cluster mode), e.g. `['--replicaof', '127.0.0.1', '7000']`. */
  extraArgs?: string[];
}

/** True when a `redis-server` binary is on PATH. */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Answers whether something speaking RESP answers PING at host:port within the timeout. */
export function pingRedis(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * A private redis-server process on a port of its own: the lab's fallback in redis mode and
 * what tests and experiments kill, pause and restart. Never the machine's shared Redis.
 */
export class RedisServerProcess {
  private child: ChildProcess | undefined;
  private frozen = false;
  private readonly ownsDir: boolean;
  readonly dir: string;

  constructor(private readonly options: RedisServerOptions) {
    this.ownsDir = options.dir === undefined;
    this.dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'statelab-redis-'));
  }

  get port(): number {
    return this.options.port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.options.port}`;
  }

  get running(): boolean {
    return isRunning(this.child);
  }

  /** The server's process id while it runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** Starts the server and resolves once it answers PING. */
  async start(timeoutMs = 10000): Promise<void> {
    if (this.running) return;
    this.frozen = false;
    const args = [
      '--port', String(this.options.port),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', this.options.appendOnly ? 'yes' : 'no',
      '--appendfsync', 'everysec',
      '--dir', this.dir,
      '--daemonize', 'no',
      '--loglevel', 'warning',
      ...(this.options.extraArgs ?? []),
    ];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: this.options.ownProcessGroup ?? false });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitUntil(
        `redis-server on port ${this.options.port} to answer PING`,
        async () => {
          if (child.exitCode !== null) throw new GiveUp(`redis-server exited with ${child.exitCode}: ${stderr.trim()}`);
          return pingRedis('127.0.0.1', this.options.port, 200);
        },
        { timeoutMs },
      );
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** True while the process is frozen by pause(). */
  get paused(): boolean {
    return this.frozen && this.running;
  }

  /** Freezes the process (SIGSTOP): connections stay open, nothing answers. */
  pause(): void {
    this.child?.kill('SIGSTOP');
    this.frozen = true;
  }

  resume(): void {
    this.child?.kill('SIGCONT');
    this.frozen = false;
  }

  /** Kills the process at once (SIGKILL) and waits for it to be gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!isRunning(child)) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops the server and removes its temporary directory. */
  async stop(): Promise<void> {
    await this.kill();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
