import { createHash } from 'node:crypto';
import { assertNever, ConnectorRequestError, type AuthorizeInput, type AuthorizeOutput, type Decline, type RedirectToUrl, type SimpleOutput, type StoredCardReference, type VerifyCardInput, type VerifyCardOutput } from '../connector.ts';
import { exponentOf } from '../../platform/money.ts';
import { genericDecline, processingError, refusalDeclines, refusalReasonCodeOf } from './declines.ts';
import { localMethodDecline, toLocalMethodDetails, type AdyenLocalMethodDetails } from './local-methods.ts';

/*
 * Pure mapping between Payrail's connector types and Adyen Checkout API v71 (specs/adyen/CheckoutService-v71.json).
 * Nothing here does I/O: the HTTP client in connector.ts sends what these functions build and hands back what Adyen
 * answered. Amounts become Adyen's units here and nowhere else.
 */

// ---------------------------------------------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------------------------------------------

/**
 * Where Adyen's minor unit differs from Payrail's (ISO 4217, with Stripe's choices where they differ). Adyen's
 * currency table (docs.adyen.com/development-resources/currency-codes) says its decimals "are leading" for CLP, CVE,
 * IDR and ISK, which differ from ISO: CLP 2 (ISO 0), CVE 0 (ISO 2), IDR 0 (ISO 2), ISK 2 (ISO 0). MGA is zero-decimal
 * in Payrail because Stripe makes it so; Adyen follows ISO (2) for it. Every other currency has the same exponent.
 */
const adyenExponentExceptions: Readonly<Record<string, number>> = { clp: 2, cve: 0, idr: 0, isk: 2, mga: 2 };

/** The number of decimals Adyen uses for `currency` (a lower-case ISO code). */
export function adyenExponentOf(currency: string): number {
  return adyenExponentExceptions[currency] ?? exponentOf(currency);
}

/** An amount that cannot be expressed exactly in the other side's minor unit (e.g. 10.50 IDR: Adyen has no IDR cents). */
export class AmountNotRepresentable extends Error {
  constructor(
    readonly amount: number,
    readonly currency: string,
  ) {
    super(`${amount} ${currency} (minor units) cannot be expressed exactly in Adyen's minor unit for ${currency.toUpperCase()}`);
  }
}

export interface AdyenAmount {
  currency: string;
  value: number;
}

/** Converts a Payrail minor-unit amount to Adyen's `Amount` (upper-case currency, Adyen's minor unit). */
export function toAdyenAmount(amount: number, currency: string): AdyenAmount {
  return { currency: currency.toUpperCase(), value: rescale(amount, currency, exponentOf(currency), adyenExponentOf(currency)) };
}

/** Converts an Adyen `Amount` (e.g. from a webhook) back to Payrail's minor unit and lower-case currency. */
export function fromAdyenAmount(amount: AdyenAmount): { amount: number; currency: string } {
  const currency = amount.currency.toLowerCase();
  return { amount: rescale(amount.value, currency, adyenExponentOf(currency), exponentOf(currency)), currency };
}

function rescale(amount: number, currency: string, fromExponent: number, toExponent: number): number {
  if (!Number.isSafeInteger(amount)) throw new AmountNotRepresentable(amount, currency);
  if (toExponent >= fromExponent) {
    const scaled = amount * 10 ** (toExponent - fromExponent);
    if (!Number.isSafeInteger(scaled)) throw new AmountNotRepresentable(amount, currency);
    return scaled;
  }
  const divisor = 10 ** (fromExponent - toExponent);
  if (amount % divisor !== 0) throw new AmountNotRepresentable(amount, currency);
  return amount / divisor;
}

// ---------------------------------------------------------------------------------------------------------------
// Idempotency keys and references
// ---------------------------------------------------------------------------------------------------------------

/** Adyen's limit on an `Idempotency-Key` (CheckoutService-v71 `components.parameters.Idempotency-Key`). */
export const idempotencyKeyLengthMax = 64;

