import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DIST } from '../kit/dist';
import { SINK_COUNTERS } from './otlp-sink-worker';

/** The worker's compiled file (also when this runs from source, in a spec). */
const WORKER_FILE = path.join(DIST, 'tools', 'bench', 'otlp-sink-worker.js');

export interface SinkCounts {
  spans: number;
  /** Export requests accepted. */
  exports: number;
  /** Requests refused (wrong path, content type, body). */
  refused: number;
}

/** Where a traced lab exports: OTEL_EXPORTER_OTLP_ENDPOINT=url, over OTLP/HTTP (protobuf by default, or http/json). */
export interface OtlpSink {
  url: string;
  counts(): SinkCounts;
  close(): Promise<void>;
}

/**
 * A counting OTLP/HTTP JSON trace receiver on a worker thread: it decodes and counts every
 * export like a collector would, and keeps nothing (test/support/otlp-receiver keeps every span,
 * which over a load run is hundreds of MB, and is not part of the compiled tools).
 */
export async function startOtlpSink(timeoutMs = 10_000): Promise<OtlpSink> {
  const shared = new SharedArrayBuffer(SINK_COUNTERS.length * Int32Array.BYTES_PER_ELEMENT);
  const counters = new Int32Array(shared);
  const worker = new Worker(WORKER_FILE, { workerData: shared });
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the OTLP sink did not start within ${timeoutMs} ms`)), timeoutMs);
      worker.once('message', (message: { port: number }) => {
        clearTimeout(timer);
        resolve(message.port);
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the OTLP sink exited with ${code} before listening`));
      });
    });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({
      spans: Atomics.load(counters, SINK_COUNTERS.spans),
      exports: Atomics.load(counters, SINK_COUNTERS.exports),
      refused: Atomics.load(counters, SINK_COUNTERS.refused),
    }),
    close: async () => {
      await worker.terminate();
    },
  };
}
