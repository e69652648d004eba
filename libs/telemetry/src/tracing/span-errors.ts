import { Exception, Span, SpanStatusCode } from '@opentelemetry/api';

/**
 * Marks a span as failed. RPC failures cross the TCP hop as plain objects
 * (`{status, code, message}`), not Error instances; both are recorded with their message,
 * and `error.type` carries the error code or class name.
 */
export function recordSpanFailure(span: Span, error: unknown): void {
  const described = describeError(error);
  span.recordException(typeof error === 'object' && error !== null ? (error as Exception) : described.message);
  span.setAttribute('error.type', described.type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: described.message });
}

function describeError(error: unknown): { type: string; message: string } {
  if (typeof error !== 'object' || error === null) return { type: typeof error, message: String(error) };
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  const type = typeof code === 'string' || typeof code === 'number' ? String(code) : typeof name === 'string' ? name : 'error';
  return { type, message: typeof message === 'string' ? message : type };
}
