import { HttpException } from '@nestjs/common';

/** An HTTP error with the lab's `{error: {code, message}}` body. */
export class LabHttpException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    /** Sent as `Retry-After` (429 and 503): when trying again can succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super({ error: { code, message } }, status);
    this.message = message;
  }
}
