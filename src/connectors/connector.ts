/**
 * The one interface every payment provider implements. Connectors are stateless: one method per flow, each taking
 * one input type and returning one output type. Payrail persists an attempt before calling a connector and passes
 * the attempt id, from which the connector derives the provider-side idempotency key, so a retried call never
 * charges twice. An ambiguous result is `pending` and is resolved later with `sync`, never by calling again.
 */

export interface CardData {
  /** Full card number: only ever in memory, decrypted for the call, never logged. */
  number: string;
  expMonth: number;
  expYear: number;
  brand: string;
  /** The cardholder's name as given in the PaymentMethod's billing details, when there is one. */
  holderName?: string | null;
  /**
   * The security code, only while Payrail keeps it: from the PaymentMethod's creation until its first authorization's
   * outcome (at most an hour; docs/security.md). Only in memory, never logged. Null or absent afterwards: a connector
   * that cannot work without it (Mercado Pago's card token) declines before sending.
   */
  securityCode?: string | null;
  /** The cardholder's e-mail from the billing details, when there is one (Mercado Pago's payer needs one). */
  holderEmail?: string | null;
}

export interface AuthorizeInput {
  /** Payrail's attempt (charge) id: the provider idempotency key. */
  attemptId: string;
  amount: number;
  currency: string;
  /** Capture in the same call (automatic capture). */
  capture: boolean;
  /**
   * The card, for a card payment; absent for a wallet (PayPal), whose buyer pays on the provider's own page. Routing
   * sends a payment only to configurations declaring its payment method type, so a card-only connector that gets no
   * card refuses it with a `ConnectorRequestError` of kind `configuration`.
   */
  card?: CardData;
  /**
   * Where the provider sends the customer back after a redirect (3-D Secure, a wallet's approval page). Connectors
   * that need one fall back to their configuration's return URL when it is absent.
   */
  returnUrl?: string;
  /**
   * The provider's reference from an earlier `requires_authentication` (for example a Stripe PaymentIntent id or a
   * PayPal order id), so that `sync` and the completion of the redirect find the payment again.
   */
  processorReference?: string | null;
  /**
   * The result of a customer authentication (3-D Secure, or a redirect approval) that the provider asked for earlier.
   * `details` are what the customer's browser brought back from the redirect, as the provider names them (for example
   * Adyen's `redirectResult`, or PayPal's `token` and `PayerID`); each connector reads the keys it documents.
   */
  authentication?: { status: 'succeeded' | 'failed'; details?: Record<string, string> };
  /**
   * Stripe's `payment_method_options[card][request_three_d_secure]`: `any` or `challenge` asks for 3-D Secure even
   * where the card does not require it. Connectors that cannot ask leave it to the issuer (`automatic`).
   */
  requestThreeDSecure?: 'automatic' | 'any' | 'challenge';
  /**
   * Payrail's strong customer authentication decision (src/payments/sca): `authenticate` asks for 3-D Secure (the
   * PSD2 mandate, or request_three_d_secure), with `exemption` the exemption claimed instead. Connectors that cannot
   * send an exemption leave the payment to the issuer, who may then ask for authentication itself.
   */
  strongCustomerAuthentication?: { authenticate: boolean; exemption: 'low_value' | 'transaction_risk_analysis' | 'recurring' | null };
  /**
   * Stripe's `request_incremental_authorization=if_available` (manual capture only): the authorization should be one
   * that `incrementAuthorization` can grow. The answer says whether it is (`AuthorizeOutput.incrementalAuthorization`).
   */
  requestIncrementalAuthorization?: boolean;
  /**
   * The card's stored-credential context (card on file): who starts this payment, whether it stores the card for later
   * payments, and what this configuration's provider kept from the card's setup. Absent for a one-off payment.
   */
  storedCredential?: StoredCredential;
  /**
   * A local payment method's data (iDEAL, Bancontact, EPS, P24, BLIK, Klarna, ...: src/payment-methods/method-types.ts),
   * absent for cards and PayPal. Routing sends a payment only to configurations listing its type, so a connector gets
   * only the types it declares (`Connector.paymentMethodTypes`).
   */
  localMethod?: LocalMethodData;
  /**
   * Stripe's `payment_method_options[card][installments][plan]`: the customer pays in `count` monthly installments
   * (the issuer splits it; the merchant gets the whole amount). Absent: one payment. Routing sends a payment with a plan
   * only to connectors declaring `installments`.
   */
  installments?: { count: number };
}