export type AdyenOperation = 'authorize' | 'details' | 'capture' | 'cancel' | 'refund' | 'verify';

/**
 * The provider idempotency key of one operation on one Payrail object. Each operation gets its own key (a capture
 * must not replay the authorization's stored response), and the same Payrail id always gives the same key, so a
 * retry or a `sync` replays rather than repeats. Keys are readable when they fit Adyen's 64 characters, and a
 * SHA-256 of the same text (64 hex characters) when they do not.
 */
export function idempotencyKey(operation: AdyenOperation, payrailId: string): string {
  const readable = `payrail.${payrailId}.${operation}`;
  if (readable.length <= idempotencyKeyLengthMax) return readable;
  return createHash('sha256').update(readable).digest('hex');
}

// ---------------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------------

/** Adyen's `CardDetails` as Payrail sends them. */
export interface AdyenCardDetails { type: 'scheme'; number: string; expiryMonth: string; expiryYear: string; holderName?: string; networkPaymentReference?: string }

/** The subset of Adyen's `PaymentRequest` that Payrail sends. */
export interface AdyenPaymentRequest {
  amount: AdyenAmount;
  merchantAccount: string;
  reference: string;
  returnUrl: string;
  /**
   * The card's details, or, for a merchant-initiated payment of a card Adyen stored, its token. With the details, a
   * merchant-initiated payment carries the scheme's id of the first transaction (`networkPaymentReference`).
   */
  paymentMethod: AdyenCardDetails | { type: 'scheme'; storedPaymentMethodId: string } | AdyenLocalMethodDetails;
  /** `Ecommerce`: the shopper is present; `ContAuth`: card on file, here a merchant-initiated payment. */
  shopperInteraction: 'Ecommerce' | 'ContAuth';
  channel: 'Web';
  /** Present only for automatic capture: 0 hours captures immediately, whatever the merchant account's default. */
  captureDelayHours?: number;
  /** `manualCapture: 'true'` for a separate capture, again overriding the merchant account's default. */
  additionalData?: Record<string, string>;
  /** A payment that stores the card for later (setup_future_usage), filed under `shopperReference`. */
  storePaymentMethod?: true;
  shopperReference?: string;
  recurringProcessingModel?: RecurringProcessingModel;
  /** `always`: 3-D Secure whatever Adyen's risk rules say (the PSD2 mandate, or request_three_d_secure). */
  authenticationData?: { attemptAuthentication: 'always' };
  /** ThreeDS2RequestFields: the 3-D Secure requestor's challenge preference (EMV 3DS `threeDSRequestorChallengeInd`). */
  threeDS2RequestData?: { threeDSRequestorChallengeInd: '01' | '03' | '04' | '05' };
}

export interface AdyenRequestContext {
  merchantAccount: string;
  /** Where Adyen sends the shopper back after a redirect (3-D Secure); required by `/payments`. */
  returnUrl: string;
}

/**
 * Builds the `/payments` body for a card authorization, or for a local method's payment (local-methods.ts: iDEAL,
 * SEPA Direct Debit, always captured: neither holds funds for a later capture). The same input always gives the same
 * body, so `sync` can replay it.
 */
