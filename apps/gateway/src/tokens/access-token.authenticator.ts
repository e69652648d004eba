import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GatewayConfig } from '@app/config';
import { ErrorCodes } from '@app/contracts';
import { GatewayTelemetry } from '@app/telemetry';
import { LabTokens } from '@app/tokens';
import { Authenticator } from '../auth/authenticator';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { LabHttpException } from '../http/lab-http.exception';
import type { ResolvedSession } from '../sessions/session.guard';
import { accessTokenOf } from './token-cookies';
import { revocationsUnavailable, tokenRejected } from './token-errors';
import { TokenRevocations } from './token-revocations';

/**
 * jwt mode: the caller is whoever the access token (Bearer header, else the `at` cookie) says,
 * checked here without asking a user replica: signature, expiry and type, then (JWT_DENYLIST=on)
 * one Redis round trip for logouts. Every check is counted in `lab_token_checks_total`.
 */
@Injectable()
export class AccessTokenAuthenticator extends Authenticator {
  private readonly denylist: boolean;

  constructor(
    private readonly tokens: LabTokens,
    private readonly revocations: TokenRevocations,
    private readonly telemetry: GatewayTelemetry,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    super();
    this.denylist = config.jwt.denylist;
  }

  async authenticate(request: FastifyRequest): Promise<ResolvedSession> {
    const token = accessTokenOf(request.headers);
    if (token === undefined) {
      this.telemetry.countTokenCheck('absent');
      throw new LabHttpException(401, ErrorCodes.noSession, 'log in first');
    }
    const check = this.tokens.check(token, 'access');
    if (!check.ok) {
      this.telemetry.countTokenCheck(check.reason);
      throw tokenRejected(check.reason);
    }
    const { claims } = check;
    if (this.denylist && (await this.revocations.isRevoked(claims).catch((error: unknown) => Promise.reject(revocationsUnavailable(error))))) {
      this.telemetry.countTokenCheck('revoked');
      throw tokenRejected('revoked');
    }
    this.telemetry.countTokenCheck('none');
    return { sid: claims.jti, cartId: claims.sub, user: { userId: claims.sub, username: claims.name }, token: claims };
  }
}
