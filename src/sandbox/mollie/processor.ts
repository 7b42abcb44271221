import { parseAmount } from './amounts.ts';
import { MollieError } from './errors.ts';
import { MollieRenderer, renderPage, type RenderContext } from './render.ts';
import {
  newMollieId,
  type CaptureRecord,
  type CustomerRecord,
  type MandateMethod,
  type MandateRecord,
  type PaymentRecord,
  type PaymentStatus,
  type RefundRecord,
  type RefundStatus,
  type SandboxStore,
  type SequenceType,
} from './store.ts';
import type { WebhookDispatcher } from './webhooks.ts';

/**
 * What the Mollie sandbox does with each Payments API v2 request, independent of HTTP. Field names and statuses follow
 * Mollie's OpenAPI description, github.com/mollie/openapi (Mollie's published OpenAPI description) and docs.mollie.com.
 *
 * A payment starts `open` with a `_links.checkout` to the sandbox's hosted test checkout, where the tester picks the
 * outcome as in Mollie's test mode (paid, authorized for Klarna, failed, canceled, expired, or leaving it open), and is
 * then sent to `redirectUrl`. A paid `first` payment gives its customer a valid mandate. A `recurring` payment is charged
 * on a mandate without the shopper: on a card at once, on a direct-debit mandate it stays `pending` until it is settled
 * (the admin endpoint, the `changePaymentState` page, or the configured delay). Refunds start `pending` and settle the
 * same ways. Test trigger: an amount whose last two digits are 13 (`"10.13"`) makes a charge without the shopper (a
 * recurring or direct-debit payment) fail when it settles.
 */

/** Every method the sandbox accepts in `method` (components.schemas.method in the spec; the checkout offers them all). */
export const paymentMethods = [
  'alma', 'applepay', 'bacs', 'bancomatpay', 'bancontact', 'banktransfer', 'belfius', 'billie', 'bizum', 'blik', 'creditcard', 'directdebit', 'eps', 'giftcard',
  'ideal', 'in3', 'kbc', 'klarna', 'mbway', 'mobilepay', 'multibanco', 'mybank', 'paybybank', 'paypal', 'paysafecard', 'przelewy24', 'riverty', 'satispay',
  'swish', 'trustly', 'twint', 'vipps', 'voucher',
] as const;

/** Methods bound to one currency (Mollie's method pages): the request is refused for any other. */
const methodCurrencies: Record<string, string> = { ideal: 'EUR', bancontact: 'EUR', eps: 'EUR', belfius: 'EUR', kbc: 'EUR', blik: 'PLN', przelewy24: 'PLN', twint: 'CHF', swish: 'SEK' };
/** Methods whose payment the shopper can leave authorized (captured later), offered as an outcome on the checkout. */
export const authorizingMethods: ReadonlySet<string> = new Set(['klarna', 'billie', 'riverty']);

/** The methods the checkout offers a payment created without one: its list, or every method its currency allows. */
export function offeredMethods(payment: PaymentRecord): string[] {
  return payment.offeredMethods ?? paymentMethods.filter((method) => (methodCurrencies[method] ?? payment.amount.currency) === payment.amount.currency);
}

/** The outcomes the tester picks on the checkout page (Mollie's test-mode screen). */
export const checkoutOutcomes = ['paid', 'authorized', 'failed', 'canceled', 'expired', 'open'] as const;
export type CheckoutOutcome = (typeof checkoutOutcomes)[number];
/** The final statuses the admin endpoint and the changePaymentState page can settle a payment to. */
export const settleStatuses = ['paid', 'authorized', 'failed', 'canceled', 'expired'] as const;
export const refundSettleStatuses = ['refunded', 'failed'] as const;

/** Limits Mollie documents on request fields. */
const descriptionLengthMax = 255;
const metadataBytesMax = 1024;
const listLimitDefault = 50;
export const listLimitMax = 250;
/** How long an open payment's checkout stays valid (Mollie: about 15 minutes for most methods). */
const paymentExpiryMs = 15 * 60_000;
const bankTransferExpiryMs = 12 * 86_400_000;