/**
 * What a connector is told about a local payment method: its type, the PaymentMethod's type hash (`ideal.bank`,
 * `klarna.dob`), the billing details (P24 and Klarna need the e-mail, Klarna the country) and the payment's options
 * of that type given at confirmation (`payment_method_options[blik][code]`, `payment_method_options[klarna][preferred_locale]`).
 */
export interface LocalMethodData {
  type: string;
  details: Record<string, unknown>;
  /**
   * sepa_debit only: the account number, decrypted for this call, for a provider that must hold it to debit (Mollie's
   * mandate). Like a card number it must never be logged or stored; connectors that need only its facts use `details`.
   */
  bankAccount?: { iban: string };
  billingDetails: {
    email: string | null; name: string | null; phone: string | null; country: string | null;
    /** The billing address, when the PaymentMethod has one (a boleto's payer address at Mercado Pago). */
    address?: { line1: string | null; line2: string | null; city: string | null; state: string | null; postalCode: string | null; country: string | null } | null;
  };
  options: Record<string, unknown>;
}

/**
 * The card schemes' stored-credential framework, in Stripe's words. A payment the customer starts (`customer`:
 * on-session, whether or not the card was saved) may ask to `save` the card for later (`setup_future_usage`); a payment
 * the merchant starts without the customer (`merchant`: `off_session=true`) is a merchant-initiated transaction, which
 * strong customer authentication does not apply to, and which refers to the card's setup through `reference`: the
 * provider's token and the scheme's network transaction id of the first, customer-present transaction. Connectors
 * that cannot send these leave them out (the payment then goes as a one-off).
 */
export interface StoredCredential {
  initiator: 'customer' | 'merchant';
  /** Store the card at the provider for later payments of this usage, filed under `shopperReference`. */
  save?: { usage: 'on_session' | 'off_session'; shopperReference: string };
  /** What this connector configuration's provider kept from the card's setup (a SetupIntent or a saving payment). */
  reference?: StoredCardReference;
}

export interface Decline {
  /** Stripe's error code (card_declined, expired_card, incorrect_cvc, processing_error, ...). */
  code: string;
  declineCode: string;
  message: string;
  /** Whether Payrail's own risk check (rather than the issuer) refused the payment. */
  blocked: boolean;
  networkStatus: 'declined_by_network' | 'not_sent_to_network';
}

/**
 * Stripe's `next_action.redirect_to_url`, carried out of a connector: where the customer must go to authenticate or
 * approve. For a POST redirect `data` holds the form fields to post (Adyen `CheckoutRedirectAction.data`).
 */
/**
 * What the customer pays with outside any page of Payrail's (a boleto voucher, a Pix QR code), as the intent's
 * `next_action` shows it (`boleto_display_details`, `pix_display_qr_code`): Stripe's fields but `expires_at`, and when
 * it expires (an instant the provider tells, seconds from now, or calendar days ending 23:59 America/Sao_Paulo).
 * The payment waits as `requires_action` until paid (Payrail asks the connector again, as after a redirect) or expired.
 */
export interface DisplayDetails {
  /** `upi_handle_redirect_or_display_qr_code`: a UPI intent link the payer's UPI app opens (Razorpay's UPI intent). */
  type: 'boleto_display_details' | 'pix_display_qr_code' | 'upi_handle_redirect_or_display_qr_code';
  details: Record<string, unknown>;
  expires: { at: number } | { afterSeconds: number } | { afterDays: number };
  /**
   * Test processors only: the simulated customer pays this many seconds after the details are shown (Stripe's test
   * e-mails of a boleto or Pix). The attempt is then due (`next_sync_at`) and the janitor's sweep completes it as paid
   * (src/payments/display-test-payment.ts). Absent: only the tester's "Mark as paid" or the expiry ends the wait.
   */
  paidAfterSeconds?: number;
}

export interface RedirectToUrl {
  type: 'redirect_to_url';
  url: string;
  method: 'GET' | 'POST';
  data: Record<string, string>;
}