export function toPaymentRequest(input: AuthorizeInput, context: AdyenRequestContext): AdyenPaymentRequest {
  if (input.localMethod !== undefined) {
    return {
      amount: toAdyenAmount(input.amount, input.currency),
      merchantAccount: context.merchantAccount,
      reference: input.attemptId,
      returnUrl: context.returnUrl,
      paymentMethod: toLocalMethodDetails(input.localMethod),
      shopperInteraction: 'Ecommerce',
      channel: 'Web',
      captureDelayHours: 0,
    };
  }
  // Routing sends Adyen card payments and the local methods above only: a payment with neither is not sent.
  if (input.card === undefined) throw new ConnectorRequestError('configuration', 'The Adyen connector carries cards, iDEAL and SEPA Direct Debit only: this payment has none of them.');
  const card: AdyenCardDetails = {
    type: 'scheme',
    number: input.card.number,
    expiryMonth: String(input.card.expMonth).padStart(2, '0'),
    expiryYear: String(input.card.expYear),
  };
  if (input.card.holderName) card.holderName = input.card.holderName;
  const request: AdyenPaymentRequest = {
    amount: toAdyenAmount(input.amount, input.currency),
    merchantAccount: context.merchantAccount,
    reference: input.attemptId,
    returnUrl: context.returnUrl,
    paymentMethod: card,
    shopperInteraction: 'Ecommerce',
    channel: 'Web',
  };
  if (input.capture) request.captureDelayHours = 0;
  else request.additionalData = { manualCapture: 'true' };
  return withStrongCustomerAuthentication(withStoredCredential(request, card, input.storedCredential), input);
}

/** Adyen's names of the exemptions Payrail claims (AdditionalData3DSecure.scaExemption in CheckoutService-v71). */
const adyenExemptions = { low_value: 'lowValue', transaction_risk_analysis: 'transactionRiskAnalysis' } as const;

/**
 * Payrail's strong customer authentication decision and request_three_d_secure, in Adyen's words (docs/sca.md):
 * - 3-D Secure asked (the mandate, `any`, `challenge`): `authenticationData.attemptAuthentication=always`, with the
 *   challenge preference: `04` (challenge requested: mandate) for the mandate, `03` (the requestor's preference) for
 *   request_three_d_secure=challenge, `01` (no preference) for `any`;
 * - an exemption claimed: `additionalData.scaExemption` (`lowValue`, `transactionRiskAnalysis`; for the latter also
 *   `05`, no challenge: risk analysis already performed). A fixed-amount recurring payment has no Adyen exemption
 *   of its own on a customer-initiated payment: nothing is sent, and Adyen's rules decide;
 * - a merchant-initiated payment (`ContAuth`) carries nothing: strong customer authentication does not apply.
 * `browserInfo` is not sent: Payrail's API does not receive the customer's browser (docs/sca.md, not done).
 */
function withStrongCustomerAuthentication(request: AdyenPaymentRequest, input: AuthorizeInput): AdyenPaymentRequest {
  if (request.shopperInteraction === 'ContAuth') return request;
  const decision = input.strongCustomerAuthentication;
  const forced = input.requestThreeDSecure === 'challenge';
  if (forced || input.requestThreeDSecure === 'any' || decision?.authenticate) {
    const preference = forced ? '03' : input.requestThreeDSecure === 'any' ? '01' : '04';
    return { ...request, authenticationData: { attemptAuthentication: 'always' }, threeDS2RequestData: { threeDSRequestorChallengeInd: preference } };
  }
  const exemption = decision?.exemption;
  if (exemption === 'low_value' || exemption === 'transaction_risk_analysis') {
    const claimed = { ...request, additionalData: { ...request.additionalData, scaExemption: adyenExemptions[exemption] } };
    return exemption === 'transaction_risk_analysis' ? { ...claimed, threeDS2RequestData: { threeDSRequestorChallengeInd: '05' } } : claimed;
  }
  return request;
}

/**
 * The stored-credential fields of a payment (docs.adyen.com, tokenization and card-on-file):
 * - saving the card (setup_future_usage): `storePaymentMethod`, `shopperReference` and the recurring processing model
 *   of the usage, the shopper present (`Ecommerce`);
 * - a merchant-initiated payment of a card set up through this configuration: `ContAuth` and
 *   `UnscheduledCardOnFile`, with Adyen's token and the shopper it is filed under when Adyen stored the card, else the
 *   card's details with the scheme's id of the first transaction (`networkPaymentReference`).
 * A merchant-initiated payment with no setup at this configuration goes as a one-off payment: Adyen has nothing to
 * refer it to, and the issuer may then ask for authentication (an off-session payment answers authentication_required).
 */
