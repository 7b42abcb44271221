import { createHash } from 'node:crypto';
import { assertNever, ConnectorRequestError, type AuthorizeInput, type AuthorizeOutput, type Decline, type RedirectToUrl, type SimpleOutput } from '../connector.ts';

/*
 * Pure mapping between Payrail's connector types and Stripe's REST API (PaymentIntents, PaymentMethods, Refunds).
 * Nothing here does I/O: connector.ts sends what these functions build and hands back what Stripe answered.
 *
 * Amounts need no conversion: Payrail's minor units are Stripe's (Payrail follows Stripe's currency table, including
 * where Stripe departs from ISO 4217, e.g. zero-decimal MGA), so an amount passes through unchanged.
 */

/**
 * The API version the connector is written against, sent as `Stripe-Version` on every request so that an account
 * whose default version differs still answers in the shape parsed here.
 */
export const stripeApiVersion = '2025-10-29.clover';

// ---------------------------------------------------------------------------------------------------------------
// Idempotency keys
// ---------------------------------------------------------------------------------------------------------------

/** Stripe's limit on an `Idempotency-Key` (255 characters). */
export const idempotencyKeyLengthMax = 255;

export type StripeOperation = 'payment_method' | 'authorize' | 'capture' | 'cancel' | 'refund' | 'increment';

/**
 * The Stripe idempotency key of one operation on one Payrail object. Each operation gets its own key (a capture must
 * not replay the authorization's stored response), and the same Payrail id always gives the same key, so a retry or
 * a `sync` replays rather than repeats. A key too long for Stripe becomes the SHA-256 of the same text.
 */
export function idempotencyKey(operation: StripeOperation, payrailId: string): string {
  const readable = `payrail.${payrailId}.${operation}`;
  if (readable.length <= idempotencyKeyLengthMax) return readable;
  return createHash('sha256').update(readable).digest('hex');
}

// ---------------------------------------------------------------------------------------------------------------
// Form encoding
// ---------------------------------------------------------------------------------------------------------------

export type FormValue = string | number | boolean | null | undefined | readonly FormValue[] | { readonly [key: string]: FormValue };

/** Nesting deeper than this is not a Stripe request (Stripe's deepest parameters are three or four levels). */
export const formDepthMax = 8;

/**
 * Encodes parameters as Stripe expects them: `application/x-www-form-urlencoded` with bracket notation for nested
 * objects (`card[number]=...`) and indexed arrays (`expand[0]=...`), as Stripe's own libraries send them.
 * `undefined` is left out; `null` becomes an empty value, which is how Stripe's API unsets a field.
 */
export function encodeForm(params: { readonly [key: string]: FormValue }): string {
  const pairs: [string, string][] = [];
  const visit = (key: string, value: FormValue, depth: number): void => {
    if (depth > formDepthMax) throw new Error(`form parameter ${key} is nested deeper than ${formDepthMax} levels`);
    if (value === undefined) return;
    if (value === null) pairs.push([key, '']);
    else if (Array.isArray(value)) value.forEach((item, index) => visit(`${key}[${index}]`, item, depth + 1));
    else if (typeof value === 'object') for (const [inner, item] of Object.entries(value)) visit(`${key}[${inner}]`, item, depth + 1);
    else pairs.push([key, String(value)]);
  };
  for (const [key, value] of Object.entries(params)) visit(key, value, 1);
  return new URLSearchParams(pairs).toString();
}

// ---------------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------------

/** Metadata keys by which the Stripe objects are tied back to Payrail's ids. */
export const attemptMetadataKey = 'payrail_attempt';
export const refundMetadataKey = 'payrail_refund';

/**
 * `POST /v1/payment_methods`: the card as a PaymentMethod. Stripe's `payment_method_data` on the PaymentIntent would
 * save a request, but Payrail's Stripe-compatible API does not take it yet, and a separate PaymentMethod works
 * against both (it is the same raw-card-data permission at Stripe). No CVC: Payrail never keeps one.
 */
export function toPaymentMethodParams(input: AuthorizeInput) {
  // Routing sends Stripe card payments only (its configurations carry `card`): a payment without one is not sent.
  if (input.card === undefined) throw new ConnectorRequestError('configuration', 'The Stripe connector carries card payments only: this payment has no card.');
  return {
    type: 'card',
    card: { number: input.card.number, exp_month: input.card.expMonth, exp_year: input.card.expYear },
    ...(input.card.holderName ? { billing_details: { name: input.card.holderName } } : {}),
    metadata: { [attemptMetadataKey]: input.attemptId },
  };
}