/**
 * What a wallet provider (PayPal) reports about the payer and its transaction once a payment is authorized: Stripe's
 * `payment_method_details.paypal` of the charge, and the `paypal` hash of the PaymentMethod. Null where not told.
 */
export interface WalletPayer {
  payerId: string | null;
  payerEmail: string | null;
  payerName: string | null;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string | null;
  /** The provider's id of the capture or authorization. */
  transactionId: string | null;
  /** PayPal's seller protection: `eligible`, `partially_eligible` or `not_eligible`, and the dispute categories covered. */
  sellerProtection: { status: string; disputeCategories: string[] | null } | null;
}

/**
 * What an authorization came to. `requires_authentication` may carry the redirect the customer must follow
 * (`nextAction`, null when the provider asks for something other than a redirect) and the provider's reference, to pass
 * back as `AuthorizeInput.processorReference` once the customer returns. Both are optional: a processor that runs its
 * own challenge (the test processor) has neither. `authorized` may carry what a wallet told about the payer (`payer`)
 * and what the provider stored of a card asked to be saved (`stored`).
 */
export type AuthorizeOutput =
  | {
    status: 'authorized'; captured: boolean; processorReference: string; riskScore: number; payer?: WalletPayer; incrementalAuthorization?: boolean;
    /** What the provider stored for later payments, when `storedCredential.save` asked it to (and it told). */
    stored?: StoredCardReference;
    threeDSecure?: ThreeDSecureOutcome;
    /**
     * A local method's details as the provider reported them, in Stripe's words for the charge's
     * `payment_method_details.<type>` (iDEAL's `bank`, `bic`, `iban_last4`, `verified_name`; Bancontact's `bank_code`, ...).
     */
    methodDetails?: Record<string, unknown>;
  }
  | { status: 'declined'; decline: Decline; processorReference: string | null; riskScore: number; threeDSecure?: ThreeDSecureOutcome }
  | { status: 'requires_authentication'; processorReference?: string | null; nextAction?: RedirectToUrl | null; display?: DisplayDetails }
  /**
   * The provider accepted the payment and will tell its outcome later, without the customer on the page: BLIK's
   * approval in the banking app, a SEPA debit clearing for days. Not ambiguous (unlike `pending`): the intent shows
   * `processing`, and the outcome comes through `sync` (the janitor asks on its schedule) or a provider webhook.
   */
  | { status: 'processing'; processorReference: string }
  | { status: 'pending' };

/**
 * How a 3-D Secure authentication went, when the provider tells: the flow (a challenge, or frictionless: the issuer
 * authenticated without asking the customer), the result in Stripe's words and the directory server's transaction id.
 * Absent, Payrail shows what it knows itself (a challenge the customer passed).
 */
export interface ThreeDSecureOutcome {
  flow: 'challenge' | 'frictionless' | null;
  result: 'authenticated' | 'attempt_acknowledged' | 'not_supported' | 'processing_error';
  transactionId: string | null;
}

export interface ReferenceInput {
  attemptId: string;
  processorReference: string;
  amount: number;
  currency: string;
}

/** `pending` may carry the provider's reference of an operation it accepted but has not finished (an Adyen refund). */
export type SimpleOutput = { status: 'succeeded'; processorReference: string } | { status: 'failed'; reason: string } | { status: 'pending'; processorReference?: string };

export interface RefundInput extends ReferenceInput {
  /** Payrail's refund id: the provider idempotency key of the refund. */
  refundId: string;
}

/** An incremental authorization: the authorization of `processorReference` grows to `amount` (the new total). */
export interface IncrementInput extends ReferenceInput {
  /** The provider idempotency key of this increment: the same key for a retry of the same new total. */
  incrementId: string;
}

/** `authorized`: the authorization now holds `amount`; `declined`: it still holds what it held before. */
export type IncrementOutput =
  | { status: 'authorized'; amount: number }
  | { status: 'declined'; decline: Decline }
  | { status: 'pending' };

/**
 * A card verification that stores the card for later payments (Stripe's SetupIntent): a zero-amount authorization at
 * the provider, asking it to keep the card (its token) for later merchant-initiated payments. No money moves.
 * Calling `verifyCard` again with the same `attemptId` is a replay of the same verification at the provider (its
 * idempotency key derives from the attempt id), never a second one: that is how an ambiguous answer is resolved.
 */
