import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { Credentials, ErrorCodes, labError, LoginMessage, SessionRef, SessionUser, UserPatterns } from '@app/contracts';
import { LabTcpContext } from '@app/transport';
import { CredentialsService } from '../users/credentials.service';
import { SessionsService } from './sessions.service';

@Controller()
export class SessionsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly sessions: SessionsService,
  ) {}

  /** Checks the password and creates the session under the id the gateway chose for this replica. */
  @MessagePattern(UserPatterns.login)
  async login(@Payload() message: LoginMessage, @Ctx() call: LabTcpContext): Promise<SessionUser> {
    const user = await this.credentials.verify(message.username, message.password);
    if (!user) throw labError(401, ErrorCodes.badCredentials, 'unknown username or wrong password');
    await this.sessions.create(message.sid, user, call.getTraceParent());
    return user;
  }

  /** jwt mode: the user when the password matches; the gateway issues the tokens, nothing is stored here. */
  @MessagePattern(UserPatterns.verifyCredentials)
  async verifyCredentials(@Payload() message: Credentials): Promise<SessionUser> {
    const user = await this.credentials.verify(message.username, message.password);
    if (!user) throw labError(401, ErrorCodes.badCredentials, 'unknown username or wrong password');
    return user;
  }

  /** The session's user, or null when this replica's store does not hold it. */
  @MessagePattern(UserPatterns.getSession)
  find(@Payload() message: SessionRef, @Ctx() call: LabTcpContext): Promise<SessionUser | null> {
    return this.sessions.find(message.sid, call.getTraceParent());
  }

  @MessagePattern(UserPatterns.destroySession)
  async destroy(@Payload() message: SessionRef, @Ctx() call: LabTcpContext): Promise<{ destroyed: boolean }> {
    return { destroyed: await this.sessions.destroy(message.sid, call.getTraceParent()) };
  }
}