export interface PaymentIntentContext {
  /** Where Stripe sends the customer back after a 3-D Secure redirect; with it Stripe answers `redirect_to_url`. */
  returnUrl: string | null;
}

/**
 * `POST /v1/payment_intents`, created and confirmed in one call. The same input always gives the same parameters,
 * which Stripe requires for an idempotent replay. `latest_charge` is expanded for its `outcome` (risk score).
 */
export function toPaymentIntentParams(input: AuthorizeInput, paymentMethodId: string, context: PaymentIntentContext) {
  return {
    amount: input.amount,
    currency: input.currency,
    payment_method: paymentMethodId,
    payment_method_types: ['card'],
    confirm: true,
    capture_method: input.capture ? 'automatic' : 'manual',
    return_url: context.returnUrl ?? undefined,
    metadata: { [attemptMetadataKey]: input.attemptId },
    payment_method_options: cardOptionsOf(input),
    expand: ['latest_charge'],
  };
}

/** The merchant's card options Stripe acts on itself (3-D Secure on request, incremental authorization); none by default. */
function cardOptionsOf(input: AuthorizeInput): { card: Record<string, string> } | undefined {
  const card: Record<string, string> = {};
  if (input.requestThreeDSecure !== undefined && input.requestThreeDSecure !== 'automatic') card.request_three_d_secure = input.requestThreeDSecure;
  if (input.requestIncrementalAuthorization === true && !input.capture) card.request_incremental_authorization = 'if_available';
  return Object.keys(card).length > 0 ? { card } : undefined;
}

export function toIncrementParams(amount: number) {
  return { amount, expand: ['latest_charge'] };
}

export function toCaptureParams(amount: number) {
  return { amount_to_capture: amount, expand: ['latest_charge'] };
}

export function toRefundParams(paymentIntentId: string, amount: number, refundId: string, attemptId: string) {
  return { payment_intent: paymentIntentId, amount, metadata: { [refundMetadataKey]: refundId, [attemptMetadataKey]: attemptId } };
}

// ---------------------------------------------------------------------------------------------------------------
// Stripe objects (the fields Payrail reads)
// ---------------------------------------------------------------------------------------------------------------

export interface StripeChargeOutcome {
  type?: string;
  network_status?: string | null;
  risk_score?: number | null;
}

export interface StripeCharge {
  id: string;
  object?: 'charge';
  payment_intent?: string | null;
  outcome?: StripeChargeOutcome | null;
  amount_refunded?: number;
  refunded?: boolean;
  metadata?: Record<string, string>;
  payment_method_details?: { card?: { incremental_authorization?: { status?: string } | null } | null } | null;
}

/** Stripe's error object, also `last_payment_error` of a PaymentIntent. */
export interface StripeError {
  type?: string;
  code?: string;
  decline_code?: string;
  message?: string;
  param?: string;
  charge?: string;
  payment_intent?: StripePaymentIntent;
}

export interface StripePaymentIntent {
  id: string;
  object?: 'payment_intent';
  status: string;
  amount?: number;
  amount_capturable?: number;
  amount_received?: number;
  currency?: string;
  capture_method?: string;
  latest_charge?: string | StripeCharge | null;
  last_payment_error?: StripeError | null;
  next_action?: { type?: string; redirect_to_url?: { url?: string | null; return_url?: string | null } } | null;
  metadata?: Record<string, string>;
}