export interface VerifyCardInput {
  /** Payrail's setup attempt id (`setatt_...`): the provider idempotency key and merchant reference. */
  attemptId: string;
  card: CardData;
  /**
   * How the card will be used later (Stripe's `usage`): `on_session` while the customer is present (card on file),
   * `off_session` for merchant-initiated payments without the customer (unscheduled card on file).
   */
  usage: 'on_session' | 'off_session';
  /** The currency the zero amount is expressed in (providers want one even for nothing). Lower case. */
  currency: string;
  /** Under whose name the provider files the stored card (Adyen's shopperReference): the customer, else the PaymentMethod. */
  shopperReference: string;
  /** Where the provider sends the customer back after its own 3-D Secure page. */
  returnUrl: string;
  requestThreeDSecure?: 'automatic' | 'any' | 'challenge';
  /** The provider's reference from an earlier `requires_authentication`. */
  processorReference?: string | null;
  /** The customer's authentication result, once asked for (`details` as in AuthorizeInput.authentication). */
  authentication?: { status: 'succeeded' | 'failed'; details?: Record<string, string> };
}

/** What the provider keeps for later merchant-initiated payments of a verified card. Null where it told nothing. */
export interface StoredCardReference {
  /** The provider's token of the stored card (Adyen's storedPaymentMethodId / recurringDetailReference). */
  providerToken: string | null;
  /** The shopper the token is filed under at the provider. */
  shopperReference: string | null;
  /** The scheme's id of this first transaction (Visa's Transaction ID, Mastercard's Trace ID), for later MIT payments. */
  networkTransactionId: string | null;
}

/** What a card verification came to; as AuthorizeOutput, `pending` is ambiguous and only a definite answer is final. */
export type VerifyCardOutput =
  | { status: 'verified'; processorReference: string; stored: StoredCardReference }
  | { status: 'declined'; decline: Decline; processorReference: string | null }
  | { status: 'requires_authentication'; processorReference?: string | null; nextAction?: RedirectToUrl | null }
  | { status: 'pending' };

export interface ConnectorCapabilities {
  manualCapture: boolean;
  /** Can split a card payment into the customer's installments (`AuthorizeInput.installments`); absent: cannot. */
  installments?: boolean;
  partialCapture: boolean;
  refunds: boolean;
  partialRefunds: boolean;
  threeDSecure: boolean;
}

/**
 * The shared typed error for a request a provider did not act on: `not_sent` (failover is safe) or `configuration`
 * (retrying will not help). Each connector throws its own thin subclass.
 */
export { ConnectorRequestError } from './shared/errors.ts';

export class NotSupported extends Error {
  constructor(connector: string, flow: string) {
    super(`${connector} does not support ${flow}`);
  }
}

export interface Connector {
  readonly name: string;
  readonly capabilities: ConnectorCapabilities;
  /**
   * The payment method types (method-types.ts names) this connector can carry. Absent: cards only (and PayPal for the
   * PayPal connector, as its configurations declare). A configuration may list only types its connector declares.
   */
  readonly paymentMethodTypes?: readonly string[];
  /**
   * How long after an attempt started `sync` may still learn its outcome by replaying the original request (when it
   * has no provider reference to look up): the provider's idempotency-key retention, less a margin. Past it, a replay
   * could authorize a second time, so the janitor stops and leaves the attempt for review. Null: `sync` never
   * authorizes by replaying (it looks the payment up, or what it replays cannot charge by itself).
   */
  readonly syncReplayWindowSeconds: number | null;
  authorize(input: AuthorizeInput): Promise<AuthorizeOutput>;
  capture(input: ReferenceInput): Promise<SimpleOutput>;
  void(input: ReferenceInput): Promise<SimpleOutput>;
  refund(input: RefundInput): Promise<SimpleOutput>;
  /** Asks the provider what happened to an attempt whose outcome was ambiguous. */
  sync(input: AuthorizeInput): Promise<AuthorizeOutput>;
  /** Asks the provider how a refund it accepted as pending ended (succeeded, failed, or still pending). */
  syncRefund(input: RefundInput): Promise<SimpleOutput>;
  /**
   * Optional flow: grows an uncaptured card authorization to a new total (Stripe's incremental authorization). A
   * connector without it never reports `incrementalAuthorization` on an authorization; call it through
   * `incrementAuthorization()` below, which throws `NotSupported` for such connectors.
   */
  incrementAuthorization?(input: IncrementInput): Promise<IncrementOutput>;
  /**
   * Optional flow: verifies a card with a zero-amount authorization and stores it at the provider for later payments
   * (VerifyCardInput). Implemented by the test processor and Adyen; PayPal (no cards) and the Stripe connector (not
   * yet) lack it, and routing of a SetupIntent skips such connectors (`canVerifyCards`). Call it through
   * `verifyCard()` below, which throws `NotSupported` for them.
   */
  verifyCard?(input: VerifyCardInput): Promise<VerifyCardOutput>;
  /**
   * Verifies a provider webhook (throws when the signature or body is not valid) and returns what it says in
   * Payrail's terms, one notification per item (an Adyen batch has several). Duplicates and ordering are the
   * caller's concern: every notification carries the provider's own key for deduplication.
   */
  parseWebhook(headers: Record<string, string>, body: Buffer): Promise<ProviderNotification[]>;
}

