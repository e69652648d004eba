import * as http from 'node:http';
import * as https from 'node:https';

/** One answer of the gateway, parsed. */
export interface Reply<T = unknown> {
  status: number;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  body: T | undefined;
  /** Replica ids from `x-served-by`, in call order. */
  servedBy: string[];
  /** `sid=<value>` when the response set a session cookie, null when it cleared it. */
  sessionCookie: string | null | undefined;
}

export interface RequestOptions {
  body?: unknown;
  /** `sid=…` to send. */
  cookie?: string;
  timeoutMs?: number;
}

/** `error.code` of a JSON error body, if it is one. */
export function errorCode(reply: Reply): string | undefined {
  const error = (reply.body as { error?: { code?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' ? error.code : undefined;
}

/**
 * A small JSON client for the gateway (the shop API and the lab control API), on node:http with
 * keep-alive: fetch refuses some ports a lab may listen on (6000, 6665-6669, …), and pooled
 * connections keep hundreds of probe requests cheap. Socket errors and timeouts reject.
 */
export class GatewayClient {
  private readonly agent: http.Agent;
  private readonly origin: URL;

  constructor(
    baseUrl: string,
    /** Sent as a Bearer token on /lab calls when the lab is guarded by LAB_ADMIN_TOKEN. */
    private readonly adminToken?: string,
    private readonly defaultTimeoutMs = 10_000,
  ) {
    this.origin = new URL(baseUrl);
    const Agent = this.origin.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 64 });
  }

  get baseUrl(): string {
    return this.origin.origin;
  }

  request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
    const url = new URL(path, this.origin);
    const headers: Record<string, string> = { accept: 'application/json' };
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (options.cookie) headers.cookie = options.cookie;
    if (this.adminToken && url.pathname.startsWith('/lab/')) headers.authorization = `Bearer ${this.adminToken}`;
    const transport = url.protocol === 'https:' ? https : http;
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;

    return new Promise((resolve, reject) => {
      const request = transport.request(url, { method, headers, agent: this.agent, timeout: timeoutMs }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: T | undefined;
          try {
            body = text ? (JSON.parse(text) as T) : undefined;
          } catch {
            body = undefined;
          }
          const servedBy = String(response.headers['x-served-by'] ?? '')
            .split(',')
            .map((id) => id.trim())
            .filter(Boolean);
          resolve({ status: response.statusCode ?? 0, body, servedBy, sessionCookie: sessionCookieOf(response.headers['set-cookie']) });
        });
      });
      request.on('timeout', () => request.destroy(new Error(`${method} ${url.pathname} got no answer within ${timeoutMs} ms`)));
      request.on('error', reject);
      request.end(payload);
    });
  }

  get<T = unknown>(path: string, options?: RequestOptions): Promise<Reply<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T = unknown>(path: string, body?: unknown, options: RequestOptions = {}): Promise<Reply<T>> {
    return this.request<T>('POST', path, { ...options, body });
  }

  /** Prometheus text of `url` (a replica's metricsUrl), or of the gateway's /metrics. */
  async text(url = '/metrics', timeoutMs = 5000): Promise<string> {
    const target = new URL(url, this.origin);
    const transport = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.get(target, { agent: target.origin === this.origin.origin ? this.agent : undefined, timeout: timeoutMs }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', reject);
        response.on('end', () => (response.statusCode === 200 ? resolve(text) : reject(new Error(`GET ${target.href} answered ${response.statusCode}`))));
      });
      request.on('timeout', () => request.destroy(new Error(`GET ${target.href} got no answer within ${timeoutMs} ms`)));
      request.on('error', reject);
    });
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}

function sessionCookieOf(header: string[] | undefined): string | null | undefined {
  const cookie = header?.find((value) => value.startsWith('sid='));
  if (cookie === undefined) return undefined;
  const pair = cookie.split(';')[0];
  return pair === 'sid=' ? null : pair;
}
