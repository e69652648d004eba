import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResolvedSession } from '../sessions/session.guard';

/**
 * Who the caller is, as the state mode tells: a `sid` cookie resolved by a user replica
 * (SessionGuard), or an access token the gateway checks itself (AccessTokenAuthenticator, jwt
 * mode). GatewayModule provides one; AuthGuard and the handlers never ask which.
 */
export abstract class Authenticator {
  /** The caller's session; throws the 401 (or 503) the request ends with. */
  abstract authenticate(request: FastifyRequest, reply: FastifyReply): Promise<ResolvedSession>;
}

/** Resolves the caller once per request before the handler runs; handlers read it with `@CurrentSession()`. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly authenticator: Authenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    request.session = await this.authenticator.authenticate(request, http.getResponse<FastifyReply>());
    return true;
  }
}
