import { ErrorCodes } from '@app/contracts';
import type { TokenRejection } from '@app/tokens';
import { LabHttpException } from '../http/lab-http.exception';
import { RevocationStoreError } from './token-revocations';

const REJECTIONS: Record<TokenRejection | 'revoked' | 'refresh_reused', [string, string]> = {
  expired: [ErrorCodes.tokenExpired, 'the token has expired; refresh it or log in again'],
  bad_signature: [ErrorCodes.tokenBadSignature, 'the token signature does not match: it was changed or signed by another key'],
  bad_algorithm: [ErrorCodes.tokenMalformed, 'the token is not signed with the algorithm this gateway uses'],
  malformed: [ErrorCodes.tokenMalformed, 'the token is not one of ours'],
  not_yet_valid: [ErrorCodes.tokenMalformed, 'the token is not valid yet'],
  wrong_type: [ErrorCodes.tokenWrongType, 'a refresh token cannot authenticate a request, nor an access token refresh one'],
  revoked: [ErrorCodes.tokenRevoked, 'the token was revoked (logout, logout everywhere, or its login ended)'],
  refresh_reused: [ErrorCodes.refreshReused, 'this refresh token was already used: every token of its login is revoked'],
};

/** The 401 of a refused token, with its own code. */
export function tokenRejected(reason: TokenRejection | 'revoked' | 'refresh_reused'): LabHttpException {
  const [code, message] = REJECTIONS[reason];
  return new LabHttpException(401, code, message);
}

/** Redis failing under a token operation is a fast 503, never a pass. */
export function revocationsUnavailable(error: unknown): unknown {
  if (error instanceof RevocationStoreError) return new LabHttpException(503, ErrorCodes.storeUnavailable, 'the token store is unavailable; retry shortly', 1);
  return error;
}
