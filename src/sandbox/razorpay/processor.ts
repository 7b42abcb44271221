import { createHmac } from 'node:crypto';
import { invalidInput, unknownId } from './errors.ts';
import { collection, renderOrder, renderPayment, renderRefund } from './render.ts';
import {
  newDigits,
  newRazorpayId,
  unixSeconds,
  type CaptureMode,
  type CardRecord,
  type Notes,
  type OrderRecord,
  type PaymentFailure,
  type PaymentRecord,
  type RefundRecord,
  type SandboxStore,
} from './store.ts';
import type { WebhookDispatcher } from './webhooks.ts';

/**
 * What the Razorpay sandbox does with each request, independent of HTTP (razorpay.com/docs/api: Orders, Payments,
 * Refunds; S2S UPI collect and intent). The life cycle:
 *
 * - An order (`created`) takes payments; the first one makes it `attempted`, a captured one makes it `paid`
 *   (`order.paid`). A paid order takes no more payments.
 * - A payment starts `created` and is then `authorized` (`payment.authorized`) or `failed` (`payment.failed`, with
 *   Razorpay's error_code, error_description, error_source, error_step and error_reason). An authorized payment is
 *   captured (`payment.captured`) at once when its order's `payment.capture` is `automatic` (the sandbox's default is
 *   its `captureMode`), otherwise by POST /v1/payments/:id/capture with the authorized amount. Refunds (partial or
 *   full) are processed at once (`refund.created`, `refund.processed`); a fully refunded payment is `refunded`.
 * - UPI collect to Razorpay's test VPAs resolves at once: `success@razorpay` authorizes, `failure@razorpay` fails.
 *   Any other VPA, and every intent payment, waits for the payer: the sandbox's UPI app page or the admin endpoint
 *   approves or declines it (a decline names one of Razorpay's documented UPI failure reasons).
 * - Card payments are made on the sandbox's checkout page; the test bank approves or declines them.
 *
 * When a payment is authorized the payer's side (Checkout's handler, the callback URL) receives
 * `razorpay_signature` = hex HMAC-SHA256 of `order_id|payment_id` under the key secret, which the merchant verifies
 * (the SDK's `validatePaymentVerification`).
 */

/** Razorpay's minimum amount: 100 smallest units (₹1.00). */
export const amountMinimum = 100;
/** Razorpay's limits on `receipt` (40 characters) and `notes` (15 pairs of 256 characters). */
export const receiptLengthMax = 40;
export const notesCountMax = 15;
export const noteLengthMax = 256;
/** Page size of list calls: Razorpay's default `count` and its maximum. */
export const listCountDefault = 10;
export const listCountMax = 100;
/** The sandbox's fee: 2% of the captured amount, GST (18%) included, as Razorpay's standard plan charges. */
const feeRate = 0.02;
const gstRate = 0.18;
/** The sandbox merchant's VPA and name in UPI intent links. */
const merchantVpa = 'payrail.sandbox@razorpay';
const merchantName = 'Payrail Sandbox';
/** Merchant category code in intent links (5411, grocery stores, as in Razorpay's examples). */
const merchantCategoryCode = '5411';

/**
 * The currencies the sandbox accepts on orders (a subset of Razorpay's international currencies, all with two
 * decimals, so the ₹1.00 minimum reads the same). UPI takes INR only.
 */
const currencies = new Set(['INR', 'USD', 'EUR', 'GBP', 'SGD', 'AED', 'AUD', 'CAD']);

/** Razorpay's test VPAs (razorpay.com/docs/payments/payments/test-upi-details). */
export const successVpa = 'success@razorpay';
export const failureVpa = 'failure@razorpay';
/** A VPA: a handle of letters, digits, dots, hyphens and underscores, `@`, and the PSP's handle. */
const vpaPattern = /^[a-zA-Z0-9._-]{2,256}@[a-zA-Z0-9]{2,64}$/;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const contactPattern = /^\+?[0-9]{8,15}$/;

/**
 * The UPI failures the payer's side can produce, from Razorpay's S2S UPI error codes table (code, source, step and
 * description as documented there).
 */
