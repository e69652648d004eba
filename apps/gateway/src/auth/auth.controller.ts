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
import { SessionRegistry } from '../sessions/session-registry';
import { CurrentSession, ResolvedSession, SessionGuard } from '../sessions/session.guard';
import { LoginThrottle } from './login-throttle';

@Controller('api')
export class AuthController {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly cookies: SessionCookies,
    private readonly registry: SessionRegistry,
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
  async login(@Body() body: Credentials, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Hop() hop: RequestHop): Promise<SessionUser> {
    const wait = this.throttle.retryAfterSeconds(body.username, request.ip);
    if (wait > 0) throw new LabHttpException(429, ErrorCodes.tooManyAttempts, `too many failed logins; retry in ${wait} s`, wait);
    const previous = this.cookies.signedSessionId(request.headers.cookie);
    const sid = this.cookies.newSessionId();
    const user = await hop.call<SessionUser>('user', UserPatterns.login, { sid, username: body.username, password: body.password }, sid).catch((error: unknown) => {
      if (error instanceof LabHttpException && error.code === ErrorCodes.badCredentials) this.throttle.recordFailure(body.username, request.ip);
      throw error;
    });
    this.throttle.recordSuccess(body.username);
    this.registry.touch(sid);
    if (previous) await this.endQuietly(hop, previous);
    void reply.header('set-cookie', this.cookies.serialize(sid));
    return user;
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(SessionGuard)
  async logout(@CurrentSession() { sid }: ResolvedSession, @Res({ passthrough: true }) reply: FastifyReply, @Hop() hop: RequestHop): Promise<void> {
    await hop.call('user', UserPatterns.destroySession, { sid }, sid);
    await hop.call('cart', CartPatterns.clear, { sid }, sid);
    this.registry.forget(sid);
    void reply.header('set-cookie', this.cookies.serializeCleared());
  }

  @Get('me')
  @UseGuards(SessionGuard)
  @RouteSchema(ME_SCHEMA)
  me(@CurrentSession() session: ResolvedSession): SessionUser {
    return session.user;
  }

  /** Ends the session a re-login replaces; failing to is not the new login's problem. */
  private async endQuietly(hop: RequestHop, sid: string): Promise<void> {
    this.registry.forget(sid);
    await hop.call('user', UserPatterns.destroySession, { sid }, sid).catch(() => undefined);
  }
}
