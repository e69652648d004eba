import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { SessionUser } from '@app/contracts';
import type { RequestHop } from '../http/request-hop';
import { SessionGuard } from '../sessions/session.guard';
import { AccessTokenAuthenticator } from '../tokens/access-token.authenticator';

/**
 * Who opens a WebSocket: the same check as the HTTP API's, before the upgrade. It throws the
 * LabHttpException (401) a request without a valid credential gets. The session-cookie check
 * is the one the lab has; a token check (STATE_MODE=jwt) is another implementation bound to
 * {@link UPGRADE_AUTHENTICATOR}.
 */
export interface UpgradeAuthenticator {
  authenticate(request: IncomingMessage, hop: RequestHop): Promise<SessionUser>;
}

export const UPGRADE_AUTHENTICATOR = Symbol('UPGRADE_AUTHENTICATOR');

/** The `sid` cookie, resolved as SessionGuard resolves it for /api (same lookup, same counts). */
@Injectable()
export class SessionUpgradeAuthenticator implements UpgradeAuthenticator {
  constructor(private readonly guard: SessionGuard) {}

  async authenticate(request: IncomingMessage, hop: RequestHop): Promise<SessionUser> {
    return (await this.guard.resolveCookie(request.headers.cookie, hop)).user;
  }
}

/** jwt mode: the access token (Bearer header, else the `at` cookie), checked as the HTTP API checks it. */
@Injectable()
export class TokenUpgradeAuthenticator implements UpgradeAuthenticator {
  constructor(private readonly tokens: AccessTokenAuthenticator) {}

  async authenticate(request: IncomingMessage): Promise<SessionUser> {
    return (await this.tokens.authenticate({ headers: request.headers } as FastifyRequest)).user;
  }
}
