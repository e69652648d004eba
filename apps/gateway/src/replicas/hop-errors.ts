import { ErrorCodes, isLabErrorBody } from '@app/contracts';
import { RpcOutcome } from '@app/telemetry';
import { HopError } from '@app/transport';
import { LabHttpException } from '../http/lab-http.exception';

/** A failed call, as the client sees it (HTTP) and as the metrics count it (outcome). */
export interface MappedHopFailure {
  outcome: Exclude<RpcOutcome, 'ok'>;
  exception: LabHttpException;
  /** The replica did not answer: the health view should mark it down now. */
  replicaDown: boolean;
}

/**
 * Turns what a call over the hop rejected with into the HTTP error the client gets: a replica's
 * structured error keeps its status and code; no answer is a fast 503 `replica_unavailable`,
 * never a hang.
 */
export function mapHopFailure(error: unknown, replicaId: string): MappedHopFailure {
  if (isLabErrorBody(error)) {
    return { outcome: 'error', exception: new LabHttpException(error.status, error.code, error.message), replicaDown: false };
  }
  if (error instanceof HopError && error.failure === 'timeout') {
    return { outcome: 'timeout', exception: new LabHttpException(503, ErrorCodes.replicaUnavailable, error.message), replicaDown: true };
  }
  return { outcome: 'unavailable', exception: new LabHttpException(503, ErrorCodes.replicaUnavailable, `${replicaId} is unavailable`), replicaDown: true };
}
