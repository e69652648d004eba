/**
 * The part of autocannon 8's programmatic API the load tools use (the package ships no types).
 * Written against node_modules/autocannon/lib/{run,httpClient,requestIterator,httpRequestBuilder}.js.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    /** Free-form per-connection state; autocannon deep-clones `initialContext` into it on every sequence restart. */
    type Context = Record<string, unknown>;

    /** Response headers as autocannon hands them to `onResponse`: the server's casing, repeated headers as arrays. */
    type ResponseHeaders = Record<string, string | string[]>;

    /** One entry of `requests`; also what `setupRequest` receives (merged with the defaults) and returns. */
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      /** Called right before the request is built; a falsy return restarts the sequence (and resets the context). */
      setupRequest?: (request: Request, context: Context) => Request | null | undefined | false;
      /** Called once the response is complete. `body` is the decoded text. */
      onResponse?: (status: number, body: string, context: Context, headers: ResponseHeaders) => void;
      [option: string]: unknown;
    }

    /** One connection. Only the documented methods used by the tools are listed. */
    interface Client extends EventEmitter {
      /** Replaces this connection's request sequence (only with pipelining 1). */
      setRequests(requests: Request[]): void;
      /** The exact bytes of the request about to be written to the socket. */
      getRequestBuffer(): Buffer;
    }

    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Seconds before a request counts as timed out. */
      timeout?: number;
      pipelining?: number;
      /** Requests per second over all connections (autocannon paces each connection to its share). */
      overallRate?: number;
      /** Milliseconds between samples of the per-second histograms. */
      sampleInt?: number;
      requests?: Request[];
      initialContext?: Context;
      /** Called once per connection, right after it is created and before it connects. */
      setupClient?: (client: Client) => void;
      excludeErrorStats?: boolean;
    }

    /** Histogram summary as autocannon reports it (percentile keys like `p97_5`). */
    interface HistogramSummary {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total?: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      [percentile: string]: number | undefined;
    }

    interface Result {
      url: string;
      connections: number;
      /** Seconds actually run. */
      duration: number;
      start: Date;
      finish: Date;
      /** Socket errors plus timeouts. */
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      resets: number;
      '1xx': number;
      '2xx': number;
      '3xx': number;
      '4xx': number;
      '5xx': number;
      statusCodeStats: Record<string, { count: number }>;
      latency: HistogramSummary & { totalCount: number };
      /** Completed requests per second; `total` is the number of responses. */
      requests: HistogramSummary & { sent: number };
      /** Bytes per second. */
      throughput: HistogramSummary;
    }

    /** The run: an event emitter that is also a promise of the result. */
    interface Instance extends EventEmitter, PromiseLike<Result> {
      /** Ends the run at the next sample tick; the promise then resolves with what was measured. */
      stop(): void;
      on(event: 'start', listener: () => void): this;
      on(event: 'tick', listener: (counts: { counter: number; bytes: number }) => void): this;
      on(event: 'response', listener: (client: Client, statusCode: number, resBytes: number, responseTimeMs: number) => void): this;
      on(event: 'reqError', listener: (error: Error) => void): this;
      on(event: 'done', listener: (result: Result) => void): this;
      on(event: 'error', listener: (error: Error) => void): this;
    }

    interface TrackOptions {
      renderProgressBar?: boolean;
      renderResultsTable?: boolean;
      renderLatencyTable?: boolean;
      outputStream?: NodeJS.WritableStream & { isTTY?: boolean };
      progressBarString?: string;
    }

    /** Draws the progress bar (only when `outputStream` is a TTY) and, unless disabled, autocannon's own tables. */
    function track(instance: Instance, options?: TrackOptions): void;
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;

  export = autocannon;
}