function withStoredCredential(request: AdyenPaymentRequest, card: AdyenCardDetails, credential: AuthorizeInput['storedCredential']): AdyenPaymentRequest {
  if (!credential) return request;
  const reference = credential.reference;
  if (credential.initiator === 'merchant' && reference) {
    if (reference.providerToken !== null && reference.shopperReference !== null) {
      return {
        ...request,
        paymentMethod: { type: 'scheme', storedPaymentMethodId: reference.providerToken },
        shopperInteraction: 'ContAuth',
        shopperReference: reference.shopperReference,
        recurringProcessingModel: 'UnscheduledCardOnFile',
      };
    }
    if (reference.networkTransactionId !== null) {
      return {
        ...request,
        paymentMethod: { ...card, networkPaymentReference: reference.networkTransactionId },
        shopperInteraction: 'ContAuth',
        recurringProcessingModel: 'UnscheduledCardOnFile',
      };
    }
  }
  if (credential.save) {
    return { ...request, storePaymentMethod: true, shopperReference: credential.save.shopperReference, recurringProcessingModel: recurringProcessingModelOf(credential.save.usage) };
  }
  return request;
}

/** What Adyen says it stored of a card (ResponseAdditionalDataCommon): the token, its shopper, the scheme's id. */
export function storedCardOf(additionalData: Record<string, string> | undefined): StoredCardReference | undefined {
  const data = additionalData ?? {};
  const providerToken = data['tokenization.storedPaymentMethodId'] ?? data['recurring.recurringDetailReference'] ?? null;
  if (providerToken === null) return undefined;
  return {
    providerToken,
    shopperReference: data['tokenization.shopperReference'] ?? data['recurring.shopperReference'] ?? null,
    networkTransactionId: data.networkTxReference || null,
  };
}

/** Adyen's recurring processing models of a stored card (PaymentRequest.recurringProcessingModel). */
export type RecurringProcessingModel = 'CardOnFile' | 'UnscheduledCardOnFile';

/** The `/payments` body of a card verification that stores the card (Adyen's zero-value auth with tokenization). */
export interface AdyenVerificationRequest {
  amount: AdyenAmount;
  merchantAccount: string;
  reference: string;
  returnUrl: string;
  paymentMethod: AdyenCardDetails;
  shopperInteraction: 'Ecommerce';
  channel: 'Web';
  storePaymentMethod: true;
  shopperReference: string;
  recurringProcessingModel: RecurringProcessingModel;
  authenticationData?: { attemptAuthentication: 'always' };
}

/**
 * Stripe's `usage` as Adyen's recurring processing model: `on_session` (the shopper will be there to pay) is
 * `CardOnFile`; `off_session` (the merchant charges later without the shopper, at no fixed schedule) is
 * `UnscheduledCardOnFile`.
 */
export function recurringProcessingModelOf(usage: VerifyCardInput['usage']): RecurringProcessingModel {
  return usage === 'off_session' ? 'UnscheduledCardOnFile' : 'CardOnFile';
}

/**
 * Builds the `/payments` body of a card verification (docs.adyen.com: zero-value auth, "set amount to 0"): the card
 * is verified by its issuer without holding money, and `storePaymentMethod` with the shopper's reference asks Adyen to
 * keep it as a token for later payments. The same input always gives the same body, so a replay is the same request.
 */
export function toVerificationRequest(input: VerifyCardInput, context: AdyenRequestContext): AdyenVerificationRequest {
  const request: AdyenVerificationRequest = {
    amount: toAdyenAmount(0, input.currency),
    merchantAccount: context.merchantAccount,
    reference: input.attemptId,
    returnUrl: context.returnUrl,
    paymentMethod: {
      type: 'scheme',
      number: input.card.number,
      expiryMonth: String(input.card.expMonth).padStart(2, '0'),
      expiryYear: String(input.card.expYear),
    },
    shopperInteraction: 'Ecommerce',
    channel: 'Web',
    storePaymentMethod: true,
    shopperReference: input.shopperReference,
    recurringProcessingModel: recurringProcessingModelOf(input.usage),
  };
  if (input.card.holderName) request.paymentMethod.holderName = input.card.holderName;
  // request_three_d_secure=any|challenge: Adyen's way to ask for 3-D Secure whatever its risk engine decides.
  if (input.requestThreeDSecure === 'any' || input.requestThreeDSecure === 'challenge') request.authenticationData = { attemptAuthentication: 'always' };
  return request;
}

