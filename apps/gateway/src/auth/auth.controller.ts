import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayConfig } from '@app/config';
import { CartPatterns, Credentials, ErrorCodes, SessionUser, UserPatterns } from '@app/contracts';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { LabHttpException } from '../http/lab-http.exception';
import { Hop, RequestHop } from '../http/request-hop';
import { LOGIN_SCHEMA, ME_SCHEMA } from '../http/schemas';
import { SessionCookies } from '@app/tokens';
import { ReplicaRouter } from '../replicas/replica-router';
import { SessionRegistry } from '../sessions/session-registry';
import { CurrentSession, ResolvedSession } from '../sessions/session.guard';
import { AuthGuard } from './authenticator';
import { LoginThrottle } from './login-throttle';

@Controller('api')
export class AuthController {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly cookies: SessionCookies,
    private readonly registry: SessionRegistry,
    private readonly router: ReplicaRouter,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.throttle = new LoginThrottle(config.loginLimits);
  }

  /**
   * A fresh session id at every login (no fixation). The gateway picks it first so the
   * session is created on the user replica that sticky routing will send it to. Failed logins
   * are throttled per account and per client address (429 with Retry-After).
   */
  @Post('login')
  @HttpCode(200)
  @RouteSchema(LOGIN_SCHEMA)
  async login(
    @Body() body: Credentials,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Hop() hop: RequestHop,
  ): Promise<SessionUser> {
    const wait = this.throttle.retryAfterSeconds(body.username, request.ip);
    if (wait > 0) throw new LabHttpException(429, ErrorCodes.tooManyAttempts, `too many failed logins; retry in ${wait} s`, wait);
    const previous = this.cookies.signedSessionId(request.headers.cookie);
    const sid = this.newSessionId();
    const user = await hop
      .call<SessionUser>('user', UserPatterns.login, { sid, username: body.username, password: body.password }, sid)
      .catch((error: unknown) => {
        if (error instanceof LabHttpException && error.code === ErrorCodes.badCredentials) this.throttle.recordFailure(body.username, request.ip);
        throw error;
      });
    this.throttle.recordSuccess(body.username);
    this.registry.touch(sid);
    if (previous) await this.endReplaced(hop, previous);
    void reply.header('set-cookie', this.cookies.serialize(sid));
    return user;
  }

  /**
   * A fresh session id whose user and cart owners are not being drained (a deploy restarts them
   * soon): sticky routing places a session by its id, so choosing the id chooses the replicas.
   * Each draw avoids one drained replica of three with probability 2/3; 64 draws bound the work.
   */
  private newSessionId(): string {
    let sid = this.cookies.newSessionId();
    for (let draw = 1; draw < 64 && (this.router.ownerDraining('user', sid) || this.router.ownerDraining('cart', sid)); draw++) {
      sid = this.cookies.newSessionId();
    }
    return sid;
  }

  /**
   * Ends the session, then its cart, in that order. Once the session is gone no request passes
   * the session guard any more, and a cart write already past it either reaches the cart store
   * before the discard (which removes what it wrote) or after it (and is refused: in redis mode
   * the cart script finds no session key; in stateful mode the cart replica, which cannot see
   * sessions, keeps a tombstone from the discard). The other order would let a write land
   * between the discard and the session's end and leave a cart for a dead session in redis mode.
   *
   * The logout succeeds once the session is gone: the cookie is cleared even when the cart
   * replica is down, and the cart is cleaned on a best-effort basis (stateful: a crashed cart
   * replica took the cart with it; one that is only unreachable keeps it until it expires).
   */
  @Post('logout')
  @HttpCode(204)
  @UseGuards(AuthGuard)
  async logout(@CurrentSession() { sid }: ResolvedSession, @Res({ passthrough: true }) reply: FastifyReply, @Hop() hop: RequestHop): Promise<void> {
    await this.endSession(hop, sid);
    void reply.header('set-cookie', this.cookies.serializeCleared());
    await this.discardCart(hop, sid);
  }

  @Get('me')
  @UseGuards(AuthGuard)
  @RouteSchema(ME_SCHEMA)
  me(@CurrentSession() session: ResolvedSession): SessionUser {
    return session.user;
  }

  /**
   * Destroys the session; rejects (503) when its user replica cannot confirm it. The registry
   * learns of the end first, so requests racing it count as `expired_or_unknown`, not `lost`.
   */
  private async endSession(hop: RequestHop, sid: string): Promise<void> {
    this.registry.end(sid);
    await hop.call('user', UserPatterns.destroySession, { sid }, sid);
  }

  /** Best effort: the session is already gone, and a cart replica that is down must not fail the caller. */
  private async discardCart(hop: RequestHop, sid: string): Promise<void> {
    await hop.call('cart', CartPatterns.discard, { sid }, sid).catch(() => undefined);
  }

  /** Ends the session a re-login replaces, and its cart; failing to is not the new login's problem. */
  private async endReplaced(hop: RequestHop, sid: string): Promise<void> {
    const ended = await this.endSession(hop, sid).then(
      () => true,
      () => false,
    );
    // Without a confirmed end the cart stays: the old session may still be alive.
    if (ended) await this.discardCart(hop, sid);
  }
}
