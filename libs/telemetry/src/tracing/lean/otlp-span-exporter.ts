import { diag, type Attributes } from '@opentelemetry/api';
import * as http from 'node:http';
import * as https from 'node:https';
import { EpochClock, OriginNanos, OTLP, writeAttributes } from './otlp-encoding';
import type { SpanSink } from './lean-tracer';
import { ProtoWriter } from './proto-writer';

export interface OtlpSpanExporterOptions {
  /** The full traces URL (…/v1/traces). */
  url: string;
  /** Extra request headers (OTEL_EXPORTER_OTLP_(TRACES_)HEADERS). */
  headers: Record<string, string>;
  /** Resource attributes, encoded once; the first export waits for them (host.id is read asynchronously). */
  resource: Promise<Attributes>;
  /** OTEL_BSP_SCHEDULE_DELAY: the longest a span waits before it is sent. */
  scheduleDelayMs: number;
  /** OTEL_BSP_MAX_EXPORT_BATCH_SIZE: a batch is sent as soon as this many spans wait. */
  maxExportBatchSize: number;
  /** OTEL_BSP_MAX_QUEUE_SIZE: spans beyond this many waiting are dropped (while an export is in flight). */
  maxQueueSize: number;
  /** OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT / OTEL_BSP_EXPORT_TIMEOUT. */
  timeoutMs: number;
}

interface Scope {
  /** The encoded InstrumentationScope field of ScopeSpans. */
  header: Buffer;
  spans: ProtoWriter;
  count: number;
}

export interface ExporterCounts {
  exported: number;
  dropped: number;
  failedExports: number;
}

/**
 * The lean tracer's span sink and OTLP/HTTP protobuf exporter. Spans are encoded into one
 * buffer per instrumentation scope as they end; a batch is one ExportTraceServiceRequest built
 * from those buffers (the resource encoded once at start), POSTed on a keep-alive connection.
 * One export is in flight at a time, as in the SDK's BatchSpanProcessor, which it replaces along
 * with the OTLP exporter: same variables, same batch rules. A failed export is dropped and
 * logged once per failure streak; there is no retry.
 */
export class OtlpSpanExporter implements SpanSink {
  private readonly clock = new EpochClock();
  private readonly scopes: Scope[] = [];
  private readonly batch = new ProtoWriter(64 * 1024);
  private resource: Buffer | undefined;
  private readonly resourceReady: Promise<void>;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly timer: NodeJS.Timeout;
  private pending = 0;
  private inFlight: Promise<void> | undefined;
  private flushScheduled = false;
  private failing = false;
  private shutDown = false;
  private readonly totals: ExporterCounts = { exported: 0, dropped: 0, failedExports: 0 };

  constructor(private readonly options: OtlpSpanExporterOptions) {
    this.resourceReady = options.resource.then(
      (attributes) => {
        const writer = new ProtoWriter(1024);
        writer.begin(OTLP.resourceSpans.resource);
        writeAttributes(writer, OTLP.resource.attributes, attributes);
        writer.end();
        this.resource = Buffer.from(writer.view());
      },
      () => {
        this.resource = Buffer.alloc(0);
      },
    );
    const secure = options.url.startsWith('https:');
    this.agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 1 }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.request = secure ? https.request : http.request;
    this.timer = setInterval(() => this.flush(), options.scheduleDelayMs);
    this.timer.unref();
  }

  counts(): ExporterCounts {
    return { ...this.totals };
  }

  scope(name: string, version: string | undefined): number {
    const writer = new ProtoWriter(256);
    writer.begin(OTLP.scopeSpans.scope).string(OTLP.scope.name, name);
    if (version) writer.string(OTLP.scope.version, version);
    writer.end();
    this.scopes.push({ header: Buffer.from(writer.view()), spans: new ProtoWriter(), count: 0 });
    return this.scopes.length - 1;
  }

  writerFor(scope: number): ProtoWriter | undefined {
    if (this.shutDown || this.pending >= this.options.maxQueueSize) {
      this.totals.dropped++;
      return undefined;
    }
    return this.scopes[scope].spans;
  }

  spanWritten(scope: number): void {
    this.scopes[scope].count++;
    this.pending++;
    if (this.pending >= this.options.maxExportBatchSize && !this.flushScheduled && !this.inFlight) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  writeTime(writer: ProtoWriter, time: OriginNanos): void {
    this.clock.writeFixed64(writer, time);
  }

  /** Sends what waits, unless an export is in flight (it sends the rest when it is done). Resolves when the queue is empty or an export failed. */
  flush(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.pending === 0) return Promise.resolve();
    this.inFlight = this.resourceReady.then(() => this.post(this.takeBatch())).finally(() => {
      this.inFlight = undefined;
      if (this.pending >= this.options.maxExportBatchSize || (this.shutDown && this.pending > 0)) void this.flush();
    });
    return this.inFlight;
  }

  /** Sends every span that ended, then stops; spans that end after this are dropped. */
  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    while (this.inFlight || this.pending > 0) {
      await this.flush();
      if (this.failing) break;
    }
    this.shutDown = true;
    this.agent.destroy();
  }

  /**
   * The waiting spans as one ExportTraceServiceRequest, in the exporter's one batch buffer: a
   * view valid until the next batch, which is taken only once this one's export has settled.
   */
  private takeBatch(): Buffer {
    const writer = this.batch;
    writer.reset();
    writer.begin(OTLP.request.resourceSpans).raw(this.resource ?? Buffer.alloc(0));
    for (const scope of this.scopes) {
      if (scope.count === 0) continue;
      writer.begin(OTLP.resourceSpans.scopeSpans).raw(scope.header).raw(scope.spans.view()).end();
      this.totals.exported += scope.count;
      scope.spans.reset();
      scope.count = 0;
    }
    writer.end();
    this.pending = 0;
    return writer.view();
  }

  private post(body: Buffer): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      const done = (failure?: string) => {
        if (settled) return;
        settled = true;
        if (failure) {
          this.totals.failedExports++;
          if (!this.failing) diag.warn(`statelab tracing: an OTLP export to ${this.options.url} failed (${failure}); its spans are dropped`);
        }
        this.failing = failure !== undefined;
        resolve();
      };
      const request = this.request(this.options.url, {
        method: 'POST',
        agent: this.agent,
        timeout: this.options.timeoutMs,
        headers: { ...this.options.headers, 'content-type': 'application/x-protobuf', 'content-length': body.length },
      });
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => done(response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300 ? undefined : `HTTP ${response.statusCode}`));
        response.on('error', (error) => done(error.message));
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)));
      request.on('error', (error) => done(error.message));
      request.end(body);
    });
  }
}