/**
 * Maps the answer to a verification. `Authorised` is a verified card; the stored token is read from `additionalData`
 * (`tokenization.storedPaymentMethodId`, or the older `recurring.recurringDetailReference`), with the scheme's
 * `networkTxReference` for later merchant-initiated payments. Everything else maps as a payment's answer does.
 */
export function fromVerificationResponse(response: AdyenPaymentResponse): VerifyCardOutput {
  const output = fromPaymentResponse(response, false);
  switch (output.status) {
    case 'authorized':
      return {
        status: 'verified',
        processorReference: output.processorReference,
        stored: storedCardOf(response.additionalData) ?? { providerToken: null, shopperReference: null, networkTransactionId: response.additionalData?.networkTxReference || null },
      };
    case 'declined':
      return { status: 'declined', decline: output.decline, processorReference: output.processorReference };
    case 'requires_authentication':
      return { status: 'requires_authentication', processorReference: output.processorReference, nextAction: output.nextAction };
    // A zero-value verification cannot be partially authorised; an answer Payrail cannot read is unknown, never final.
    case 'partially_authorized':
    case 'processing':
    case 'pending':
      return { status: 'pending' };
    default:
      return assertNever(output);
  }
}

/**
 * The key of `AuthorizeInput.authentication.details` this connector reads: the `redirectResult` the shopper's browser
 * brought back from the redirect, to submit to `/payments/details`.
 */
export const redirectResultDetail = 'redirectResult';

/** The redirect result among the authentication details, or null when the details do not carry one. */
export function redirectResultOf(details: Record<string, string> | undefined): string | null {
  const redirectResult = details?.[redirectResultDetail];
  return typeof redirectResult === 'string' ? redirectResult : null;
}

export function toPaymentDetailsRequest(redirectResult: string): { details: { redirectResult: string } } {
  return { details: { redirectResult } };
}

export function toCaptureRequest(amount: number, currency: string, reference: string, merchantAccount: string) {
  return { amount: toAdyenAmount(amount, currency), merchantAccount, reference };
}

export function toCancelRequest(reference: string, merchantAccount: string) {
  return { merchantAccount, reference };
}

export function toRefundRequest(amount: number, currency: string, reference: string, merchantAccount: string) {
  return { amount: toAdyenAmount(amount, currency), merchantAccount, reference };
}

// ---------------------------------------------------------------------------------------------------------------
// Authorization results
// ---------------------------------------------------------------------------------------------------------------

/** Every `resultCode` of `PaymentResponse` / `PaymentDetailsResponse` in CheckoutService-v71. */
export const adyenResultCodes = [
  'AuthenticationFinished',
  'AuthenticationNotRequired',
  'Authorised',
  'Cancelled',
  'ChallengeShopper',
  'Error',
  'IdentifyShopper',
  'PartiallyAuthorised',
  'Pending',
  'PresentToShopper',
  'Received',
  'RedirectShopper',
  'Refused',
  'Success',
] as const;
export type AdyenResultCode = (typeof adyenResultCodes)[number];

/** What Payrail makes of a result code; `declined` and `authorized` are the only final outcomes. */
export type ResultKind = 'authorized' | 'partially_authorized' | 'declined' | 'requires_authentication' | 'pending';

/**
 * The exhaustive mapping of Adyen result codes. Payrail never asks for authentication-only flows, partial
 * authorisations or donations, so `AuthenticationFinished`, `AuthenticationNotRequired` and `Success` should not
 * answer a card payment; they map to `pending` (unknown is never final) and `sync` asks again.
 * `PartiallyAuthorised` holds funds the customer did not agree to pay in part: connector.ts releases it and declines.
 */
