/**
 * The one catalogue of API errors. Each code names its Stripe `type`, HTTP status and a documented meaning; the
 * error mapper turns an ApiError into Stripe's envelope. A test checks that every code used in src/ is listed here.
 */
/**
 * Stripe's four error types (API 2024-04-10). A missing or wrong key is an `invalid_request_error` with status 401:
 * the SDKs make their authentication error from the status, not from a type.
 */
export type ErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

interface CatalogueEntry {
  type: ErrorType;
  status: number;
  description: string;
}

export const errorCatalogue = {
  parameter_unknown: { type: 'invalid_request_error', status: 400, description: 'The request contains a parameter the endpoint does not accept.' },
  parameter_missing: { type: 'invalid_request_error', status: 400, description: 'A required parameter is absent.' },
  parameter_invalid_integer: { type: 'invalid_request_error', status: 400, description: 'A parameter that must be an integer is not one.' },
  parameter_invalid_empty: { type: 'invalid_request_error', status: 400, description: 'A parameter that needs a value was sent empty.' },
  parameters_exclusive: { type: 'invalid_request_error', status: 400, description: 'Two parameters that exclude each other were both sent.' },
  invalid_request_body: { type: 'invalid_request_error', status: 400, description: 'The body could not be decoded (malformed JSON, form encoding or UTF-8).' },
  invalid_string_length: { type: 'invalid_request_error', status: 400, description: 'A string parameter is longer than allowed.' },
  invalid_value: { type: 'invalid_request_error', status: 400, description: 'A parameter has a value outside its allowed set or shape.' },
  invalid_metadata: { type: 'invalid_request_error', status: 400, description: 'Metadata exceeds Stripe limits (50 keys, 40-character keys, 500-character values) or is malformed.' },
  invalid_expand: { type: 'invalid_request_error', status: 400, description: 'An `expand` path names a field that cannot be expanded.' },
  invalid_limit: { type: 'invalid_request_error', status: 400, description: 'A list `limit` outside 1-100.' },
  request_too_large: { type: 'invalid_request_error', status: 413, description: 'The request body exceeds the size limit.' },
  request_headers_too_large: { type: 'invalid_request_error', status: 431, description: 'The request line and headers together exceed 64 KiB (a URL with a very long query string counts); the connection is closed.' },
  request_malformed: { type: 'invalid_request_error', status: 400, description: 'The request is not valid HTTP/1.1 (a malformed request line, header or chunked encoding); the connection is closed.' },
  request_timeout: { type: 'invalid_request_error', status: 408, description: 'The request did not arrive in full within the time limit; the connection is closed.' },
  unsupported_media_type: { type: 'invalid_request_error', status: 415, description: 'The body is neither form-encoded nor JSON.' },
  url_invalid: { type: 'invalid_request_error', status: 400, description: 'A URL parameter is not an absolute http(s) URL.' },
  email_invalid: { type: 'invalid_request_error', status: 400, description: 'An email address is malformed.' },
  invalid_currency: { type: 'invalid_request_error', status: 400, description: 'The currency is not a supported ISO 4217 code.' },
  amount_too_small: { type: 'invalid_request_error', status: 400, description: 'The amount is below the minimum charge amount for the currency.' },
  amount_too_large: { type: 'invalid_request_error', status: 400, description: 'The amount exceeds the maximum, or more than what remains to capture or refund.' },
  resource_missing: { type: 'invalid_request_error', status: 404, description: 'No such object for this account and mode.' },
  resource_already_exists: { type: 'invalid_request_error', status: 400, description: 'An object with the caller-chosen id already exists in this account and mode (a product `id`).' },
  product_has_prices: { type: 'invalid_request_error', status: 400, description: 'A product with prices cannot be deleted (as at Stripe); archive it with `active=false` instead.' },
  platform_account_required: { type: 'invalid_request_error', status: 400, description: 'Only a Connect platform can do this (create connected accounts): the caller is itself a connected account.' },
  account_invalid: { type: 'invalid_request_error', status: 403, description: 'The key cannot access the account named in the path or the Stripe-Account header: only the caller\'s own account and, for a platform, its connected accounts in the key\'s mode are visible (another platform\'s, a deleted or an unknown account all answer this).' },
  account_link_type_unavailable: { type: 'invalid_request_error', status: 400, description: 'An Account Link of `type=account_update` was asked for an account it cannot serve: one whose requirements Stripe collects (an account with a dashboard), or one that has not submitted its details yet (`details_submitted=false`: create an `account_onboarding` link).' },
  url_not_found: { type: 'invalid_request_error', status: 404, description: 'No endpoint at this method and path.' },
  payment_intent_mandate_invalid: { type: 'invalid_request_error', status: 400, description: "The mandate is not active (the bank reported it revoked or the account closed) and cannot be used for this payment." },
  payment_intent_unexpected_state: { type: 'invalid_request_error', status: 400, description: 'The PaymentIntent is not in a state that allows the operation.' },
  payment_intent_invalid_parameter: { type: 'invalid_request_error', status: 400, description: 'A parameter cannot be used with this PaymentIntent.' },
  charge_invalid_parameter: { type: 'invalid_request_error', status: 400, description: 'A Connect parameter of a legacy charge (`POST /v1/charges`) cannot be used as given: an application fee with neither a destination nor the Stripe-Account header, a fee or a transfer amount larger than the charge, `transfer_data` on a direct charge, `on_behalf_of` other than the destination.' },
  setup_intent_unexpected_state: { type: 'invalid_request_error', status: 400, description: 'The SetupIntent is not in a state that allows the operation (confirm, update or cancel of a succeeded, canceled or processing SetupIntent).' },
  setup_intent_invalid_parameter: { type: 'invalid_request_error', status: 400, description: 'A parameter cannot be used with this SetupIntent (a payment method type Payrail cannot set up yet, or a confirm-time parameter without confirm=true).' },
  setup_intent_authentication_failure: { type: 'card_error', status: 402, description: 'The customer failed 3-D Secure authentication while a SetupIntent verified the card.' },
  payment_method_unexpected_state: { type: 'invalid_request_error', status: 400, description: 'The PaymentMethod is not in a state that allows the operation.' },
  payment_method_invalid_parameter: { type: 'invalid_request_error', status: 400, description: 'A parameter does not apply to the PaymentMethod\'s type (card data for a `paypal` PaymentMethod).' },
  payment_intent_incompatible_payment_method: { type: 'invalid_request_error', status: 400, description: 'The PaymentMethod\'s type is not one of the PaymentIntent\'s `payment_method_types`.' },
  incremental_authorization_unavailable: { type: 'invalid_request_error', status: 400, description: 'The PaymentIntent\'s authorization cannot be incremented: it was not created with `payment_method_options[card][request_incremental_authorization]=if_available` and manual capture, the processor did not make it incrementable (`payment_method_details.card.incremental_authorization.status` is not `available`), or its 10 attempts are used up.' },
  payment_intent_authentication_failure: { type: 'card_error', status: 402, description: 'The customer failed 3-D Secure authentication.' },
  charge_already_refunded: { type: 'invalid_request_error', status: 400, description: 'The charge has been refunded in full.' },
  charge_disputed: { type: 'invalid_request_error', status: 400, description: 'The charge has been charged back (a dispute that is not an inquiry): it cannot be refunded beyond what the dispute left of it.' },
  dispute_closed: { type: 'invalid_request_error', status: 400, description: 'The dispute has ended (won, lost or closed), or its evidence is already under review: it cannot be changed, submitted or closed again.' },
  charge_already_captured: { type: 'invalid_request_error', status: 400, description: 'The charge has already been captured (POST /v1/charges/:id/capture).' },
  token_already_used: { type: 'invalid_request_error', status: 400, description: 'A token (`tok_...`) was used before: a token can be used once (as a charge source or to add a card to a customer).' },
  missing: { type: 'card_error', status: 402, description: 'A charge names only a customer, and the customer has no card source (`default_source`) to charge.' },
  refund_unexpected_state: { type: 'invalid_request_error', status: 400, description: 'The refund is not in a state that allows the operation (only refunds in `requires_action` can be canceled, which Payrail\'s card refunds never enter).' },
  charge_not_refundable: { type: 'invalid_request_error', status: 400, description: 'The charge cannot be refunded (not captured or failed).' },
  account_number_invalid: { type: 'invalid_request_error', status: 400, description: 'The bank account number is invalid: a US number that is not 4-17 digits, or an IBAN with the wrong country, length or check digits.' },
  routing_number_invalid: { type: 'invalid_request_error', status: 400, description: 'The US routing number is not 9 digits or fails the ABA checksum.' },
  country_unsupported: { type: 'invalid_request_error', status: 400, description: 'Bank accounts in this country are not supported (US and IBAN countries are), or a payout to one cannot be reversed (US and Canada only).' },
  default_external_account_deletion: { type: 'invalid_request_error', status: 400, description: 'The default bank account of a currency cannot be deleted while another account of the currency exists, or when the currency is the account\'s default currency.' },
  no_external_account: { type: 'invalid_request_error', status: 400, description: 'A payout names no destination and there is no bank account in its currency.' },
  payouts_not_allowed: { type: 'invalid_request_error', status: 400, description: 'The connected account cannot pay out: its platform rejected it.' },
  balance_insufficient: { type: 'invalid_request_error', status: 400, description: 'The available balance in the currency is smaller than the payout or transfer amount.' },
  insufficient_capabilities_for_transfer: { type: 'invalid_request_error', status: 400, description: 'The destination connected account does not have the `transfers` capability active (in test mode too, as at Stripe): a transfer, or a destination charge (`transfer_data[destination]`) at creation and at confirmation.' },
  insufficient_capabilities_for_charge: { type: 'invalid_request_error', status: 400, description: 'A charge on a connected account whose `card_payments` capability is not active (in test mode too): a direct charge (confirmed with the Stripe-Account header; no `param`), or `on_behalf_of` naming such an account (`param` on_behalf_of). Stripe answers an invalid_request_error naming the capability; the code is Payrail\'s.' },
  instant_payouts_unsupported: { type: 'invalid_request_error', status: 400, description: 'Instant payouts are not offered; use method=standard.' },
  checkout_session_unexpected_state: { type: 'invalid_request_error', status: 400, description: 'The Checkout Session is not open (complete or expired), or its payment is under way, so it cannot be expired or paid.' },
  payout_unexpected_state: { type: 'invalid_request_error', status: 400, description: 'The payout is not in a state that allows the operation (only pending payouts can be canceled; only paid payouts not yet reversed, within 90 days of arrival, can be reversed).' },
  webhook_endpoint_limit_reached: { type: 'invalid_request_error', status: 400, description: 'The account already has the maximum number of webhook endpoints in this mode (16); delete one first.' },
  webhook_endpoint_disabled: { type: 'invalid_request_error', status: 400, description: 'The webhook endpoint is disabled, so events cannot be re-sent to it; enable it first (disabled=false).' },
  connector_configuration_limit_reached: { type: 'invalid_request_error', status: 400, description: 'The account already has the maximum number of connector configurations in this mode (50); delete one first.' },
  live_connector_configuration_missing: { type: 'invalid_request_error', status: 400, description: 'A live-mode payment on an account with no enabled live-mode connector configuration: the built-in test processor never processes live payments, so a live configuration (Adyen, Stripe or PayPal) is needed.' },
  no_eligible_connector: { type: 'invalid_request_error', status: 400, description: 'No enabled connector configuration of the account can process the payment (its currency, country, payment method type or capture method); the message lists why each was excluded.' },
  invalid_number: { type: 'card_error', status: 402, description: 'The card number is not a valid card number.' },
  incorrect_number: { type: 'card_error', status: 402, description: 'The card number fails the Luhn check.' },
  invalid_expiry_month: { type: 'card_error', status: 402, description: 'The expiry month is invalid.' },
  invalid_expiry_year: { type: 'card_error', status: 402, description: 'The expiry year is invalid or in the past.' },
  invalid_cvc: { type: 'card_error', status: 402, description: 'The CVC is not 3 or 4 digits.' },
  card_declined: { type: 'card_error', status: 402, description: 'The issuer declined the card; `decline_code` says why.' },
  expired_card: { type: 'card_error', status: 402, description: 'The card has expired.' },
  incorrect_cvc: { type: 'card_error', status: 402, description: 'The CVC is incorrect.' },
  processing_error: { type: 'card_error', status: 402, description: 'An error occurred while processing the card.' },
  card_velocity_exceeded: { type: 'card_error', status: 402, description: 'The card exceeded its balance, credit limit or velocity limit.' },
  authentication_required: { type: 'card_error', status: 402, description: 'The card requires authentication that was not completed.' },
  payment_method_provider_decline: { type: 'card_error', status: 402, description: 'The payment method\'s provider (the customer\'s bank, BLIK) declined the payment; `decline_code` says why (docs/payment-methods.md).' },
  payment_method_provider_timeout: { type: 'card_error', status: 402, description: 'The customer or the payment method\'s provider did not answer in time (a BLIK payment not approved within 60 seconds).' },
  payment_intent_payment_attempt_expired: { type: 'card_error', status: 402, description: 'The payment attempt expired unpaid (a boleto voucher or Pix QR code past its `expires_at`).' },
  api_key_missing: { type: 'invalid_request_error', status: 401, description: 'No API key was provided.' },
  api_key_invalid: { type: 'invalid_request_error', status: 401, description: 'The API key is unknown, revoked or malformed.' },
  insufficient_permissions: { type: 'invalid_request_error', status: 403, description: 'A restricted key lacks the permission the endpoint needs (the message names it, e.g. `rak_charge_write`), or the endpoint needs a secret key (key management).' },
  api_key_unexpected_state: { type: 'invalid_request_error', status: 400, description: 'The API key cannot be rolled (already revoked, expired or rolled) or revoked (a key cannot revoke itself).' },
  api_key_limit_reached: { type: 'invalid_request_error', status: 400, description: 'The account already has the maximum number of active API keys in this mode (100); revoke one first.' },
  secret_key_required: { type: 'invalid_request_error', status: 401, description: 'A publishable key was used for an operation that needs a secret key.' },
  idempotency_key_in_use: { type: 'idempotency_error', status: 409, description: 'Another request with this idempotency key is still being processed.' },
  idempotency_key_reused: { type: 'idempotency_error', status: 400, description: 'The idempotency key was used with different parameters or endpoint.' },
  idempotency_key_invalid: { type: 'invalid_request_error', status: 400, description: 'The Idempotency-Key header is empty, longer than 255 characters, or holds a NUL character.' },
  lock_timeout: { type: 'invalid_request_error', status: 429, description: 'The object is locked by another request; retry shortly.' },
  rate_limit: { type: 'invalid_request_error', status: 429, description: 'A publishable key made too many requests, in all or from one client address (docs/api.md, Publishable keys in the browser); retry after the Retry-After header\'s seconds.' },
  api_error: { type: 'api_error', status: 500, description: 'An unexpected error inside Payrail (always a bug).' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface ErrorBody {
  type: ErrorType;
  code?: string;
  decline_code?: string;
  message: string;
  param?: string;
  doc_url?: string;
  payment_intent?: unknown;
  setup_intent?: unknown;
  payment_method?: unknown;
  charge?: string;
  request_log_url?: string;
}

/** An expected failure that the API renders as a Stripe error envelope. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: ErrorType;
  readonly param: string | undefined;
  readonly declineCode: string | undefined;
  /** Extra fields of the envelope (payment_intent, charge, payment_method). */
  readonly extra: Partial<ErrorBody>;

  constructor(code: ErrorCode, message: string, options: { param?: string; declineCode?: string; extra?: Partial<ErrorBody>; status?: number } = {}) {
    super(message);
    const entry: CatalogueEntry = errorCatalogue[code];
    this.code = code;
    this.type = entry.type;
    this.status = options.status ?? entry.status;
    this.param = options.param;
    this.declineCode = options.declineCode;
    this.extra = options.extra ?? {};
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { type: this.type, message: this.message };
    if (this.type !== 'api_error' || this.code !== 'api_error') body.code = this.code;
    if (this.declineCode) body.decline_code = this.declineCode;
    if (this.param) body.param = this.param;
    return { ...body, ...this.extra };
  }
}

export function missing(resource: string, id: string, param = 'id'): ApiError {
  return new ApiError('resource_missing', `No such ${resource}: '${id}'`, { param });
}

/** A broken invariant: never expected, always a bug, fails loudly. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}
