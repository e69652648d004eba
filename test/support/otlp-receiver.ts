import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { forEachProtobufField, varintValue } from '../../tools/kit/protobuf-wire';

export type SpanKindName = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
const KINDS: SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

/** One span as a test wants to look at it: ids in hex, attributes flattened, its resource's identity. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** undefined for a root span */
  parentSpanId: string | undefined;
  name: string;
  kind: SpanKindName;
  attributes: Record<string, AttributeValue>;
  /** `service.name` of the resource that exported it */
  serviceName: string | undefined;
  /** `service.instance.id` of the resource that exported it */
  serviceInstanceId: string | undefined;
  scopeName: string | undefined;
  /** OTLP status code: 0 unset, 1 ok, 2 error */
  statusCode: number;
  startTimeUnixNano: string;
}

export interface OtlpReceiver {
  /** Base URL to use as OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  url: string;
  /** Every span received so far, in arrival order. */
  spans(): ReceivedSpan[];
  /** Bodies the receiver refused (wrong path, content type or JSON), for diagnosing a silent exporter. */
  rejections(): string[];
  /**
   * Resolves with the spans of the first trace for which `predicate` holds, checked on every
   * arrival; rejects after `timeoutMs` with what did arrive.
   */
  waitForTrace(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number | string;
  attributes?: OtlpKeyValue[];
  events?: { timeUnixNano?: string; name?: string; attributes?: OtlpKeyValue[] }[];
  status?: { code?: number | string; message?: string };
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
}
export interface OtlpTraceRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { scope?: { name?: string; version?: string }; spans?: OtlpSpan[] }[];
  }[];
}

/** The length-delimited and scalar fields of one protobuf message, in order. */
function protobufFields(buffer: Buffer): { field: number; wireType: number; bytes?: Buffer; value?: bigint }[] {
  const fields: { field: number; wireType: number; bytes?: Buffer; value?: bigint }[] = [];
  forEachProtobufField(buffer, 0, buffer.length, (field, wireType, start, end) => {
    const bytes = buffer.subarray(start, end);
    if (wireType === 0) fields.push({ field, wireType, value: varintValue(buffer, start, end) });
    else if (wireType === 1) fields.push({ field, wireType, value: buffer.readBigUInt64LE(start), bytes });
    else if (wireType === 5) fields.push({ field, wireType, value: BigInt(buffer.readUInt32LE(start)) });
    else fields.push({ field, wireType, bytes });
  });
  return fields;
}

function decodeAnyValue(buffer: Buffer): OtlpAnyValue {
  const out: OtlpAnyValue = {};
  for (const { field, bytes, value } of protobufFields(buffer)) {
    if (field === 1) out.stringValue = bytes!.toString('utf8');
    else if (field === 2) out.boolValue = value !== 0n;
    else if (field === 3) out.intValue = BigInt.asIntN(64, value!).toString();
    else if (field === 4) out.doubleValue = bytes!.readDoubleLE(0);
    else if (field === 5) out.arrayValue = { values: protobufFields(bytes!).filter((f) => f.field === 1).map((f) => decodeAnyValue(f.bytes!)) };
    else if (field === 6) out.kvlistValue = { values: protobufFields(bytes!).filter((f) => f.field === 1).map((f) => decodeKeyValue(f.bytes!)) };
    else if (field === 7) out.bytesValue = bytes!.toString('base64');
  }
  return out;
}

function decodeKeyValue(buffer: Buffer): OtlpKeyValue {
  const out: OtlpKeyValue = { key: '' };
  for (const { field, bytes } of protobufFields(buffer)) {
    if (field === 1) out.key = bytes!.toString('utf8');
    else if (field === 2) out.value = decodeAnyValue(bytes!);
  }
  return out;
}

function decodeSpan(buffer: Buffer): OtlpSpan {
  const span: OtlpSpan = { traceId: '', spanId: '', name: '' };
  for (const { field, bytes, value } of protobufFields(buffer)) {
    if (field === 1) span.traceId = bytes!.toString('hex');
    else if (field === 2) span.spanId = bytes!.toString('hex');
    else if (field === 4) span.parentSpanId = bytes!.toString('hex');
    else if (field === 5) span.name = bytes!.toString('utf8');
    else if (field === 6) span.kind = Number(value);
    else if (field === 7) span.startTimeUnixNano = value!.toString();
    else if (field === 8) span.endTimeUnixNano = value!.toString();
    else if (field === 9) (span.attributes ??= []).push(decodeKeyValue(bytes!));
    else if (field === 11) {
      const event: NonNullable<OtlpSpan['events']>[number] = {};
      for (const part of protobufFields(bytes!)) {
        if (part.field === 1) event.timeUnixNano = part.value!.toString();
        else if (part.field === 2) event.name = part.bytes!.toString('utf8');
        else if (part.field === 3) (event.attributes ??= []).push(decodeKeyValue(part.bytes!));
      }
      (span.events ??= []).push(event);
    } else if (field === 15) {
      span.status = {};
      for (const part of protobufFields(bytes!)) {
        if (part.field === 2) span.status.message = part.bytes!.toString('utf8');
        else if (part.field === 3) span.status.code = Number(part.value);
      }
    }
  }
  return span;
}