/** The sandbox's test shopper and accounts, reported on paid payments and on the mandates they create. */
const testConsumer = { consumerName: 'T. TEST', consumerAccount: 'NL55INGB0000000000', consumerBic: 'INGBNL2A' };

export interface Answer {
  status: number;
  body: Record<string, unknown> | null;
}

export interface SettleDelays {
  /** Delay before a pending direct debit settles by itself (paid, or failed by the 13 trigger); null: only when told. */
  directDebitMs: number | null;
  /** Delay before a pending refund settles to `refunded`; null: only when told. */
  refundMs: number | null;
}

type Body = Record<string, unknown>;

function optionalString(body: Body, field: string, lengthMax: number): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > lengthMax) throw MollieError.field(field, `The '${field}' field must be a string of at most ${lengthMax} characters`);
  return value;
}

function optionalUrl(body: Body, field: string, label: string): string | null {
  const value = body[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw MollieError.field(field, `The ${label} URL is invalid`);
  return value;
}

function metadataOf(body: Body): unknown {
  if (body.metadata === undefined) return null;
  if (Buffer.byteLength(JSON.stringify(body.metadata), 'utf8') > metadataBytesMax) throw MollieError.field('metadata', 'The metadata is too large, it can be up to 1024 bytes');
  return body.metadata;
}

function localeOf(body: Body): string | null {
  const locale = optionalString(body, 'locale', 5);
  if (locale !== null && !/^[a-z]{2}_[A-Z]{2}$/.test(locale)) throw MollieError.field('locale', 'The locale is invalid');
  return locale;
}

/** IBAN check (ISO 13616): country, check digits, then the mod-97 of the rearranged number must be 1. */
export function isValidIban(value: string): boolean {
  const iban = value.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}

/** The EPC's SEPA return reasons the sandbox names (EPC guidance on reason codes for SDD R-transactions). */
const bankReasons: Record<string, string> = {
  AC01: 'Account identifier incorrect (i.e. invalid IBAN)',
  AC04: 'Account closed',
  AC06: 'Account blocked for direct debit',
  AM04: 'Insufficient funds',
  MD01: 'No mandate',
  MS02: 'Refused by debtor',
  MS03: 'Reason not specified',
  SL01: 'Specific service offered by the debtor bank',
};

/** Whether a payment's status can still change by a tester's or the sandbox's hand. */
function canChange(payment: PaymentRecord): boolean {
  return payment.status === 'open' || payment.status === 'pending';
}

/** The sandbox's test trigger: a charge without the shopper fails when the amount's last two digits are 13. */
function failsBy13(payment: PaymentRecord): boolean {
  return payment.amount.value.replace('.', '').endsWith('13');
}

export class MollieProcessor {
  readonly #store: SandboxStore;
  readonly #webhooks: WebhookDispatcher;
  readonly #delays: SettleDelays;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly render: MollieRenderer;

  constructor(store: SandboxStore, webhooks: WebhookDispatcher, delays: SettleDelays) {
    this.#store = store;
    this.#webhooks = webhooks;
    this.#delays = delays;
    this.render = new MollieRenderer(store);
  }

  // --- Payments ---------------------------------------------------------------------------------------------------

  createPayment(body: Body, context: RenderContext, pathCustomerId?: string): Answer {
    const { amount, minor } = parseAmount(body.amount, 'amount');
    const description = body.description;
    if (description === undefined || description === null || description === '') throw MollieError.field('description', "The 'description' field is missing");
    if (typeof description !== 'string' || description.length > descriptionLengthMax) throw MollieError.field('description', `The description must be a string of at most ${descriptionLengthMax} characters`);
    const sequenceType = (body.sequenceType ?? 'oneoff') as SequenceType;
    if (!['oneoff', 'first', 'recurring'].includes(sequenceType)) throw MollieError.field('sequenceType', 'The sequence type is invalid');
    const { method, offeredMethods } = this.#methodOf(body.method, amount.currency);
    const customerId = pathCustomerId ?? (body.customerId === undefined || body.customerId === null ? null : String(body.customerId));
    if (customerId !== null && !this.#store.customers.has(customerId)) throw MollieError.field('customerId', 'The customer id is invalid');
    if (sequenceType !== 'oneoff' && customerId === null) throw MollieError.field('customerId', `A customer id is required for a ${sequenceType} payment`);
    const redirectUrl = optionalUrl(body, 'redirectUrl', 'redirect');
    if (redirectUrl === null && sequenceType !== 'recurring') throw MollieError.field('redirectUrl', 'The redirect URL is missing');
    const now = new Date();
    const payment: PaymentRecord = {
      id: newMollieId('tr'),
      createdAt: now.toISOString(),
      amount,
      minor,
      refundedMinor: 0,
      description,
      method,
      offeredMethods,
      redirectUrl,
      cancelUrl: optionalUrl(body, 'cancelUrl', 'cancel'),
      webhookUrl: optionalUrl(body, 'webhookUrl', 'webhook'),
      locale: localeOf(body),
      metadata: metadataOf(body),
      sequenceType,
      customerId,
      mandateId: null,
      status: 'open',
      details: null,
      expiresAt: new Date(now.getTime() + (method === 'banktransfer' ? bankTransferExpiryMs : paymentExpiryMs)).toISOString(),
    };
    if (sequenceType === 'recurring') {
      this.#chargeMandate(payment, body.mandateId);
    } else if (method === 'directdebit') {
      // A one-off direct debit: the consumer's account comes with the request and there is no checkout.
      const consumerName = optionalString(body, 'consumerName', 255);
      if (consumerName === null) throw MollieError.field('consumerName', 'The consumer name is required for direct debit');
      const consumerAccount = body.consumerAccount;
      if (typeof consumerAccount !== 'string' || !isValidIban(consumerAccount)) throw MollieError.field('consumerAccount', 'The consumer account is not a valid IBAN');
      payment.details = { consumerName, consumerAccount: consumerAccount.replace(/\s+/g, '').toUpperCase(), consumerBic: null };
      payment.status = 'pending';
    } else if (method === 'banktransfer') {
      payment.details = { bankName: 'Stichting Mollie Payments', bankAccount: 'NL53ABNA0627535577', bankBic: 'ABNANL2A', transferReference: `RF${String(Date.now()).slice(-10)}` };
    }
    this.#store.payments.set(payment.id, payment);
    if (payment.status === 'pending') this.#scheduleDirectDebit(payment);
    else if (payment.status !== 'open') this.#webhooks.enqueue(payment.webhookUrl, payment.id, `payment.${payment.status}`);
    return { status: 201, body: this.render.payment(payment, context) };
  }

  #methodOf(input: unknown, currency: string): { method: string | null; offeredMethods: string[] | null } {
    if (input === undefined || input === null) return { method: null, offeredMethods: null };
    const list = Array.isArray(input) ? input : [input];
    if (list.length === 0) return { method: null, offeredMethods: null };
    for (const method of list) {
      if (typeof method !== 'string' || !(paymentMethods as readonly string[]).includes(method)) throw MollieError.field('method', 'The payment method is invalid');
      const only = methodCurrencies[method];
      if (only !== undefined && only !== currency) throw MollieError.field('method', `The payment method ${method} does not support the currency ${currency}; it takes ${only}`);
    }
    return list.length === 1 ? { method: list[0] as string, offeredMethods: null } : { method: null, offeredMethods: list as string[] };
  }

  /** A recurring payment: picks the customer's mandate and charges it (a card at once; a direct debit goes pending). */
  #chargeMandate(payment: PaymentRecord, requestedMandateId: unknown): void {
    const mandates = [...this.#store.mandates.values()].filter((mandate) => mandate.customerId === payment.customerId && mandate.status === 'valid');
    let mandate: MandateRecord | undefined;
    if (requestedMandateId !== undefined && requestedMandateId !== null) {
      mandate = mandates.find((candidate) => candidate.id === requestedMandateId);
      if (!mandate) throw MollieError.field('mandateId', 'The mandate id is invalid, or the mandate is not valid for this customer');
    } else {
      mandate = mandates.at(-1);
      if (!mandate) throw MollieError.field('customerId', 'The customer has no valid mandate for a recurring payment');
    }
    if (payment.method !== null && payment.method !== mandate.method) throw MollieError.field('method', `The mandate is for ${mandate.method}, not ${payment.method}`);
    payment.method = mandate.method;
    payment.mandateId = mandate.id;
    payment.details = { ...mandate.details };
    if (mandate.method === 'directdebit') {
      payment.status = 'pending';
      return;
    }
    this.#setStatus(payment, failsBy13(payment) ? 'failed' : 'paid');
  }

  payment(id: string): PaymentRecord {
    const payment = this.#store.payments.get(id);
    if (!payment) throw MollieError.notFound('payment', id);
    return payment;
  }

  getPayment(id: string, context: RenderContext): Answer {
    return { status: 200, body: this.render.payment(this.payment(id), context) };
  }

  /** PATCH: every field is checked before any is changed, so a refused update changes nothing. */
  updatePayment(id: string, body: Body, context: RenderContext): Answer {
    const payment = this.payment(id);
    const update: Partial<PaymentRecord> = {};
    if (body.description !== undefined) {
      if (typeof body.description !== 'string' || body.description === '' || body.description.length > descriptionLengthMax) throw MollieError.field('description', 'The description is invalid');
      update.description = body.description;
    }
    if (body.redirectUrl !== undefined) update.redirectUrl = optionalUrl(body, 'redirectUrl', 'redirect');
    if (body.cancelUrl !== undefined) update.cancelUrl = optionalUrl(body, 'cancelUrl', 'cancel');
    if (body.webhookUrl !== undefined) update.webhookUrl = optionalUrl(body, 'webhookUrl', 'webhook');
    if (body.metadata !== undefined) update.metadata = metadataOf(body);
    if (body.locale !== undefined) update.locale = localeOf(body);
    if (body.method !== undefined) {
      if (!MollieRenderer.hasCheckout(payment)) throw MollieError.field('method', 'The method can only be changed while the shopper can still pay at the checkout');
      const { method, offeredMethods } = this.#methodOf(body.method, payment.amount.currency);
      if (method === 'directdebit') throw MollieError.field('method', 'A checkout payment cannot become a direct debit');
      update.method = method;
      update.offeredMethods = offeredMethods;
    }
    Object.assign(payment, update);
    return { status: 200, body: this.render.payment(payment, context) };
  }

  cancelPayment(id: string, context: RenderContext): Answer {
    const payment = this.payment(id);
    if (!MollieRenderer.isCancelable(payment)) throw new MollieError(422, `The payment ${payment.id} cannot be canceled (its status is ${payment.status})`);
    this.#setStatus(payment, 'canceled');
    return { status: 200, body: this.render.payment(payment, context) };
  }

  listPayments(query: Record<string, string | undefined>, context: RenderContext, customerId?: string): Answer {
    if (customerId !== undefined) this.customer(customerId);
    const payments = [...this.#store.payments.values()].filter((payment) => customerId === undefined || payment.customerId === customerId).reverse();
    const path = customerId === undefined ? '/v2/payments' : `/v2/customers/${customerId}/payments`;
    return this.#page('payments', payments, query, path, context, 'list-payments', (payment) => this.render.payment(payment, context));
  }

  /**
   * The tester's choice on the checkout page: for an open payment with a checkout, any of `checkoutOutcomes` (and the
   * method, when the request left the choice to the shopper); for a pending or shopper-less one (the
   * changePaymentState page), a final status. Returns where the shopper goes next, or null when nothing can change.
   */
  checkout(id: string, outcome: CheckoutOutcome, chosenMethod: string | null): { redirect: string | null } | null {
    const payment = this.#store.payments.get(id);
    if (!payment || !canChange(payment)) return null;
    if (MollieRenderer.hasCheckout(payment) && payment.method === null) {
      if (chosenMethod === null || !offeredMethods(payment).includes(chosenMethod)) return null;
      payment.method = chosenMethod;
    }
    if (outcome === 'authorized' && !authorizingMethods.has(payment.method ?? '')) return null;
    if (outcome === 'paid' && payment.method === 'blik' && payment.status === 'open') {
      // BLIK: the shopper entered the code on the checkout; the payment is pending until approved in the banking app
      // (then paid, or failed), settled like a direct debit (admin endpoint, changePaymentState page, or the delay).
      payment.status = 'pending';
      this.#scheduleDirectDebit(payment);
      return { redirect: payment.redirectUrl };
    }
    if (outcome !== 'open') this.#settlePayment(payment, outcome);
    return { redirect: payment.redirectUrl };
  }

  /**
   * Settles a payment still open or pending (admin endpoint, changePaymentState page, delay). False when final. A
   * failed direct debit may carry the bank's SEPA return reason (`bankReasonCode`, an EPC R-transaction code such as
   * AC04 account closed or MD01 no mandate), which Mollie reports in `details.bankReasonCode` and `details.bankReason`.
   */
  settlePayment(id: string, status: (typeof settleStatuses)[number], bankReasonCode?: string): PaymentRecord | null {
    const payment = this.payment(id);
    if (!canChange(payment)) return null;
    if (bankReasonCode !== undefined && status === 'failed' && payment.method === 'directdebit') {
      payment.details = { ...(payment.details ?? {}), bankReasonCode, bankReason: bankReasons[bankReasonCode] ?? 'Reason not specified' };
    }
    this.#settlePayment(payment, status);
    return payment;
  }

  // --- Captures (an authorized Klarna, Billie or Riverty payment) ---------------------------------------------------

  /** Captures (part of) an authorized payment: it becomes `paid` (Mollie: the first capture settles the payment). */
  createCapture(paymentId: string, body: Body, context: RenderContext): Answer {
    const payment = this.payment(paymentId);
    if (payment.status !== 'authorized') throw new MollieError(422, `The payment ${payment.id} cannot be captured: its status is ${payment.status}`);
    let amount = payment.amount;
    let minor = payment.minor;
    if (body.amount !== undefined && body.amount !== null) {
      ({ amount, minor } = parseAmount(body.amount, 'amount'));
      if (amount.currency !== payment.amount.currency) throw MollieError.field('amount.currency', `The capture must be in the payment's currency, ${payment.amount.currency}`);
      if (minor > payment.minor) throw MollieError.field('amount.value', 'The amount is higher than the authorized amount');
    }
    const capture: CaptureRecord = {
      id: newMollieId('cpt'),
      paymentId,
      amount,
      minor,
      description: optionalString(body, 'description', descriptionLengthMax),
      metadata: metadataOf(body),
      status: 'succeeded',
      createdAt: new Date().toISOString(),
    };
    this.#store.captures.set(capture.id, capture);
    this.#setStatus(payment, 'paid');
    return { status: 201, body: this.render.capture(capture, context) };
  }

  getCapture(paymentId: string, captureId: string, context: RenderContext): Answer {
    this.payment(paymentId);
    const capture = this.#store.captures.get(captureId);
    if (!capture || capture.paymentId !== paymentId) throw MollieError.notFound('capture', captureId);
    return { status: 200, body: this.render.capture(capture, context) };
  }

  listCaptures(paymentId: string, query: Record<string, string | undefined>, context: RenderContext): Answer {
    this.payment(paymentId);
    const captures = [...this.#store.captures.values()].filter((capture) => capture.paymentId === paymentId).reverse();
    return this.#page('captures', captures, query, `/v2/payments/${paymentId}/captures`, context, 'list-captures', (capture) => this.render.capture(capture, context));
  }

  #settlePayment(payment: PaymentRecord, status: Exclude<CheckoutOutcome, 'open'>): void {
    if (status === 'paid' || status === 'authorized') {
      if (payment.details === null && ['ideal', 'bancontact', 'eps', 'belfius', 'kbc', 'directdebit'].includes(payment.method ?? '')) payment.details = { ...testConsumer };
      if (payment.details === null && payment.method === 'creditcard') payment.details = { cardHolder: testConsumer.consumerName, cardNumber: '6787', cardLabel: 'Mastercard', cardCountryCode: 'NL', cardSecurity: 'normal' };
      if (payment.sequenceType === 'first' && payment.customerId !== null && payment.mandateId === null) payment.mandateId = this.#mandateFromFirstPayment(payment).id;
    }
    this.#setStatus(payment, status);
  }

  /** A paid first payment's mandate: a card mandate for cards and PayPal's own, otherwise SEPA direct debit. */
  #mandateFromFirstPayment(payment: PaymentRecord): MandateRecord {
    const method: MandateMethod = payment.method === 'creditcard' ? 'creditcard' : payment.method === 'paypal' ? 'paypal' : 'directdebit';
    const details: Record<string, unknown> =
      method === 'creditcard'
        ? { cardHolder: testConsumer.consumerName, cardNumber: '6787', cardLabel: 'Mastercard', cardFingerprint: newMollieId('mdt').slice(4), cardExpiryDate: `${new Date().getUTCFullYear() + 3}-12-31` }
        : method === 'paypal'
          ? { consumerName: testConsumer.consumerName, consumerAccount: 'shopper@payrail-sandbox.example' }
          : { ...testConsumer };
    const now = new Date().toISOString();
    const mandate: MandateRecord = { id: newMollieId('mdt'), customerId: payment.customerId!, method, status: 'valid', details, mandateReference: null, signatureDate: now.slice(0, 10), createdAt: now };
    this.#store.mandates.set(mandate.id, mandate);
    return mandate;
  }

  #setStatus(payment: PaymentRecord, status: PaymentStatus): void {
    payment.status = status;
    const now = new Date().toISOString();
    if (status === 'paid') payment.paidAt = now;
    else if (status === 'authorized') payment.authorizedAt = now;
    else if (status === 'canceled') payment.canceledAt = now;
    else if (status === 'expired') payment.expiredAt = now;
    else if (status === 'failed') payment.failedAt = now;
    // Mollie calls the webhook on paid, authorized, expired, failed and canceled; not on open or pending.
    if (status !== 'open' && status !== 'pending') this.#webhooks.enqueue(payment.webhookUrl, payment.id, `payment.${status}`);
  }

  #scheduleDirectDebit(payment: PaymentRecord): void {
    if (this.#delays.directDebitMs === null) return;
    this.#after(this.#delays.directDebitMs, () => {
      if (payment.status === 'pending') this.#settlePayment(payment, failsBy13(payment) ? 'failed' : 'paid');
    });
  }

  #after(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, delayMs);
    this.#timers.add(timer);
  }

  // --- Refunds ----------------------------------------------------------------------------------------------------

  createRefund(paymentId: string, body: Body, context: RenderContext): Answer {
    const payment = this.payment(paymentId);
    const { amount, minor } = parseAmount(body.amount, 'amount');
    if (payment.status !== 'paid') throw new MollieError(422, `The payment ${payment.id} cannot be refunded: its status is ${payment.status}`);
    if (amount.currency !== payment.amount.currency) throw MollieError.field('amount.currency', `The refund must be in the payment's currency, ${payment.amount.currency}`);
    if (minor > payment.minor - payment.refundedMinor) throw MollieError.field('amount.value', 'The amount is higher than the amount that remains to be refunded');
    const refund: RefundRecord = {
      id: newMollieId('re'),
      paymentId,
      amount,
      minor,
      description: optionalString(body, 'description', descriptionLengthMax) ?? '',
      metadata: metadataOf(body),
      status: 'pending',
      createdAt: new Date().toISOString(),
    };
    payment.refundedMinor += minor;
    this.#store.refunds.set(refund.id, refund);
    this.#store.paymentIdsWithRefunds.add(paymentId);
    if (this.#delays.refundMs !== null) {
      this.#after(this.#delays.refundMs, () => {
        if (refund.status === 'pending') this.#setRefundStatus(refund, 'refunded');
      });
    }
    return { status: 201, body: this.render.refund(refund, context) };
  }

  refund(paymentId: string, refundId: string): RefundRecord {
    this.payment(paymentId);
    const refund = this.#store.refunds.get(refundId);
    if (!refund || refund.paymentId !== paymentId) throw MollieError.notFound('refund', refundId);
    return refund;
  }

  getRefund(paymentId: string, refundId: string, context: RenderContext): Answer {
    return { status: 200, body: this.render.refund(this.refund(paymentId, refundId), context) };
  }

  listRefunds(paymentId: string, query: Record<string, string | undefined>, context: RenderContext): Answer {
    this.payment(paymentId);
    const refunds = [...this.#store.refunds.values()].filter((refund) => refund.paymentId === paymentId).reverse();
    return this.#page('refunds', refunds, query, `/v2/payments/${paymentId}/refunds`, context, 'list-refunds', (refund) => this.render.refund(refund, context));
  }

  /** Mollie lets a refund be canceled while it is queued or pending. */
  cancelRefund(paymentId: string, refundId: string): Answer {
    const refund = this.refund(paymentId, refundId);
    if (refund.status !== 'queued' && refund.status !== 'pending') throw new MollieError(422, `The refund ${refund.id} cannot be canceled (its status is ${refund.status})`);
    this.#setRefundStatus(refund, 'canceled');
    return { status: 204, body: null };
  }

  /** Settles a pending refund (admin endpoint). Null when it is no longer pending. */
  settleRefund(refundId: string, status: (typeof refundSettleStatuses)[number]): RefundRecord | null {
    const refund = this.#store.refunds.get(refundId);
    if (!refund) throw MollieError.notFound('refund', refundId);
    if (refund.status !== 'pending' && refund.status !== 'queued') return null;
    this.#setRefundStatus(refund, status);
    return refund;
  }

  #setRefundStatus(refund: RefundRecord, status: RefundStatus): void {
    refund.status = status;
    const payment = this.payment(refund.paymentId);
    // A refund that did not happen gives its amount back to what remains refundable.
    if (status === 'failed' || status === 'canceled') payment.refundedMinor -= refund.minor;
    if (status === 'processing' || status === 'refunded' || status === 'failed') this.#webhooks.enqueue(payment.webhookUrl, payment.id, `refund.${status}`);
  }

  // --- Customers and mandates -------------------------------------------------------------------------------------

  createCustomer(body: Body, context: RenderContext): Answer {
    const customer: CustomerRecord = {
      id: newMollieId('cst'),
      name: optionalString(body, 'name', 255),
      email: this.#emailOf(body),
      locale: localeOf(body),
      metadata: metadataOf(body),
      createdAt: new Date().toISOString(),
    };
    this.#store.customers.set(customer.id, customer);
    return { status: 201, body: this.render.customer(customer, context) };
  }

  #emailOf(body: Body): string | null {
    const email = optionalString(body, 'email', 320);
    if (email !== null && !/^[^\s@]+@[^\s@]+$/.test(email)) throw MollieError.field('email', 'The email address is invalid');
    return email;
  }

  customer(id: string): CustomerRecord {
    const customer = this.#store.customers.get(id);
    if (!customer && this.#store.deletedCustomerIds.has(id)) throw MollieError.gone('customer', id);
    if (!customer) throw MollieError.notFound('customer', id);
    return customer;
  }

  getCustomer(id: string, context: RenderContext): Answer {
    return { status: 200, body: this.render.customer(this.customer(id), context) };
  }

  updateCustomer(id: string, body: Body, context: RenderContext): Answer {
    const customer = this.customer(id);
    if (body.name !== undefined) customer.name = optionalString(body, 'name', 255);
    if (body.email !== undefined) customer.email = this.#emailOf(body);
    if (body.locale !== undefined) customer.locale = localeOf(body);
    if (body.metadata !== undefined) customer.metadata = metadataOf(body);
    return { status: 200, body: this.render.customer(customer, context) };
  }

  deleteCustomer(id: string): Answer {
    this.customer(id);
    this.#store.customers.delete(id);
    this.#store.deletedCustomerIds.add(id);
    for (const mandate of this.#store.mandates.values()) if (mandate.customerId === id) mandate.status = 'invalid';
    return { status: 204, body: null };
  }

  listCustomers(query: Record<string, string | undefined>, context: RenderContext): Answer {
    const customers = [...this.#store.customers.values()].reverse();
    return this.#page('customers', customers, query, '/v2/customers', context, 'list-customers', (customer) => this.render.customer(customer, context));
  }

  createMandate(customerId: string, body: Body, context: RenderContext): Answer {
    this.customer(customerId);
    if (body.method !== 'directdebit' && body.method !== 'paypal') throw MollieError.field('method', 'The mandate method must be directdebit or paypal');
    const consumerName = optionalString(body, 'consumerName', 255);
    if (consumerName === null) throw MollieError.field('consumerName', "The 'consumerName' field is missing");
    let details: Record<string, unknown>;
    if (body.method === 'directdebit') {
      const account = body.consumerAccount;
      if (typeof account !== 'string' || !isValidIban(account)) throw MollieError.field('consumerAccount', 'The consumer account is not a valid IBAN');
      const bic = optionalString(body, 'consumerBic', 11);
      if (bic !== null && !/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic)) throw MollieError.field('consumerBic', 'The consumer BIC is invalid');
      details = { consumerName, consumerAccount: account.replace(/\s+/g, '').toUpperCase(), consumerBic: bic };
    } else {
      const email = optionalString(body, 'consumerEmail', 320);
      if (email === null) throw MollieError.field('consumerEmail', "The 'consumerEmail' field is missing");
      details = { consumerName, consumerAccount: email };
    }
    const signatureDate = optionalString(body, 'signatureDate', 10);
    if (signatureDate !== null && !/^\d{4}-\d{2}-\d{2}$/.test(signatureDate)) throw MollieError.field('signatureDate', 'The signature date must be YYYY-MM-DD');
    const now = new Date().toISOString();
    const mandate: MandateRecord = {
      id: newMollieId('mdt'),
      customerId,
      method: body.method,
      status: 'valid',
      details,
      mandateReference: optionalString(body, 'mandateReference', 35),
      signatureDate: signatureDate ?? now.slice(0, 10),
      createdAt: now,
    };
    this.#store.mandates.set(mandate.id, mandate);
    return { status: 201, body: this.render.mandate(mandate, context) };
  }

  mandate(customerId: string, mandateId: string): MandateRecord {
    this.customer(customerId);
    const mandate = this.#store.mandates.get(mandateId);
    if (!mandate || mandate.customerId !== customerId) throw MollieError.notFound('mandate', mandateId);
    return mandate;
  }

  getMandate(customerId: string, mandateId: string, context: RenderContext): Answer {
    return { status: 200, body: this.render.mandate(this.mandate(customerId, mandateId), context) };
  }

  listMandates(customerId: string, query: Record<string, string | undefined>, context: RenderContext): Answer {
    this.customer(customerId);
    const mandates = [...this.#store.mandates.values()].filter((mandate) => mandate.customerId === customerId).reverse();
    return this.#page('mandates', mandates, query, `/v2/customers/${customerId}/mandates`, context, 'list-mandates', (mandate) => this.render.mandate(mandate, context));
  }

  /** Revoking makes the mandate invalid: no recurring payment can use it any more. */
  revokeMandate(customerId: string, mandateId: string): Answer {
    this.mandate(customerId, mandateId).status = 'invalid';
    return { status: 204, body: null };
  }

  // --- Lists ------------------------------------------------------------------------------------------------------

  /** Mollie's cursor pagination: `from` (the id the page starts at) and `limit` (1 to 250, default 50), newest first. */
  #page<T extends { id: string }>(name: string, items: T[], query: Record<string, string | undefined>, path: string, context: RenderContext, documentationPage: string, render: (item: T) => Record<string, unknown>): Answer {
    let limit = listLimitDefault;
    if (query.limit !== undefined) {
      limit = Number(query.limit);
      if (!/^\d+$/.test(query.limit) || limit < 1 || limit > listLimitMax) throw new MollieError(400, `Invalid limit: it must be an integer from 1 to ${listLimitMax}`, 'limit');
    }
    let start = 0;
    if (query.from !== undefined) {
      start = items.findIndex((item) => item.id === query.from);
      if (start < 0) throw new MollieError(400, `Invalid from: no ${name.replace(/s$/, '')} with that id in this list`, 'from');
    }
    const pageItems = items.slice(start, start + limit);
    const next = items[start + limit];
    const previous = start > 0 ? items[Math.max(0, start - limit)] : undefined;
    return {
      status: 200,
      body: renderPage(name, { items: pageItems.map(render), limit, fromId: query.from ?? null, nextFrom: next?.id ?? null, previousFrom: previous?.id ?? null }, path, context, documentationPage),
    };
  }

  /** Stops the settlement timers (on close and reset). */
  stopTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

