import type { AuthorizeInput, AuthorizeOutput, Connector, ProviderNotification, ReferenceInput, RefundInput, SimpleOutput } from '../connector.ts';
import { paidAtOnceCapabilities } from '../shared/declines.ts';
import { assertRequestTimeout } from '../shared/http.ts';
import { RazorpayClient, RazorpayRequestError, type RazorpayOutcome } from './client.ts';
import {
  attemptIdOf,
  fromPayment,
  fromRefund,
  intentDisplay,
  processingError,
  razorpayCarriedTypes,
  refundIdOf,
  toOrderRequest,
  toUpiPaymentRequest,
  upiFlowOf,
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
}

/** Refunds listed per page when a refund is looked up by its receipt (Razorpay's largest `count`). */
const refundsPageSize = 100;

/** A declined output without a Razorpay payment (Razorpay refused the request itself). */
function refused(description: string | null): AuthorizeOutput {
  return { status: 'declined', decline: { ...processingError, message: description ?? processingError.message }, processorReference: null, riskScore: 0 };
}

/**
 * Razorpay connector for UPI (razorpay.com/docs/api). Each attempt is one Razorpay order (`receipt` = the attempt id)
 * and one UPI payment of it: a collect request to the payer's VPA (the intent is `processing` until Razorpay reports the
 * payer's answer by webhook or `sync`), or an intent link the payer's UPI app opens (`requires_action` with
 * `upi_handle_redirect_or_display_qr_code`). Razorpay's Orders and Payments APIs take no idempotency key, so every
 * creation first looks for the attempt's order by receipt and for a payment of it: a retry or `sync` finds what the
 * first call made and never creates a second order or payment. The processor reference of a charge is the payment id.
 */
export class RazorpayConnector implements Connector {
  readonly name = 'razorpay';
  /** UPI payments are captured by Razorpay with the order (no manual capture); refunds may be partial. */
  readonly capabilities = paidAtOnceCapabilities;
  readonly paymentMethodTypes = razorpayCarriedTypes;
  /** `sync` looks the order up by receipt before creating anything: replaying can never pay twice. */
  readonly syncReplayWindowSeconds = null;
  readonly #config: RazorpayConnectorConfig;
  readonly #client: RazorpayClient;

  constructor(config: RazorpayConnectorConfig) {
    assertRequestTimeout(config.timeoutMs);
    this.#config = config;
    this.#client = new RazorpayClient({ endpoint: config.baseUrl.replace(/\/+$/, ''), keyId: config.keyId, keySecret: config.keySecret, timeoutMs: config.timeoutMs });
  }

  /** Without a processor reference: finds or creates the order and its UPI payment. With one: reads the payment. */
  async authorize(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (input.processorReference) return this.#read(input, input.processorReference);
    return this.#create(input, false);
  }

  /** Resolves an open attempt: reads its payment, or finds (else makes) the attempt's order and payment and reads that. */
  async sync(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (input.processorReference) return this.#read(input, input.processorReference);
    const created = await this.#create(input, true);
    if ((created.status !== 'processing' && created.status !== 'requires_authentication') || typeof created.processorReference !== 'string') return created;
    const read = await this.#read(input, created.processorReference);
    return read.status === 'processing' ? created : read;
  }

  /** UPI payments are captured with their order: there is nothing left to capture. */
  async capture(input: ReferenceInput): Promise<SimpleOutput> {
    return { status: 'succeeded', processorReference: input.processorReference };
  }

  /**
   * Razorpay has no cancel for a payment: one still awaiting the payer times out there by itself (and one captured
   * after all is refunded by Razorpay when its order is not paid). Only a payment already captured cannot be voided.
   */
  async void(input: ReferenceInput): Promise<SimpleOutput> {
    const read = await this.#client.request('GET', `/v1/payments/${encodeURIComponent(input.processorReference)}`);
    if (read.kind === 'ambiguous') return { status: 'pending' };
    if (read.kind !== 'ok') return { status: 'failed', reason: read.kind === 'not_sent' ? 'provider_unreachable' : `razorpay_${read.status}` };
    const status = (read.body as RazorpayPayment).status;
    if (status === 'created' || status === 'failed') return { status: 'succeeded', processorReference: input.processorReference };
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
    if (input.localMethod?.type !== 'upi') throw new RazorpayRequestError('configuration', 'the Razorpay connector carries UPI payments only');
    let order: RazorpayOrder | undefined;
    if (retry) {
      const found = await this.#client.request('GET', `/v1/orders?receipt=${encodeURIComponent(input.attemptId)}`);
      if (found.kind !== 'ok') return this.#unanswered(found);
      order = ((found.body as RazorpayCollection<RazorpayOrder>).items ?? []).find((item) => item.receipt === input.attemptId);
    }
    if (order) {
      // A retry: the first call made the order, and perhaps its payment.
      const payments = await this.#client.request('GET', `/v1/orders/${encodeURIComponent(order.id ?? '')}/payments`);
      if (payments.kind !== 'ok') return this.#unanswered(payments);
      const existing = (payments.body as RazorpayCollection<RazorpayPayment>).items ?? [];
      if (existing.length > 0) return fromPayment(existing[0], input.capture);
    } else {
      const created = await this.#client.request('POST', '/v1/orders', toOrderRequest(input));
      if (created.kind !== 'ok') return this.#unanswered(created);
      order = created.body as RazorpayOrder;
    }
    if (typeof order.id !== 'string') return { status: 'pending' };
    const paid = await this.#client.request('POST', '/v1/payments/create/upi', toUpiPaymentRequest(input, order.id));
    if (paid.kind !== 'ok') return this.#unanswered(paid);
    const answer = paid.body as { razorpay_payment_id?: unknown; link?: unknown };
    if (typeof answer.razorpay_payment_id !== 'string') return { status: 'pending' };
    if (upiFlowOf(input) === 'intent') {
      if (typeof answer.link !== 'string') return { status: 'processing', processorReference: answer.razorpay_payment_id };
      return { status: 'requires_authentication', processorReference: answer.razorpay_payment_id, display: intentDisplay(answer.link) };
    }
    // The collect request is on its way to the payer's UPI app: the answer comes by webhook (or `sync`).
    return { status: 'processing', processorReference: answer.razorpay_payment_id };
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
    switch (outcome.kind) {
      case 'ok':
        return fromRefund(outcome.body as RazorpayRefund);
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        return { status: 'failed', reason: 'unknown' };
      case 'rejected':
        return { status: 'failed', reason: 'declined' };
    }
  }
}
