import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayConfig } from '@app/config';
import { Credentials, ErrorCodes, SessionUser, UserPatterns } from '@app/contracts';
import { GatewayTelemetry } from '@app/telemetry';
import { LabTokenClaims, LabTokens } from '@app/tokens';
import { AuthGuard } from '../auth/authenticator';
import { LoginThrottle } from '../auth/login-throttle';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { LabHttpException } from '../http/lab-http.exception';
import { Hop, RequestHop } from '../http/request-hop';
import { ME_SCHEMA, TOKEN_LOGIN_SCHEMA, TOKEN_REFRESH_SCHEMA } from '../http/schemas';
import { CurrentSession, ResolvedSession } from '../sessions/session.guard';
import { refreshTokenOf, TokenCookies } from './token-cookies';
import { revocationsUnavailable, tokenRejected } from './token-errors';
import { TokenRevocations } from './token-revocations';

/** What a login or a refresh answers in jwt mode. */
export interface TokenLogin extends SessionUser {
  /** When the access token expires (ISO 8601): refresh before then. */
  accessExpiresAt: string;
}

/**
 * jwt mode's login, refresh and logouts. A login asks a user replica to check the password and
 * nothing else; the gateway issues an access token (`at`) and a refresh token (`rt`, sent only
 * to /api/refresh) of a new family. A refresh rotates the refresh token; presenting a rotated
 * one again ends the family (401 `refresh_reused`). Logout denylists the access token and ends
 * its family; logout-all revokes every token of the user issued before it.
 */
@Controller('api')
export class TokenAuthController {
  private readonly throttle: LoginThrottle;
  private readonly cookies: TokenCookies;
  private readonly denylist: boolean;

  constructor(
    private readonly tokens: LabTokens,
    private readonly revocations: TokenRevocations,
    private readonly telemetry: GatewayTelemetry,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.throttle = new LoginThrottle(config.loginLimits);
    this.cookies = new TokenCookies(config.cookieSecure);
    this.denylist = config.jwt.denylist;
  }

  @Post('login')
  @HttpCode(200)
  @RouteSchema(TOKEN_LOGIN_SCHEMA)
  async login(@Body() body: Credentials, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Hop() hop: RequestHop): Promise<TokenLogin> {
    const wait = this.throttle.retryAfterSeconds(body.username, request.ip);
    if (wait > 0) throw new LabHttpException(429, ErrorCodes.tooManyAttempts, `too many failed logins; retry in ${wait} s`, wait);
    const user = await hop.call<SessionUser>('user', UserPatterns.verifyCredentials, { username: body.username, password: body.password }, body.username).catch((error: unknown) => {
      if (error instanceof LabHttpException && error.code === ErrorCodes.badCredentials) this.throttle.recordFailure(body.username, request.ip);
      throw error;
    });
    this.throttle.recordSuccess(body.username);
    return this.issue(user, undefined, reply);
  }

  /** Rotates the refresh token (the `rt` cookie) and issues a new access token of the same login. */
  @Post('refresh')
  @HttpCode(200)
  @RouteSchema(TOKEN_REFRESH_SCHEMA)
  async refresh(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenLogin> {
    const token = refreshTokenOf(request.headers);
    if (token === undefined) throw new LabHttpException(401, ErrorCodes.noSession, 'no refresh token; log in first');
    const check = this.tokens.check(token, 'refresh');
    if (!check.ok) {
      this.telemetry.countTokenCheck(check.reason);
      throw tokenRejected(check.reason);
    }
    const presented = check.claims;
    const user = { userId: presented.sub, username: presented.name };
    const next = this.tokens.issue(user, 'refresh', presented.fam);
    const outcome = await this.revocations.rotate(presented, next.claims.jti).catch((error: unknown) => Promise.reject(revocationsUnavailable(error)));
    if (outcome !== 'rotated') {
      const reason = outcome === 'reused' ? 'refresh_reused' : 'revoked';
      this.telemetry.countTokenCheck(reason);
      void reply.header('set-cookie', this.cookies.cleared());
      throw tokenRejected(reason);
    }
    this.telemetry.countTokenCheck('none');
    return this.issue(user, next, reply);
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(AuthGuard)
  async logout(@CurrentSession() session: ResolvedSession, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.revocations.logout(claimsOf(session), this.denylist).catch((error: unknown) => Promise.reject(revocationsUnavailable(error)));
    void reply.header('set-cookie', this.cookies.cleared());
  }

  @Post('logout-all')
  @HttpCode(204)
  @UseGuards(AuthGuard)
  async logoutAll(@CurrentSession() session: ResolvedSession, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.revocations.logoutAll(session.user.userId).catch((error: unknown) => Promise.reject(revocationsUnavailable(error)));
    void reply.header('set-cookie', this.cookies.cleared());
  }

  @Get('me')
  @UseGuards(AuthGuard)
  @RouteSchema(ME_SCHEMA)
  me(@CurrentSession() session: ResolvedSession): SessionUser {
    return session.user;
  }

  /** A new access token, and (login) a new refresh family or (refresh) its rotated token, as cookies. */
  private async issue(user: SessionUser, rotated: { token: string; claims: LabTokenClaims } | undefined, reply: FastifyReply): Promise<TokenLogin> {
    const refresh = rotated ?? this.tokens.issue(user, 'refresh');
    if (!rotated) await this.revocations.startFamily(refresh.claims).catch((error: unknown) => Promise.reject(revocationsUnavailable(error)));
    const access = this.tokens.issue(user, 'access', refresh.claims.fam);
    void reply.header('set-cookie', [this.cookies.access(access.token, this.tokens.ttlSeconds('access')), this.cookies.refresh(refresh.token, this.tokens.ttlSeconds('refresh'))]);
    return { userId: user.userId, username: user.username, accessExpiresAt: new Date(access.claims.exp * 1000).toISOString() };
  }
}

function claimsOf(session: ResolvedSession): LabTokenClaims {
  if (!session.token) throw new Error('jwt mode resolves sessions from tokens');
  return session.token;
}