export const resultKinds: Readonly<Record<AdyenResultCode, ResultKind>> = {
  Authorised: 'authorized',
  PartiallyAuthorised: 'partially_authorized',
  Refused: 'declined',
  Error: 'declined',
  Cancelled: 'declined',
  RedirectShopper: 'requires_authentication',
  IdentifyShopper: 'requires_authentication',
  ChallengeShopper: 'requires_authentication',
  PresentToShopper: 'requires_authentication',
  Pending: 'pending',
  Received: 'pending',
  AuthenticationFinished: 'pending',
  AuthenticationNotRequired: 'pending',
  Success: 'pending',
};

export function isAdyenResultCode(value: unknown): value is AdyenResultCode {
  return typeof value === 'string' && (adyenResultCodes as readonly string[]).includes(value);
}

/** The subset of `PaymentResponse` (and `PaymentDetailsResponse`) that Payrail reads. */
export interface AdyenPaymentResponse {
  resultCode?: string;
  pspReference?: string;
  refusalReason?: string;
  refusalReasonCode?: string;
  action?: { type?: string; url?: string; method?: string; data?: Record<string, string>; [key: string]: unknown };
  fraudResult?: { accountScore?: number };
  merchantReference?: string;
  /** What Adyen adds (ResponseAdditionalData*): here, what it stored of a card asked to be stored. */
  additionalData?: Record<string, string>;
}

/** Adyen's `fraudResult.accountScore` is unbounded; Stripe's `risk_score` is 0-100. */
const riskScoreMax = 100;

/**
 * Maps an Adyen payment response to Payrail's outcome. `capture` is what was asked for: Adyen's `Authorised`
 * with `captureDelayHours: 0` is captured, with `manualCapture` it is not. A partial authorisation is reported as
 * `partially_authorized` for connector.ts to release; everything unknown is `pending`.
 */
export function fromPaymentResponse(response: AdyenPaymentResponse, capture: boolean, localMethod: string | null = null): AuthorizeOutput | { status: 'partially_authorized'; processorReference: string | null } {
  const processorReference = response.pspReference ?? null;
  if (!isAdyenResultCode(response.resultCode)) return { status: 'pending' };
  const resultCode = response.resultCode;
  const kind = resultKinds[resultCode];
  if (localMethod !== null) return fromLocalMethodResponse(response, resultCode, kind, localMethod);
  switch (kind) {
    case 'authorized':
      // Authorised without a reference would leave nothing to capture or refund: treat it as unknown.
      if (processorReference === null) return { status: 'pending' };
      return { status: 'authorized', captured: capture, processorReference, riskScore: riskScoreOf(response) };
    case 'partially_authorized':
      return { status: 'partially_authorized', processorReference };
    case 'declined':
      return { status: 'declined', decline: declineOf(resultCode, response.refusalReasonCode, response.refusalReason), processorReference, riskScore: riskScoreOf(response) };
    case 'requires_authentication':
      return { status: 'requires_authentication', processorReference, nextAction: redirectOf(response.action) };
    case 'pending':
      return { status: 'pending' };
    default:
      return assertNever(kind);
  }
}

/**
 * A local method's answer (`localMethod` is Adyen's name of it, `ideal` or `sepadirectdebit`):
 * - `Received` / `Pending` with a pspReference: Adyen accepted the payment and its outcome comes by webhook (a SEPA
 *   debit clearing): `processing`, not ambiguous. Without a pspReference it is unknown (`pending`);
 * - `Authorised`: paid and captured (neither method has a separate capture);
 * - `Refused` / `Cancelled` / `Error`: the Stripe decline of the method (local-methods.ts);
 * - `RedirectShopper`: the shopper goes to the bank's page (iDEAL).
 */
