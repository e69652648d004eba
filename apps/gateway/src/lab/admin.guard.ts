import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { LAB_CONFIG, LabConfig } from '@app/config';
import { ErrorCodes } from '@app/contracts';
import { LabHttpException } from '../http/lab-http.exception';

/** Lab control is open on a local lab; with LAB_ADMIN_TOKEN set it needs that Bearer token. */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(LAB_CONFIG) config: LabConfig) {
    this.expected = config.adminToken === undefined ? undefined : digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match) throw new LabHttpException(401, ErrorCodes.unauthorized, 'lab control needs Authorization: Bearer <LAB_ADMIN_TOKEN>');
    // Comparing digests keeps the comparison constant-time whatever the length sent.
    if (!timingSafeEqual(digest(match[1]), this.expected)) throw new LabHttpException(403, ErrorCodes.forbidden, 'wrong lab admin token');
    return true;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
