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
} as const;
