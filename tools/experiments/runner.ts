import { LabHandle } from '../kit/lab-handle';
import { renderHtmlReport, ReportColumn, valueAt } from '../report/html-report';
import { Cell, formatTable } from '../report/table';
import { Experiment, ExperimentName, ExperimentResult, ExperimentSettings, labRun, RunContext, RunPlan, RunRecord } from './experiment';
import { driveLoad } from './load-driver';
import { PhaseClock } from './phases';
import { Progress, ProgressOutput } from './progress';
import { runRecord } from './record';
import { EXPERIMENTS, RunOf } from './registry';

export interface RunExperimentOptions {
  /** Overrides of the experiment's defaults. */
  settings?: Partial<ExperimentSettings>;
  /** A running lab's gateway URL: one run against it instead of fresh labs. */
  target?: string;
  /** Bearer token for /lab calls (LAB_ADMIN_TOKEN); fresh labs are started with it. */
  adminToken?: string;
  /** Progress lines; none when omitted. */
  progress?: ProgressOutput;
  /** Every output line of every lab process (default: dropped; the last ones are quoted on a failed start). */
  onLabLine?: (id: string, line: string) => void;
  signal?: AbortSignal;
  /** Only the planned runs whose label or scenario is listed (programmatic use, e.g. a quicker test). */
  only?: readonly string[];
}

/** The experiment's defaults with the given overrides; rejects values that cannot work. */
export function resolveSettings(experiment: Experiment, overrides: Partial<ExperimentSettings> = {}): ExperimentSettings {
  const settings: ExperimentSettings = { ...experiment.defaults };
  for (const [key, value] of Object.entries(overrides) as [keyof ExperimentSettings, number | undefined][]) {
    if (value !== undefined) settings[key] = value;
  }
  const positive = (value: number | undefined, name: string, min = 1) => {
    if (value !== undefined && !(Number.isFinite(value) && value >= min)) throw new RangeError(`${name} must be at least ${min}, got ${value}`);
  };
  positive(settings.durationSeconds, 'durationSeconds', 2);
  positive(settings.sessions, 'sessions', experiment.defaults.sessions > 0 ? 1 : 0);
  positive(settings.connections, 'connections');
  positive(settings.outageSeconds, 'outageSeconds', 0.5);
  if (settings.lightRate !== undefined && !(settings.lightRate > 0 && settings.lightRate <= 50))
    throw new RangeError(`lightRate must be in (0, 50], got ${settings.lightRate}`);
  if (settings.eventAtSeconds !== undefined && !(settings.eventAtSeconds > 0 && settings.eventAtSeconds < settings.durationSeconds)) {
    throw new RangeError(`eventAtSeconds must be inside the load (0 < t < ${settings.durationSeconds}), got ${settings.eventAtSeconds}`);
  }
  return settings;
}

/**
 * Runs one experiment: for each planned run, a fresh lab on free ports (or the --target lab,
 * once), the experiment's own steps, then the lab's teardown. Resolves with every run measured.
 */
export async function runExperiment<N extends ExperimentName>(name: N, options: RunExperimentOptions = {}): Promise<ExperimentResult<RunOf<N>>> {
  const experiment = EXPERIMENTS[name] as unknown as Experiment;
  const settings = resolveSettings(experiment, options.settings);
  const signal = options.signal ?? new AbortController().signal;
  const progress = new Progress(options.progress);
  const startedAt = new Date().toISOString();
  if (options.target && experiment.targetUnsupported) throw new Error(`${name} cannot use --target: ${experiment.targetUnsupported}`);

  const only = options.only;
  const selected = experiment
    .plan(settings)
    .filter((plan) => !only || only.includes(plan.label) || (plan.scenario !== undefined && only.includes(plan.scenario)));
  if (selected.length === 0) throw new Error(`${name} has no run named ${only?.join(', ')}`);
  const plans: (RunPlan | undefined)[] = options.target ? [undefined] : selected;
  const runs: RunRecord[] = [];
  for (const [index, planned] of plans.entries()) {
    signal.throwIfAborted();
    const scope = (label: string) => `${name} ${index + 1}/${plans.length} ${label}`;
    progress.setScope(scope(planned?.label ?? 'target'));
    progress.note(planned ? `starting a ${planned.lab.mode} lab (${planned.lab.routing})` : `using the lab at ${options.target}`);
    const lab = planned
      ? await LabHandle.start(planned.lab, { adminToken: options.adminToken, onLine: options.onLabLine })
      : await LabHandle.attach(options.target as string, { adminToken: options.adminToken });
    const plan: RunPlan = planned ?? labRun(lab.mode, lab.routing);
    progress.setScope(scope(plan.label));
    const phases = new PhaseClock(lab, name);
    try {
      signal.throwIfAborted();
      const context: RunContext = {
        experiment: name,
        plan,
        lab,
        settings,
        progress,
        phases,
        signal,
        drive: (drive) => driveLoad({ ...drive, lab, progress, phases, signal }),
      };
      const measured = await experiment.run(context);
      await phases.end();
      runs.push(runRecord(context, measured));
    } catch (error) {
      phases.abandon();
      throw error;
    } finally {
      progress.endLine();
      await lab.close();
    }
  }
  progress.setScope('');
  return {
    experiment: name,
    title: experiment.title,
    description: experiment.description,
    startedAt,
    finishedAt: new Date().toISOString(),
    settings: { ...settings, ...(options.target ? { target: options.target } : {}) },
    runs: runs as RunOf<N>[],
  };
}

/** The experiment's columns as the report and the table take them: a heading for every path. */
function columnsOf(experiment: Experiment): Required<ReportColumn>[] {
  return experiment.columns.map(([key, label]) => ({ key, label: label ?? key }));
}

/** `{user-1: 3, user-2: 5}` → `user-1=3 user-2=5`. */
function flatten(value: object): string {
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(3)) : String(v)}`)
    .join(' ');
}

function cell(value: unknown): Cell {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number(value.toFixed(value < 1 && value > -1 ? 3 : 2));
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  return flatten(value);
}

/** The results table printed at the end: one row per run, the experiment's columns. */
export function formatResults(result: ExperimentResult): string {
  const columns = columnsOf(EXPERIMENTS[result.experiment] as unknown as Experiment);
  const table = formatTable(
    columns.map((column) => column.label),
    result.runs.map((run) => columns.map((column) => cell(valueAt(run, column.key)))),
  );
  return `${result.title}\n\n${table}`;
}

/** The self-contained HTML report: charts from the measured runs and the results table. */
export function renderReport(result: ExperimentResult): string {
  const experiment = EXPERIMENTS[result.experiment] as unknown as Experiment;
  const columns = columnsOf(experiment);
  return renderHtmlReport({
    title: result.title,
    experiment: result.experiment,
    startedAt: result.startedAt,
    description: result.description,
    // One flat row per run, objects (per-replica counts) written out as `id=count` like the console table.
    runs: result.runs.map((run) =>
      Object.fromEntries(
        columns.map(({ key }) => {
          const value = valueAt(run, key);
          return [key, typeof value === 'object' && value !== null ? flatten(value) : value];
        }),
      ),
    ),
    columns,
    charts: experiment.charts(result.runs),
  });
}