export interface StripeRefund {
  id: string;
  object?: 'refund';
  status?: string | null;
  amount?: number;
  payment_intent?: string | null;
  failure_reason?: string | null;
  metadata?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------------------
// PaymentIntent statuses
// ---------------------------------------------------------------------------------------------------------------

/** Every `status` of a PaymentIntent in Stripe's API. */
export const paymentIntentStatuses = ['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'requires_capture', 'canceled', 'succeeded'] as const;
export type PaymentIntentStatus = (typeof paymentIntentStatuses)[number];

export type IntentKind = 'captured' | 'authorized' | 'requires_authentication' | 'pending' | 'declined';

/**
 * The exhaustive mapping of PaymentIntent statuses. `requires_confirmation` cannot follow a create with
 * `confirm=true`, so it is not a final answer: `pending`, and `sync` asks again. `requires_payment_method` after a
 * confirmation is Stripe's failed attempt, and `canceled` an attempt that can no longer succeed: both declined.
 */
export const intentKinds: Readonly<Record<PaymentIntentStatus, IntentKind>> = {
  succeeded: 'captured',
  requires_capture: 'authorized',
  requires_action: 'requires_authentication',
  processing: 'pending',
  requires_confirmation: 'pending',
  requires_payment_method: 'declined',
  canceled: 'declined',
};

export function isPaymentIntentStatus(value: unknown): value is PaymentIntentStatus {
  return typeof value === 'string' && (paymentIntentStatuses as readonly string[]).includes(value);
}

/** Whether Stripe's answer about an intent can still change without another request from Payrail. */
export function isSettledIntent(intent: StripePaymentIntent): boolean {
  if (!isPaymentIntentStatus(intent.status)) return false;
  const kind = intentKinds[intent.status];
  return kind !== 'pending' && kind !== 'requires_authentication';
}

/** Stripe's `outcome.risk_score` is 0-100 already; anything else is clamped into it. */
const riskScoreMax = 100;

/**
 * Maps a PaymentIntent to Payrail's outcome. Whether it was captured is Stripe's `succeeded`, not what was asked.
 * `charge` is the latest charge when the caller has it (expanded or retrieved), for the outcome and risk score.
 * `requires_authentication` carries the redirect and the PaymentIntent id (to retrieve it once the customer is back).
 */
export function fromPaymentIntent(intent: StripePaymentIntent, charge?: StripeCharge | null): AuthorizeOutput {
  if (!isPaymentIntentStatus(intent.status) || typeof intent.id !== 'string') return { status: 'pending' };
  const latest = charge ?? (typeof intent.latest_charge === 'object' ? intent.latest_charge : null);
  const kind = intentKinds[intent.status];
  switch (kind) {
    case 'captured':
      return { status: 'authorized', captured: true, processorReference: intent.id, riskScore: riskScoreOf(latest) };
    case 'authorized':
      return {
        status: 'authorized', captured: false, processorReference: intent.id, riskScore: riskScoreOf(latest),
        // Said only when Stripe offers it (the charge's incremental_authorization.status), as other connectors never do.
        ...(latest?.payment_method_details?.card?.incremental_authorization?.status === 'available' ? { incrementalAuthorization: true } : {}),
      };
    case 'requires_authentication':
      return { status: 'requires_authentication', processorReference: intent.id, nextAction: redirectOf(intent) };
    case 'pending':
      return { status: 'pending' };
    case 'declined':
      return {
        status: 'declined',
        decline: intent.status === 'canceled' && !intent.last_payment_error ? canceledDecline : declineOf(intent.last_payment_error ?? null, latest),
        processorReference: intent.id,
        riskScore: riskScoreOf(latest),
      };
    default:
      return assertNever(kind);
  }
}

function riskScoreOf(charge: StripeCharge | null | undefined): number {
  const score = charge?.outcome?.risk_score;
  if (typeof score !== 'number' || !Number.isFinite(score)) return 0;
  return Math.min(riskScoreMax, Math.max(0, Math.round(score)));
}

function redirectOf(intent: StripePaymentIntent): RedirectToUrl | null {
  const url = intent.next_action?.type === 'redirect_to_url' ? intent.next_action.redirect_to_url?.url : undefined;
  return typeof url === 'string' && url !== '' ? { type: 'redirect_to_url', url, method: 'GET', data: {} } : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Declines
// ---------------------------------------------------------------------------------------------------------------

const declinedMessage = 'Your card was declined.';
const processingErrorMessage = 'An error occurred while processing your card. Try again in a little bit.';

/**
 * Stripe's error code for a customer who failed 3-D Secure, which Stripe sends without a `decline_code`. Payrail's
 * decline code for a failed authentication is `authentication_required` (as the test processor and the Adyen connector
 * report it): that is what tells the payment the customer was not authenticated, so it is not shown as authenticated.
 */
const authenticationFailureCode = 'payment_intent_authentication_failure';

/** A PaymentIntent canceled before it succeeded (by Stripe or on the account), with no decline to report. */
const canceledDecline: Decline = { code: 'card_declined', declineCode: 'generic_decline', message: declinedMessage, blocked: false, networkStatus: 'not_sent_to_network' };

/** A card error without a code: the issuer said no and nothing more. */
const genericIssuerDecline: Decline = { ...canceledDecline, networkStatus: 'declined_by_network' };

/** What Stripe's error says when it says nothing usable: a processing error that never reached the network. */
export const processingErrorDecline: Decline = { code: 'processing_error', declineCode: 'processing_error', message: processingErrorMessage, blocked: false, networkStatus: 'not_sent_to_network' };

/**
 * Maps Stripe's card error (`last_payment_error`, or the error of a 402) to Payrail's Decline. Payrail's decline
 * vocabulary is Stripe's, so `code`, `decline_code` and `message` pass through one to one (an error without
 * `decline_code` gets its `code` as decline code, except a failed authentication: `authenticationFailureCode`). `blocked` and the
 * network status come from the charge's `outcome` when known (`type: 'blocked'` is Stripe Radar refusing; an
 * issuer decline is `issuer_declined`); without it, a card error is taken to be the issuer's.
 */
export function declineOf(error: StripeError | null, charge?: StripeCharge | null): Decline {
  if (!error) return processingErrorDecline;
  const isCardError = error.type === 'card_error';
  if (typeof error.code !== 'string' && typeof error.decline_code !== 'string') return isCardError ? genericIssuerDecline : processingErrorDecline;
  const code = typeof error.code === 'string' ? error.code : 'card_declined';
  const outcome = charge?.outcome ?? null;
  const blocked = outcome?.type === 'blocked';
  let networkStatus: Decline['networkStatus'];
  if (outcome !== null) networkStatus = blocked || outcome.network_status === 'not_sent_to_network' ? 'not_sent_to_network' : 'declined_by_network';
  else networkStatus = isCardError ? 'declined_by_network' : 'not_sent_to_network';
  return {
    code,
    declineCode: typeof error.decline_code === 'string' ? error.decline_code : code === authenticationFailureCode ? 'authentication_required' : code,
    message: typeof error.message === 'string' && error.message !== '' ? error.message : declinedMessage,
    blocked,
    networkStatus,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Captures, cancels, refunds
// ---------------------------------------------------------------------------------------------------------------

/** A capture is done when Stripe says `succeeded`; `processing` (some methods) waits; anything else did not capture. */
export function fromCapturedIntent(intent: StripePaymentIntent): SimpleOutput {
  if (intent.status === 'succeeded') return { status: 'succeeded', processorReference: intent.id };
  if (intent.status === 'processing' || !isPaymentIntentStatus(intent.status)) return { status: 'pending' };
  return { status: 'failed', reason: `stripe_intent_${intent.status}` };
}

/** A void is done when the intent is `canceled`. */
export function fromCanceledIntent(intent: StripePaymentIntent): SimpleOutput {
  if (intent.status === 'canceled') return { status: 'succeeded', processorReference: intent.id };
  if (intent.status === 'processing' || !isPaymentIntentStatus(intent.status)) return { status: 'pending' };
  return { status: 'failed', reason: `stripe_intent_${intent.status}` };
}

/** Every `status` of a Stripe refund. */
export const refundStatuses = ['pending', 'requires_action', 'succeeded', 'failed', 'canceled'] as const;
export type RefundStatus = (typeof refundStatuses)[number];

export const refundKinds: Readonly<Record<RefundStatus, SimpleOutput['status']>> = {
  succeeded: 'succeeded',
  pending: 'pending',
  // Stripe waits on the customer (some non-card methods); for Payrail the refund is simply not done yet.
  requires_action: 'pending',
  failed: 'failed',
  canceled: 'failed',
};

/** Stripe's refund `failure_reason` values, which are Payrail's too (src/refunds/refund-change.ts `refundFailureReasons`). */
const refundFailureReasons = new Set(['lost_or_stolen_card', 'expired_or_canceled_card', 'charge_for_pending_refund_disputed', 'insufficient_funds', 'declined', 'merchant_request', 'unknown']);

function isRefundStatus(value: unknown): value is RefundStatus {
  return typeof value === 'string' && (refundStatuses as readonly string[]).includes(value);
}

/** Maps a Stripe refund; the processor reference of a refund is Stripe's refund id. */
export function fromRefund(refund: StripeRefund): SimpleOutput {
  if (!isRefundStatus(refund.status) || typeof refund.id !== 'string') return { status: 'pending' };
  const kind = refundKinds[refund.status];
  switch (kind) {
    case 'succeeded':
      return { status: 'succeeded', processorReference: refund.id };
    case 'pending':
      return { status: 'pending' };
    case 'failed': {
      if (refund.status === 'canceled') return { status: 'failed', reason: 'merchant_request' };
      const reason = refund.failure_reason ?? 'unknown';
      return { status: 'failed', reason: refundFailureReasons.has(reason) ? reason : 'unknown' };
    }
    default:
      return assertNever(kind);
  }
}
