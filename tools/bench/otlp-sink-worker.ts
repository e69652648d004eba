/**
 * The OTLP/HTTP JSON trace sink's server, on a worker thread of the bench process: decoding
 * what the lab exports costs CPU, and on the main thread it would stall autocannon's event loop
 * and show up as request latency. Counters live in shared memory the main thread reads.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { gunzipSync, inflateSync } from 'node:zlib';

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
    if (request.method !== 'POST' || path !== '/v1/traces' || contentType !== 'application/json') {
      Atomics.add(counters, SINK_COUNTERS.refused, 1);
      return respond(response, 404, { error: 'only POST /v1/traces with OTLP/JSON' });
    }
    try {
      // Parsing is the point: a collector decodes every export, and so does this sink.
      const spans = countSpans(JSON.parse(decode(body, request.headers['content-encoding']).toString('utf8')) as TraceRequest);
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
