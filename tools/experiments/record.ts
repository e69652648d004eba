import { round } from '../kit/format';
import type { LoadResult } from '../load/run-load';
import type { Measured, RunContext, RunRecord } from './experiment';
import type { ProbeCheck } from './probe-shoppers';

/**
 * The record of one run: which lab it ran on (the lab's own mode and routing), the experiment's
 * own figures, then what the load driver saw (requests per replica, the timeline, the moments
 * marked and the phases that overlap the load).
 */
export function runRecord<R extends RunRecord>(context: Pick<RunContext, 'plan' | 'lab' | 'phases'>, measured: Measured<R>): R {
  const { load, events, originMs } = measured.drove;
  const { plan, lab, phases } = context;
  return {
    label: plan.label,
    mode: lab.mode,
    routing: lab.routing,
    ...measured.figures,
    servedBy: load.servedBy,
    timeline: load.timeline,
    events,
    phases: phases.relativeTo(originMs),
  } as R;
}

/** The shopper load's figures most experiments report, as the load driver measured them. */
export interface LoadFigures {
  /** 401 session_lost answers the load's own shoppers got (each then logged in again). */
  loadSessionsLost: number;
  throughputRps: number;
  latencyMs: LoadResult['latencyMs'];
  /** Responses with a status outside 2xx. */
  non2xx: number;
  /** Requests without a response (socket errors and timeouts). */
  errors: number;
}

export function loadFigures(load: LoadResult): LoadFigures {
  return {
    loadSessionsLost: load.sessions.sessionLost,
    throughputRps: load.throughputRps,
    latencyMs: load.latencyMs,
    non2xx: load.non2xx,
    errors: load.errors,
  };
}

/** What a look at the probe shoppers found after the event. */
export interface ProbeFigures {
  /** Probe shoppers holding a session and a cart line when the load started. */
  sessionsBefore: number;
  /** Probe sessions that answered 401 afterwards. */
  sessionsLost: number;
  sessionsLostRatio: number;
  /** Probe shoppers whose session survived but whose cart line did not. */
  cartsLost: number;
  /** Probes without a decisive answer (should be 0). */
  unknown: number;
}

/** The probe figures, with the lost share rounded to `ratioDigits`. */
export function probeFigures(check: ProbeCheck, ratioDigits = 3): ProbeFigures {
  return {
    sessionsBefore: check.checked,
    sessionsLost: check.sessionsLost,
    sessionsLostRatio: round(check.sessionsLost / Math.max(1, check.checked), ratioDigits),
    cartsLost: check.cartsLost,
    unknown: check.unknown,
  };
}

/** The second of the load at which an experiment injects its event: --event-at, else `fraction` of the load (at least 2 s). */
export function eventAtSeconds(settings: RunContext['settings'], fraction: number): number {
  return settings.eventAtSeconds ?? Math.max(2, Math.round(settings.durationSeconds * fraction));
}

/** The named fields of `from`, in the order named. */
export function pick<T, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, from[key]])) as Pick<T, K>;
}
