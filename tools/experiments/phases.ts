import type { RunPhase } from './experiment';
import { round } from '../kit/format';
import type { LabHandle } from '../kit/lab-handle';

interface OpenPhase {
  phase: string;
  fromMs: number;
}

/**
 * The phases of one run: each change is marked in the lab (`POST /lab/phase`, so Grafana can
 * shade it) and remembered with wall-clock times for the report.
 */
export class PhaseClock {
  private current: OpenPhase | undefined;
  private readonly closed: { phase: string; fromMs: number; toMs: number }[] = [];

  constructor(
    private readonly lab: LabHandle,
    private readonly experiment: string,
  ) {}

  get name(): string {
    return this.current?.phase ?? '';
  }

  /** Ends the running phase (if any) and starts `phase`. */
  async enter(phase: string): Promise<void> {
    await this.end();
    this.current = { phase, fromMs: Date.now() };
    await this.lab.phase(this.experiment, phase, true);
  }

  /** Ends the running phase. */
  async end(): Promise<void> {
    const open = this.current;
    if (!open) return;
    this.current = undefined;
    this.closed.push({ phase: open.phase, fromMs: open.fromMs, toMs: Date.now() });
    await this.lab.phase(this.experiment, open.phase, false);
  }

  /** Ends the running phase without waiting for the lab (cleanup after a failure). */
  abandon(): void {
    const open = this.current;
    this.current = undefined;
    if (open) void this.lab.phase(this.experiment, open.phase, false).catch(() => undefined);
  }

  /** The phases that overlap the load, in seconds since `originMs` (its start), clipped to >= 0. */
  relativeTo(originMs: number, endMs = Date.now()): RunPhase[] {
    const all = [...this.closed, ...(this.current ? [{ ...this.current, toMs: endMs }] : [])];
    return all
      .filter((p) => p.toMs > originMs)
      .map((p) => ({ phase: p.phase, from: round(Math.max(0, p.fromMs - originMs) / 1000), to: round((Math.min(p.toMs, endMs) - originMs) / 1000) }));
  }
}
