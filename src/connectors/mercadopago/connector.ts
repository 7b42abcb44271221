import type { AuthorizeInput, AuthorizeOutput, Connector, ProviderNotification, ReferenceInput, RefundInput, SimpleOutput } from '../connector.ts';
import { assertRequestTimeout } from '../shared/http.ts';
import { notSentAsOutcome, type RestOutcome } from '../shared/rest-client.ts';
import { refundThroughRest, voidOutputOf } from '../shared/rest-flows.ts';
import { MercadoPagoClient, MercadoPagoRequestError } from './client.ts';
import { mercadoPagoNotifications } from './notifications.ts';
import {
  attemptIdOf,
  fromPayment,
  fromRefund,
  idempotencyKey,
  mercadoPagoPaymentMethodTypes,
  payerEmailMissing,
  processingError,
  toDecimalAmount,
  toPaymentRequest,
  type MercadoPagoPayment,
  type MercadoPagoRefund,
  type PixImageUrl,
} from './transformers.ts';
import { MercadoPagoWebhookError, verifiedPaymentId } from './webhook.ts';
import { cardBrandUnsupported, cardholderNameMissing, cardMethodId, cardPayerEmailMissing, cardTokenRefused, securityCodeGone, toCardPaymentRequest, toCardTokenRequest } from './cards.ts';

export { MercadoPagoRequestError } from './client.ts';

export interface MercadoPagoConnectorConfig {
  /** Mercado Pago's API root: https://api.mercadopago.com (or a sandbox's URL). */
  baseUrl: string;
  /** The application's access token (`TEST-...` or `APP_USR-...`). */
  accessToken: string;
  /** The application's webhook secret signature: the HMAC key of `x-signature`. */
  webhookSecret: string;
  /** Per-request timeout; an answer that does not arrive in time is an ambiguous outcome. */
  timeoutMs: number;
  /** Payrail's webhook URL of this configuration (`/payrail/webhooks/{id}`), sent as each payment's `notification_url`. */
  notificationUrl: string | null;
  /** Where Payrail serves a Pix QR code's PNG and SVG (`image_url_png`, `image_url_svg`). */
  pixQrImageUrl: PixImageUrl;
}

/**
 * Mercado Pago Payments API connector for Brazil's Pix and boleto (Bradesco), and cards in BRL with installments.
 * A card payment creates a card token (POST /v1/card_tokens, with the security code Payrail keeps until the card's
 * first authorization) and pays with it (POST /v1/payments: the token, the brand, the plan's installments, `capture:
 * false` for manual capture, captured later with PUT {capture: true}); approved is captured, authorized is held,
 * in_process is processing, rejected is declined with Mercado Pago's `status_detail` in Stripe's decline codes.
 * Pix and boleto: `authorize` creates the payment: a
 * pending Pix shows its QR code and BR Code, a pending boleto its digitable line and voucher page, as the intent's
 * `next_action` (the same shapes as the test processor's). The outcome arrives by Mercado Pago's signed webhook
 * (approved -> succeeded, cancelled/expired or rejected -> requires_payment_method), or when Payrail's expiry sweep
 * asks the connector to finish an unpaid one (the payment is cancelled at Mercado Pago, unless it was paid meanwhile).
 * Every POST and PUT carries an X-Idempotency-Key derived from Payrail's attempt or refund id, so a retry or `sync`
 * gets Mercado Pago's stored answer and never a second payment. The processor reference is the Mercado Pago payment id.
 */
export class MercadoPagoConnector implements Connector {
  readonly name = 'mercadopago';
  /**
   * Cards may be authorized and captured later, in part (PUT transaction_amount), and paid in installments; Pix and
   * boleto are paid at once (Payrail refuses manual capture for them). Refunds may be partial (boleto: method-types.ts).
   */
  readonly capabilities = { manualCapture: true, partialCapture: true, refunds: true, partialRefunds: true, threeDSecure: false, installments: true };
  readonly paymentMethodTypes = mercadoPagoPaymentMethodTypes;
  /** A replayed payment creation cannot charge by itself: the payer must pay the QR code or voucher. */
  readonly syncReplayWindowSeconds = null;
  readonly #config: MercadoPagoConnectorConfig;
  readonly #client: MercadoPagoClient;

