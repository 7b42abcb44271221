import { assertNever, type AuthorizeInput, type AuthorizeOutput, type Decline, type RedirectToUrl, type SimpleOutput } from '../connector.ts';

/**
 * Pure mapping between Payrail and Razorpay's REST API v1 (razorpay.com/docs/api: Orders, Payments, S2S UPI,
 * Refunds). Amounts: Razorpay counts in the currency's smallest unit (paise for INR), which is Payrail's minor unit, so
 * the number passes as it is; currencies are upper case there.
 */

/**
 * The payment method types this connector carries (connector configurations may list only these): UPI server to
 * server, cards on Razorpay's hosted checkout (the payer types the card there: Razorpay takes card numbers server to
 * server only from PCI-certified merchants who ask for it).
 */
export const razorpayCarriedTypes = ['upi', 'card'] as const;

/** Razorpay's limit on an order's `receipt` (and a refund's). */
export const receiptLengthMax = 40;

/**
 * What Razorpay's S2S API needs and a Stripe-shaped payment may lack: the payer's e-mail and phone number. Sent in their
 * place when the PaymentMethod's billing details have none (docs/connectors.md says so to the merchant).
 */
export const placeholderEmail = 'void@razorpay.com';
export const placeholderContact = '+919000090000';

/** How long a UPI intent link stays payable: Razorpay times an unanswered UPI payment out after about 12 minutes. */
export const upiIntentExpirySeconds = 720;

export interface RazorpayOrder {
  id?: string;
  amount?: number;
  currency?: string;
  receipt?: string | null;
  status?: string;
  notes?: unknown;
}

export interface RazorpayPayment {
  id?: string;
  order_id?: string;
  amount?: number;
  currency?: string;
  status?: string;
  method?: string;
  captured?: boolean;
  vpa?: string | null;
  upi?: { vpa?: string | null; flow?: string | null } | null;
  notes?: unknown;
  error_code?: string | null;
  error_description?: string | null;
  error_reason?: string | null;
  acquirer_data?: Record<string, unknown>;
}

export interface RazorpayRefund {
  id?: string;
  payment_id?: string;
  amount?: number;
  status?: string;
  receipt?: string | null;
  notes?: unknown;
}

export interface RazorpayCollection<T> {
  items?: T[];
}

/** The UPI flow of a payment: `payment_method_options[upi][flow]=intent` opens the payer's UPI app; else a collect request to the VPA. */
export function upiFlowOf(input: Pick<AuthorizeInput, 'localMethod'>): 'collect' | 'intent' {
  return input.localMethod?.options.flow === 'intent' ? 'intent' : 'collect';
}

/** The order an attempt pays (POST /v1/orders): its receipt is the attempt id, which is how a retry finds it again. */
export function toOrderRequest(input: AuthorizeInput): Record<string, unknown> {
  if (input.attemptId.length > receiptLengthMax) throw new Error(`attempt id ${input.attemptId} is longer than Razorpay's receipt`);
  return {
    amount: input.amount,
    currency: input.currency.toUpperCase(),
    receipt: input.attemptId,
    notes: { payrail_attempt: input.attemptId },
    payment: { capture: input.capture ? 'automatic' : 'manual' },
  };
}

/**
 * Razorpay's hosted checkout for a card payment of the order (razorpay.com/docs: Hosted Checkout): a form POST to
 * `/v1/checkout/embedded` with the key id, the order and the callback URL, where Razorpay's page POSTs its result
 * (`razorpay_payment_id`, `razorpay_order_id`, `razorpay_signature`, or `error[...]`) once the payer has paid.
 */
export function checkoutRedirect(baseUrl: string, keyId: string, orderId: string, callbackUrl: string, input: Pick<AuthorizeInput, 'attemptId' | 'card'>): RedirectToUrl {
  const data: Record<string, string> = { key_id: keyId, order_id: orderId, callback_url: callbackUrl, name: 'Payrail', description: `Payment ${input.attemptId}` };
  if (input.card?.holderName) data['prefill[name]'] = input.card.holderName;
  return { type: 'redirect_to_url', url: `${baseUrl}/v1/checkout/embedded`, method: 'POST', data };
}

/** The UPI payment of the attempt's order (POST /v1/payments/create/upi): collect to the VPA, or intent. */
export function toUpiPaymentRequest(input: AuthorizeInput, orderId: string): Record<string, unknown> {
  const method = input.localMethod;
  if (method?.type !== 'upi') throw new Error(`the Razorpay connector does not carry ${method?.type ?? 'card'} payments`);
  const flow = upiFlowOf(input);
  const vpa = typeof method.details.vpa === 'string' ? method.details.vpa : null;
  if (flow === 'collect' && vpa === null) throw new Error('a UPI collect request needs the PaymentMethod\'s VPA');
  return {
    amount: input.amount,
    currency: input.currency.toUpperCase(),
    order_id: orderId,
    method: 'upi',
    upi: flow === 'collect' ? { flow, vpa } : { flow },
    email: method.billingDetails.email ?? placeholderEmail,
    contact: method.billingDetails.phone ?? placeholderContact,
    description: `Payment ${input.attemptId}`,
    notes: { payrail_attempt: input.attemptId },
  };
}

