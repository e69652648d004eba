/** Where progress goes: process.stderr, or anything with write() (tests collect lines). */
export interface ProgressOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface LoadTick {
  elapsedSeconds: number;
  plannedSeconds: number;
  rps: number;
  p99: number | null;
  non2xx: number;
  errors: number;
  /** The phase running, e.g. `recovery`. */
  phase: string;
}

const BAR_WIDTH = 24;

/** `████████░░░░` for a fraction in [0, 1]. */
export function progressBar(fraction: number, width = BAR_WIDTH): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/**
 * Progress of an experiment: notes on lines of their own and, while load runs, one live line
 * with a bar (redrawn in place on a terminal; every 5 s and at each note otherwise).
 */
export class Progress {
  private live = false;
  private scope = '';

  constructor(private readonly out: ProgressOutput | undefined) {}

  /** Prefix of every following line, e.g. `crash 1/2 stateful · sticky-ring`. */
  setScope(scope: string): void {
    this.scope = scope;
  }

  note(message: string): void {
    this.endLine();
    this.out?.write(`${this.prefix()}${message}\n`);
  }

  tick(tick: LoadTick): void {
    if (!this.out) return;
    const seconds = Math.floor(tick.elapsedSeconds);
    const line =
      `${this.prefix()}${progressBar(tick.elapsedSeconds / tick.plannedSeconds)} ${String(seconds).padStart(3)}/${tick.plannedSeconds} s` +
      `  ${tick.phase.padEnd(9)} ${Math.round(tick.rps).toString().padStart(5)} req/s` +
      `  p99 ${tick.p99 === null ? '   -' : tick.p99.toFixed(0).padStart(4)} ms  non-2xx ${tick.non2xx}  errors ${tick.errors}`;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.live = true;
    } else if (seconds % 5 === 0) {
      this.out.write(`${line}\n`);
    }
  }

  /** Finishes a live line so the next output starts on a fresh one. */
  endLine(): void {
    if (this.live) this.out?.write('\n');
    this.live = false;
  }

  private prefix(): string {
    return this.scope ? `[${this.scope}] ` : '';
  }
}
