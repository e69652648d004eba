import { round } from '../kit/format';
import type { LabHandle } from '../kit/lab-handle';
import { delay } from '../kit/wait';
import { LoadResult, runLoad } from '../load/run-load';
import { DEFAULT_MIX, ShopperMix } from '../load/shopper-flow';
import type { RunContext, RunEvent } from './experiment';
import type { PhaseClock } from './phases';
import type { Progress } from './progress';

/** What an event's action can use: the time since the load started and a way to mark moments. */
export interface EventTools {
  /** Seconds since the load started. */
  elapsed(): number;
  /** Records a moment (a chart marker) at the current time. */
  mark(label: string): void;
}

/** Something to do at a fixed time into the load, e.g. crash two replicas. */
export interface ScheduledEvent {
  atSeconds: number;
  /** The marker placed when the action starts. */
  label: string;
  /** May take long (wait for recovery): the load keeps running until it settles. */
  action(tools: EventTools): Promise<void>;
}

export interface DriveOptions {
  lab: LabHandle;
  connections: number;
  /** The planned load length; it runs longer while an event's action is pending. */
  plannedSeconds: number;
  /** After the last action settled, keep the load this long (to see the after-state); default 2. */
  tailSeconds?: number;
  /** Hard limit beyond plannedSeconds; default 60. */
  maxExtraSeconds?: number;
  mix?: ShopperMix;
  /** Demo accounts of the load shoppers: user<firstUser> … (default 1 … connections). */
  firstUser?: number;
  userCount?: number;
  events?: readonly ScheduledEvent[];
  progress: Progress;
  phases: PhaseClock;
  signal: AbortSignal;
}

export interface DriveResult {
  load: LoadResult;
  /** Every marker, in seconds since the load started. */
  events: RunEvent[];
  /** Wall-clock ms of the load's start (the timeline's t = 0). */
  originMs: number;
}

/**
 * Runs the shopper load (runLoad, autocannon) and fires each event at its fixed time. The load
 * ends at plannedSeconds, or later: once every action has settled plus tailSeconds (a crash
 * experiment keeps load on until the lab recovered), never later than maxExtraSeconds over plan.
 * A failed action stops the load and is rethrown.
 */
export async function driveLoad(options: DriveOptions): Promise<DriveResult> {
  const tailSeconds = options.tailSeconds ?? 2;
  const maxSeconds = options.plannedSeconds + (options.maxExtraSeconds ?? 60);
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  options.signal.addEventListener('abort', onOuterAbort, { once: true });

  const originMs = Date.now();
  const elapsed = () => (Date.now() - originMs) / 1000;
  const events: RunEvent[] = [];
  const tools: EventTools = { elapsed, mark: (label) => events.push({ t: round(elapsed()), label }) };

  let pending = 0;
  let lastSettled = 0;
  let failure: unknown;
  const timers: NodeJS.Timeout[] = [];
  for (const event of options.events ?? []) {
    pending++;
    timers.push(
      setTimeout(() => {
        tools.mark(event.label);
        event
          .action(tools)
          .catch((error: unknown) => {
            failure ??= error;
            stop.abort();
          })
          .finally(() => {
            pending--;
            lastSettled = elapsed();
          });
      }, event.atSeconds * 1000),
    );
  }

  let stoppedAt = Infinity;
  const watcher = setInterval(() => {
    const now = elapsed();
    if (now >= options.plannedSeconds && pending === 0 && now >= lastSettled + tailSeconds && !stop.signal.aborted) {
      stoppedAt = now;
      stop.abort();
    }
  }, 100);

  try {
    const load = await runLoad({
      url: options.lab.url,
      connections: options.connections,
      durationSeconds: maxSeconds,
      mix: options.mix ?? { ...DEFAULT_MIX },
      shopper: { firstUser: options.firstUser ?? 1, userCount: options.userCount ?? options.connections },
      renderProgressBar: false,
      signal: stop.signal,
      onProgress: (point) =>
        options.progress.tick({
          elapsedSeconds: Math.min(point.t + 1, elapsed(), stoppedAt),
          plannedSeconds: options.plannedSeconds,
          rps: point.rps,
          p99: point.p99,
          non2xx: point.non2xx,
          errors: point.errors,
          phase: options.phases.name,
        }),
    });
    // An action still running when the hard limit hit is reported, not awaited for ever.
    while (pending > 0 && failure === undefined && !options.signal.aborted) {
      if (elapsed() > maxSeconds + 30) throw new Error(`an event of the run was still pending ${maxSeconds + 30} s after the load started`);
      await delay(50, options.signal);
    }
    if (failure !== undefined) throw failure;
    options.signal.throwIfAborted();
    return { load, events: events.sort((a, b) => a.t - b.t), originMs };
  } finally {
    options.progress.endLine();
    for (const timer of timers) clearTimeout(timer);
    clearInterval(watcher);
    options.signal.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * The load of an experiment built around one event (crash, rescale, redis-outage): a note saying
 * what will happen when, the baseline phase until the event, the load for the planned duration.
 */
export async function driveWithEvent({ settings, progress, phases, drive }: RunContext, event: ScheduledEvent, what: string): Promise<DriveResult> {
  progress.note(`load: ${settings.connections} shoppers for ${settings.durationSeconds} s, ${what} at ${event.atSeconds} s`);
  await phases.enter('baseline');
  return drive({ connections: settings.connections, plannedSeconds: settings.durationSeconds, events: [event] });
}
