import { createHash } from 'node:crypto';
import { assertNever, type AuthorizeInput, type AuthorizeOutput, type Decline, type RedirectToUrl, type SimpleOutput, type WalletPayer } from '../connector.ts';
import { toPayPalMoney, type PayPalMoney } from './amounts.ts';

/*
 * Pure mapping between Payrail's connector types and PayPal's Orders v2 / Payments v2 REST APIs
 * (specs/paypal/checkout_orders_v2.json, payments_payment_v2.json). Nothing here does I/O. Amounts become PayPal's
 * decimal strings only in amounts.ts.
 */

// ---------------------------------------------------------------------------------------------------------------
// Request ids
// ---------------------------------------------------------------------------------------------------------------

/** `PayPal-Request-Id` is 1 to 108 characters (Orders v2 `components.parameters.paypal_request_id`). */
export const requestIdLengthMax = 108;

export type PayPalOperation = 'create-order' | 'capture-order' | 'authorize-order' | 'capture' | 'refund';

/**
 * The `PayPal-Request-Id` of one operation on one Payrail object. PayPal replays the stored response for a repeated id
 * (developer.paypal.com/api/rest/reference/idempotency), so a retry or a `sync` never creates a second order, capture
 * or refund. Each operation has its own id: a capture must not replay the create's response.
 */
export function requestId(operation: PayPalOperation, payrailId: string): string {
  const readable = `payrail-${payrailId}-${operation}`;
  if (readable.length <= requestIdLengthMax) return readable;
  return createHash('sha256').update(readable).digest('hex');
}

// ---------------------------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------------------------

export interface OrderContext {
  /** Where PayPal sends the buyer after approving (`experience_context.return_url`); PayPal adds `token` and `PayerID`. */
  returnUrl: string;
  /** Where PayPal sends the buyer who cancels (`experience_context.cancel_url`); PayPal adds `token`. */
  cancelUrl: string;
  /** Shown to the buyer on PayPal instead of the PayPal account's business name. */
  brandName?: string;
}

/** The subset of `order_request` that Payrail sends. */
export interface PayPalOrderRequest {
  intent: 'CAPTURE' | 'AUTHORIZE';
  purchase_units: { reference_id: string; custom_id: string; amount: PayPalMoney }[];
  payment_source: {
    paypal: {
      experience_context: {
        return_url: string;
        cancel_url: string;
        brand_name?: string;
        user_action: 'PAY_NOW' | 'CONTINUE';
        shipping_preference: 'NO_SHIPPING';
      };
    };
  };
}

/**
 * Builds the create-order body. `custom_id` carries the attempt id, which the connector checks on the buyer's return
 * (so a `token` for another order is never captured) and which PayPal copies onto captures and authorizations. The
 * same input always gives the same body, so `sync` can replay it under the same PayPal-Request-Id.
 * `user_action: PAY_NOW` makes PayPal's button say "Pay Now": the payment completes when the buyer returns.
 */
export function toOrderRequest(input: Pick<AuthorizeInput, 'attemptId' | 'amount' | 'currency' | 'capture'>, context: OrderContext): PayPalOrderRequest {
  return {
    intent: input.capture ? 'CAPTURE' : 'AUTHORIZE',
    purchase_units: [{ reference_id: 'default', custom_id: input.attemptId, amount: toPayPalMoney(input.amount, input.currency) }],
    payment_source: {
      paypal: {
        experience_context: {
          return_url: context.returnUrl,
          cancel_url: context.cancelUrl,
          ...(context.brandName !== undefined ? { brand_name: context.brandName } : {}),
          user_action: 'PAY_NOW',
          shipping_preference: 'NO_SHIPPING',
        },
      },
    },
  };
}

export const orderStatuses = ['CREATED', 'SAVED', 'APPROVED', 'VOIDED', 'COMPLETED', 'PAYER_ACTION_REQUIRED'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** What an order's status means for the attempt. */
export type OrderKind = 'payer_action' | 'approved' | 'completed' | 'voided' | 'pending';

/**
 * The exhaustive mapping of order statuses (`order_status` in the spec):
 * - CREATED and PAYER_ACTION_REQUIRED wait for the buyer on PayPal's approval page;
 * - APPROVED: the buyer approved; the merchant must capture or authorize the order to take the money;
 * - COMPLETED: captured or authorized; the outcome is in `purchase_units[0].payments`;
 * - VOIDED: the order's authorization was voided;
 * - SAVED is for orders saved for later (`processing_instruction`), which Payrail never asks for: pending.
 */
export const orderKinds: Readonly<Record<OrderStatus, OrderKind>> = {
  CREATED: 'payer_action',
  PAYER_ACTION_REQUIRED: 'payer_action',
  APPROVED: 'approved',
  COMPLETED: 'completed',
  VOIDED: 'voided',
  SAVED: 'pending',
};

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (orderStatuses as readonly string[]).includes(value);
}