function fromLocalMethodResponse(response: AdyenPaymentResponse, resultCode: AdyenResultCode, kind: ResultKind, localMethod: string): AuthorizeOutput {
  const processorReference = response.pspReference ?? null;
  if ((resultCode === 'Received' || resultCode === 'Pending') && processorReference !== null) return { status: 'processing', processorReference };
  switch (kind) {
    case 'authorized':
      if (processorReference === null) return { status: 'pending' };
      return { status: 'authorized', captured: true, processorReference, riskScore: riskScoreOf(response) };
    case 'declined':
      return { status: 'declined', decline: localMethodDecline(localMethod, response.refusalReasonCode, response.refusalReason) ?? declineOf(resultCode, response.refusalReasonCode, response.refusalReason), processorReference, riskScore: riskScoreOf(response) };
    case 'requires_authentication':
      return { status: 'requires_authentication', processorReference, nextAction: redirectOf(response.action) };
    // A local method cannot be partially authorised: an answer Payrail cannot read is unknown, never final.
    case 'partially_authorized':
    case 'pending':
      return { status: 'pending' };
    default:
      return assertNever(kind);
  }
}

function riskScoreOf(response: AdyenPaymentResponse): number {
  const score = response.fraudResult?.accountScore;
  if (typeof score !== 'number' || !Number.isFinite(score)) return 0;
  return Math.min(riskScoreMax, Math.max(0, Math.round(score)));
}

function redirectOf(action: AdyenPaymentResponse['action']): RedirectToUrl | null {
  if (!action || action.type !== 'redirect' || typeof action.url !== 'string') return null;
  return { type: 'redirect_to_url', url: action.url, method: action.method?.toUpperCase() === 'POST' ? 'POST' : 'GET', data: action.data ?? {} };
}

// ---------------------------------------------------------------------------------------------------------------
// Declines (the refusal-reason table is declines.ts)
// ---------------------------------------------------------------------------------------------------------------

/**
 * The decline for a final failure. `Error` is a processing error unless Adyen gave a documented refusal reason;
 * `Refused` and `Cancelled` without a known reason are generic declines (Stripe's answer when the issuer says no
 * more).
 */
export function declineOf(resultCode: AdyenResultCode, code: string | undefined, reason: string | undefined): Decline {
  const known = refusalReasonCodeOf(code, reason);
  if (known !== null) return refusalDeclines[known];
  return resultCode === 'Error' ? processingError : genericDecline;
}

// ---------------------------------------------------------------------------------------------------------------
// Modifications
// ---------------------------------------------------------------------------------------------------------------

/** `PaymentCaptureResponse` / `PaymentCancelResponse` / `PaymentRefundResponse`: `status` is always `received`. */
export interface AdyenModificationResponse {
  pspReference?: string;
  paymentPspReference?: string;
  status?: string;
}

/**
 * How Payrail treats an accepted modification. Adyen answers every modification with `received` and reports the
 * outcome later in a webhook (CAPTURE / CAPTURE_FAILED, CANCELLATION, REFUND / REFUND_FAILED):
 * - a capture or cancel of an authorised payment within its amount is, per Adyen, processed without the issuer, and
 *   Payrail's capture and cancel flows need a final answer, so `received` is `succeeded` (a rare CAPTURE_FAILED
 *   webhook is then the correction);
 * - a refund can fail at the scheme for days, and Payrail's refunds can be `pending`, so `received` is `pending`
 *   until the REFUND webhook settles it.
 */
export type ModificationKind = 'capture' | 'cancel' | 'refund';

export function fromModificationResponse(kind: ModificationKind, response: AdyenModificationResponse): SimpleOutput {
  if (response.status !== 'received' || typeof response.pspReference !== 'string') return { status: 'pending' };
  switch (kind) {
    case 'capture':
    case 'cancel':
      return { status: 'succeeded', processorReference: response.pspReference };
    case 'refund':
      // Received, not yet done: its pspReference is what the REFUND webhook names.
      return { status: 'pending', processorReference: response.pspReference };
    default:
      return assertNever(kind);
  }
}
