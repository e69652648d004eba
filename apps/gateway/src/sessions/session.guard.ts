import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, SessionUser, UserPatterns } from '@app/contracts';
import { GatewayTelemetry } from '@app/telemetry';
import { LabHttpException } from '../http/lab-http.exception';
import { LabTokenClaims, SessionCookies } from '@app/tokens';
import { Authenticator } from '../auth/authenticator';
import type { RequestHop } from '../http/request-hop';
import { SessionRegistry } from './session-registry';

/** The caller's session, resolved once per request by SessionGuard. */
export interface ResolvedSession {
  /** The session id (jwt mode: the access token's jti). */
  sid: string;
  user: SessionUser;
  /** The cart's id and the routing key of cart calls: the session id, or in jwt mode the user id (a user's cart follows them). */
  cartId: string;
  /** jwt mode: the access token's claims. */
  token?: LabTokenClaims;
}

declare module 'fastify' {
  interface FastifyRequest {
    session?: ResolvedSession;
  }
}

/**
 * Resolves the request's `sid` cookie into its session before the handler runs, asking the
 * user replica that owns it (one store lookup, as the mode prescribes; the gateway caches
 * nothing), and counts every lookup: a hit, or a miss that is `invalid` (bad signature),
 * `lost` (the id should be alive but its replica does not have it) or `expired_or_unknown`.
 * A live session's cookie is sent again once past half its Max-Age, or when it was signed with
 * the previous key. Handlers read the result with `@CurrentSession()`.
 */
@Injectable()
export class SessionGuard implements CanActivate, Authenticator {
  constructor(
    private readonly cookies: SessionCookies,
    private readonly registry: SessionRegistry,
    private readonly telemetry: GatewayTelemetry,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    request.session = await this.authenticate(request, http.getResponse<FastifyReply>());
    return true;
  }

  async authenticate(request: FastifyRequest, reply: FastifyReply): Promise<ResolvedSession> {
    const { reissue, ...session } = await this.resolveCookie(request.headers.cookie, request.hop);
    // The store slid the session's expiry; past half its life the browser's cookie must slide too.
    if (reissue) void reply.header('set-cookie', this.cookies.serialize(session.sid));
    return session;
  }

  /**
   * Resolves a `Cookie` header into its session (the guard's check, also used for WebSocket
   * upgrades): throws the 401 a request without a live session gets. `reissue` says the
   * cookie should be sent again.
   */
  async resolveCookie(cookieHeader: string | undefined, hop: RequestHop): Promise<ResolvedSession & { reissue: boolean }> {
    const cookie = this.cookies.read(cookieHeader);
    if (cookie.state === 'absent') throw new LabHttpException(401, ErrorCodes.noSession, 'log in first');
    if (cookie.state === 'invalid') {
      this.telemetry.countSessionLookup('invalid');
      throw new LabHttpException(401, ErrorCodes.invalidSession, 'the session cookie is malformed or forged');
    }
    const { sid } = cookie;
    const user = await hop.call<SessionUser | null>('user', UserPatterns.getSession, { sid }, sid);
    if (user) {
      this.telemetry.countSessionLookup('none');
      this.registry.touch(sid);
      return { sid, user, cartId: sid, reissue: cookie.reissue };
    }
    if (this.registry.isLive(sid)) {
      this.telemetry.countSessionLookup('lost');
      throw new LabHttpException(401, ErrorCodes.sessionLost, 'the session was lost: the replica that held it does not have it');
    }
    this.telemetry.countSessionLookup('expired_or_unknown');
    throw new LabHttpException(401, ErrorCodes.sessionExpired, 'the session expired or is unknown; log in again');
  }
}

/** The session SessionGuard resolved for this request. */
export const CurrentSession = createParamDecorator((_data: unknown, context: ExecutionContext): ResolvedSession => {
  const session = context.switchToHttp().getRequest<FastifyRequest>().session;
  if (!session) throw new Error('@CurrentSession() needs AuthGuard (or SessionGuard) on the route');
  return session;
});
