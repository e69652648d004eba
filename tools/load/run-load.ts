import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { round } from '../kit/format';
import { LatencyHistogram } from './latency-histogram';
import { createShopperFlow, createShopperStats, ShopperFlowOptions, ShopperMix, ShopperStats } from './shopper-flow';
import { TimelinePoint, TimelineRecorder } from './timeline';

export type { TimelinePoint } from './timeline';

export interface RunLoadOptions {
  /** Gateway origin, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Concurrent shoppers; each is one connection with its own account and session. */
  connections: number;
  durationSeconds: number;
  mix: ShopperMix;
  /** Called once per completed second, while the load runs. */
  onProgress?: (point: TimelinePoint) => void;
  /** autocannon's progress bar on stderr; default: when stderr is a TTY (it is never drawn otherwise). */
  renderProgressBar?: boolean;
  /** Accounts, catalogue and randomness of the shoppers. */
  shopper?: Omit<ShopperFlowOptions, 'mix' | 'stats'>;
  /** Seconds before a request counts as timed out (autocannon's default: 10). */
  timeoutSeconds?: number;
  /** Aborting ends the run early; the result covers what was measured. */
  signal?: AbortSignal;
  /**
   * Default true: when no shopper has logged in yet after a second and every connection has
   * failed to, stop and reject (wrong URL, wrong accounts, a dead user service) instead of
   * measuring login failures.
   */
  requireLogin?: boolean;
}

export interface LoadResult {
  url: string;
  connections: number;
  mix: ShopperMix;
  /** ISO time the load started; timeline `t` counts seconds from here. */
  startedAt: string;
  durationSeconds: number;
  /** Completed responses per second over the whole run. */
  throughputRps: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Completed responses, whatever their status. */
  requests: number;
  /** Socket errors plus timeouts (no response at all). */
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCounts: Record<string, number>;
  /** Average bytes of one request as written to the socket (request line, headers with cookie, body). */
  requestBytes: number;
  /** Average bytes of one response as read from the socket (status line, headers, body). */
  responseBytes: number;
  /** Responses each replica took part in, from `x-served-by`. */
  servedBy: Record<string, number>;
  sessions: { logins: number; loginFailures: number; unauthorized: number; sessionLost: number };
  timeline: TimelinePoint[];
}

/** Everything measured during one run; turns into a LoadResult at the end. */
export class LoadMeter {
  readonly latencies = new LatencyHistogram();
  readonly timeline = new TimelineRecorder();
  private responses = 0;
  private non2xx = 0;
  private responseBytesRead = 0;

  constructor(readonly stats: ShopperStats) {}

  response(elapsedMs: number, status: number, bytes: number, latencyMs: number): void {
    this.responses++;
    if (status < 200 || status > 299) this.non2xx++;
    this.responseBytesRead += bytes;
    this.latencies.record(latencyMs);
    this.timeline.recordResponse(elapsedMs, latencyMs, status);
  }

  error(elapsedMs: number): void {
    this.timeline.recordError(elapsedMs);
  }

  result(run: {
    url: string;
    connections: number;
    mix: ShopperMix;
    startedAt: Date;
    elapsedMs: number;
    errors: number;
    timeouts: number;
  }): LoadResult {
    const { stats, latencies } = this;
    const seconds = run.elapsedMs / 1000;
    return {
      url: run.url,
      connections: run.connections,
      mix: { ...run.mix },
      startedAt: run.startedAt.toISOString(),
      durationSeconds: round(seconds, 2),
      throughputRps: seconds > 0 ? round(this.responses / seconds, 1) : 0,
      latencyMs: {
        p50: round(latencies.percentile(50), 2),
        p95: round(latencies.percentile(95), 2),
        p99: round(latencies.percentile(99), 2),
        max: round(latencies.max, 2),
      },
      requests: this.responses,
      errors: run.errors,
      timeouts: run.timeouts,
      non2xx: this.non2xx,
      statusCounts: { ...stats.statusCounts },
      requestBytes: stats.requestsWritten > 0 ? round(stats.requestBytesWritten / stats.requestsWritten, 1) : 0,
      responseBytes: this.responses > 0 ? round(this.responseBytesRead / this.responses, 1) : 0,
      servedBy: { ...stats.servedBy },
      sessions: {
        logins: stats.logins,
        loginFailures: stats.loginFailures,
        unauthorized: stats.unauthorized,
        sessionLost: stats.sessionLost,
      },
      timeline: this.timeline.finish(run.elapsedMs),
    };
  }
}

