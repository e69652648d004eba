import { HttpException } from '@nestjs/common';

/** An HTTP error with the lab's `{error: {code, message}}` body. */
export class LabHttpException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
  ) {
    super({ error: { code, message } }, status);
    this.message = message;
  }
}
