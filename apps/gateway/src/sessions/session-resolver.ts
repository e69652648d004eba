import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { LAB_CONFIG, LabConfig } from '@app/config';
import { ErrorCodes, SessionUser, UserPatterns } from '@app/contracts';
import { GatewayTelemetry } from '@app/telemetry';
import { LabHttpException } from '../http/lab-http.exception';
import { ReplicaPool } from '../replicas/replica-pool';
import { SessionCookies } from './session-cookie';
import { SessionRegistry } from './session-registry';

export interface ResolvedSession {
  sid: string;
  user: SessionUser;
}

/**
 * Turns a request's cookie into its session, asking the user replica that owns it, and counts
 * every lookup: a hit, or a miss that is `invalid` (bad signature), `lost` (the id should be
 * alive but its replica does not have it) or `expired_or_unknown`.
 */
@Injectable()
export class SessionResolver {
  constructor(
    @Inject(LAB_CONFIG) private readonly config: LabConfig,
    private readonly cookies: SessionCookies,
    private readonly registry: SessionRegistry,
    private readonly pool: ReplicaPool,
    private readonly telemetry: GatewayTelemetry,
  ) {}

  async require(request: FastifyRequest): Promise<ResolvedSession> {
    const cookie = this.cookies.read(request.headers.cookie);
    if (cookie.state === 'absent') throw new LabHttpException(401, ErrorCodes.noSession, 'log in first');
    if (cookie.state === 'invalid') {
      this.telemetry.countSessionLookup(this.config.stateMode, 'invalid');
      throw new LabHttpException(401, ErrorCodes.invalidSession, 'the session cookie is malformed or forged');
    }
    const { sid } = cookie;
    const user = await this.pool.send<SessionUser | null>('user', UserPatterns.getSession, { sid }, { key: sid, servedBy: request.servedBy });
    if (user) {
      this.telemetry.countSessionLookup(this.config.stateMode, 'none');
      this.registry.touch(sid);
      return { sid, user };
    }
    if (this.registry.isLive(sid)) {
      this.telemetry.countSessionLookup(this.config.stateMode, 'lost');
      throw new LabHttpException(401, ErrorCodes.sessionLost, 'the session was lost: the replica that held it does not have it');
    }
    this.telemetry.countSessionLookup(this.config.stateMode, 'expired_or_unknown');
    throw new LabHttpException(401, ErrorCodes.sessionExpired, 'the session expired or is unknown; log in again');
  }

  /** The session id of a validly signed cookie, whether or not its session still exists. */
  signedSessionId(request: FastifyRequest): string | undefined {
    const cookie = this.cookies.read(request.headers.cookie);
    return cookie.state === 'valid' ? cookie.sid : undefined;
  }
}
