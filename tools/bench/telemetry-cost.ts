import { change, count, num } from '../kit/format';
import { DEFAULT_MIX } from '../load/shopper-flow';
import { formatMix } from '../load/options';
import { runLoad } from '../load/run-load';
import { cpuMsPerRequest, cpuUsPerRequestByKind, labCpuSeconds, labCpuSecondsByKind, PROCESS_KINDS, ProcessKind } from './cpu';
import { driveCartViews, prepareSessions } from './http';
import { Machine } from './measure';
import { formatSection } from './report';
import type { BenchLabName, BenchResources, BenchLab } from './resources';
import { freezeProcesses, RESUME_WARMUP_SECONDS } from './freeze';

export interface TelemetryCostOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Each configuration runs this many times, alternating (A B C D A B C D); the labs not measured sit frozen. */
  runs: number;
  /**
   * Then logged-in cart views held at a fixed rate, the labs in rotation again: the CPU each
   * configuration costs a request, by process kind, without saturation's feedback (a slower lab
   * batches fewer writes per turn of its event loops, so each request pays more of its own).
   */
  fixedRate?: FixedRateOptions;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

export interface FixedRateOptions {
  requestsPerSecond: number;
  /** Logged-in sessions, one connection each (each cart holds one line). */
  sessions: number;
  durationSeconds: number;
  rounds: number;
}

/** One configuration's cart views at the fixed rate, in one round. */
export interface FixedRateRun {
  config: TelemetryConfig;
  label: string;
  round: number;
  throughputRps: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** µs of CPU (/proc) per response by process kind (all replicas of a service summed), and the total. */
  cpuUsPerRequest: Record<ProcessKind, number> & { total: number };
}

export type TelemetryConfig = 'off' | 'metrics' | 'metrics+tracing' | 'metrics+tracing (SDK)' | 'metrics+tracing 10 %';

const CONFIGS: readonly { config: TelemetryConfig; lab: BenchLabName; label: string }[] = [
  { config: 'off', lab: 'telemetry-off', label: 'METRICS=off, no tracing' },
  { config: 'metrics', lab: 'telemetry-metrics', label: 'metrics on, no tracing (default)' },
  { config: 'metrics+tracing', lab: 'telemetry-tracing', label: 'metrics on + tracing 100 %' },
  // The same traces through the OpenTelemetry SDK's span pipeline (LAB_TRACER=sdk): what the lean tracer saves.
  { config: 'metrics+tracing (SDK)', lab: 'telemetry-tracing-sdk', label: 'metrics on + tracing 100 %, SDK tracer' },
  // What the README advises under load: the cost of the traces kept plus that of propagating the rest.
  { config: 'metrics+tracing 10 %', lab: 'telemetry-tracing-10', label: 'metrics on + tracing 10 %' },
];

export interface TelemetryRun {
  config: TelemetryConfig;
  label: string;
  /** 1-based round: every configuration ran once per round. */
  round: number;
  throughputRps: number;
  latencyMs: { p50: number; p95: number; p99: number };
  requests: number;
  non2xx: number;
  errors: number;
  /** CPU of the gateway and all replicas per response (Linux /proc); steadier than req/s on a busy machine. */
  labCpuMsPerRequest: number | undefined;
  /**
   * Tracing runs only: spans the sink received from this run's start to the next tracing run's
   * start (the batch processor exports up to 5 s late, during the runs that follow); the last
   * tracing run's count misses what was still batched when the section ended.
   */
  spansExported?: number;
}

export interface TelemetryCostResult {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  runs: TelemetryRun[];
  /** Spans exported per request over all tracing runs, counted after a final flush delay. */
  spansPerTracedRequest: number | undefined;
  sinkRefused: number;
  fixedRate?: { options: FixedRateOptions; runs: FixedRateRun[] };
}