export interface PayPalLink {
  href: string;
  rel: string;
  method?: string;
}

/** `seller_protection` of a capture or authorization. */
export interface PayPalSellerProtection {
  status?: string;
  dispute_categories?: string[];
}

export interface PayPalCapture {
  id?: string;
  status?: string;
  amount?: PayPalMoney;
  custom_id?: string;
  seller_protection?: PayPalSellerProtection;
  supplementary_data?: { related_ids?: { order_id?: string; authorization_id?: string } };
  links?: PayPalLink[];
}

export interface PayPalAuthorization {
  id?: string;
  status?: string;
  amount?: PayPalMoney;
  custom_id?: string;
  seller_protection?: PayPalSellerProtection;
}

export interface PayPalRefund {
  id?: string;
  status?: string;
  amount?: PayPalMoney;
  custom_id?: string;
  links?: PayPalLink[];
}

/** The subset of `order` that Payrail reads. */
export interface PayPalOrder {
  id?: string;
  intent?: string;
  status?: string;
  purchase_units?: {
    custom_id?: string;
    amount?: PayPalMoney;
    payments?: { captures?: PayPalCapture[]; authorizations?: PayPalAuthorization[]; refunds?: PayPalRefund[] };
  }[];
  /** The buyer, once they approved (`payer` is deprecated in favour of `payment_source.paypal`; both are read). */
  payer?: { payer_id?: string; email_address?: string; name?: { given_name?: string; surname?: string }; address?: { country_code?: string } };
  payment_source?: { paypal?: { account_id?: string; email_address?: string; name?: { given_name?: string; surname?: string }; address?: { country_code?: string } } };
  links?: PayPalLink[];
}

/** The buyer's approval link: `payer-action` when the order named `payment_source.paypal`, `approve` otherwise. */
export function approvalRedirect(order: PayPalOrder): RedirectToUrl | null {
  const link = order.links?.find((candidate) => candidate.rel === 'payer-action') ?? order.links?.find((candidate) => candidate.rel === 'approve');
  return link ? { type: 'redirect_to_url', url: link.href, method: 'GET', data: {} } : null;
}

/** Whether an order is the one Payrail created for this attempt (the `token` on a return URL can be tampered with). */
export function orderMatchesAttempt(order: PayPalOrder, input: Pick<AuthorizeInput, 'attemptId' | 'amount' | 'currency' | 'capture'>): boolean {
  const unit = order.purchase_units?.[0];
  if (!unit || unit.custom_id !== input.attemptId || order.intent !== (input.capture ? 'CAPTURE' : 'AUTHORIZE')) return false;
  const expected = toPayPalMoney(input.amount, input.currency);
  return unit.amount?.currency_code === expected.currency_code && unit.amount.value === expected.value;
}

// ---------------------------------------------------------------------------------------------------------------
// Captures, authorizations, refunds
// ---------------------------------------------------------------------------------------------------------------

export const captureStatuses = ['COMPLETED', 'DECLINED', 'PARTIALLY_REFUNDED', 'PENDING', 'REFUNDED', 'FAILED'] as const;
export type CaptureStatus = (typeof captureStatuses)[number];

/**
 * Capture statuses (`capture_status`): a capture that is COMPLETED, or since then (partially) refunded, took the money;
 * PENDING settles later (PAYMENT.CAPTURE.COMPLETED or .DENIED webhook); DECLINED and FAILED did not.
 */
export const captureOutcomes: Readonly<Record<CaptureStatus, 'succeeded' | 'pending' | 'failed'>> = {
  COMPLETED: 'succeeded',
  PARTIALLY_REFUNDED: 'succeeded',
  REFUNDED: 'succeeded',
  PENDING: 'pending',
  DECLINED: 'failed',
  FAILED: 'failed',
};

