/**
 * The OTLP/HTTP trace sink's server (protobuf, the exporters' default, or JSON), on a worker thread of the bench process: decoding
 * what the lab exports costs CPU, and on the main thread it would stall autocannon's event loop
 * and show up as request latency. Counters live in shared memory the main thread reads.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { gunzipSync, inflateSync } from 'node:zlib';
import { forEachProtobufField } from '../kit/protobuf-wire';

/** Indexes into the shared Int32Array. */
export const SINK_COUNTERS = { spans: 0, exports: 1, refused: 2, length: 3 } as const;

interface TraceRequest {
  resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
}

function countSpans(request: TraceRequest): number {
  let spans = 0;
  for (const resource of request.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0;
  return spans;
}

/**
 * Spans in an OTLP/protobuf ExportTraceServiceRequest, by walking the wire format:
 * request.resource_spans (field 1) → scope_spans (field 2) → spans (field 2). Every
 * length-delimited field is visited, the way a collector's decoder walks it.
 */
export function countProtobufSpans(buffer: Buffer): number {
  let spans = 0;
  forEachProtobufField(buffer, 0, buffer.length, (field, wireType, start, end) => {
    if (field !== 1 || wireType !== 2) return;
    forEachProtobufField(buffer, start, end, (resourceField, resourceWireType, rStart, rEnd) => {
      if (resourceField !== 2 || resourceWireType !== 2) return;
      forEachProtobufField(buffer, rStart, rEnd, (scopeField, scopeWireType) => {
        if (scopeField === 2 && scopeWireType === 2) spans++;
      });
    });
  });
  return spans;
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  return body;
}

function start(counters: Int32Array): void {
  const respond = (response: ServerResponse, status: number, body: object) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const handle = (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    const path = (request.url ?? '').split('?')[0];
    const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim();
    const protobuf = contentType === 'application/x-protobuf';
    if (request.method !== 'POST' || path !== '/v1/traces' || (contentType !== 'application/json' && !protobuf)) {
      Atomics.add(counters, SINK_COUNTERS.refused, 1);
      return respond(response, 404, { error: 'only POST /v1/traces with OTLP/protobuf or OTLP/JSON' });
    }
    try {
      // Decoding is the point: a collector decodes every export, and so does this sink.
      const decoded = decode(body, request.headers['content-encoding']);
      const spans = protobuf ? countProtobufSpans(decoded) : countSpans(JSON.parse(decoded.toString('utf8')) as TraceRequest);
      Atomics.add(counters, SINK_COUNTERS.spans, spans);
      Atomics.add(counters, SINK_COUNTERS.exports, 1);
      respond(response, 200, { partialSuccess: {} });
    } catch {
      Atomics.add(counters, SINK_COUNTERS.refused, 1);
      respond(response, 400, { error: 'malformed OTLP/JSON' });
    }
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks)));
  });
  server.listen(0, '127.0.0.1', () => parentPort?.postMessage({ port: (server.address() as AddressInfo).port }));
}

if (parentPort) start(new Int32Array(workerData as SharedArrayBuffer));