/** Decodes an OTLP/protobuf ExportTraceServiceRequest into its OTLP/JSON shape (ids in hex, times as decimal strings). */
export function decodeProtobufTraceRequest(buffer: Buffer): OtlpTraceRequest {
  return {
    resourceSpans: protobufFields(buffer)
      .filter((f) => f.field === 1)
      .map(({ bytes }) => {
        const out: NonNullable<OtlpTraceRequest['resourceSpans']>[number] = { scopeSpans: [] };
        for (const { field, bytes: part } of protobufFields(bytes!)) {
          if (field === 1) out.resource = { attributes: protobufFields(part!).filter((f) => f.field === 1).map((f) => decodeKeyValue(f.bytes!)) };
          else if (field === 2) {
            const scopeSpans: { scope?: { name?: string; version?: string }; spans: OtlpSpan[] } = { spans: [] };
            for (const inner of protobufFields(part!)) {
              if (inner.field === 1) {
                scopeSpans.scope = {};
                for (const s of protobufFields(inner.bytes!)) {
                  if (s.field === 1) scopeSpans.scope.name = s.bytes!.toString('utf8');
                  else if (s.field === 2) scopeSpans.scope.version = s.bytes!.toString('utf8');
                }
              } else if (inner.field === 2) scopeSpans.spans.push(decodeSpan(inner.bytes!));
            }
            out.scopeSpans!.push(scopeSpans);
          }
        }
        return out;
      }),
  };
}

function anyValue(value: OtlpAnyValue | undefined): AttributeValue {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue) return flattenAttributes(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return null;
}

function flattenAttributes(list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) out[key] = anyValue(value);
  return out;
}

function kindName(kind: number | string | undefined): SpanKindName {
  if (typeof kind === 'string') return (kind.replace(/^SPAN_KIND_/, '') as SpanKindName) || 'UNSPECIFIED';
  return KINDS[kind ?? 0] ?? 'UNSPECIFIED';
}

/** Flattens one OTLP/JSON ExportTraceServiceRequest. */
export function flattenTraceRequest(request: OtlpTraceRequest): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = flattenAttributes(resourceSpans.resource?.attributes);
    const serviceName = typeof resource['service.name'] === 'string' ? resource['service.name'] : undefined;
    const serviceInstanceId = typeof resource['service.instance.id'] === 'string' ? resource['service.instance.id'] : undefined;
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ? span.parentSpanId : undefined,
          name: span.name,
          kind: kindName(span.kind),
          attributes: flattenAttributes(span.attributes),
          serviceName,
          serviceInstanceId,
          scopeName: scopeSpans.scope?.name,
          statusCode: Number(span.status?.code ?? 0),
          startTimeUnixNano: String(span.startTimeUnixNano ?? '0'),
        });
      }
    }
  }
  return spans;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  return body;
}

/**
 * A real OTLP/HTTP trace receiver on a free 127.0.0.1 port: accepts `POST /v1/traces` in the
 * OTLP/JSON encoding (OTEL_EXPORTER_OTLP_PROTOCOL=http/json: the SDK's exporter) or in protobuf
 * (http/protobuf, the default: the lab's lean tracer),
 * answers like a collector, and keeps every span for the test to inspect.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: ReceivedSpan[] = [];
  const refused: string[] = [];
  const listeners = new Set<() => void>();

  const respond = (response: ServerResponse, status: number, body: object) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const server = createServer((request, response) => {
    void (async () => {
      const path = (request.url ?? '').split('?')[0];
      const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim();
      if (request.method !== 'POST' || path !== '/v1/traces') {
        refused.push(`${request.method} ${request.url}`);
        return respond(response, 404, { error: 'only POST /v1/traces' });
      }
      if (contentType !== 'application/json' && contentType !== 'application/x-protobuf') {
        refused.push(`content-type ${contentType}`);
        return respond(response, 415, { error: 'only application/json (OTLP/JSON) or application/x-protobuf' });
      }
      try {
        const body = decode(await readBody(request), request.headers['content-encoding']);
        const decoded = contentType === 'application/json' ? (JSON.parse(body.toString('utf8')) as OtlpTraceRequest) : decodeProtobufTraceRequest(body);
        received.push(...flattenTraceRequest(decoded));
      } catch (error) {
        refused.push(`bad body: ${String(error)}`);
        return respond(response, 400, { error: `malformed OTLP (${contentType})` });
      }
      respond(response, 200, { partialSuccess: {} });
      for (const listener of [...listeners]) listener();
    })();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const traces = (): Map<string, ReceivedSpan[]> => {
    const byTrace = new Map<string, ReceivedSpan[]>();
    for (const span of received) {
      const list = byTrace.get(span.traceId) ?? [];
      list.push(span);
      byTrace.set(span.traceId, list);
    }
    return byTrace;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => [...received],
    rejections: () => [...refused],
    waitForTrace(predicate, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          for (const spans of traces().values()) {
            if (predicate(spans)) {
              finish();
              resolve(spans);
              return true;
            }
          }
          return false;
        };
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(onArrival);
        };
        const onArrival = () => void check();
        const timer = setTimeout(() => {
          finish();
          const summary = received.map((s) => `${s.serviceInstanceId}:${s.kind}:${s.name}@${s.traceId.slice(0, 8)}`).join(', ');
          reject(new Error(`no matching trace within ${timeoutMs} ms; received ${received.length} spans [${summary}]; refused [${refused.join('; ')}]`));
        }, timeoutMs);
        listeners.add(onArrival);
        check();
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
