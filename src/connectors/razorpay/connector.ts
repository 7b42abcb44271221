import type { AuthorizeInput, AuthorizeOutput, Connector, Decline, ProviderNotification, ReferenceInput, RefundInput, SimpleOutput } from '../connector.ts';
import { assertRequestTimeout } from '../shared/http.ts';
import { operationOutput } from '../shared/outcomes.ts';
import { upiIntentPageUrl, upiIntentWaiting } from '../shared/upi-intent.ts';
import { RazorpayClient, RazorpayRequestError, type RazorpayOutcome } from './client.ts';
import {
  attemptIdOf,
  checkoutRedirect,
  fromPayment,
  fromRefund,
  processingError,
  razorpayCarriedTypes,
  refundIdOf,
  toOrderRequest,
  toUpiPaymentRequest,
  upiFlowOf,
  upiIntentExpirySeconds,
  type RazorpayCollection,
  type RazorpayOrder,
  type RazorpayPayment,
  type RazorpayRefund,
} from './transformers.ts';
import { razorpayNotifications } from './webhook.ts';

export { RazorpayRequestError } from './client.ts';

export interface RazorpayConnectorConfig {
  /** Razorpay's API root: https://api.razorpay.com (or a sandbox's URL), without `/v1`. */
  baseUrl: string;
  /** The API key: `rzp_test_...` for test-mode configurations, `rzp_live_...` for live ones, and its secret. */
  keyId: string;
  keySecret: string;
  /** The secret of the webhook set up in Razorpay's dashboard (X-Razorpay-Signature). */
  webhookSecret: string;
  /** Per-request timeout; an answer that does not arrive in time is an ambiguous outcome. */
  timeoutMs: number;
  /** Where Razorpay's checkout posts a card payment's result when the payment brings no `AuthorizeInput.returnUrl`. */
  returnUrl: string;
  /** Payrail's public URL: a UPI intent's `hosted_instructions_url` is Payrail's page of the attempt there. */
  publicUrl: string;
}

/** The payer came back from Razorpay's checkout without paying (closed it, or the order has no payment). */
const checkoutAbandoned: Decline = {
  code: 'payment_intent_authentication_failure',
  declineCode: 'generic_decline',
  message: 'The customer left Razorpay\'s checkout without paying.',
  blocked: false,
  networkStatus: 'not_sent_to_network',
};

/** Refunds listed per page when a refund is looked up by its receipt (Razorpay's largest `count`). */
const refundsPageSize = 100;

/** A declined output without a Razorpay payment (Razorpay refused the request itself). */
function refused(description: string | null): AuthorizeOutput {
  return { status: 'declined', decline: { ...processingError, message: description ?? processingError.message }, processorReference: null, riskScore: 0 };
}

/**
 * Razorpay connector for UPI and cards (razorpay.com/docs/api). Each attempt is one Razorpay order (`receipt` = the
 * attempt id) and a payment of it: a UPI collect request to the payer's VPA (the intent is `processing` until Razorpay
 * reports the payer's answer by webhook or `sync`), a UPI intent link the payer's UPI app opens (`requires_action`
 * with `upi_handle_redirect_or_display_qr_code`), or a card paid on Razorpay's hosted checkout (`requires_action`, a
 * POST redirect). Razorpay's Orders and Payments APIs take no idempotency key: `authorize` runs once per attempt, and
 * `sync` (after an ambiguous answer) first looks for the attempt's order by receipt and for a payment of it, so a retry
 * never creates a second order or payment. The processor reference of a charge is the payment id (the order id while
 * a card payer is on the checkout).
 */
export class RazorpayConnector implements Connector {
  readonly name = 'razorpay';
  /**
   * Cards may be captured later (the order's `payment.capture: manual`, then POST /capture of the whole amount); UPI
   * is captured with its order (method-types.ts refuses manual capture for it). Refunds may be partial.
   */
  readonly capabilities = { manualCapture: true, partialCapture: false, refunds: true, partialRefunds: true, threeDSecure: false };
  readonly paymentMethodTypes = razorpayCarriedTypes;
  /** `sync` looks the order up by receipt before creating anything: replaying can never pay twice. */
  readonly syncReplayWindowSeconds = null;
  readonly #config: RazorpayConnectorConfig;
  readonly #client: RazorpayClient;

