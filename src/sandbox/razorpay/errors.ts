/**
 * Razorpay's error answer (razorpay.com/docs/errors, "Error Structure"):
 * `{error: {code, description, field?, source, step, reason, metadata}}`. `code` is the broad class
 * (BAD_REQUEST_ERROR for anything the caller got wrong, GATEWAY_ERROR, SERVER_ERROR); callers are told to branch on
 * `reason`. Input that fails validation has source `business`, step `payment_initiation`, reason
 * `input_validation_failed` and `field` naming the parameter; authentication failures and the server's own errors
 * answer `NA` for source, step and reason. Razorpay answers an unknown id with HTTP 400 (not 404).
 */

export type ErrorCode = 'BAD_REQUEST_ERROR' | 'GATEWAY_ERROR' | 'SERVER_ERROR';

export interface ErrorDetails {
  source: string;
  step: string;
  reason: string;
  metadata: Record<string, string>;
}

const notApplicable: ErrorDetails = { source: 'NA', step: 'NA', reason: 'NA', metadata: {} };

export class RazorpayError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: ErrorDetails;

  constructor(status: number, code: ErrorCode, description: string, field?: string, details: ErrorDetails = notApplicable) {
    super(description);
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details;
  }

  toBody(): { error: Record<string, unknown> } {
    const { source, step, reason, metadata } = this.details;
    return { error: { code: this.code, description: this.message, ...(this.field !== undefined ? { field: this.field } : {}), source, step, reason, metadata } };
  }
}

/** A request Razorpay refuses as invalid input, naming the field when there is one. */
export function invalidInput(description: string, field?: string): RazorpayError {
  return new RazorpayError(400, 'BAD_REQUEST_ERROR', description, field, { source: 'business', step: 'payment_initiation', reason: 'input_validation_failed', metadata: {} });
}

/** Razorpay's answer to an id it does not know (of this key's account). */
export function unknownId(field?: string): RazorpayError {
  return invalidInput('The id provided does not exist', field);
}

/** A wrong or missing key id and secret. */
export function authenticationFailed(): RazorpayError {
  return new RazorpayError(401, 'BAD_REQUEST_ERROR', 'Authentication failed');
}

/** An unknown path: Razorpay answers 400 rather than 404. */
export function unknownUrl(): RazorpayError {
  return new RazorpayError(400, 'BAD_REQUEST_ERROR', 'The requested URL was not found on the server.');
}

/** The server's own failure (fault injection's 500, an outage's 503). */
export function serverError(status: 500 | 503): RazorpayError {
  return new RazorpayError(status, 'SERVER_ERROR', status === 503 ? 'The service is temporarily unavailable. Please retry after some time.' : 'The server encountered an error. The incident has been reported to admins.');
}