export const authorizationStatuses = ['CREATED', 'CAPTURED', 'DENIED', 'PARTIALLY_CAPTURED', 'VOIDED', 'PENDING'] as const;
export type AuthorizationStatus = (typeof authorizationStatuses)[number];

/**
 * Authorization statuses (`authorization_status`): CREATED holds the funds; (PARTIALLY_)CAPTURED did too before it was
 * captured; PENDING is under review; DENIED was refused; VOIDED was released and can no longer be captured.
 */
export const authorizationOutcomes: Readonly<Record<AuthorizationStatus, 'authorized' | 'captured' | 'pending' | 'denied' | 'voided'>> = {
  CREATED: 'authorized',
  PARTIALLY_CAPTURED: 'captured',
  CAPTURED: 'captured',
  PENDING: 'pending',
  DENIED: 'denied',
  VOIDED: 'voided',
};

export const refundStatuses = ['CANCELLED', 'FAILED', 'PENDING', 'COMPLETED'] as const;
export type RefundStatus = (typeof refundStatuses)[number];

/** Refund statuses (`refund_status`): only COMPLETED is money returned; CANCELLED and FAILED are final failures. */
export const refundOutcomes: Readonly<Record<RefundStatus, 'succeeded' | 'pending' | 'failed'>> = {
  COMPLETED: 'succeeded',
  PENDING: 'pending',
  CANCELLED: 'failed',
  FAILED: 'failed',
};

function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

const declinedMessage = 'Your payment was declined by PayPal.';

/** PayPal refused the buyer's funding source (422 INSTRUMENT_DECLINED, or a DECLINED capture). */
export const fundingDeclined: Decline = { code: 'card_declined', declineCode: 'generic_decline', message: declinedMessage, blocked: false, networkStatus: 'declined_by_network' };

/** The buyer cancelled on PayPal or did not approve: Stripe's error for a failed redirect authentication. */
export const buyerDidNotApprove: Decline = {
  code: 'payment_intent_authentication_failure',
  declineCode: 'generic_decline',
  message: 'The customer did not approve the payment on PayPal.',
  blocked: false,
  networkStatus: 'not_sent_to_network',
};

/** PayPal refused the request itself (a validation error, an order that does not belong to the attempt). */
export { processingError } from '../shared/declines.ts';

/** PayPal's seller protection statuses in Stripe's words (`payment_method_details.paypal.seller_protection.status`). */
const sellerProtectionStatuses: Readonly<Record<string, string>> = { ELIGIBLE: 'eligible', PARTIALLY_ELIGIBLE: 'partially_eligible', NOT_ELIGIBLE: 'not_eligible' };
/** PayPal's dispute categories in Stripe's words (`seller_protection.dispute_categories`). */
const disputeCategories: Readonly<Record<string, string>> = { ITEM_NOT_RECEIVED: 'product_not_received', UNAUTHORIZED_TRANSACTION: 'fraudulent' };

/**
 * What a completed order says about the buyer and the transaction (the capture of intent CAPTURE, the authorization of
 * intent AUTHORIZE): `payment_source.paypal`, falling back to the deprecated `payer`. Unknown values are null.
 */
export function payerOf(order: PayPalOrder): WalletPayer {
  const source = order.payment_source?.paypal;
  const payments = order.purchase_units?.[0]?.payments;
  const transaction = order.intent === 'CAPTURE' ? payments?.captures?.[0] : payments?.authorizations?.[0];
  const name = source?.name ?? order.payer?.name;
  const fullName = [name?.given_name, name?.surname].filter((part) => typeof part === 'string' && part !== '').join(' ');
  const protection = transaction?.seller_protection;
  const protectionStatus = typeof protection?.status === 'string' ? sellerProtectionStatuses[protection.status] : undefined;
  const country = source?.address?.country_code ?? order.payer?.address?.country_code;
  return {
    payerId: source?.account_id ?? order.payer?.payer_id ?? null,
    payerEmail: source?.email_address ?? order.payer?.email_address ?? null,
    payerName: fullName === '' ? null : fullName,
    country: typeof country === 'string' ? country.toUpperCase() : null,
    transactionId: typeof transaction?.id === 'string' ? transaction.id : null,
    sellerProtection: protectionStatus === undefined ? null : {
      status: protectionStatus,
      disputeCategories: Array.isArray(protection?.dispute_categories)
        ? protection.dispute_categories.flatMap((category) => disputeCategories[category] ?? [])
        : null,
    },
  };
}

