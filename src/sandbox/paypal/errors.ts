import { newDebugId } from './store.ts';

/**
 * PayPal's REST error shape (`error_400` ... `error_503` in specs/paypal/*.json):
 * `{name, message, debug_id, details: [{field?, value?, location?, issue, description}], links}`. The name and message
 * are fixed per HTTP status, and each operation documents which `issue` values it answers, each with one fixed
 * `description`; the texts below are copied from the vendored specs so the sandbox's errors validate against them.
 */

const statusNames: Readonly<Record<number, { name: string; message: string }>> = {
  400: { name: 'INVALID_REQUEST', message: 'Request is not well-formed, syntactically incorrect, or violates schema.' },
  401: { name: 'AUTHENTICATION_FAILURE', message: 'Authentication failed due to missing authorization header, or invalid authentication credentials.' },
  403: { name: 'NOT_AUTHORIZED', message: 'Authorization failed due to insufficient permissions.' },
  404: { name: 'RESOURCE_NOT_FOUND', message: 'The specified resource does not exist.' },
  409: { name: 'RESOURCE_CONFLICT', message: 'The server has detected a conflict while processing this request.' },
  422: { name: 'UNPROCESSABLE_ENTITY', message: 'The requested action could not be performed, semantically incorrect, or failed business validation.' },
  500: { name: 'INTERNAL_SERVER_ERROR', message: 'An internal server error occurred.' },
  503: { name: 'SERVICE_UNAVAILABLE', message: 'Service Unavailable.' },
};

/** The documented description of every issue the sandbox reports (specs/paypal, `details[].description` enums). */
export const issueDescriptions = {
  INVALID_RESOURCE_ID: 'Specified resource ID does not exist. Please check the resource ID and try again.',
  MALFORMED_REQUEST_JSON: 'The request JSON is not well formed.',
  MISSING_REQUIRED_PARAMETER: 'A required field / parameter is missing.',
  INVALID_PARAMETER_VALUE: 'A parameter value is not valid.',
  INVALID_CURRENCY_CODE: 'Currency code is invalid or is not currently supported. Please refer https://developer.paypal.com/api/rest/reference/currency-codes/ for list of supported currency codes.',
  DECIMAL_PRECISION: 'If the currency supports decimals, only two decimal place precision is supported.',
  CANNOT_BE_ZERO_OR_NEGATIVE: 'Must be greater than zero. If the currency supports decimals, only two decimal place precision is supported.',
  /** The capture operation's text; the authorize operation documents `orderNotApprovedForAuthorize`. */
  ORDER_NOT_APPROVED:
    "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid `payment_source` in the request.",
  ORDER_COMPLETED_OR_VOIDED: 'Order is voided or completed and hence cannot be authorized.',
  INSTRUMENT_DECLINED: "The instrument presented  was either declined by the processor or bank, or it can't be used for this payment.",
  TRANSACTION_REFUSED: 'The request was refused.',
  PREVIOUSLY_CAPTURED: 'Authorization has been previously captured and hence cannot be voided.',
  ORDER_ALREADY_CAPTURED: "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
  ORDER_ALREADY_AUTHORIZED: "Order already authorized.If 'intent=AUTHORIZE' only one authorization per order is allowed.",
  ACTION_DOES_NOT_MATCH_INTENT: "Order was created with an intent to 'CAPTURE'. Please use v2/checkout/orders/order_id/capture to complete the transaction or alternately Create an order with an intent of 'AUTHORIZE'.",
  AUTHORIZATION_VOIDED: 'A voided authorization cannot be captured or reauthorized. ',
  AUTHORIZATION_ALREADY_CAPTURED: 'Authorization has previously been captured.',
  AUTH_CAPTURE_CURRENCY_MISMATCH: 'Currency of capture must be the same as currency of authorization.',
  MAX_CAPTURE_AMOUNT_EXCEEDED:
    'Capture amount exceeds allowable limit. Please contact customer service or your account manager to request the change to your overage limit. The default overage limit is 115%, which allows the sum of all captures to be up to 115% of the order amount. The ability to over capture is subjected to regulatory approvals.',
  PREVIOUSLY_VOIDED: 'Authorization has been previously voided and hence cannot be voided again.',
  REFUND_AMOUNT_EXCEEDED: 'The refund amount must be less than or equal to the capture amount that has not yet been refunded.',
  CAPTURE_FULLY_REFUNDED: 'The capture has already been fully refunded',
  REFUND_CAPTURE_CURRENCY_MISMATCH: 'Refund must be in the same currency as the capture',
  PREVIOUS_REQUEST_IN_PROGRESS:
    'A previous request on this resource is currently in progress. Please wait for sometime and try again. It is best to space out the initial and the subsequent request(s) to avoid receiving this error.',
} as const;
export type Issue = keyof typeof issueDescriptions;

/** ORDER_NOT_APPROVED as documented for POST /v2/checkout/orders/{id}/authorize. */
export const orderNotApprovedForAuthorize =
  "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call.";


export interface ErrorDetail {
  /**
   * A documented issue; ACTION_DOES_NOT_MATCH_INTENT is also what the sandbox answers to capturing an AUTHORIZE order,
   * where the spec documents it for /authorize only.
   */
  issue: Issue | 'ACTION_DOES_NOT_MATCH_INTENT';
  field?: string;
  value?: string;
  location?: 'body' | 'path' | 'query';
  description?: string;
}

/** A PayPal error answer; thrown by the processor and rendered by the server. */
export class PayPalError extends Error {
  readonly status: number;
  readonly details: ErrorDetail[];

  constructor(status: number, details: ErrorDetail[] = []) {
    super(statusNames[status]?.message ?? `HTTP ${status}`);
    this.status = status;
    this.details = details;
  }

  /** One documented issue, with its documented description. */
  static issue(status: number, issue: Issue, where: Omit<ErrorDetail, 'issue' | 'description'> = {}, description: string = issueDescriptions[issue]): PayPalError {
    return new PayPalError(status, [{ ...where, issue, description }]);
  }

  toBody(): Record<string, unknown> {
    const known = statusNames[this.status] ?? statusNames[500];
    const body: Record<string, unknown> = { name: known.name, message: known.message, debug_id: newDebugId() };
    if (this.details.length > 0) body.details = this.details;
    const issue = this.details[0]?.issue;
    body.links = [{ href: `https://developer.paypal.com/docs/api/orders/v2/#error-${issue ?? known.name}`, rel: 'information_link', method: 'GET' }];
    return body;
  }
}