  constructor(config: RazorpayConnectorConfig) {
    assertRequestTimeout(config.timeoutMs);
    if (!URL.canParse(config.returnUrl)) throw new Error('returnUrl must be an absolute URL');
    if (!URL.canParse(config.publicUrl)) throw new Error('publicUrl must be an absolute URL');
    this.#config = config;
    this.#client = new RazorpayClient({ endpoint: config.baseUrl.replace(/\/+$/, ''), keyId: config.keyId, keySecret: config.keySecret, timeoutMs: config.timeoutMs });
  }

  /**
   * UPI: makes the order and its UPI payment, or, with a processor reference, reads the payment. Card: makes the order
   * and sends the payer to Razorpay's checkout (`requires_authentication`, a POST redirect; the reference is the
   * order id); once the payer is back, reads the order's payments.
   */
  async authorize(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (!input.localMethod && input.card) return input.processorReference ? this.#cardReturned(input, input.processorReference) : this.#cardCheckout(input, false);
    if (input.processorReference) return this.#read(input, input.processorReference);
    return this.#create(input, false);
  }

  /** Resolves an open attempt: reads its payment, or finds (else makes) the attempt's order and payment and reads that. */
  async sync(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (!input.localMethod && input.card) return input.processorReference ? this.#cardReturned(input, input.processorReference) : this.#cardCheckout(input, true);
    if (input.processorReference) return this.#read(input, input.processorReference);
    const created = await this.#create(input, true);
    if ((created.status !== 'processing' && created.status !== 'requires_authentication') || typeof created.processorReference !== 'string') return created;
    const read = await this.#read(input, created.processorReference);
    return read.status === 'processing' ? created : read;
  }

  /** Captures an authorized card payment (the whole amount, as Razorpay requires); a captured one needs nothing. */
  async capture(input: ReferenceInput): Promise<SimpleOutput> {
    const path = `/v1/payments/${encodeURIComponent(input.processorReference)}`;
    const read = await this.#client.request('GET', path);
    if (read.kind === 'ambiguous') return { status: 'pending' };
    if (read.kind !== 'ok') return { status: 'failed', reason: read.kind === 'not_sent' ? 'provider_unreachable' : `razorpay_${read.status}` };
    const status = (read.body as RazorpayPayment).status;
    if (status === 'captured' || status === 'refunded') return { status: 'succeeded', processorReference: input.processorReference };
    if (status !== 'authorized') return { status: 'failed', reason: `razorpay_payment_${String(status)}` };
    const captured = await this.#client.request('POST', `${path}/capture`, { amount: input.amount, currency: input.currency.toUpperCase() });
    return operationOutput(
      captured,
      (body) => ((body as RazorpayPayment).status === 'captured' ? { status: 'succeeded', processorReference: input.processorReference } : { status: 'pending' }),
      { notSent: 'provider_unreachable', rejected: (status) => `razorpay_${status}` },
    );
  }

  /**
   * Razorpay has no cancel for a payment: one still awaiting the payer times out there by itself, and an authorized
   * card payment left uncaptured is released (refunded) by Razorpay on its own. Only a captured payment cannot be voided.
   */
  async void(input: ReferenceInput): Promise<SimpleOutput> {
    const read = await this.#client.request('GET', `/v1/payments/${encodeURIComponent(input.processorReference)}`);
    if (read.kind === 'ambiguous') return { status: 'pending' };
    if (read.kind !== 'ok') return { status: 'failed', reason: read.kind === 'not_sent' ? 'provider_unreachable' : `razorpay_${read.status}` };
    const status = (read.body as RazorpayPayment).status;
    if (status === 'created' || status === 'failed' || status === 'authorized') return { status: 'succeeded', processorReference: input.processorReference };
    return { status: 'failed', reason: `razorpay_payment_${String(status)}` };
  }

