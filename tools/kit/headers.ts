/** Response headers as node:http and autocannon hand them over: any casing, a value or a list. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** All values of a header, whatever casing the server used. */
export function headerValues(headers: HeaderBag | undefined, name: string): string[] {
  if (!headers) return [];
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    if (Array.isArray(value)) values.push(...(value as readonly string[]));
    else if (typeof value === 'string') values.push(value);
  }
  return values;
}

/** One `Set-Cookie` line, read. */
export interface SetCookie {
  name: string;
  value: string;
  /** The line deletes the cookie: empty value, `Max-Age` <= 0 or `Expires` in the past. */
  deletes: boolean;
}

/** Reads one `Set-Cookie` line; undefined when it holds no `name=value` pair. */
export function parseSetCookie(line: string, now = Date.now()): SetCookie | undefined {
  const [pair, ...attributes] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq < 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  return { name, value, deletes: value === '' || expiredBy(attributes, now) };
}

function expiredBy(attributes: readonly string[], now: number): boolean {
  for (const attribute of attributes) {
    const eq = attribute.indexOf('=');
    const key = (eq < 0 ? attribute : attribute.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : attribute.slice(eq + 1).trim();
    if (key === 'max-age' && /^-?\d+$/.test(value) && Number(value) <= 0) return true;
    if (key === 'expires') {
      const at = Date.parse(value);
      if (!Number.isNaN(at) && at <= now) return true;
    }
  }
  return false;
}

/**
 * The value the response sets for cookie `name`: the value, `null` when the response deletes it,
 * `undefined` when it does not mention it. The last line naming the cookie wins.
 */
export function cookieFromSetCookie(headers: HeaderBag | undefined, name: string, now = Date.now()): string | null | undefined {
  let result: string | null | undefined;
  for (const line of headerValues(headers, 'set-cookie')) {
    const cookie = parseSetCookie(line, now);
    if (cookie?.name === name) result = cookie.deletes ? null : cookie.value;
  }
  return result;
}

/** The `Path` attribute of a Set-Cookie line; `/` when absent (the lab's paths are all under /). */
function pathOf(line: string): string {
  for (const attribute of line.split(';').slice(1)) {
    const eq = attribute.indexOf('=');
    if (eq > 0 && attribute.slice(0, eq).trim().toLowerCase() === 'path') return attribute.slice(eq + 1).trim() || '/';
  }
  return '/';
}

/** RFC 6265 path-match: `/api/refresh` matches itself and what lies below it, not `/api/refreshed`. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/**
 * A browser's cookie jar, reduced to what the lab needs: cookies by name (no domain scoping), set
 * and deleted by `Set-Cookie` lines, sent back as one `Cookie` header; with a request path, only
 * the cookies whose `Path` matches it (jwt mode's `rt` goes to /api/refresh only).
 */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  /** Applies the `Set-Cookie` lines of a response. */
  update(setCookieLines: readonly string[], now = Date.now()): void {
    for (const line of setCookieLines) {
      const cookie = parseSetCookie(line, now);
      if (!cookie) continue;
      if (cookie.deletes) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, { value: cookie.value, path: pathOf(line) });
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  /** Forgets one cookie. */
  delete(name: string): void {
    this.cookies.delete(name);
  }

  /**
   * The `Cookie` header to send (`sid=…; lb=…`), undefined while the jar holds none for it: every
   * cookie, or with `requestPath` only those whose Path matches it.
   */
  header(requestPath?: string): string | undefined {
    const pairs = [...this.cookies]
      .filter(([, c]) => requestPath === undefined || pathMatches(requestPath.split('?')[0], c.path))
      .map(([name, c]) => `${name}=${c.value}`);
    return pairs.length === 0 ? undefined : pairs.join('; ');
  }

  /** Replaces every cookie with those of a `Cookie` header (`sid=…`), each for Path=/; undefined empties the jar. */
  replace(cookieHeader: string | undefined): void {
    this.cookies.clear();
    for (const pair of cookieHeader?.split(';') ?? []) {
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), { value: pair.slice(eq + 1).trim(), path: '/' });
    }
  }
}

/** Replica ids from `x-served-by` (`user-2,cart-1`), in call order. */
export function servedByIds(headers: HeaderBag | undefined): string[] {
  return headerValues(headers, 'x-served-by')
    .flatMap((value) => value.split(','))
    .map((id) => id.trim())
    .filter((id) => id !== '');
}

/** `error.code` of a JSON error body (`{error: {code, message}}`), given as text or parsed; undefined otherwise. */
export function errorCodeOf(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const error = (parsed as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
