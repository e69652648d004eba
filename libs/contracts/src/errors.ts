/**
 * The structured error that crosses the TCP hop. Services throw it (via `labError`), the
 * gateway turns it back into the HTTP status and `{error: {code, message}}` body.
 */
export interface LabErrorBody {
  status: number;
  code: string;
  message: string;
}

export function isLabErrorBody(value: unknown): value is LabErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.status === 'number' && typeof v.code === 'string' && typeof v.message === 'string';
}

export const ErrorCodes = {
  badRequest: 'bad_request',
  malformedJson: 'malformed_json',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  badCredentials: 'bad_credentials',
  noSession: 'no_session',
  invalidSession: 'invalid_session',
  sessionLost: 'session_lost',
  sessionExpired: 'session_expired_or_unknown',
  /** A cart write whose session ended meanwhile (a logout or a new login raced it): nothing was written. */
  sessionEnded: 'session_ended',
  notFound: 'not_found',
  productNotFound: 'product_not_found',
  itemNotInCart: 'item_not_in_cart',
  cartFull: 'cart_full',
  emptyCart: 'empty_cart',
  forbidden: 'forbidden',
  unauthorized: 'unauthorized',
  storeUnavailable: 'state_store_unavailable',
  replicaUnavailable: 'replica_unavailable',
  serviceUnavailable: 'service_unavailable',
  internal: 'internal_error',
  uriTooLong: 'uri_too_long',
  requestTimeout: 'request_timeout',
  headersTooLarge: 'headers_too_large',
  tooManyAttempts: 'too_many_attempts',
  loginBusy: 'login_busy',
  replicaCrashing: 'replica_crashing',
  /** The hop dropped or timed out after a write was sent: it may have been applied. */
  outcomeUnknown: 'outcome_unknown',
  /** A message on the hop names no handler (a caller built for another version). */
  unknownPattern: 'unknown_pattern',
  hopUnauthenticated: 'hop_unauthenticated',
  /** A call the lab failed on purpose (`failure.<service>` of /lab/faults). */
  injectedFailure: 'injected_failure',
  unknownFault: 'unknown_fault',
  /** An Idempotency-Key sent again with a different change (422). */
  idempotencyKeyReused: 'idempotency_key_reused',
  badFrame: 'bad_frame',
  /** The replica handed its state off and is about to restart (a deploy); retry shortly. */
  replicaRestarting: 'replica_restarting',
  /** A hand-off asked of a replica whose state is shared (redis mode), or a restart style the request cannot use. */
  restartStyleUnsupported: 'restart_style_unsupported',
  /** jwt mode: the access (or refresh) token has expired. */
  tokenExpired: 'token_expired',
  /** jwt mode: the token's signature does not match (tampered with, or another key's). */
  tokenBadSignature: 'bad_signature',
  /** jwt mode: not a token of ours (not a JWT, another algorithm, claims missing). */
  tokenMalformed: 'token_malformed',
  /** jwt mode: the token was revoked (logout, logout-all, or its refresh family ended). */
  tokenRevoked: 'token_revoked',
  /** jwt mode: a refresh token where an access token is due, or the reverse. */
  tokenWrongType: 'wrong_token_type',
  /** jwt mode: a refresh token already rotated was presented again; its whole family is revoked. */
  refreshReused: 'refresh_reused',
} as const;

/** The code of an error that carries only a status (Nest's and Fastify's own exceptions). */
export function errorCodeForStatus(status: number): string {
  switch (status) {
    case 400:
      return ErrorCodes.badRequest;
    case 401:
      return ErrorCodes.unauthorized;
    case 403:
      return ErrorCodes.forbidden;
    case 404:
      return ErrorCodes.notFound;
    case 408:
      return ErrorCodes.requestTimeout;
    case 413:
      return ErrorCodes.payloadTooLarge;
    case 414:
      return ErrorCodes.uriTooLong;
    case 415:
      return ErrorCodes.unsupportedMediaType;
    case 429:
      return ErrorCodes.tooManyAttempts;
    case 431:
      return ErrorCodes.headersTooLarge;
    case 503:
      return ErrorCodes.serviceUnavailable;
    default:
      return status >= 500 ? ErrorCodes.internal : ErrorCodes.badRequest;
  }
}
