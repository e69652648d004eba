import { collectDefaultMetrics, Gauge, OpenMetricsContentType, Registry } from 'prom-client';
import { currentSampledTraceId } from '../tracing/trace-id';
import { isTracingActive } from '../tracing/tracing-runtime';

/** Who is exporting: every series of a process carries this through `lab_info`. */
export interface MetricsIdentity {
  /** gateway | user | cart | product */
  service: string;
  /** gateway, user-1, cart-2, … */
  replica: string;
  mode: string;
  routing: string;
}

/** Seconds; resolves from 1 µs (a Map lookup) to 50 ms (a slow Redis round trip). */
export const STORE_BUCKETS = [
  0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
  0.025, 0.05,
];
/** Seconds; from sub-millisecond loopback hops to a 2.5 s timeout. */
export const LATENCY_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type LabelValues<T extends string> = Record<T, string | number>;

/** prom-client's exposition shape of one sample (what Registry renders). */
interface Sample {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string | number>;
  value: number;
  metricName?: string;
  exemplar?: { labelSet: Record<string, string>; value: number; timestamp: number } | null;
}

/**
 * One label set of a histogram, bound once: `observe()` is an array bump, no label hashing or
 * validation per call (prom-client's own observe does both on every call). When tracing is on,
 * the sampled trace id (the one passed, else the active span's) is kept as the bucket's exemplar.
 */
export class HistogramChild {
  private readonly counts: Float64Array;
  private readonly exemplars: Array<Sample['exemplar']>;
  private sum = 0;
  private count = 0;

  constructor(
    private readonly bounds: readonly number[],
    readonly labels: Record<string, string | number>,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
    this.exemplars = new Array<Sample['exemplar']>(bounds.length + 1).fill(null);
  }

  observe(seconds: number, exemplarTraceId?: string): void {
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && seconds > bounds[index]) index++;
    this.counts[index]++;
    this.sum += seconds;
    this.count++;
    if (isTracingActive()) {
      const traceId = exemplarTraceId ?? currentSampledTraceId();
      if (traceId) this.exemplars[index] = { labelSet: { trace_id: traceId }, value: seconds, timestamp: Date.now() / 1000 };
    }
  }

  samples(name: string, out: Sample[]): void {
    let cumulative = 0;
    for (let i = 0; i <= this.bounds.length; i++) {
      cumulative += this.counts[i];
      out.push({
        metricName: `${name}_bucket`,
        labels: { le: i < this.bounds.length ? this.bounds[i] : '+Inf' },
        sharedLabels: this.labels,
        value: cumulative,
        exemplar: this.exemplars[i],
      });
    }
    out.push({ metricName: `${name}_sum`, labels: this.labels, value: this.sum });
    out.push({ metricName: `${name}_count`, labels: this.labels, value: this.count });
  }
}

/** One label set of a counter, bound once. */
export class CounterChild {
  value = 0;

  constructor(readonly labels: Record<string, string | number>) {}

  inc(by = 1): void {
    this.value += by;
  }
}

/**
 * A family of series that binds each label set once (`child(labels)`), then records through the
 * child. Children are cached by label values, so callers may also just call `child()` each time
 * at the cost of one string key and one Map lookup. Registers itself in the registry, which
 * renders it like any prom-client metric (exemplars included, in OpenMetrics).
 */
abstract class BoundFamily<T extends string, C extends { labels: Record<string, string | number> }> {
  private readonly children = new Map<string, C>();

  constructor(
    registry: Registry,
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly T[],
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  child(labels: LabelValues<T>): C {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name]}\u0000`;
    let child = this.children.get(key);
    if (!child) {
      const own: Record<string, string | number> = {};
      for (const name of this.labelNames) own[name] = labels[name];
      child = this.create(own);
      this.children.set(key, child);
    }
    return child;
  }

  protected abstract create(labels: Record<string, string | number>): C;

  protected all(): IterableIterator<C> {
    return this.children.values();
  }

  reset(): void {
    this.children.clear();
  }
}

export class LabHistogram<T extends string> extends BoundFamily<T, HistogramChild> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(registry: Registry, name: string, help: string, labelNames: readonly T[], private readonly bounds: readonly number[]) {
    super(registry, name, help, labelNames);
  }

  protected create(labels: Record<string, string | number>): HistogramChild {
    return new HistogramChild(this.bounds, labels);
  }

  /** Records one value under the given labels (binds them on first use). */
  observe(labels: LabelValues<T>, seconds: number, exemplarTraceId?: string): void {
    this.child(labels).observe(seconds, exemplarTraceId);
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: Sample[] } {
    const values: Sample[] = [];
    for (const child of this.all()) child.samples(this.name, values);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export class LabCounter<T extends string> extends BoundFamily<T, CounterChild> {
  readonly type = 'counter';
  readonly aggregator = 'sum';

  protected create(labels: Record<string, string | number>): CounterChild {
    return new CounterChild(labels);
  }

  /** Adds to the series of the given labels (binds them on first use). */
  inc(labels: LabelValues<T>, by = 1): void {
    this.child(labels).inc(by);
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: Sample[] } {
    const values: Sample[] = [];
    for (const child of this.all()) values.push({ labels: child.labels, value: child.value });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/**
 * The lab's metrics for one process, in one registry that renders OpenMetrics (so exemplars
 * survive). Histograms and counters on the request path are bound families (LabHistogram,
 * LabCounter); gauges are prom-client's, since they are set rarely or computed at scrape time.
 * Services record through the methods of their telemetry class; nothing else touches prom-client.
 */
export class LabMetricsRegistry {
  /** Typed as a plain Registry so metrics can register in it; its content type is OpenMetrics. */
  readonly registry: Registry;

  constructor(readonly identity: MetricsIdentity) {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    this.registry = registry as unknown as Registry;
    collectDefaultMetrics({ register: this.registry });
    const info = new Gauge({
      name: 'lab_info',
      help: 'Always 1; labels tell the state mode, the routing and which replica this process is',
      labelNames: ['mode', 'routing', 'service', 'replica'],
      registers: [this.registry],
    });
    info.set({ ...identity }, 1);
  }

  histogram<T extends string>(name: string, help: string, labelNames: readonly T[], buckets: readonly number[] = LATENCY_BUCKETS): LabHistogram<T> {
    return new LabHistogram(this.registry, name, help, labelNames, buckets);
  }

  counter<T extends string>(name: string, help: string, labelNames: readonly T[]): LabCounter<T> {
    return new LabCounter(this.registry, name, help, labelNames);
  }

  gauge<T extends string>(
    name: string,
    help: string,
    labelNames: readonly T[],
    collect?: (gauge: Gauge<T>) => Promise<void> | void,
  ): Gauge<T> {
    return new Gauge<T>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect: collect
        ? async function (this: Gauge<T>) {
            await collect(this);
          }
        : undefined,
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
