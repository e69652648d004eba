import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

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
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number | string;
  attributes?: OtlpKeyValue[];
  status?: { code?: number | string };
  startTimeUnixNano?: string | number;
}
interface OtlpTraceRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[];
  }[];
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
 * OTLP/JSON encoding (set OTEL_EXPORTER_OTLP_PROTOCOL=http/json on the exporting process),
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
      if (contentType !== 'application/json') {
        refused.push(`content-type ${contentType}`);
        return respond(response, 415, { error: 'only application/json (OTLP/JSON)' });
      }
      try {
        const body = decode(await readBody(request), request.headers['content-encoding']);
        received.push(...flattenTraceRequest(JSON.parse(body.toString('utf8')) as OtlpTraceRequest));
      } catch (error) {
        refused.push(`bad body: ${String(error)}`);
        return respond(response, 400, { error: 'malformed OTLP/JSON' });
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
