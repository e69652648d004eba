import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { READY_LINE } from './protocol';
import { DIST } from '../../kit/dist';
import { stopChild } from '../../kit/process';

/** The compiled peer programs under dist/tools/bench/peers. */
export type PeerProgram = 'express-peer' | 'floor-one-process' | 'floor-gateway' | 'floor-replica';

const OUTPUT_LINES_KEPT = 40;

/**
 * One peer program as an OS process of its own, unsupervised: a peer that dies stays dead, so
 * the bench sees it. Not restarted, never shared between targets. The IPC channel makes it exit
 * when the bench does, however the bench ends.
 */
export class PeerProcess {
  private readonly output: string[] = [];
  private exitDescription: string | undefined;
  private ready = false;
  private onReady: (() => void) | undefined;

  private constructor(
    readonly id: string,
    private readonly child: ChildProcess,
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.keep(line, stream === child.stdout));
    }
    child.on('exit', (code, signal) => (this.exitDescription = signal ?? `code ${code}`));
  }

  /** Starts `program` and resolves once it prints its ready line; stops it on any failure. */
  static async start(id: string, program: PeerProgram, env: Record<string, string>, timeoutMs = 20_000): Promise<PeerProcess> {
    const child = spawn(process.execPath, [path.join(DIST, 'tools', 'bench', 'peers', `${program}.js`)], {
      // Only what a program needs: no NODE_OPTIONS, OTEL_* or NODE_ENV from the shell.
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const peer = new PeerProcess(id, child);
    try {
      await peer.waitReady(timeoutMs);
      return peer;
    } catch (error) {
      await peer.stop();
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** How the process ended, while the bench did not stop it; undefined while it runs. */
  get exited(): string | undefined {
    return this.exitDescription;
  }

  /** The last lines it printed, for error messages. */
  outputTail(): string {
    return this.output.map((line) => `${this.id} ${line}`).join('\n');
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  stop(graceMs = 3000): Promise<void> {
    return stopChild(this.child, graceMs);
  }

  private keep(line: string, fromStdout: boolean): void {
    this.output.push(line);
    if (this.output.length > OUTPUT_LINES_KEPT) this.output.shift();
    if (fromStdout && !this.ready && line.startsWith(READY_LINE)) {
      this.ready = true;
      this.onReady?.();
    }
  }

  private waitReady(timeoutMs: number): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.onReady = undefined;
        this.child.removeListener('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      // 'close', not 'exit': by then its last output lines have been read.
      const onClose = (code: number | null, signal: string | null) =>
        done(new Error(`${this.id} exited (${signal ?? `code ${code}`}) before it was ready\n${this.outputTail()}`));
      const timer = setTimeout(() => done(new Error(`${this.id} was not ready within ${timeoutMs} ms\n${this.outputTail()}`)), timeoutMs);
      this.onReady = () => done();
      this.child.on('close', onClose);
    });
  }
}