/** `{payer}` when the order tells anything about the buyer or the transaction, `{}` when it tells nothing. */
function payerFields(order: PayPalOrder): { payer?: WalletPayer } {
  const payer = payerOf(order);
  return Object.values(payer).some((value) => value !== null) ? { payer } : {};
}

/**
 * The attempt's outcome from a COMPLETED order: the first capture (intent CAPTURE) or authorization (intent
 * AUTHORIZE) in `purchase_units[0].payments`, with what the order tells about the payer (`payerOf`). The processor
 * reference is the order id: capture, void and refund find the authorization or capture in the order, because Payrail
 * keeps one reference per charge. Anything unreadable is pending.
 */
export function fromCompletedOrder(order: PayPalOrder): AuthorizeOutput {
  const orderId = order.id;
  const payments = order.purchase_units?.[0]?.payments;
  if (typeof orderId !== 'string' || !payments) return { status: 'pending' };
  if (order.intent === 'CAPTURE') {
    const status = payments.captures?.[0]?.status;
    if (!isOneOf(captureStatuses, status)) return { status: 'pending' };
    const outcome = captureOutcomes[status];
    switch (outcome) {
      case 'succeeded':
        return { status: 'authorized', captured: true, processorReference: orderId, riskScore: 0, ...payerFields(order) };
      case 'pending':
        return { status: 'pending' };
      case 'failed':
        return { status: 'declined', decline: fundingDeclined, processorReference: orderId, riskScore: 0 };
      default:
        return assertNever(outcome);
    }
  }
  const status = payments.authorizations?.[0]?.status;
  if (!isOneOf(authorizationStatuses, status)) return { status: 'pending' };
  const outcome = authorizationOutcomes[status];
  switch (outcome) {
    case 'authorized':
      return { status: 'authorized', captured: false, processorReference: orderId, riskScore: 0, ...payerFields(order) };
    case 'captured':
      return { status: 'authorized', captured: true, processorReference: orderId, riskScore: 0, ...payerFields(order) };
    case 'pending':
      return { status: 'pending' };
    case 'denied':
    case 'voided':
      return { status: 'declined', decline: fundingDeclined, processorReference: orderId, riskScore: 0 };
    default:
      return assertNever(outcome);
  }
}

/** A capture response (`capture-2`) as Payrail's capture outcome; the reference is PayPal's capture id. */
export function fromCapture(capture: PayPalCapture): SimpleOutput {
  if (!isOneOf(captureStatuses, capture.status) || typeof capture.id !== 'string') return { status: 'pending' };
  const outcome = captureOutcomes[capture.status];
  switch (outcome) {
    case 'succeeded':
      return { status: 'succeeded', processorReference: capture.id };
    case 'pending':
      return { status: 'pending' };
    case 'failed':
      return { status: 'failed', reason: `paypal_capture_${capture.status.toLowerCase()}` };
    default:
      return assertNever(outcome);
  }
}

/** A refund (`refund`) as Payrail's refund outcome, with Stripe's `failure_reason` vocabulary for failures. */
export function fromRefund(refund: PayPalRefund): SimpleOutput {
  if (!isOneOf(refundStatuses, refund.status) || typeof refund.id !== 'string') return { status: 'pending' };
  const outcome = refundOutcomes[refund.status];
  switch (outcome) {
    case 'succeeded':
      return { status: 'succeeded', processorReference: refund.id };
    case 'pending':
      return { status: 'pending' };
    case 'failed':
      return { status: 'failed', reason: refund.status === 'CANCELLED' ? 'unknown' : 'declined' };
    default:
      return assertNever(outcome);
  }
}

/** The refund request: the amount and Payrail's refund id as `custom_id` (reconciliation in PayPal's reports). */
export function toRefundRequest(amount: number, currency: string, refundId: string): { amount: PayPalMoney; custom_id: string } {
  return { amount: toPayPalMoney(amount, currency), custom_id: refundId };
}

/** The capture of an authorization: Payrail captures once, so it is final and releases any remainder. */
export function toAuthorizationCaptureRequest(amount: number, currency: string): { amount: PayPalMoney; final_capture: true } {
  return { amount: toPayPalMoney(amount, currency), final_capture: true };
}