/** The shopper load against a redis-mode lab with telemetry off, metrics only, metrics + 100 % tracing (lean tracer, then the SDK's), metrics + 10 % tracing. */
export async function runTelemetryCost(resources: BenchResources, options: TelemetryCostOptions): Promise<TelemetryCostResult> {
  const progress = options.progress ?? (() => undefined);
  const labs = new Map<TelemetryConfig, BenchLab>();
  try {
    // One lab per configuration, each started once and kept through the rounds; started one at a
    // time, since ten processes booting already fill both cores.
    for (const { config, lab } of CONFIGS) {
      options.signal?.throwIfAborted();
      const running = await resources.lab(lab);
      labs.set(config, running);
      progress(`telemetry-cost: ${config}: warm-up ${options.warmupSeconds} s`);
      await load(running.url, options, options.warmupSeconds);
      freeze(running, true);
    }
    const result = await measureRounds(resources, labs, options);
    if (options.fixedRate) result.fixedRate = { options: options.fixedRate, runs: await measureFixedRate(labs, options.fixedRate, options) };
    return result;
  } finally {
    for (const lab of labs.values()) freeze(lab, false);
  }
}

/** Freezes or thaws a lab's processes (see freezeProcesses). */
function freeze(lab: BenchLab, frozen: boolean): void {
  const pids = lab.lab.targets().map((target) => lab.lab.pidOf(target.instance));
  freezeProcesses(
    pids.filter((pid): pid is number => pid !== undefined),
    frozen,
  );
}

async function measureRounds(resources: BenchResources, labs: Map<TelemetryConfig, BenchLab>, options: TelemetryCostOptions): Promise<TelemetryCostResult> {
  const progress = options.progress ?? (() => undefined);
  const sink = await resources.otlpSink();
  const runs: TelemetryRun[] = [];
  let tracedRequests = 0;
  let lastTraced: { run: TelemetryRun; spansAtStart: number } | undefined;
  const closeTraced = () => {
    if (lastTraced) lastTraced.run.spansExported = sink.counts().spans - lastTraced.spansAtStart;
  };
  for (let round = 1; round <= options.runs; round++) {
    for (const { config, label } of CONFIGS) {
      options.signal?.throwIfAborted();
      progress(`telemetry-cost: round ${round}/${options.runs}: ${label}, ${options.durationSeconds} s`);
      const traced = config === 'metrics+tracing';
      if (traced) closeTraced();
      const spansAtStart = sink.counts().spans;
      const lab = labs.get(config) as BenchLab;
      freeze(lab, false);
      await load(lab.url, options, RESUME_WARMUP_SECONDS);
      const cpuBefore = labCpuSeconds(lab.lab);
      const result = await load(lab.url, options, options.durationSeconds);
      const labCpuMsPerRequest = cpuMsPerRequest(cpuBefore, labCpuSeconds(lab.lab), result.requests);
      freeze(lab, true);
      if (traced) tracedRequests += result.requests;
      const run: TelemetryRun = {
        config,
        label,
        round,
        throughputRps: result.throughputRps,
        latencyMs: { p50: result.latencyMs.p50, p95: result.latencyMs.p95, p99: result.latencyMs.p99 },
        requests: result.requests,
        non2xx: result.non2xx,
        errors: result.errors,
        labCpuMsPerRequest,
      };
      runs.push(run);
      if (traced) lastTraced = { run, spansAtStart };
      progress(`telemetry-cost: ${config}: ${num(result.throughputRps)} req/s, p50 ${num(result.latencyMs.p50)} ms, p99 ${num(result.latencyMs.p99)} ms`);
    }
  }
  closeTraced();
  const tracedSpans = runs.reduce((sum, run) => sum + (run.spansExported ?? 0), 0);
  return {
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    runs,
    // Spans of the last traced run may still sit in a batch; the ratio is a lower bound.
    spansPerTracedRequest: tracedRequests > 0 ? tracedSpans / tracedRequests : undefined,
    sinkRefused: sink.counts().refused,
  };
}

