import {
  Attributes,
  AttributeValue,
  Context,
  context as contextApi,
  Exception,
  isSpanContextValid,
  Link,
  Span,
  SpanContext,
  SpanKind,
  SpanOptions,
  SpanStatus,
  SpanStatusCode,
  TimeInput,
  trace,
  TraceFlags,
  Tracer,
  TracerProvider,
} from '@opentelemetry/api';
import { randomFillSync } from 'node:crypto';
import { OriginNanos, OTLP, writeAttributes } from './otlp-encoding';
import { ProtoWriter } from './proto-writer';

/** Where ended spans go: the exporter keeps one writer per instrumentation scope. */
export interface SpanSink {
  /** The writer the next span of `scope` is encoded into, or undefined when the queue is full (the span is dropped). */
  writerFor(scope: number): ProtoWriter | undefined;
  /** Called after a span was encoded into the writer writerFor returned. */
  spanWritten(scope: number): void;
  /** Registers an instrumentation scope; returns its index. */
  scope(name: string, version: string | undefined): number;
  /** Writes a fixed64 time (Unix-epoch ns) for a time relative to performance.timeOrigin. */
  writeTime(writer: ProtoWriter, time: OriginNanos): void;
}

/** The standard samplers (OTEL_TRACES_SAMPLER), as the SDK implements them. */
export type SamplerName = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

export const SAMPLER_NAMES: readonly SamplerName[] = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

export interface SamplerConfig {
  name: SamplerName;
  /** traceidratio's probability, 0…1. */
  ratio: number;
}

/**
 * The sampling decision, the SDK's rules: a `parentbased_*` sampler follows a valid parent's
 * sampled flag and applies its root sampler to roots; `traceidratio` keeps a trace when the
 * XOR of its id's four 32-bit words is at most ratio × 2^32 − 1 (TraceIdRatioBasedSampler), so
 * every process takes the same decision for the same trace.
 */
export function sampled(config: SamplerConfig, parent: SpanContext | undefined, traceId: string): boolean {
  const parentBased = config.name.startsWith('parentbased_');
  if (parentBased && parent) return (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
  const root = parentBased ? config.name.slice('parentbased_'.length) : config.name;
  if (root === 'always_on') return true;
  if (root === 'always_off') return false;
  if (config.ratio >= 1) return true;
  if (config.ratio <= 0) return false;
  const upperBound = Math.floor(config.ratio * 0xffffffff);
  let accumulated = 0;
  for (let i = 0; i < 4; i++) accumulated = (accumulated ^ parseInt(traceId.slice(i * 8, i * 8 + 8), 16)) >>> 0;
  return accumulated <= upperBound;
}

/** Random ids from a pool refilled 4 KiB at a time (one system call per ~170 spans). */
class IdSource {
  private readonly pool = Buffer.allocUnsafe(4096);
  private offset = this.pool.length;

  private take(bytes: number): string {
    if (this.offset + bytes > this.pool.length) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const id = this.pool.toString('hex', this.offset, this.offset + bytes);
    this.offset += bytes;
    return id;
  }

  traceId(): string {
    return this.take(16);
  }

  spanId(): string {
    return this.take(8);
  }
}

const ids = new IdSource();

/** Now, in nanoseconds since performance.timeOrigin. */
function now(): OriginNanos {
  return performance.now() * 1e6;
}

/** A TimeInput (epoch ms, performance.now() ms, Date, or [s, ns]) in ns since performance.timeOrigin. */
export function toOriginNanos(time: TimeInput | undefined): OriginNanos {
  if (time === undefined) return now();
  const origin = performance.timeOrigin;
  if (Array.isArray(time)) return (time[0] * 1e3 - origin) * 1e6 + time[1];
  const ms = time instanceof Date ? time.getTime() : time;
  // The SDK's rule: a number smaller than the time origin is a performance.now() reading.
  return ms < origin ? ms * 1e6 : (ms - origin) * 1e6;
}

const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

const encodedBlocks = new WeakMap<Attributes, Buffer>();

/**
 * A frozen attributes object's KeyValue fields of a Span, encoded on first use and then copied
 * as they are. The lab's own spans pass one frozen object per call site (a hop's target and
 * pattern, a Redis operation, a route), so their constant attributes are encoded once per
 * process instead of once per span. Frozen is the promise that the object never changes.
 */
function encodedAttributes(attributes: Attributes): Buffer {
  let block = encodedBlocks.get(attributes);
  if (!block) {
    const writer = new ProtoWriter(256);
    writeAttributes(writer, OTLP.span.attributes, attributes);
    block = Buffer.from(writer.view());
    encodedBlocks.set(attributes, block);
  }
  return block;
}

interface SpanEvent {
  name: string;
  time: OriginNanos;
  attributes: Attributes | undefined;
}

/**
 * A recording span that encodes itself to OTLP/protobuf when it ends and keeps nothing after:
 * no span object waits in a queue for a batch, so none lives long enough to be promoted by the
 * garbage collector. Attributes set after end() are ignored, as the SDK does.
 */
export class LeanSpan implements Span {
  /** Frozen attributes given at start: shared by every span of a call site, encoded once (encodedAttributes). */
  private shared: Attributes | undefined;
  /** The span's own attributes: given unfrozen at start, or set later. */
  private attributes: Attributes | undefined;
  private events: SpanEvent[] | undefined;
  private links: Link[] | undefined;
  private status: SpanStatus = UNSET_STATUS;
  private ended = false;
  private readonly context: SpanContext;

  constructor(
    private readonly sink: SpanSink,
    private readonly scope: number,
    private name: string,
    private readonly kind: SpanKind,
    traceId: string,
    private readonly parentSpanId: string | undefined,
    private readonly start: OriginNanos,
    attributes: Attributes | undefined,
    links: Link[] | undefined,
  ) {
    this.context = { traceId, spanId: ids.spanId(), traceFlags: TraceFlags.SAMPLED };
    if (attributes && Object.isFrozen(attributes)) this.shared = attributes;
    else if (attributes) this.attributes = { ...attributes };
    if (links && links.length > 0) this.links = [...links];
  }

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.ended || value === undefined || value === null) return this;
    if (this.shared && key in this.shared) {
      // A shared attribute changes for this span only: it stops sharing the encoded block.
      this.attributes = { ...this.shared, ...this.attributes };
      this.shared = undefined;
    }
    (this.attributes ??= {})[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key] as AttributeValue);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const timeGiven = typeof attributesOrTime === 'number' || Array.isArray(attributesOrTime) || attributesOrTime instanceof Date;
    (this.events ??= []).push({
      name,
      time: toOriginNanos(timeGiven ? (attributesOrTime as TimeInput) : time),
      attributes: timeGiven ? undefined : (attributesOrTime as Attributes | undefined),
    });
    return this;
  }

  addLink(link: Link): this {
    if (!this.ended) (this.links ??= []).push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended) return this;
    // The SDK's rule: OK is final, and UNSET never replaces a status.
    if (this.status.code === SpanStatusCode.OK || status.code === SpanStatusCode.UNSET) return this;
    this.status = status.code === SpanStatusCode.ERROR ? status : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  /** The SDK's `exception` event: type, message and stack of an Error-like value, or the string. */
  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes['exception.message'] = exception;
    } else if (exception) {
      const type = exception.code ? String(exception.code) : exception.name;
      if (type) attributes['exception.type'] = type;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    this.addEvent('exception', attributes, time);
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    const end = endTime === undefined ? now() : toOriginNanos(endTime);
    const writer = this.sink.writerFor(this.scope);
    if (!writer) return;
    const field = OTLP.span;
    writer.begin(OTLP.scopeSpans.spans).hexBytes(field.traceId, this.context.traceId).hexBytes(field.spanId, this.context.spanId);
    if (this.parentSpanId) writer.hexBytes(field.parentSpanId, this.parentSpanId);
    writer.string(field.name, this.name).tag(field.kind, 0).varint(this.kind + 1);
    writer.tag(field.start, 1);
    this.sink.writeTime(writer, this.start);
    writer.tag(field.end, 1);
    this.sink.writeTime(writer, Math.max(end, this.start));
    if (this.shared) writer.raw(encodedAttributes(this.shared));
    if (this.attributes) writeAttributes(writer, field.attributes, this.attributes);
    for (const event of this.events ?? []) {
      writer.begin(field.events).tag(OTLP.event.time, 1);
      this.sink.writeTime(writer, event.time);
      writer.string(OTLP.event.name, event.name);
      if (event.attributes) writeAttributes(writer, OTLP.event.attributes, event.attributes);
      writer.end();
    }
    for (const link of this.links ?? []) {
      writer.begin(field.links).hexBytes(OTLP.link.traceId, link.context.traceId).hexBytes(OTLP.link.spanId, link.context.spanId);
      if (link.attributes) writeAttributes(writer, OTLP.link.attributes, link.attributes);
      writer.end();
    }
    if (this.status.code !== SpanStatusCode.UNSET) {
      writer.begin(field.status);
      if (this.status.message) writer.string(OTLP.status.message, this.status.message);
      writer.tag(OTLP.status.code, 0).varint(this.status.code).end();
    }
    writer.end();
    this.sink.spanWritten(this.scope);
  }
}