export const upiFailures = {
  payment_cancelled: { code: 'BAD_REQUEST_ERROR', source: 'customer', step: 'payment_authentication', description: 'You may have cancelled the payment or there was a delay in response from the UPI app.' },
  incorrect_pin: { code: 'BAD_REQUEST_ERROR', source: 'customer', step: 'payment_authentication', description: 'You have entered an incorrect PIN on the UPI app. Please retry with the correct PIN.' },
  insufficient_funds: { code: 'GATEWAY_ERROR', source: 'customer', step: 'payment_debit_request', description: 'Transaction failed due to insufficient funds.' },
  payment_declined: { code: 'GATEWAY_ERROR', source: 'issuer_bank', step: 'payment_debit_request', description: 'Payment failed. Please try again with another bank account.' },
} as const satisfies Record<string, Omit<PaymentFailure, 'reason'>>;
export type UpiFailureReason = keyof typeof upiFailures;

export function isUpiFailureReason(value: unknown): value is UpiFailureReason {
  return typeof value === 'string' && Object.hasOwn(upiFailures, value);
}

/** The test bank's refusal on the checkout page (reason `authentication_failed`; the description is the sandbox's). */
const cardDeclined: PaymentFailure = {
  code: 'BAD_REQUEST_ERROR',
  source: 'customer',
  step: 'payment_authentication',
  reason: 'authentication_failed',
  description: 'Payment failed because the payer did not complete authentication with the bank.',
};

/** The hex HMAC-SHA256 of `order_id|payment_id` under the key secret: Razorpay's payment signature. */
export function paymentSignature(orderId: string, paymentId: string, keySecret: string): string {
  return createHmac('sha256', keySecret).update(`${orderId}|${paymentId}`, 'utf8').digest('hex');
}

/** What the payer's side receives when a payment is authorized (Checkout's handler and callback fields). */
export interface PaymentSuccess {
  razorpay_payment_id: string;
  razorpay_order_id: string;
  razorpay_signature: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses a body field the operation does not know, as Razorpay does. */
function onlyKnownFields(body: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) throw invalidInput(`${key} is/are not required and should not be sent`, key);
  }
}

/**
 * An amount in the smallest unit. Razorpay takes JSON integers only: a string such as "100" is refused with "The
 * amount must be an integer." (as reported against its Python SDK), although the Node SDK's typings allow strings.
 */
function parseAmount(value: unknown, field = 'amount'): number {
  if (value === undefined || value === null || value === '') throw invalidInput(`The ${field} field is required.`, field);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalidInput(`The ${field} must be an integer.`, field);
  return value;
}

function atLeastMinimum(amount: number, currency: string, field = 'amount'): void {
  if (amount < amountMinimum) throw invalidInput(`The ${field} must be atleast ${currency} 1.00`, field);
}

function parseCurrency(value: unknown, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !currencies.has(value)) throw invalidInput('The selected currency is invalid.', 'currency');
  return value;
}

function optionalString(value: unknown, field: string, lengthMax: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalidInput(`The ${field} must be a string.`, field);
  if (value.length > lengthMax) throw invalidInput(`The ${field} may not be greater than ${lengthMax} characters.`, field);
  return value;
}

function parseNotes(value: unknown): Notes {
  if (value === undefined || value === null) return {};
  // Razorpay answers notes as [] when empty, so an integration may echo [] back.
  if (Array.isArray(value) && value.length === 0) return {};
  if (!isObject(value)) throw invalidInput('The notes must be an object of key-value pairs.', 'notes');
  const entries = Object.entries(value);
  if (entries.length > notesCountMax) throw invalidInput(`Number of notes should be less than or equal to ${notesCountMax}`, 'notes');
  const notes: Notes = {};
  for (const [key, note] of entries) {
    if ((typeof note !== 'string' && typeof note !== 'number') || String(note).length > noteLengthMax || key.length > noteLengthMax) {
      throw invalidInput(`notes.${key} must be a string or number of at most ${noteLengthMax} characters`, `notes.${key}`);
    }
    notes[key] = note;
  }
  return notes;
}

/** `count` and `skip` of a list call. */
function page(query: Record<string, unknown>): { count: number; skip: number } {
  const count = query.count === undefined ? listCountDefault : Number(query.count);
  const skip = query.skip === undefined ? 0 : Number(query.skip);
  if (!Number.isInteger(count) || count < 1 || count > listCountMax) throw invalidInput(`The count must be between 1 and ${listCountMax}.`, 'count');
  if (!Number.isInteger(skip) || skip < 0) throw invalidInput('The skip must be at least 0.', 'skip');
  return { count, skip };
}

