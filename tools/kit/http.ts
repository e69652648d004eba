import * as http from 'node:http';
import * as https from 'node:https';
import { errorCodeOf, servedByIds } from './headers';

/** What came back from one HTTP request. */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Name, value, name, value … in the order received (for a WHATWG Headers). */
  rawHeaders: string[];
  text: string;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Default 10 s; a request without an answer by then rejects. */
  timeoutMs?: number;
  agent?: http.Agent;
}

/**
 * One HTTP request on node:http(s), resolving with any answer and rejecting on socket errors
 * and timeouts. node:http rather than fetch: fetch refuses "bad ports" (6000, 6665-6669, …)
 * a lab on free ports may get.
 */
export function httpRequest(url: string | URL, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  const method = options.method ?? 'GET';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers = { ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(target, { method, headers, agent: options.agent, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, rawHeaders: response.rawHeaders, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.on('timeout', () => request.destroy(new Error(`${method} ${target.href} got no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(options.body);
  });
}

/** One answer of the gateway, parsed. */
export interface Reply<T = unknown> {
  status: number;
  /** Parsed JSON; undefined for an empty or non-JSON body. */
  body: T | undefined;
  /** Replica ids from `x-served-by`, in call order. */
  servedBy: string[];
  headers: Headers;
}

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is (still `content-type: application/json` unless `headers` say otherwise). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** The `Cookie` header, unless `headers` carry one. */
  cookie?: string;
  timeoutMs?: number;
}

export interface GatewayClientOptions {
  /** Sent as a Bearer token on /lab calls when the lab is guarded by LAB_ADMIN_TOKEN. */
  adminToken?: string;
  /** Default 10 s. */
  timeoutMs?: number;
}

/** `error.code` of a reply's JSON error body, if it is one. */
export function errorCode(reply: Reply): string | undefined {
  return errorCodeOf(reply.body);
}

/** get, post and delete over one `request`: the calls a client and a shopper share. */
export abstract class JsonCalls<DefaultBody = unknown> {
  abstract request<T = DefaultBody>(method: string, path: string, options?: RequestOptions): Promise<Reply<T>>;

  get<T = DefaultBody>(path: string, options?: RequestOptions): Promise<Reply<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T = DefaultBody>(path: string, body?: unknown, options: RequestOptions = {}): Promise<Reply<T>> {
    return this.request<T>('POST', path, { ...options, body });
  }

  delete<T = DefaultBody>(path: string, options?: RequestOptions): Promise<Reply<T>> {
    return this.request<T>('DELETE', path, options);
  }
}

/**
 * A JSON client for the gateway (the shop API and the lab control API) with pooled keep-alive
 * connections, so hundreds of probe requests stay cheap. Any answer resolves; socket errors and
 * timeouts reject. `DefaultBody` is the body type of calls that name none.
 */
export class GatewayClient<DefaultBody = unknown> extends JsonCalls<DefaultBody> {
  private readonly agent: http.Agent;
  private readonly origin: URL;

  constructor(
    baseUrl: string,
    private readonly options: GatewayClientOptions = {},
  ) {
    super();
    this.origin = new URL(baseUrl);
    const Agent = this.origin.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 64 });
  }

  get baseUrl(): string {
    return this.origin.origin;
  }

  async request<T = DefaultBody>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
    const url = new URL(path, this.origin);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const payload = options.body === undefined ? options.rawBody : JSON.stringify(options.body);
    if (payload !== undefined && !hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
    if (options.cookie !== undefined && !hasHeader(headers, 'cookie')) headers.cookie = options.cookie;
    if (this.options.adminToken && url.pathname.startsWith('/lab/') && !hasHeader(headers, 'authorization')) {
      headers.authorization = `Bearer ${this.options.adminToken}`;
    }
    const answer = await httpRequest(url, { method, headers, body: payload, agent: this.agent, timeoutMs: options.timeoutMs ?? this.options.timeoutMs });
    return { status: answer.status, body: parseJson<T>(answer.text), servedBy: servedByIds(answer.headers), headers: toHeaders(answer.rawHeaders) };
  }

  /** The text of `url` (a replica's metricsUrl, or a path of the gateway); rejects unless it answers 200. */
  async text(url = '/metrics', timeoutMs = 5000): Promise<string> {
    const target = new URL(url, this.origin);
    const answer = await httpRequest(target, { agent: target.origin === this.origin.origin ? this.agent : undefined, timeoutMs });
    if (answer.status !== 200) throw new Error(`GET ${target.href} answered ${answer.status}`);
    return answer.text;
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function parseJson<T>(text: string): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function toHeaders(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}
