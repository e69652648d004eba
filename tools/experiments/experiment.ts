import type { Routing, StateMode } from '@app/config';
import type { TimelinePoint } from '../load/run-load';
import type { Chart } from '../report/html-report';
import type { LabHandle, LabSpec } from '../kit/lab-handle';
import type { DriveOptions, DriveResult } from './load-driver';
import type { PhaseClock } from './phases';
import type { Progress } from './progress';

export const EXPERIMENT_NAMES = ['modes', 'crash', 'rescale', 'skew', 'redis-outage', 'redis-failover', 'latency', 'deploy', 'realtime'] as const;
export type ExperimentName = (typeof EXPERIMENT_NAMES)[number];

/** How big an experiment is; the CLI's --duration, --sessions, --connections. */
export interface ExperimentSettings {
  /** Seconds of load per run (the measured window; recovery may extend it). */
  durationSeconds: number;
  /** Probe shoppers (sessions with a cart line) looked at before and after the event; skew: the light shoppers. */
  sessions: number;
  /** Concurrent load connections; skew: the heavy shoppers. */
  connections: number;
  /** Seconds into the load at which the event is injected. Default: per experiment, from the duration. */
  eventAtSeconds?: number;
  /** redis-outage: how long Redis stays frozen or dead. Default 5. */
  outageSeconds?: number;
  /** skew: requests per second of each light shopper; default 1. */
  lightRate?: number;
  /** deploy: how long a drain waits at most per replica (DRAIN_SECONDS); default 10. */
  drainSeconds?: number;
}

/** A moment of a run, in seconds since its load started. */
export interface RunEvent {
  t: number;
  label: string;
}

/** A phase of a run, in seconds since its load started (`/lab/phase` marked it in the lab too). */
export interface RunPhase {
  phase: string;
  from: number;
  to: number;
}

/** What every run of every experiment carries, besides its own figures. */
export interface RunRecord {
  /** `stateful · sticky-ring`, or the scenario for redis-outage. */
  label: string;
  /** The lab's own answer (GET /lab/topology), not what was asked for. */
  mode: StateMode;
  routing: Routing;
  /** Per second of load: rps, p50/p99, errors, non-2xx. */
  timeline: TimelinePoint[];
  events: RunEvent[];
  phases: RunPhase[];
  /** Responses each replica took part in during the load (x-served-by). */
  servedBy: Record<string, number>;
}

/** One run to do: which lab, and what to call it. */
export interface RunPlan {
  label: string;
  lab: LabSpec;
  /** redis-outage: `pause`, `restart-aof`, `restart-no-persistence`; redis-failover: `<topology>-<async|wait>-<kill|hang>`; deploy: the style. */
  scenario?: string;
}

/** A run on a fresh lab in `mode` with `routing`, named after both (`stateful · sticky-ring`). */
export function labRun(mode: StateMode, routing: Routing): RunPlan {
  return { label: `${mode} · ${routing}`, lab: { mode, routing } };
}

/** What a run gets to work with. */
export interface RunContext {
  experiment: ExperimentName;
  plan: RunPlan;
  lab: LabHandle;
  settings: Readonly<ExperimentSettings>;
  progress: Progress;
  phases: PhaseClock;
  signal: AbortSignal;
  /** Drives shopper load with events at fixed times (see load-driver.ts). */
  drive(options: Omit<DriveOptions, 'lab' | 'progress' | 'phases' | 'signal'>): Promise<DriveResult>;
}

/** One column of the results table: a dotted path into each run, and its heading when not the path itself. */
export type Column = readonly [key: string, label?: string];

/** An experiment's own figures of a run: its record without what every record carries. */
export type Figures<R extends RunRecord> = Omit<R, keyof RunRecord>;

/** What a run measured: the load it drove (timeline, events, replicas) and the experiment's own figures. */
export interface Measured<R extends RunRecord> {
  drove: DriveResult;
  figures: Figures<R>;
}

export interface Experiment<R extends RunRecord = RunRecord> {
  name: ExperimentName;
  title: string;
  /** The claim of the seed it tests and how. */
  description: string;
  defaults: ExperimentSettings;
  /** Why `--target` cannot work, when it cannot; undefined when one run against the target is meaningful. */
  targetUnsupported?: string;
  /** The runs, each on a fresh lab. With --target there is one run against the target instead. */
  plan(settings: Readonly<ExperimentSettings>): RunPlan[];
  /** Does one run; the runner builds its record (see record.ts). */
  run(context: RunContext): Promise<Measured<R>>;
  columns: readonly Column[];
  charts(runs: readonly R[]): Chart[];
}

/** The JSON an experiment writes with --json. */
export interface ExperimentResult<R extends RunRecord = RunRecord> {
  experiment: ExperimentName;
  title: string;
  description: string;
  startedAt: string;
  finishedAt: string;
  settings: ExperimentSettings & { target?: string };
  runs: R[];
}
