import { round } from '../kit/format';
import { LatencyHistogram } from './latency-histogram';

/** One second of a run. `t` is the second's start, in seconds since the run started. */
export interface TimelinePoint {
  t: number;
  /** Responses completed in that second (scaled up for a final partial second). */
  rps: number;
  /** Latency percentiles in ms of that second's responses; null when none completed. */
  p50: number | null;
  p99: number | null;
  /** Socket errors and timeouts. */
  errors: number;
  non2xx: number;
}

interface Second {
  responses: number;
  errors: number;
  non2xx: number;
  latencies: LatencyHistogram;
}

/** Don't report a final partial second shorter than this: its rate would be mostly noise. */
const MIN_PARTIAL_MS = 250;

/**
 * Per-second tallies of a run, fed with milliseconds elapsed since the run started.
 * Seconds are finalised (their histograms dropped) as soon as they are complete.
 */
export class TimelineRecorder {
  private readonly open = new Map<number, Second>();
  private readonly done: TimelinePoint[] = [];

  recordResponse(elapsedMs: number, latencyMs: number, status: number): void {
    const failed = status < 200 || status > 299;
    const late = this.finalisedPoint(elapsedMs);
    if (late) {
      // Its latency can no longer be placed, but the response still counts.
      late.rps++;
      if (failed) late.non2xx++;
      return;
    }
    const second = this.openSecond(elapsedMs);
    second.responses++;
    if (failed) second.non2xx++;
    second.latencies.record(latencyMs);
  }

  recordError(elapsedMs: number): void {
    const late = this.finalisedPoint(elapsedMs);
    if (late) late.errors++;
    else this.openSecond(elapsedMs).errors++;
  }

  /** Finalises every second that ended by `elapsedMs` and returns the new points, oldest first. */
  takeCompleted(elapsedMs: number): TimelinePoint[] {
    const complete = Math.floor(elapsedMs / 1000);
    const fresh: TimelinePoint[] = [];
    for (let t = this.done.length; t < complete; t++) {
      fresh.push(this.finalise(t, 1));
    }
    this.done.push(...fresh);
    return fresh;
  }

  /** Every point of a run that lasted `elapsedMs`, including a final partial second when it is long enough. */
  finish(elapsedMs: number): TimelinePoint[] {
    this.takeCompleted(elapsedMs);
    const partialMs = elapsedMs - this.done.length * 1000;
    if (partialMs >= MIN_PARTIAL_MS) this.done.push(this.finalise(this.done.length, partialMs / 1000));
    this.open.clear();
    return [...this.done];
  }

  private static secondOf(elapsedMs: number): number {
    return Math.max(0, Math.floor(elapsedMs / 1000));
  }

  private finalisedPoint(elapsedMs: number): TimelinePoint | undefined {
    return this.done[TimelineRecorder.secondOf(elapsedMs)];
  }

  private openSecond(elapsedMs: number): Second {
    const t = TimelineRecorder.secondOf(elapsedMs);
    let second = this.open.get(t);
    if (!second) {
      second = { responses: 0, errors: 0, non2xx: 0, latencies: new LatencyHistogram() };
      this.open.set(t, second);
    }
    return second;
  }

  private finalise(t: number, lengthSeconds: number): TimelinePoint {
    const second = this.open.get(t);
    this.open.delete(t);
    const latencies = second?.latencies;
    const has = latencies !== undefined && latencies.count > 0;
    return {
      t,
      rps: round((second?.responses ?? 0) / lengthSeconds, 1),
      p50: has ? round(latencies.percentile(50), 2) : null,
      p99: has ? round(latencies.percentile(99), 2) : null,
      errors: second?.errors ?? 0,
      non2xx: second?.non2xx ?? 0,
    };
  }
}