  /** Refunds (part of) a captured payment; the refund's receipt and notes carry Payrail's refund id. */
  async refund(input: RefundInput): Promise<SimpleOutput> {
    return this.#createRefund(input);
  }

  /** Finds the refund by its receipt among the payment's refunds (made by the first call) before making it. */
  async syncRefund(input: RefundInput): Promise<SimpleOutput> {
    const list = await this.#client.request('GET', `/v1/payments/${encodeURIComponent(input.processorReference)}/refunds?count=${refundsPageSize}`);
    if (list.kind === 'ambiguous') return { status: 'pending' };
    if (list.kind === 'ok') {
      const found = ((list.body as RazorpayCollection<RazorpayRefund>).items ?? []).find((refund) => refundIdOf(refund) === input.refundId);
      if (found) return fromRefund(found);
    }
    return this.#createRefund(input);
  }

  /**
   * Verifies `X-Razorpay-Signature` (HMAC-SHA256 of the raw body under the webhook secret) and maps the event; throws
   * for a body that does not verify (the route answers 400, and Razorpay retries a genuine one).
   */
  async parseWebhook(headers: Record<string, string>, body: Buffer): Promise<ProviderNotification[]> {
    return razorpayNotifications(headers, body, this.#config.webhookSecret);
  }

  // --- Flows ------------------------------------------------------------------------------------------------------

  /**
   * Makes the attempt's order and UPI payment. `retry` (from `sync`, after an ambiguous answer): first looks for the
   * order by its receipt and for a payment of it, and makes only what the first call did not. The first call of an
   * attempt skips the look-up: Payrail calls `authorize` once per attempt, so nothing can exist yet.
   */
  async #create(input: AuthorizeInput, retry: boolean): Promise<AuthorizeOutput> {
    if (input.localMethod?.type !== 'upi') throw new RazorpayRequestError('configuration', 'the Razorpay connector carries UPI and card payments only');
    const found = await this.#order(input, retry);
    if (!('order' in found)) return found;
    const order = found.order;
    if (typeof order.id !== 'string') return { status: 'pending' };
    if (!found.made) {
      // A retry: the first call made the order, and perhaps its payment.
      const existing = await this.#paymentsOf(order.id);
      if (!Array.isArray(existing)) return existing;
      if (existing.length > 0) return fromPayment(existing[0], input.capture);
    }
    const paid = await this.#client.request('POST', '/v1/payments/create/upi', toUpiPaymentRequest(input, order.id));
    if (paid.kind !== 'ok') return this.#unanswered(paid);
    const answer = paid.body as { razorpay_payment_id?: unknown; link?: unknown };
    if (typeof answer.razorpay_payment_id !== 'string') return { status: 'pending' };
    if (upiFlowOf(input) === 'intent') {
      if (typeof answer.link !== 'string') return { status: 'processing', processorReference: answer.razorpay_payment_id };
      // Payrail's page of the attempt shows the link and its QR code (hosted_instructions_url, qr_code).
      return upiIntentWaiting(answer.link, upiIntentPageUrl(this.#config.publicUrl, input.attemptId), upiIntentExpirySeconds, answer.razorpay_payment_id);
    }
    // The collect request is on its way to the payer's UPI app: the answer comes by webhook (or `sync`).
    return { status: 'processing', processorReference: answer.razorpay_payment_id };
  }

  /** The attempt's order: made now, or (`retry`) found by its receipt first. */
  async #order(input: AuthorizeInput, retry: boolean): Promise<{ order: RazorpayOrder; made: boolean } | AuthorizeOutput> {
    if (retry) {
      const found = await this.#client.request('GET', `/v1/orders?receipt=${encodeURIComponent(input.attemptId)}`);
      if (found.kind !== 'ok') return this.#unanswered(found);
      const order = ((found.body as RazorpayCollection<RazorpayOrder>).items ?? []).find((item) => item.receipt === input.attemptId);
      if (order) return { order, made: false };
    }
    const created = await this.#client.request('POST', '/v1/orders', toOrderRequest(input));
    if (created.kind !== 'ok') return this.#unanswered(created);
    return { order: created.body as RazorpayOrder, made: true };
  }

  /** A card payment: the attempt's order, and the payer sent to Razorpay's checkout to pay it. */
  async #cardCheckout(input: AuthorizeInput, retry: boolean): Promise<AuthorizeOutput> {
    const found = await this.#order(input, retry);
    if (!('order' in found)) return found;
    if (typeof found.order.id !== 'string') return { status: 'pending' };
    if (!found.made) {
      const paid = await this.#paymentsOf(found.order.id);
      if (!Array.isArray(paid)) return paid;
      if (paid.length > 0) return fromPayment(paid[0], input.capture);
    }
    const callbackUrl = input.returnUrl ?? this.#config.returnUrl;
    return { status: 'requires_authentication', processorReference: found.order.id, nextAction: checkoutRedirect(this.#config.baseUrl.replace(/\/+$/, ''), this.#config.keyId, found.order.id, callbackUrl, input) };
  }

  /**
   * The payer is back from the checkout. What the callback brought (Razorpay's signed ids, or `error[...]`) is not
   * believed: the order's payments are read from Razorpay, a paid one first.
   */
  async #cardReturned(input: AuthorizeInput, orderId: string): Promise<AuthorizeOutput> {
    const order = await this.#client.request('GET', `/v1/orders/${encodeURIComponent(orderId)}`);
    if (order.kind !== 'ok') return order.kind === 'rejected' ? { status: 'declined', decline: processingError, processorReference: null, riskScore: 0 } : this.#unanswered(order);
    if ((order.body as RazorpayOrder).receipt !== input.attemptId) return { status: 'declined', decline: processingError, processorReference: null, riskScore: 0 };
    const payments = await this.#paymentsOf(orderId);
    if (!Array.isArray(payments)) return payments;
    const paid = payments.find((payment) => payment.status === 'captured' || payment.status === 'authorized') ?? payments[0];
    if (!paid) return { status: 'declined', decline: checkoutAbandoned, processorReference: orderId, riskScore: 0 };
    return fromPayment(paid, input.capture);
  }

  /** The payments of an order, newest first. */
  async #paymentsOf(orderId: string): Promise<RazorpayPayment[] | AuthorizeOutput> {
    const payments = await this.#client.request('GET', `/v1/orders/${encodeURIComponent(orderId)}/payments`);
    if (payments.kind !== 'ok') return this.#unanswered(payments);
    return (payments.body as RazorpayCollection<RazorpayPayment>).items ?? [];
  }