/** The attempt a Razorpay payment or order belongs to: the notes Payrail put on it. */
export function attemptIdOf(entity: { notes?: unknown; receipt?: string | null } | undefined): string | null {
  if (!entity) return null;
  const notes = entity.notes as { payrail_attempt?: unknown } | null | undefined;
  if (notes && !Array.isArray(notes) && typeof notes.payrail_attempt === 'string') return notes.payrail_attempt;
  return typeof entity.receipt === 'string' && entity.receipt !== '' ? entity.receipt : null;
}

export function refundIdOf(refund: RazorpayRefund): string | null {
  const notes = refund.notes as { payrail_refund?: unknown } | null | undefined;
  if (notes && !Array.isArray(notes) && typeof notes.payrail_refund === 'string') return notes.payrail_refund;
  return typeof refund.receipt === 'string' && refund.receipt !== '' ? refund.receipt : null;
}

/** Razorpay's payment statuses (razorpay.com/docs/payments/payments, "Payment life cycle"). */
export const paymentStatuses = ['created', 'authorized', 'captured', 'refunded', 'failed'] as const;
export type RazorpayPaymentStatus = (typeof paymentStatuses)[number];

export function isPaymentStatus(value: unknown): value is RazorpayPaymentStatus {
  return (paymentStatuses as readonly unknown[]).includes(value);
}

type StatusKind = 'awaiting_payer' | 'authorized' | 'captured' | 'failed';
const statusKinds: Record<RazorpayPaymentStatus, StatusKind> = {
  created: 'awaiting_payer',
  authorized: 'authorized',
  captured: 'captured',
  refunded: 'captured',
  failed: 'failed',
};

function decline(code: string, declineCode: string, message: string): Decline {
  return { code, declineCode, message, blocked: false, networkStatus: 'declined_by_network' };
}

/**
 * Razorpay's UPI failure reasons (`error_reason`, S2S UPI error codes) in Stripe's words, as the test processor's
 * UPI declines read: the payer's refusal or timeout, a wrong PIN, too little money, the bank's refusal.
 */
const failureReasons: Record<string, Decline> = {
  payment_cancelled: decline('payment_method_provider_decline', 'customer_declined', 'The customer declined the UPI collect request or let it time out.'),
  payment_timed_out: decline('payment_method_provider_timeout', 'customer_declined', 'The customer did not approve the UPI request in time.'),
  incorrect_pin: decline('payment_method_provider_decline', 'incorrect_pin', 'The customer entered an incorrect UPI PIN.'),
  insufficient_funds: decline('payment_method_provider_decline', 'insufficient_funds', 'The bank account has insufficient funds to complete the payment.'),
  payment_declined: decline('payment_method_provider_decline', 'customer_declined', 'The customer declined the UPI collect request.'),
};
const genericFailure = decline('payment_method_provider_decline', 'generic_decline', 'The UPI payment failed.');

export { processingError } from '../shared/declines.ts';

/** Razorpay's bank refused the card on its checkout (any `error_reason`): Stripe's generic card decline. */
export const cardDeclined = decline('card_declined', 'generic_decline', 'Your card was declined.');

export function declineOf(payment: RazorpayPayment): Decline {
  if (payment.method === 'card') return cardDeclined;
  const reason = payment.error_reason ?? '';
  return Object.hasOwn(failureReasons, reason) ? failureReasons[reason] : genericFailure;
}

/**
 * `payment_method_details.upi` of a paid UPI payment: the payer's VPA, as the test processor shows it. None for a
 * card: the charge shows the PaymentMethod's card.
 */
export function methodDetailsOf(payment: RazorpayPayment): { methodDetails?: Record<string, unknown> } {
  return payment.method === 'card' ? {} : { methodDetails: { vpa: payment.vpa ?? payment.upi?.vpa ?? null } };
}

/**
 * What a Razorpay payment means for an attempt. A payment still `created` waits for the payer's UPI app (`processing`:
 * the outcome comes by webhook or `sync`). Unknown statuses are ambiguous (`pending`); only authorized, captured,
 * refunded and failed are final.
 */
export function fromPayment(payment: RazorpayPayment, captureRequested: boolean): AuthorizeOutput {
  if (typeof payment.id !== 'string' || !isPaymentStatus(payment.status)) return { status: 'pending' };
  const kind = statusKinds[payment.status];
  switch (kind) {
    case 'awaiting_payer':
      return { status: 'processing', processorReference: payment.id };
    case 'authorized':
      // An automatic-capture order captures at once; until Razorpay says captured, the outcome is not known yet.
      if (captureRequested) return { status: 'processing', processorReference: payment.id };
      return { status: 'authorized', captured: false, processorReference: payment.id, riskScore: 0, ...methodDetailsOf(payment) };
    case 'captured':
      return { status: 'authorized', captured: true, processorReference: payment.id, riskScore: 0, ...methodDetailsOf(payment) };
    case 'failed':
      return { status: 'declined', decline: declineOf(payment), processorReference: payment.id, riskScore: 0 };
    default:
      return assertNever(kind);
  }
}

/** Razorpay's refund statuses: pending, processed, failed. */
export function fromRefund(refund: RazorpayRefund): SimpleOutput {
  if (typeof refund.id !== 'string') return { status: 'pending' };
  switch (refund.status) {
    case 'processed':
      return { status: 'succeeded', processorReference: refund.id };
    case 'failed':
      return { status: 'failed', reason: 'declined' };
    default:
      return { status: 'pending', processorReference: refund.id };
  }
}