/** Newest first, as Razorpay lists. */
function listed<T extends { createdAt: number }>(records: Iterable<T>, query: Record<string, unknown>): T[] {
  const { count, skip } = page(query);
  return [...records].reverse().slice(skip, skip + count);
}

function majorUnits(amount: number): string {
  return `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;
}

/** Razorpay's card networks by the leading digits of the number (only the network and last four are kept). */
function cardNetwork(number: string): CardRecord['network'] {
  if (/^4/.test(number)) return 'Visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'MasterCard';
  if (/^3[47]/.test(number)) return 'American Express';
  if (/^(60|65|81|82|508)/.test(number)) return 'RuPay';
  if (/^(36|38|30[0-5])/.test(number)) return 'Diners Club';
  return 'Unknown';
}

function luhnValid(number: string): boolean {
  let sum = 0;
  for (let index = 0; index < number.length; index++) {
    let digit = Number(number[number.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The card fields of the sandbox's checkout form. */
export interface CardForm {
  number: string;
  expiryMonth: string;
  expiryYear: string;
  cvv: string;
  name: string;
  email: string;
  contact: string;
}

export class RazorpayProcessor {
  readonly #store: SandboxStore;
  readonly #webhooks: WebhookDispatcher;
  readonly #keySecret: string;
  readonly #captureMode: CaptureMode;

  constructor(store: SandboxStore, webhooks: WebhookDispatcher, options: { keySecret: string; captureMode: CaptureMode }) {
    this.#store = store;
    this.#webhooks = webhooks;
    this.#keySecret = options.keySecret;
    this.#captureMode = options.captureMode;
  }

  // --- Orders ---------------------------------------------------------------------------------------------------

  createOrder(body: Record<string, unknown>): Record<string, unknown> {
    onlyKnownFields(body, ['amount', 'currency', 'receipt', 'notes', 'partial_payment', 'payment', 'payment_capture']);
    const amount = parseAmount(body.amount);
    const currency = parseCurrency(body.currency);
    atLeastMinimum(amount, currency);
    if (body.partial_payment !== undefined && body.partial_payment !== false && body.partial_payment !== 0 && body.partial_payment !== '0') {
      // Partial payments are a Razorpay feature the sandbox does not model; refusing beats pretending.
      throw invalidInput('partial_payment is not supported by the Payrail sandbox', 'partial_payment');
    }
    let capture = this.#captureMode;
    // `payment_capture` (1 or 0) is the deprecated form of `payment.capture`, still sent by older integrations.
    if (body.payment_capture !== undefined) {
      if (![0, 1, true, false, '0', '1'].includes(body.payment_capture as never)) throw invalidInput('The payment capture field is invalid.', 'payment_capture');
      capture = [1, true, '1'].includes(body.payment_capture as never) ? 'automatic' : 'manual';
    }
    if (body.payment !== undefined) {
      if (!isObject(body.payment) || (body.payment.capture !== 'automatic' && body.payment.capture !== 'manual')) {
        throw invalidInput('payment.capture must be automatic or manual', 'payment.capture');
      }
      capture = body.payment.capture;
    }
    const order: OrderRecord = {
      id: newRazorpayId('order'),
      amount,
      amountPaid: 0,
      currency,
      receipt: optionalString(body.receipt, 'receipt', receiptLengthMax),
      notes: parseNotes(body.notes),
      status: 'created',
      attempts: 0,
      capture,
      paymentIds: [],
      createdAt: unixSeconds(),
    };
    this.#store.orders.set(order.id, order);
    return renderOrder(order);
  }

  order(id: string): OrderRecord {
    const order = this.#store.orders.get(id);
    if (!order) throw unknownId();
    return order;
  }

  listOrders(query: Record<string, unknown>): Record<string, unknown> {
    let orders = [...this.#store.orders.values()];
    if (typeof query.receipt === 'string') orders = orders.filter((order) => order.receipt === query.receipt);
    if (query.authorized === '1' || query.authorized === 'true') {
      orders = orders.filter((order) => order.paymentIds.some((id) => this.#store.payments.get(id)?.status === 'authorized'));
    }
    return collection(listed(orders, query).map(renderOrder));
  }

  orderPayments(id: string): Record<string, unknown> {
    const order = this.order(id);
    return collection(order.paymentIds.map((paymentId) => renderPayment(this.payment(paymentId))).reverse());
  }

  // --- Payments -------------------------------------------------------------------------------------------------

  payment(id: string): PaymentRecord {
    const payment = this.#store.payments.get(id);
    if (!payment) throw unknownId();
    return payment;
  }

  listPayments(query: Record<string, unknown>): Record<string, unknown> {
    return collection(listed(this.#store.payments.values(), query).map((payment) => renderPayment(payment)));
  }

  /**
   * POST /v1/payments/create/upi (S2S UPI): collect (`upi.flow` collect with the payer's VPA; a request goes to their
   * UPI app) or intent (`upi.flow` intent; the answer's `link` is the `upi://pay` URL the payer's app opens). Answers
   * `{razorpay_payment_id}` (and `link` for intent), as the SDK's `createUpi` types it; the merchant then polls the
   * payment or waits for its webhooks.
   */
  createUpiPayment(body: Record<string, unknown>): Record<string, unknown> {
    onlyKnownFields(body, ['amount', 'currency', 'order_id', 'email', 'contact', 'method', 'upi', 'vpa', 'description', 'notes', 'ip', 'referer', 'user_agent', 'customer_id', 'save', 'callback_url']);
    if (body.method !== 'upi') throw invalidInput(body.method === undefined ? 'The method field is required.' : 'The selected method is invalid.', 'method');
    const upi = body.upi === undefined ? {} : body.upi;
    if (!isObject(upi)) throw invalidInput('The upi must be an object.', 'upi');
    const flow = upi.flow ?? 'collect';
    if (flow !== 'collect' && flow !== 'intent') throw invalidInput('The selected upi.flow is invalid.', 'upi.flow');
    let vpa: string | null = null;
    if (flow === 'collect') {
      const given = upi.vpa ?? body.vpa;
      if (given === undefined) throw invalidInput('The vpa field is required when upi.flow is collect.', 'vpa');
      if (typeof given !== 'string' || !vpaPattern.test(given)) throw invalidInput('Invalid VPA. Please enter a valid Virtual Payment Address', 'vpa');
      vpa = given;
    }
    const order = this.#payableOrder(body.order_id);
    const amount = parseAmount(body.amount);
    const currency = parseCurrency(body.currency, order.currency);
    if (currency !== 'INR') throw invalidInput('UPI payments are accepted in INR only.', 'currency');
    if (currency !== order.currency) throw invalidInput('The payment currency must be the same as the order currency.', 'currency');
    if (amount !== order.amount - order.amountPaid) throw invalidInput('The payment amount must be equal to the order amount due.', 'amount');
    const { email, contact } = this.#payer(body.email, body.contact);
    const payment = this.#newPayment(order, {
      amount,
      currency,
      method: 'upi',
      email,
      contact,
      description: optionalString(body.description, 'description', 255),
      notes: parseNotes(body.notes),
      vpa,
      upiFlow: flow,
    });
    if (flow === 'intent') {
      const query = new URLSearchParams({ pa: merchantVpa, pn: merchantName, tr: payment.id.slice('pay_'.length), tn: payment.description ?? 'Payment', am: majorUnits(amount), cu: currency, mc: merchantCategoryCode });
      payment.intentLink = `upi://pay?${query.toString().replaceAll('+', '%20')}`;
      return { razorpay_payment_id: payment.id, link: payment.intentLink };
    }
    if (vpa === successVpa) this.authorize(payment);
    else if (vpa === failureVpa) this.fail(payment, { ...upiFailures.payment_declined, reason: 'payment_declined' });
    return { razorpay_payment_id: payment.id };
  }

  /** The checkout page's card payment: created, then authorized or failed by the test bank. */
  payByCard(orderId: string, form: CardForm, bankApproves: boolean): PaymentRecord {
    const order = this.#payableOrder(orderId);
    const number = form.number.replace(/[\s-]/g, '');
    if (!/^[0-9]{12,19}$/.test(number) || !luhnValid(number)) throw invalidInput('Your card number is invalid.', 'card[number]');
    const month = Number(form.expiryMonth);
    const year = Number(form.expiryYear.length === 2 ? `20${form.expiryYear}` : form.expiryYear);
    const now = new Date();
    if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(year) || year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1) {
      throw invalidInput('Your card has expired.', 'card[expiry_year]');
    }
    if (!/^[0-9]{3,4}$/.test(form.cvv)) throw invalidInput('Your card CVV is invalid.', 'card[cvv]');
    const { email, contact } = this.#payer(form.email, form.contact);
    const payment = this.#newPayment(order, {
      amount: order.amount - order.amountPaid,
      currency: order.currency,
      method: 'card',
      email,
      contact,
      description: null,
      notes: {},
      vpa: null,
      upiFlow: null,
    });
    payment.card = { id: newRazorpayId('card'), name: form.name.slice(0, 100), last4: number.slice(-4), network: cardNetwork(number) };
    if (bankApproves) this.authorize(payment);
    else this.fail(payment, cardDeclined);
    return payment;
  }

  /**
   * The payer approves (or the test VPA does): authorized, `payment.authorized`, and captured at once when the order
   * captures automatically. Answers the payer side's success fields with the payment signature.
   */
  authorize(payment: PaymentRecord): PaymentSuccess {
    payment.status = 'authorized';
    payment.acquirerData = payment.method === 'upi' ? { rrn: newDigits(12), upi_transaction_id: newRazorpayId('').toUpperCase() } : { auth_code: newDigits(6) };
    if (payment.method === 'upi' && payment.vpa === null) payment.vpa = 'payer@okpayrail';
    this.#webhooks.enqueue('payment.authorized', { payment: renderPayment(payment) });
    const order = this.order(payment.orderId);
    // A second payment approved after the order was paid stays authorized (Razorpay refunds those uncaptured).
    if (order.capture === 'automatic' && order.status !== 'paid') this.#capture(payment, order);
    return this.paymentSignatureFields(payment);
  }

  /** The ids and payment signature the payer's side hands the merchant for an authorized payment. */
  paymentSignatureFields(payment: PaymentRecord): PaymentSuccess {
    return { razorpay_payment_id: payment.id, razorpay_order_id: payment.orderId, razorpay_signature: paymentSignature(payment.orderId, payment.id, this.#keySecret) };
  }

  fail(payment: PaymentRecord, failure: PaymentFailure): void {
    payment.status = 'failed';
    payment.failure = failure;
    this.#webhooks.enqueue('payment.failed', { payment: renderPayment(payment) });
  }

  /** The payer's UPI app answers a pending request. Null when the payment is not a UPI payment awaiting the payer. */
  resolveUpi(id: string, decision: { approve: true } | { approve: false; reason: UpiFailureReason }): PaymentSuccess | { failed: PaymentRecord } | null {
    const payment = this.#store.payments.get(id);
    if (!payment || payment.method !== 'upi' || payment.status !== 'created') return null;
    if (decision.approve) return this.authorize(payment);
    this.fail(payment, { ...upiFailures[decision.reason], reason: decision.reason });
    return { failed: payment };
  }

  /** POST /v1/payments/:id/capture: the authorized amount, in the payment's currency. */
  capture(id: string, body: Record<string, unknown>): Record<string, unknown> {
    const payment = this.payment(id);
    const amount = parseAmount(body.amount);
    if (body.currency !== undefined && body.currency !== payment.currency) throw invalidInput('The currency should be the same as the payment currency.', 'currency');
    if (payment.status === 'captured' || payment.status === 'refunded') throw invalidInput('This payment has already been captured');
    if (payment.status !== 'authorized') throw invalidInput('Only payments which have been authorized and not yet captured can be captured');
    if (amount !== payment.amount) throw invalidInput('Capture amount must be equal to the amount authorized', 'amount');
    const order = this.order(payment.orderId);
    if (order.status === 'paid') throw invalidInput('The order of this payment has already been paid.');
    this.#capture(payment, order);
    return renderPayment(payment);
  }

  // --- Refunds --------------------------------------------------------------------------------------------------

  /** POST /v1/payments/:id/refund: the rest of the captured amount, or `amount` of it; processed at once. */
  refundPayment(id: string, body: Record<string, unknown>): Record<string, unknown> {
    onlyKnownFields(body, ['amount', 'speed', 'notes', 'receipt']);
    const payment = this.payment(id);
    if (payment.status === 'refunded') throw invalidInput('The payment has been fully refunded already');
    if (payment.status !== 'captured') throw invalidInput('The payment status should be captured for action to be taken');
    const remaining = payment.amount - payment.amountRefunded;
    const amount = body.amount === undefined ? remaining : parseAmount(body.amount);
    atLeastMinimum(amount, payment.currency);
    if (amount > remaining) throw invalidInput('The refund amount provided is greater than amount captured', 'amount');
    const speed = body.speed ?? 'normal';
    if (speed !== 'normal' && speed !== 'optimum') throw invalidInput('The selected speed is invalid.', 'speed');
    const refund: RefundRecord = {
      id: newRazorpayId('rfnd'),
      paymentId: payment.id,
      amount,
      currency: payment.currency,
      notes: parseNotes(body.notes),
      receipt: optionalString(body.receipt, 'receipt', receiptLengthMax),
      status: 'processed',
      speedRequested: speed,
      createdAt: unixSeconds(),
    };
    this.#store.refunds.set(refund.id, refund);
    payment.refundIds.push(refund.id);
    payment.amountRefunded += amount;
    if (payment.amountRefunded === payment.amount) payment.status = 'refunded';
    this.#webhooks.enqueue('refund.created', { refund: renderRefund(refund), payment: renderPayment(payment) });
    this.#webhooks.enqueue('refund.processed', { refund: renderRefund(refund), payment: renderPayment(payment) });
    return renderRefund(refund);
  }

  refund(id: string, paymentId?: string): RefundRecord {
    const refund = this.#store.refunds.get(id);
    if (!refund || (paymentId !== undefined && refund.paymentId !== paymentId)) throw unknownId();
    return refund;
  }

  listRefunds(query: Record<string, unknown>, paymentId?: string): Record<string, unknown> {
    const refunds = paymentId === undefined ? [...this.#store.refunds.values()] : this.payment(paymentId).refundIds.map((id) => this.refund(id));
    return collection(listed(refunds, query).map(renderRefund));
  }

  // --- Internals ------------------------------------------------------------------------------------------------

  #payableOrder(orderId: unknown): OrderRecord {
    if (orderId === undefined) throw invalidInput('The order id field is required.', 'order_id');
    const order = typeof orderId === 'string' ? this.#store.orders.get(orderId) : undefined;
    if (!order) throw unknownId('order_id');
    if (order.status === 'paid') throw invalidInput('Order has already been paid.', 'order_id');
    return order;
  }

  #payer(email: unknown, contact: unknown): { email: string; contact: string } {
    if (email === undefined || email === '') throw invalidInput('The email field is required.', 'email');
    if (typeof email !== 'string' || !emailPattern.test(email) || email.length > 255) throw invalidInput('The email must be a valid email address.', 'email');
    if (contact === undefined || contact === '') throw invalidInput('The contact field is required.', 'contact');
    const text = typeof contact === 'number' ? String(contact) : contact;
    if (typeof text !== 'string' || !contactPattern.test(text.replace(/[\s-]/g, ''))) throw invalidInput('Contact number should be at least 8 digits, including country code', 'contact');
    return { email, contact: text.replace(/[\s-]/g, '') };
  }

  #newPayment(order: OrderRecord, fields: Pick<PaymentRecord, 'amount' | 'currency' | 'method' | 'email' | 'contact' | 'description' | 'notes' | 'vpa' | 'upiFlow'>): PaymentRecord {
    const payment: PaymentRecord = {
      id: newRazorpayId('pay'),
      orderId: order.id,
      ...fields,
      status: 'created',
      captured: false,
      amountRefunded: 0,
      fee: null,
      tax: null,
      acquirerData: {},
      refundIds: [],
      createdAt: unixSeconds(),
    };
    this.#store.payments.set(payment.id, payment);
    order.paymentIds.push(payment.id);
    order.attempts += 1;
    if (order.status === 'created') order.status = 'attempted';
    return payment;
  }

  #capture(payment: PaymentRecord, order: OrderRecord): void {
    payment.status = 'captured';
    payment.captured = true;
    payment.fee = Math.round(payment.amount * feeRate);
    payment.tax = Math.round((payment.fee * gstRate) / (1 + gstRate));
    order.amountPaid += payment.amount;
    if (order.amountPaid >= order.amount) order.status = 'paid';
    this.#webhooks.enqueue('payment.captured', { payment: renderPayment(payment) });
    if (order.status === 'paid') this.#webhooks.enqueue('order.paid', { payment: renderPayment(payment), order: renderOrder(order) });
  }
}