  constructor(config: MercadoPagoConnectorConfig) {
    assertRequestTimeout(config.timeoutMs);
    if (config.webhookSecret === '') throw new Error('webhookSecret must not be empty');
    this.#config = config;
    this.#client = new MercadoPagoClient({ endpoint: config.baseUrl, accessToken: config.accessToken, timeoutMs: config.timeoutMs });
  }

  /**
   * Without a processor reference: creates the payment. With one: the payment is finished, as not paid when
   * `authentication.status` is `failed` (the code expired in Payrail's sweep): a still pending payment is cancelled at
   * Mercado Pago first, so it can no longer be paid; one paid meanwhile is authorized.
   */
  async authorize(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (!input.processorReference) return this.#create(input);
    if (input.authentication?.status === 'failed') return this.#cancelUnpaid(input, input.processorReference);
    return this.#read(input, input.processorReference);
  }

  /**
   * Resolves an attempt whose outcome is open: reads the payment by its reference, or, without one, replays the
   * creation under its X-Idempotency-Key (Mercado Pago answers with the payment the first request made, or makes it now
   * if that request never arrived).
   */
  async sync(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (input.processorReference) return this.#read(input, input.processorReference);
    if (input.card) return this.#syncCard(input);
    return this.#create(input);
  }

  /**
   * Captures a card payment authorized with `capture: false` (PUT /v1/payments/{id} {capture: true,
   * transaction_amount}); Pix and boleto are captured when paid, and an approved payment answers as captured.
   */
  async capture(input: ReferenceInput): Promise<SimpleOutput> {
    const path = this.#paymentPath(input.processorReference);
    const read = await this.#safely(() => this.#client.request('GET', path));
    if (read.kind === 'ok' && (read.body as MercadoPagoPayment).status !== 'authorized') {
      const status = (read.body as MercadoPagoPayment).status;
      if (status === 'approved') return { status: 'succeeded', processorReference: input.processorReference };
      return { status: 'failed', reason: 'declined' };
    }
    if (read.kind !== 'ok') return read.kind === 'rejected' ? { status: 'failed', reason: 'declined' } : { status: 'pending', processorReference: input.processorReference };
    const captured = await this.#safely(() => this.#client.request('PUT', path, {
      body: { capture: true, transaction_amount: toDecimalAmount(input.amount, input.currency) }, idempotencyKey: idempotencyKey('capture-payment', input.attemptId),
    }));
    switch (captured.kind) {
      case 'ok':
        return (captured.body as MercadoPagoPayment).status === 'approved' ? { status: 'succeeded', processorReference: input.processorReference } : { status: 'pending', processorReference: input.processorReference };
      case 'rejected':
        return { status: 'failed', reason: 'declined' };
      default:
        return { status: 'pending', processorReference: input.processorReference };
    }
  }

  /** Cancels a payment still pending at Mercado Pago (PUT /v1/payments/{id} status cancelled); a paid one cannot be. */
  async void(input: ReferenceInput): Promise<SimpleOutput> {
    const outcome = await this.#safely(() => this.#client.request('PUT', this.#paymentPath(input.processorReference), {
      body: { status: 'cancelled' }, idempotencyKey: idempotencyKey('cancel-payment', input.attemptId),
    }));
    return voidOutputOf(outcome, input.processorReference, 'mercadopago');
  }

  /** Refunds (part of) an approved payment (POST /v1/payments/{id}/refunds). */
  async refund(input: RefundInput): Promise<SimpleOutput> {
    return this.#refund(input, false);
  }

  /** Replays the refund under its X-Idempotency-Key to learn Mercado Pago's refund id, then reads the refund. */
  async syncRefund(input: RefundInput): Promise<SimpleOutput> {
    return this.#refund(input, true);
  }

  /**
   * Verifies Mercado Pago's `x-signature` with this configuration's webhook secret, then fetches the payment it names
   * with the access token: that answer (with its refunds) is the notification. Throws MercadoPagoWebhookError (the
   * route answers 400, and Mercado Pago calls again on its schedule) for a signature that does not verify, or a payment
   * Mercado Pago does not know or could not be asked about.
   */
  async parseWebhook(headers: Record<string, string>, body: Buffer): Promise<ProviderNotification[]> {
    const paymentId = verifiedPaymentId(headers, body, this.#config.webhookSecret, Math.floor(Date.now() / 1000));
    if (paymentId === null) return [{ kind: 'other', eventKey: `notification:${headers['x-request-id'] ?? 'unknown'}`, description: 'a Mercado Pago notification of another topic' }];
    const read = await this.#safely(() => this.#client.request('GET', this.#paymentPath(paymentId)));
    if (read.kind === 'rejected') throw new MercadoPagoWebhookError('payment_unknown', `Mercado Pago does not know payment ${paymentId} (HTTP ${read.status})`);
    if (read.kind !== 'ok') throw new MercadoPagoWebhookError('mercadopago_unavailable', `Mercado Pago could not be asked about payment ${paymentId}`);
    return mercadoPagoNotifications(read.body as MercadoPagoPayment);
  }

  // --- Flows ------------------------------------------------------------------------------------------------------

  async #create(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (input.card) return this.#createCard(input, input.card);
    if (!input.localMethod) throw new MercadoPagoRequestError('configuration', 'the Mercado Pago connector carries Pix, boleto and cards only');
    if (input.localMethod.billingDetails.email === null) return { status: 'declined', decline: payerEmailMissing, processorReference: null, riskScore: 0 };
    const request = toPaymentRequest(input, { notificationUrl: this.#config.notificationUrl, nowSeconds: Math.floor(Date.now() / 1000) });
    return this.#postPayment(input, request);
  }

  /**
   * A card payment: the card token (with the security code, which must still be kept), then the payment. Whatever
   * Mercado Pago lacks (the code, the payer's e-mail, the holder's name, a brand it takes) declines before sending.
   */
  async #createCard(input: AuthorizeInput, card: NonNullable<AuthorizeInput['card']>): Promise<AuthorizeOutput> {
    const declineBeforeSending = (decline: typeof securityCodeGone): AuthorizeOutput => ({ status: 'declined', decline, processorReference: null, riskScore: 0 });
    if (!card.securityCode) return declineBeforeSending(securityCodeGone);
    if (!card.holderEmail) return declineBeforeSending(cardPayerEmailMissing);
    if (!card.holderName) return declineBeforeSending(cardholderNameMissing);
    const methodId = cardMethodId(card);
    if (methodId === null) return declineBeforeSending(cardBrandUnsupported);
    // A card token charges nothing: an ambiguous answer is safely a not-sent one (failover may try elsewhere).
    const tokenAnswer = await this.#client.request('POST', '/v1/card_tokens', { body: toCardTokenRequest({ ...card, securityCode: card.securityCode, holderName: card.holderName }) });
    if (tokenAnswer.kind === 'rejected') return declineBeforeSending(cardTokenRefused(tokenAnswer.detail ?? null));
    if (tokenAnswer.kind !== 'ok' || typeof (tokenAnswer.body as { id?: unknown }).id !== 'string') {
      throw new MercadoPagoRequestError('not_sent', 'Mercado Pago did not give a card token');
    }
    const request = toCardPaymentRequest(input, {
      decimalAmount: toDecimalAmount(input.amount, input.currency), token: (tokenAnswer.body as { id: string }).id, methodId, email: card.holderEmail, notificationUrl: this.#config.notificationUrl,
    });
    return this.#postPayment(input, request);
  }

  /** Creates the payment (`POST /v1/payments`) under the attempt's X-Idempotency-Key and reads its answer. */
  async #postPayment(input: AuthorizeInput, request: unknown): Promise<AuthorizeOutput> {
    const outcome = await this.#client.request('POST', '/v1/payments', { body: request, idempotencyKey: idempotencyKey('create-payment', input.attemptId) });
    switch (outcome.kind) {
      case 'ok':
        return this.#answer(outcome.body as MercadoPagoPayment);
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        throw new MercadoPagoRequestError('not_sent', `Mercado Pago was not reached: ${outcome.detail}`);
      case 'rejected':
        return { status: 'declined', decline: { ...processingError, message: outcome.detail ?? processingError.message }, processorReference: null, riskScore: 0 };
    }
  }

  /**
   * A card attempt whose creation's answer was lost: the payment is looked up by its external_reference (the attempt id)
   * first, so that nothing is created again when it exists (and so that a security code deleted meanwhile does not
   * decline a payment Mercado Pago made); only when Mercado Pago has none is the creation replayed.
   */
  async #syncCard(input: AuthorizeInput): Promise<AuthorizeOutput> {
    const found = await this.#client.request('GET', `/v1/payments/search?external_reference=${encodeURIComponent(input.attemptId)}&sort=date_created&criteria=asc`);
    if (found.kind === 'ambiguous') return { status: 'pending' };
    if (found.kind === 'not_sent') throw new MercadoPagoRequestError('not_sent', `Mercado Pago was not reached: ${found.detail}`);
    const results = found.kind === 'ok' ? (found.body as { results?: MercadoPagoPayment[] }).results ?? [] : [];
    const payment = results.find((candidate) => attemptIdOf(candidate) === input.attemptId);
    return payment ? this.#answer(payment) : this.#create(input);
  }

  async #read(input: AuthorizeInput, paymentId: string): Promise<AuthorizeOutput> {
    const fetched = await this.#fetch(input, paymentId);
    return 'payment' in fetched ? this.#answer(fetched.payment) : fetched.answer;
  }

  /** The payment of this attempt, or the answer to give when it cannot be had (pending, or declined for a stranger's). */
  async #fetch(input: AuthorizeInput, paymentId: string): Promise<{ payment: MercadoPagoPayment } | { answer: AuthorizeOutput }> {
    const read = await this.#client.request('GET', this.#paymentPath(paymentId));
    switch (read.kind) {
      case 'ok':
        break;
      case 'ambiguous':
        return { answer: { status: 'pending' } };
      case 'not_sent':
        throw new MercadoPagoRequestError('not_sent', `Mercado Pago was not reached: ${read.detail}`);
      case 'rejected':
        return { answer: { status: 'declined', decline: processingError, processorReference: null, riskScore: 0 } };
    }
    const payment = read.body as MercadoPagoPayment;
    // The reference comes from Payrail's own records, but a payment that is not this attempt's is never believed.
    if (attemptIdOf(payment) !== input.attemptId) return { answer: { status: 'declined', decline: processingError, processorReference: null, riskScore: 0 } };
    return { payment };
  }

  async #cancelUnpaid(input: AuthorizeInput, paymentId: string): Promise<AuthorizeOutput> {
    const fetched = await this.#fetch(input, paymentId);
    if (!('payment' in fetched)) return fetched.answer;
    if (fetched.payment.status !== 'pending') return this.#answer(fetched.payment);
    const cancelled = await this.#client.request('PUT', this.#paymentPath(paymentId), { body: { status: 'cancelled' }, idempotencyKey: idempotencyKey('cancel-payment', input.attemptId) });
    switch (cancelled.kind) {
      case 'ok': {
        // Cancelled for having expired: Payrail's sweep only asks once the code's expires_at has passed.
        const payment = cancelled.body as MercadoPagoPayment;
        return this.#answer(payment.status === 'cancelled' ? { ...payment, status_detail: 'expired' } : payment);
      }
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        throw new MercadoPagoRequestError('not_sent', `Mercado Pago was not reached: ${cancelled.detail}`);
      case 'rejected':
        // No longer cancellable (paid, or expired at Mercado Pago meanwhile): what it is now decides.
        return this.#read(input, paymentId);
    }
  }

  #refund(input: RefundInput, sync: boolean): Promise<SimpleOutput> {
    const path = `${this.#paymentPath(input.processorReference)}/refunds`;
    return refundThroughRest<MercadoPagoRefund>({
      create: () => this.#safely(() => this.#client.request('POST', path, {
        body: { amount: toDecimalAmount(input.amount, input.currency), metadata: { payrail_refund: input.refundId } },
        idempotencyKey: idempotencyKey('refund', input.refundId),
      })),
      read: (refundId) => this.#safely(() => this.#client.request('GET', `${path}/${encodeURIComponent(refundId)}`)),
      idOf: (refund) => (typeof refund.id === 'number' ? String(refund.id) : null),
      outputOf: fromRefund,
    }, sync);
  }

  /** The attempt's answer for a payment. */
  #answer(payment: MercadoPagoPayment): AuthorizeOutput {
    return fromPayment(payment, this.#config.pixQrImageUrl);
  }

  #paymentPath(paymentId: string): string {
    return `/v1/payments/${encodeURIComponent(paymentId)}`;
  }

  /** A call whose `not_sent` failure is an outcome rather than an exception (flows that must answer, not fail over). */
  #safely(call: () => Promise<RestOutcome>): Promise<RestOutcome> {
    return notSentAsOutcome(call, (error): error is MercadoPagoRequestError => error instanceof MercadoPagoRequestError);
  }
}
