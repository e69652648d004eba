import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CartPatterns, LoginDto, SessionUser, UserPatterns } from '@app/contracts';
import { ServedBy } from '../http/served-by';
import { ReplicaPool } from '../replicas/replica-pool';
import { SessionCookies } from '../sessions/session-cookie';
import { SessionRegistry } from '../sessions/session-registry';
import { SessionResolver } from '../sessions/session-resolver';

@Controller('api')
export class AuthController {
  constructor(
    private readonly pool: ReplicaPool,
    private readonly cookies: SessionCookies,
    private readonly registry: SessionRegistry,
    private readonly sessions: SessionResolver,
  ) {}

  /**
   * A fresh session id at every login (no fixation). The gateway picks it first so the
   * session is created on the user replica that sticky routing will send it to.
   */
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @ServedBy() servedBy: string[]): Promise<SessionUser> {
    const previous = this.sessions.signedSessionId(request);
    const sid = this.cookies.newSessionId();
    const user = await this.pool.send<SessionUser>('user', UserPatterns.login, { sid, username: body.username, password: body.password }, { key: sid, servedBy });
    this.registry.touch(sid);
    if (previous) await this.endQuietly(previous, servedBy);
    void reply.header('set-cookie', this.cookies.serialize(sid));
    return user;
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @ServedBy() servedBy: string[]): Promise<void> {
    const { sid } = await this.sessions.require(request);
    await this.pool.send('user', UserPatterns.destroySession, { sid }, { key: sid, servedBy });
    await this.pool.send('cart', CartPatterns.clear, { sid }, { key: sid, servedBy });
    this.registry.forget(sid);
    void reply.header('set-cookie', this.cookies.serializeCleared());
  }

  @Get('me')
  async me(@Req() request: FastifyRequest): Promise<SessionUser> {
    return (await this.sessions.require(request)).user;
  }

  /** Ends the session a re-login replaces; failing to is not the new login's problem. */
  private async endQuietly(sid: string, servedBy: string[]): Promise<void> {
    this.registry.forget(sid);
    await this.pool.send('user', UserPatterns.destroySession, { sid }, { key: sid, servedBy }).catch(() => undefined);
  }
}
