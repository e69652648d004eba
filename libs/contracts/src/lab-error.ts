import { RpcException } from '@nestjs/microservices';
import { LabErrorBody } from './errors';

/** The exception a service throws to send `{status, code, message}` back over the TCP hop. */
export function labError(status: number, code: string, message: string): RpcException {
  const body: LabErrorBody = { status, code, message };
  return new RpcException(body);
}
