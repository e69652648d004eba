import { ValidationError, ValidationPipe } from '@nestjs/common';
import { labError, ErrorCodes } from '@app/contracts';

/** Validates message payloads with the shared DTO classes; a bad message is a structured 400. */
export function rpcValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors: ValidationError[]) =>
      labError(400, ErrorCodes.badRequest, errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ') || 'invalid message'),
  });
}
