import { ErrorCodes, isLabErrorBody, WRITE_PATTERNS } from '@app/contracts';
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
 * structured error keeps its status and code; no answer is a fast 503, never a hang:
 * `outcome_unknown` when a write was sent and may have been applied, `replica_unavailable`
 * when nothing can have happened (nothing was sent, or it only read).
 */
export function mapHopFailure(error: unknown, replicaId: string, pattern: string): MappedHopFailure {
  if (isLabErrorBody(error)) {
    // A replica too busy to take a login now will be able to in about a second.
    const retryAfter = error.code === ErrorCodes.loginBusy ? 1 : undefined;
    return { outcome: 'error', exception: new LabHttpException(error.status, error.code, error.message, retryAfter), replicaDown: false };
  }
  const outcome = error instanceof HopError && error.failure === 'timeout' ? 'timeout' : 'unavailable';
  if (error instanceof HopError && error.sent && WRITE_PATTERNS.has(pattern)) {
    const why = outcome === 'timeout' ? 'did not answer in time' : 'dropped the connection';
    return {
      outcome,
      exception: new LabHttpException(503, ErrorCodes.outcomeUnknown, `${replicaId} ${why} after the change was sent: it may have been applied; look before you retry`),
      replicaDown: true,
    };
  }
  const message = outcome === 'timeout' && error instanceof HopError ? error.message : `${replicaId} is unavailable`;
  return { outcome, exception: new LabHttpException(503, ErrorCodes.replicaUnavailable, message), replicaDown: true };
}