function assertRunOptions(options: RunLoadOptions): void {
  if (!Number.isSafeInteger(options.connections) || options.connections < 1) {
    throw new RangeError(`connections must be a positive integer, got ${options.connections}`);
  }
  if (!(options.durationSeconds > 0) || !Number.isFinite(options.durationSeconds)) {
    throw new RangeError(`durationSeconds must be above 0, got ${options.durationSeconds}`);
  }
}

/** Why the run cannot measure anything useful because nobody can log in, if that is so. */
export function loginFailure(stats: ShopperStats, run: { url: string; connections: number }, elapsedMs: number): string | undefined {
  if (stats.logins > 0 || elapsedMs < 1000 || stats.loginFailures < run.connections) return undefined;
  const statuses = Object.entries(stats.statusCounts)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([status, count]) => `${status} x${count}`)
    .join(', ');
  return `no shopper could log in at ${run.url}: ${stats.loginFailures} failed logins (${statuses || 'no responses'})`;
}

/** Drives the shopper flow against the gateway with autocannon and measures what comes back. */
export async function runLoad(options: RunLoadOptions): Promise<LoadResult> {
  assertRunOptions(options);
  const stats = createShopperStats();
  const flow = createShopperFlow({ ...options.shopper, mix: options.mix, stats });
  const meter = new LoadMeter(stats);

  const startedAt = new Date();
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;

  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: options.timeoutSeconds ?? 10,
    pipelining: 1,
    setupClient: flow.setupClient,
  });
  instance.on('response', (_client, status, bytes, latencyMs) => meter.response(elapsed(), status, bytes, latencyMs));
  instance.on('reqError', () => meter.error(elapsed()));

  // track() adds a process.once('SIGINT') listener when the run starts and never removes it,
  // which would swallow a later Ctrl-C: note exactly that listener so it can go at the end.
  const trackListeners: NodeJS.SignalsListener[] = [];
  if (options.renderProgressBar ?? process.stderr.isTTY === true) {
    const before = new Set(process.listeners('SIGINT'));
    autocannon.track(instance, { renderProgressBar: true, renderResultsTable: false, outputStream: process.stderr });
    instance.on('start', () => trackListeners.push(...process.listeners('SIGINT').filter((listener) => !before.has(listener))));
  }

  const progress = options.onProgress;
  let failure: string | undefined;
  const ticker = setInterval(() => {
    const now = elapsed();
    if (progress) for (const point of meter.timeline.takeCompleted(now)) progress(point);
    if (failure === undefined && (options.requireLogin ?? true)) {
      failure = loginFailure(stats, options, now);
      if (failure !== undefined) instance.stop();
    }
  }, 200);
  const stop = () => instance.stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop();

  try {
    const result = await instance;
    if (failure !== undefined) throw new Error(failure);
    const elapsedMs = elapsed();
    if (progress) for (const point of meter.timeline.takeCompleted(elapsedMs)) progress(point);
    return meter.result({
      url: options.url,
      connections: options.connections,
      mix: options.mix,
      startedAt,
      elapsedMs,
      errors: result.errors,
      timeouts: result.timeouts,
    });
  } finally {
    clearInterval(ticker);
    options.signal?.removeEventListener('abort', stop);
    for (const listener of trackListeners) process.removeListener('SIGINT', listener);
  }
}
