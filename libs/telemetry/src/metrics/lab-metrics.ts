import { currentSampledTraceId } from '../tracing/trace-id';
import { collectDefaultMetrics, Counter, Gauge, Histogram, OpenMetricsContentType, Registry } from 'prom-client';

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

type Labels<T extends string> = Partial<Record<T, string | number>>;

/** Trace id of the active sampled span, as the exemplar label set Grafana links to a trace. */
function exemplarLabels(): Record<string, string> {
  const traceId = currentSampledTraceId();
  return traceId ? { trace_id: traceId } : {};
}

/** A histogram that attaches the active trace id as an exemplar (OpenMetrics output). */
export class ExemplarHistogram<T extends string> {
  private readonly histogram: Histogram<T>;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly T[], buckets: number[]) {
    this.histogram = new Histogram<T>({ name, help, labelNames, buckets, registers: [registry], enableExemplars: true });
  }

  observe(labels: Labels<T>, seconds: number): void {
    this.histogram.observe({ labels, value: seconds, exemplarLabels: exemplarLabels() as Labels<T> });
  }
}

/**
 * The lab's metrics for one process, in one registry that renders OpenMetrics (so exemplars
 * survive). Services record through the methods of LabTelemetry; nothing else touches
 * prom-client.
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

  histogram<T extends string>(name: string, help: string, labelNames: readonly T[], buckets = LATENCY_BUCKETS): ExemplarHistogram<T> {
    return new ExemplarHistogram(this.registry, name, help, labelNames, buckets);
  }

  counter<T extends string>(name: string, help: string, labelNames: readonly T[]): Counter<T> {
    return new Counter<T>({ name, help, labelNames, registers: [this.registry] });
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
      collect: collect ? async function (this: Gauge<T>) { await collect(this); } : undefined,
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