  async #read(input: AuthorizeInput, paymentId: string): Promise<AuthorizeOutput> {
    const read = await this.#client.request('GET', `/v1/payments/${encodeURIComponent(paymentId)}`);
    if (read.kind !== 'ok') return read.kind === 'rejected' ? { status: 'declined', decline: processingError, processorReference: null, riskScore: 0 } : this.#unanswered(read);
    const payment = read.body as RazorpayPayment;
    // The reference comes from Payrail's own records, but a payment that is not this attempt's is never believed.
    if (attemptIdOf(payment) !== input.attemptId) return { status: 'declined', decline: processingError, processorReference: null, riskScore: 0 };
    return fromPayment(payment, input.capture);
  }

  /** What a call that did not answer `ok` means for an authorization. */
  #unanswered(outcome: Exclude<RazorpayOutcome, { kind: 'ok' }>): AuthorizeOutput {
    switch (outcome.kind) {
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        throw new RazorpayRequestError('not_sent', `Razorpay was not reached: ${outcome.detail}`);
      case 'rejected':
        return refused(outcome.description);
    }
  }

  async #createRefund(input: RefundInput): Promise<SimpleOutput> {
    const outcome = await this.#client.request('POST', `/v1/payments/${encodeURIComponent(input.processorReference)}/refund`, {
      amount: input.amount,
      receipt: input.refundId,
      notes: { payrail_refund: input.refundId },
    });
    return operationOutput(outcome, (body) => fromRefund(body as RazorpayRefund), { notSent: 'unknown', rejected: () => 'declined' });
  }
}
