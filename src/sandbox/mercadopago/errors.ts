/**
 * Mercado Pago's error shape (`Error` and `ErrorCause` in specs/mercadopago/spec3.json):
 * `{message, error, status, cause: [{code, description, data}]}`. `error` names the HTTP class (`bad_request`,
 * `unauthorized`, `not_found`, `internal_server_error`), `cause[].code` is Mercado Pago's numeric error code.
 *
 * The codes and descriptions below are the ones Mercado Pago documents for the Payments API ("Possible errors" of
 * POST /v1/payments, PUT /v1/payments/{id} and the refunds endpoints), with their spelling kept ("atributte",
 * "notificaction_url") because integrations match on them. Where the sandbox checks something Mercado Pago documents
 * no code for (a boleto without the payer's address, a refund above the balance), it uses the documented code closest
 * in meaning and says what is wrong in `message`.
 */

export const causes = {
  paramsError: { code: 1, description: 'Params Error' },
  missingAccessToken: { code: 5, description: 'Must provide your access_token to proceed' },
  dateOfExpirationFormat: { code: 23, description: "The following parameters must be valid date and format (yyyy-MM-dd'T'HH:mm:ssz) date_of_expiration" },
  paymentNotFound: { code: 2000, description: 'Payment not found' },
  cardTokenNotFound: { code: 2006, description: 'Card Token not found' },
  invalidStatusForUpdate: { code: 2016, description: 'Invalid status for update' },
  invalidTransactionAmountForUpdate: { code: 2017, description: 'Invalid transaction_amount for update' },
  actionNotValidForState: { code: 2018, description: 'The action requested is not valid for the current payment state' },
  maxRefunds: { code: 2022, description: 'You have exceeded the max number of refunds for this payment' },
  invalidUserIdentificationNumber: { code: 2067, description: 'Invalid user identification number' },
  cardholderNameRequired: { code: 3000, description: 'You must provide your cardholder_name with your card data' },
  invalidCardTokenId: { code: 3003, description: 'Invalid card_token_id' },
  notValidAction: {
    code: 3005,
    description: 'Not valid action, the resource is in a state that does not allow this operation. For more information see the state that has the resource.',
  },
  notFoundPaymentMethod: { code: 3011, description: 'Not found payment_method' },
  securityCodeRequired: { code: 3013, description: 'The parameter security_code is a required field can not be null or empty' },
  invalidCardNumber: { code: 3016, description: 'Invalid parameter card_number' },
  invalidPaymentMethodId: { code: 3028, description: 'Invalid payment_method_id' },
  invalidExpirationMonth: { code: 3029, description: 'Invalid card expiration month' },
  invalidExpirationYear: { code: 3030, description: 'Invalid card expiration year' },
  cardRequired: { code: 4000, description: "card atributte can't be null" },
  paymentMethodIdRequired: { code: 4001, description: "payment_method_id atributte can't be null" },
  transactionAmountRequired: { code: 4002, description: "transaction_amount atributte can't be null" },
  transactionAmountNotNumeric: { code: 4003, description: 'transaction_amount atributte must be numeric' },
  installmentsRequired: { code: 4004, description: "installments atributte can't be null" },
  installmentsNotNumeric: { code: 4005, description: 'installments atributte must be numeric' },
  payerMalformed: { code: 4006, description: 'payer atributte is malformed' },
  notificationUrlInvalid: { code: 4020, description: 'notificaction_url atributte must be url valid' },
  notificationUrlTooLong: { code: 4021, description: 'notificaction_url atributte must be shorter than 500 character' },
  metadataNotJson: { code: 4022, description: 'metadata atributte must be a valid JSON' },
  refundAmountNotNumeric: { code: 4024, description: 'transaction_amount atributte must be numeric' },
  invalidTransactionAmount: { code: 4037, description: 'Invalid transaction_amount' },
  payerEmailInvalid: { code: 4050, description: 'payer.email must be a valid email' },
  payerEmailTooLong: { code: 4051, description: 'payer.email must be shorter than 254 characters' },
} as const;

export type Cause = (typeof causes)[keyof typeof causes];

const errorNames: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  500: 'internal_server_error',
  503: 'service_unavailable',
};

/** A Mercado Pago error answer; thrown by the processor and rendered by the server. */
export class MercadoPagoError extends Error {
  readonly status: number;
  readonly causes: Cause[];

  constructor(status: number, message: string, cause: Cause[] = []) {
    super(message);
    this.status = status;
    this.causes = cause;
  }

  /** A 400 whose message is the documented description of its one cause (as Mercado Pago answers most of them). */
  static badRequest(cause: Cause, message: string = cause.description): MercadoPagoError {
    return new MercadoPagoError(400, message, [cause]);
  }

  toBody(): Record<string, unknown> {
    return {
      message: this.message,
      error: errorNames[this.status] ?? 'bad_request',
      status: this.status,
      cause: this.causes.map((cause) => ({ code: cause.code, description: cause.description, data: null })),
    };
  }
}

export function paymentNotFound(): MercadoPagoError {
  return new MercadoPagoError(404, 'Payment not found', [causes.paymentNotFound]);
}

export function internalError(): MercadoPagoError {
  return new MercadoPagoError(500, 'Internal server error');
}

export function unavailable(): MercadoPagoError {
  return new MercadoPagoError(503, 'Service unavailable');
}
