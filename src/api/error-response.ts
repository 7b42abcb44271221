import type { ApiError, ErrorBody } from '../platform/errors.ts';
import { maskDigitRuns } from './text.ts';

/**
 * The error envelope as it leaves the server. Messages and `param` names echo parts of the request (an unknown
 * parameter's name, an id from the path); whatever looks like a card or account number is masked there, so no
 * error body ever carries one, whichever code path built the message.
 */
export function publicErrorBody(error: ApiError): ErrorBody {
  const body = error.toBody();
  body.message = clip(maskDigitRuns(body.message), messageLengthMax);
  if (body.param !== undefined) body.param = clip(maskDigitRuns(body.param), paramLengthMax);
  return body;
}

/** The longest `error.message` and `error.param` Stripe's OpenAPI description allows (an echoed name may be longer). */
export const messageLengthMax = 40_000;
export const paramLengthMax = 5_000;

/** `text` cut to at most `max` characters, ending in an ellipsis when cut. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Stripe's `Stripe-Should-Retry` header, which the official libraries obey before their own status rules: a request
 * that met a lock held by another request (429 `lock_timeout`) or an idempotency key still in flight (409) may
 * succeed when sent again; any other 4xx will fail the same way. Server errors are left to the libraries' rules.
 */
export function shouldRetryHeader(status: number): 'true' | 'false' | undefined {
  if (status === 409 || status === 429) return 'true';
  if (status >= 400 && status < 500) return 'false';
  return undefined;
}