/**
 * One provider webhook notification in Payrail's terms. Payments are found by `attemptId` (the reference Payrail sent:
 * Adyen's merchantReference, PayPal's custom_id, Stripe's metadata.payrail_attempt) or, failing that, by the
 * provider's reference of the payment (`processorReference`: Adyen's pspReference of the payment (the
 * originalReference of a modification), the PayPal order id, the Stripe PaymentIntent id).
 */
export type ProviderNotification =
  /** The authorization of a payment ended: authorized, or declined. (Whether it was captured follows from the attempt.) */
  | {
    kind: 'authorization'; eventKey: string; attemptId: string | null; processorReference: string | null;
    /** `methodDetails` as in AuthorizeOutput: a local method's details, when the provider's notification tells them (Mollie). */
    result: { status: 'authorized'; methodDetails?: Record<string, unknown> } | { status: 'declined'; decline: Decline };
  }
  /** The payer approved a redirect payment (PayPal's CHECKOUT.ORDER.APPROVED): Payrail may complete it without the payer's return. */
  | { kind: 'approval'; eventKey: string; attemptId: string | null; processorReference: string | null }
  | { kind: 'capture'; eventKey: string; attemptId: string | null; processorReference: string | null; status: 'succeeded' | 'failed' | 'pending' }
  | { kind: 'void'; eventKey: string; attemptId: string | null; processorReference: string | null; status: 'succeeded' | 'failed' }
  /**
   * `refundId` is Payrail's refund id when the provider echoes it; `processorReference` the provider's own reference
   * of the refund (as Payrail keeps it on the refund); `reason` uses Stripe's refund failure_reason words. Where the
   * provider tells them, `paymentReference` (its reference of the payment refunded, Adyen's `originalReference`) and
   * `amount` (minor units) find a refund whose notification arrives before Payrail wrote the refund's reference.
   */
  | {
    kind: 'refund'; eventKey: string; refundId: string | null; processorReference: string | null; status: 'succeeded' | 'failed' | 'pending'; reason: string | null;
    paymentReference?: string | null; amount?: number | null;
  }
  /** Anything Payrail does not act on, kept for the log. */
  | { kind: 'other'; eventKey: string; description: string };

/** Calls a connector's optional increment flow; a connector lacking it throws the typed `NotSupported`. */
export function incrementAuthorization(connector: Connector, input: IncrementInput): Promise<IncrementOutput> {
  if (!connector.incrementAuthorization) throw new NotSupported(connector.name, 'incremental authorization');
  return connector.incrementAuthorization(input);
}

/** Whether a connector can verify and store cards (a SetupIntent's confirmation may be routed to it). */
export function canVerifyCards(connector: Connector): boolean {
  return typeof connector.verifyCard === 'function';
}

/** Calls a connector's optional card verification flow; a connector lacking it throws the typed `NotSupported`. */
export function verifyCard(connector: Connector, input: VerifyCardInput): Promise<VerifyCardOutput> {
  if (!connector.verifyCard) throw new NotSupported(connector.name, 'card verification (SetupIntents)');
  return connector.verifyCard(input);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