async function measureFixedRate(labs: Map<TelemetryConfig, BenchLab>, fixed: FixedRateOptions, options: TelemetryCostOptions): Promise<FixedRateRun[]> {
  const progress = options.progress ?? (() => undefined);
  const sessions = new Map<TelemetryConfig, string[]>();
  for (const { config } of CONFIGS) {
    const lab = labs.get(config) as BenchLab;
    freeze(lab, false);
    try {
      sessions.set(config, await prepareSessions(lab.url, fixed.sessions, 1));
    } finally {
      freeze(lab, true);
    }
  }
  const runs: FixedRateRun[] = [];
  for (let round = 1; round <= fixed.rounds; round++) {
    for (const { config, label } of CONFIGS) {
      options.signal?.throwIfAborted();
      progress(`telemetry-cost: fixed rate, round ${round}/${fixed.rounds}: ${label}, ${fixed.requestsPerSecond} cart views/s for ${fixed.durationSeconds} s`);
      const lab = labs.get(config) as BenchLab;
      const cookies = sessions.get(config) as string[];
      freeze(lab, false);
      try {
        await driveCartViews(lab.url, cookies, RESUME_WARMUP_SECONDS, options.signal, undefined, fixed.requestsPerSecond);
        const before = labCpuSecondsByKind(lab.lab);
        const run = await driveCartViews(lab.url, cookies, fixed.durationSeconds, options.signal, undefined, fixed.requestsPerSecond);
        const cpuUsPerRequest = cpuUsPerRequestByKind(before, labCpuSecondsByKind(lab.lab), run.requests);
        runs.push({ config, label, round, throughputRps: run.throughputRps, requests: run.requests, non2xx: run.non2xx, errors: run.errors, cpuUsPerRequest });
        progress(`telemetry-cost: fixed rate: ${config}: ${num(run.throughputRps)} req/s, ${cpuUsPerRequest.total} µs of CPU per request`);
      } finally {
        freeze(lab, true);
      }
    }
  }
  return runs;
}

