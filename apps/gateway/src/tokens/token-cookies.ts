import { cookieValue } from '@app/tokens';

export const ACCESS_COOKIE = 'at';
export const REFRESH_COOKIE = 'rt';
/** The refresh token goes only where it is used: a leaked page script or log of /api/cart never sees it. */
export const REFRESH_PATH = '/api/refresh';

/** Set-Cookie lines of jwt mode: `at` for every path, `rt` for /api/refresh only; both HttpOnly, SameSite=Lax. */
export class TokenCookies {
  private readonly attributes: string;

  constructor(secure: boolean) {
    this.attributes = `HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  }

  access(token: string, maxAgeSeconds: number): string {
    return `${ACCESS_COOKIE}=${token}; Path=/; ${this.attributes}; Max-Age=${maxAgeSeconds}`;
  }

  refresh(token: string, maxAgeSeconds: number): string {
    return `${REFRESH_COOKIE}=${token}; Path=${REFRESH_PATH}; ${this.attributes}; Max-Age=${maxAgeSeconds}`;
  }

  /** The lines that remove both cookies (each with the Path it was set with). */
  cleared(): string[] {
    return [`${ACCESS_COOKIE}=; Path=/; ${this.attributes}; Max-Age=0`, `${REFRESH_COOKIE}=; Path=${REFRESH_PATH}; ${this.attributes}; Max-Age=0`];
  }
}

/** The access token of a request: `Authorization: Bearer <at>` first, else the `at` cookie. */
export function accessTokenOf(headers: { authorization?: string; cookie?: string }): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined && /^bearer /i.test(authorization)) return authorization.slice(7).trim() || undefined;
  return cookieValue(headers.cookie, ACCESS_COOKIE) || undefined;
}

export function refreshTokenOf(headers: { cookie?: string }): string | undefined {
  return cookieValue(headers.cookie, REFRESH_COOKIE) || undefined;
}
