/** The parsed response of one gateway call. */
export interface Reply<T = any> {
  status: number;
  body: T;
  servedBy: string[];
  headers: Headers;
}

/** A browser stand-in: one cookie jar, JSON in and out, against a gateway URL. */
export class Shopper {
  cookie: string | undefined;

  constructor(
    readonly baseUrl: string,
    readonly username = 'user1',
  ) {}

  async login(password = 'demo-password'): Promise<Reply> {
    return this.request('POST', '/api/login', { username: this.username, password });
  }

  async request<T = any>(method: string, path: string, body?: unknown, init: { headers?: Record<string, string>; rawBody?: string } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookie && !('cookie' in headers)) headers.cookie = this.cookie;
    let payload: string | undefined = init.rawBody;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(this.baseUrl + path, { method, headers, body: payload, signal: AbortSignal.timeout(10000) });
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('sid='));
    if (setCookie) {
      const value = setCookie.split(';')[0];
      this.cookie = value === 'sid=' ? undefined : value;
    }
    const text = await response.text();
    const servedBy = (response.headers.get('x-served-by') ?? '').split(',').filter(Boolean);
    return { status: response.status, body: text ? JSON.parse(text) : undefined, servedBy, headers: response.headers };
  }

  get<T = any>(path: string): Promise<Reply<T>> {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body?: unknown): Promise<Reply<T>> {
    return this.request<T>('POST', path, body);
  }

  delete<T = any>(path: string): Promise<Reply<T>> {
    return this.request<T>('DELETE', path);
  }
}

/** JSON call to the lab control API. */
export async function labCall<T = any>(baseUrl: string, method: string, path: string, body?: unknown, token?: string): Promise<Reply<T>> {
  const shopper = new Shopper(baseUrl);
  return shopper.request<T>(method, path, body, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}