class LeanTracer implements Tracer {
  constructor(
    private readonly sink: SpanSink,
    private readonly scope: number,
    private readonly sampler: SamplerConfig,
  ) {}

  startSpan(name: string, options: SpanOptions = {}, parentContext: Context = contextApi.active()): Span {
    const parent = options.root ? undefined : trace.getSpanContext(parentContext);
    const validParent = parent && isSpanContextValid(parent) ? parent : undefined;
    const traceId = validParent?.traceId ?? ids.traceId();
    if (!sampled(this.sampler, validParent, traceId)) {
      // What the SDK returns for a trace it does not record: the ids propagate, nothing is kept.
      return trace.wrapSpanContext({ traceId, spanId: ids.spanId(), traceFlags: TraceFlags.NONE, ...(validParent?.traceState && { traceState: validParent.traceState }) });
    }
    return new LeanSpan(this.sink, this.scope, name, options.kind ?? SpanKind.INTERNAL, traceId, validParent?.spanId, toOriginNanos(options.startTime), options.attributes, options.links);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: unknown[]): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const options = (args.length >= 2 ? args[0] : {}) as SpanOptions;
    const parentContext = (args.length >= 3 ? args[1] : contextApi.active()) as Context;
    const span = this.startSpan(name, options, parentContext);
    return contextApi.with(trace.setSpan(parentContext, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

/** A TracerProvider whose tracers make LeanSpans; one tracer per instrumentation scope. */
export class LeanTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, Tracer>();

  constructor(
    private readonly sink: SpanSink,
    private readonly sampler: SamplerConfig,
  ) {}

  getTracer(name: string, version?: string): Tracer {
    const key = `${name}@${version ?? ''}`;
    let tracer = this.tracers.get(key);
    if (!tracer) {
      tracer = new LeanTracer(this.sink, this.sink.scope(name, version), this.sampler);
      this.tracers.set(key, tracer);
    }
    return tracer;
  }
}