function load(url: string, options: TelemetryCostOptions, durationSeconds: number) {
  return runLoad({
    url,
    connections: options.connections,
    durationSeconds,
    mix: { ...DEFAULT_MIX },
    renderProgressBar: false,
    signal: options.signal,
  });
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The fixed-rate table: per configuration, the median over the rounds of each kind's CPU per request. */
function fixedRateTable(fixed: NonNullable<TelemetryCostResult['fixedRate']>) {
  const medians = CONFIGS.map(({ config, label }) => {
    const runs = fixed.runs.filter((run) => run.config === config);
    const cpu = (key: ProcessKind | 'total') => (runs.length > 0 ? median(runs.map((run) => run.cpuUsPerRequest[key])) : NaN);
    return {
      config,
      label,
      rps: runs.length > 0 ? median(runs.map((run) => run.throughputRps)) : NaN,
      kinds: PROCESS_KINDS.map((kind) => cpu(kind)),
      total: cpu('total'),
      non2xx: runs.reduce((sum, run) => sum + run.non2xx + run.errors, 0),
    };
  });
  const off = medians[0];
  return {
    caption: `logged-in cart views at ${fixed.options.requestsPerSecond} req/s, ${fixed.options.sessions} sessions: µs of CPU per request, median of ${fixed.options.rounds} runs`,
    headers: ['configuration', 'req/s', ...PROCESS_KINDS.map((kind) => (kind === 'gateway' ? kind : `${kind} (all)`)), 'total', 'total Δ', 'non-2xx + errors'],
    rows: medians.map((m) => [m.label, count(m.rps), ...m.kinds.map((value) => count(value)), count(m.total), m.config === 'off' ? '' : change(m.total, off.total), m.non2xx]),
  };
}

export function formatTelemetryCost(result: TelemetryCostResult, machine: Machine): string {
  const offRun = (round: number) => result.runs.find((run) => run.config === 'off' && run.round === round);
  const perRun = result.runs.map((run) => {
    const off = offRun(run.round);
    const delta = (value: number | undefined, baseline: number | undefined) =>
      run.config === 'off' || value === undefined || baseline === undefined ? '' : change(value, baseline);
    return [
      run.label,
      run.round,
      count(run.throughputRps),
      num(run.latencyMs.p50),
      num(run.latencyMs.p99),
      num(run.labCpuMsPerRequest),
      delta(run.throughputRps, off?.throughputRps),
      delta(run.latencyMs.p50, off?.latencyMs.p50),
      delta(run.latencyMs.p99, off?.latencyMs.p99),
      delta(run.labCpuMsPerRequest, off?.labCpuMsPerRequest),
      run.non2xx,
      run.errors,
      run.spansExported === undefined ? '' : count(run.spansExported),
    ];
  });
  const means = CONFIGS.map(({ config, label }) => {
    const runs = result.runs.filter((run) => run.config === config);
    const cpu = runs.map((r) => r.labCpuMsPerRequest);
    return {
      config,
      label,
      rps: mean(runs.map((r) => r.throughputRps)),
      p50: mean(runs.map((r) => r.latencyMs.p50)),
      p99: mean(runs.map((r) => r.latencyMs.p99)),
      cpu: cpu.every((value): value is number => value !== undefined) ? mean(cpu) : NaN,
    };
  });
  const off = means[0];
  const summary = means.map((m) => [
    m.label,
    count(m.rps),
    num(m.p50),
    num(m.p99),
    num(m.cpu),
    m.config === 'off' ? '' : change(m.rps, off.rps),
    m.config === 'off' ? '' : change(m.p50, off.p50),
    m.config === 'off' ? '' : change(m.p99, off.p99),
    m.config === 'off' ? '' : change(m.cpu, off.cpu),
  ]);
  const rounds = Math.max(0, ...result.runs.map((run) => run.round));
  const notes = [
    'Δ columns compare with METRICS=off + no tracing: in the per-run table with the off run of the same round, in the summary with the mean of the off runs; negative req/s, positive latency and positive CPU = cost',
    'CPU ms/req: user + system CPU of the gateway and the 9 replicas (/proc) over the run, per response; it moves less than req/s when other work shares the cores',
    `spans: received by the sink from a tracing run's start to the next one's (the batch span processor exports on a 5 s schedule, so late); ${result.spansPerTracedRequest === undefined ? '' : `at least ${num(result.spansPerTracedRequest)} spans per traced request; `}sink refused ${result.sinkRefused} exports`,
    'the OTLP sink decodes every export on a worker thread of the bench process: its CPU competes with the lab and the load generator on the same cores, as a collector sidecar would',
    'FIELD-NOTES: upstream reports OpenTelemetry overhead from ~20 % to 2x on trivial handlers (opentelemetry-js #4372, #4741)',
  ];
  const measured = [
    `runLoad (autocannon) shopper journey, mix ${formatMix(DEFAULT_MIX)}, ${result.connections} connections (one account and session each), ${result.durationSeconds} s per run`,
    `${rounds} rounds, configurations alternating in each; one fresh redis-mode lab per configuration (round-robin, 3+3+3 replicas, shared private redis-server), each warmed ${result.warmupSeconds} s before round 1; the labs not measured sit frozen (SIGSTOP), and each run follows ${RESUME_WARMUP_SECONDS} s of unmeasured load after the thaw`,
    'tracing: OTEL_EXPORTER_OTLP_ENDPOINT to a local OTLP sink (http/protobuf), OTEL_TRACES_SAMPLER=always_on, the lab\u2019s lean tracer; the SDK lab: the same with LAB_TRACER=sdk (the OpenTelemetry SDK\u2019s BatchSpanProcessor and OTLP exporter); the 10 % lab: lean, parentbased_traceidratio 0.1. The SDK and 10 % labs export to sinks of their own (their spans are not in the spans column)',
  ];
  if (result.fixedRate) {
    const { options } = result.fixedRate;
    measured.push(
      `then, on the same labs, ${options.rounds} rounds of ${options.durationSeconds} s of GET /api/cart held at ${options.requestsPerSecond} req/s (autocannon overallRate) from ${options.sessions} connections, each with its own logged-in session and a one-line cart; the same rotation and freezing`,
    );
    notes.push(
      'fixed rate: below saturation every configuration serves the same load, so its CPU per request is what telemetry adds to a request, without the extra cost a saturated, slower lab pays in smaller write batches',
    );
  }
  return formatSection(
    {
      title: 'telemetry-cost: shopper load, redis mode, telemetry off vs metrics vs metrics + tracing (100 % lean, 100 % SDK, 10 % lean)',
      measured,
      tables: [
        {
          caption: 'per run',
          headers: ['configuration', 'round', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'req/s Δ', 'p50 Δ', 'p99 Δ', 'CPU Δ', 'non-2xx', 'errors', 'spans'],
          rows: perRun,
        },
        {
          caption: `mean of ${rounds} runs`,
          headers: ['configuration', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'req/s Δ', 'p50 Δ', 'p99 Δ', 'CPU Δ'],
          rows: summary,
        },
        ...(result.fixedRate ? [fixedRateTable(result.fixedRate)] : []),
      ],
      notes,
    },
    machine,
  );
}
