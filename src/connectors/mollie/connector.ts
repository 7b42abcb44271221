import type { AuthorizeInput, AuthorizeOutput, Connector, ProviderNotification, ReferenceInput, RefundInput, SimpleOutput } from '../connector.ts';
import { assertRequestTimeout } from '../shared/http.ts';
import { notSentAsOutcome } from '../shared/rest-client.ts';
import { refundThroughRest, voidOutputOf } from '../shared/rest-flows.ts';
import { MollieClient, MollieRequestError, type MollieOutcome } from './client.ts';
import { mollieNotifications } from './notifications.ts';
import {
  attemptIdOf,
  fromPayment,
  fromRefund,
  idempotencyKey,
  mollieCarriedTypes,
  processingError,
  toMollieAmount,
  toCustomerRequest,
  toMandateRequest,
  toPaymentRequest,
  type MolliePayment,
  type MollieRefund,
} from './transformers.ts';
import { MollieWebhookError, webhookPaymentId } from './webhook.ts';

export { MollieRequestError } from './client.ts';

export interface MollieConnectorConfig {
  /** Mollie's API root: https://api.mollie.com (or a sandbox's URL), without `/v2`. */
  baseUrl: string;
  /** The profile's API key: `test_...` for test-mode configurations, `live_...` for live ones. */
  apiKey: string;
  /** Per-request timeout; an answer that does not arrive in time is an ambiguous outcome. */
  timeoutMs: number;
  /** Where Mollie sends the customer back when the payment brings no `AuthorizeInput.returnUrl` of its own. */
  returnUrl: string;
  /** Payrail's webhook URL of this configuration (`/payrail/webhooks/{id}`), given to Mollie as each payment's `webhookUrl`. */
  webhookUrl: string | null;
  /** An extra certificate authority (PEM) to trust besides the public roots (`settings[ca_certificate]`, test mode). */
  caCertificate?: string;
}

/**
 * Mollie Payments API v2 connector for local methods: the redirect methods (iDEAL, Bancontact, EPS, Przelewy24, BLIK,
 * Klarna) and SEPA Direct Debit. `authorize` creates the payment (-> `requires_authentication` with Mollie's
 * `_links.checkout`), and, once the customer is back, reads it (paid -> `authorized` and captured, authorized (Klarna)
 * -> `authorized`, captured at once through the Captures API unless the intent captures manually, open or pending ->
 * `processing`, canceled, expired or failed -> `declined`). A SEPA debit has no checkout: a Mollie customer and a
 * directdebit mandate (the account holder's name and IBAN) are made for the attempt, and a recurring payment on that
 * mandate is `pending` (-> `processing`) until the bank answers (webhook or `sync`); a failed debit's SEPA reason code
 * becomes Stripe's failure code (transformers.ts `directDebitDecline`). Every POST carries an Idempotency-Key derived from Payrail's attempt or refund id, so a retry or `sync`
 * gets Mollie's stored answer and never a second payment. The processor reference of a charge is the Mollie payment id.
 */
export class MollieConnector implements Connector {
  readonly name = 'mollie';
  /** Klarna may be captured later (Mollie's Captures API); the other methods are paid at once. Refunds may be partial. */
  readonly capabilities = { manualCapture: true, partialCapture: false, refunds: true, partialRefunds: true, threeDSecure: false };
  readonly paymentMethodTypes = mollieCarriedTypes;
  /** A replayed payment creation cannot charge by itself: the customer must pay on Mollie's checkout. */
  readonly syncReplayWindowSeconds = null;
  readonly #config: MollieConnectorConfig;
  readonly #client: MollieClient;

  constructor(config: MollieConnectorConfig) {
    assertRequestTimeout(config.timeoutMs);
    if (!URL.canParse(config.returnUrl)) throw new Error('returnUrl must be an absolute URL');
    this.#config = config;
    this.#client = new MollieClient({ endpoint: config.baseUrl.replace(/\/+$/, ''), apiKey: config.apiKey, timeoutMs: config.timeoutMs, ...(config.caCertificate !== undefined ? { caCertificate: config.caCertificate } : {}) });
  }

  /**
   * Without a processor reference: creates the payment. With one (the customer came back from the checkout to
   * Payrail's return page): reads the payment and answers what its status means.
   */
  async authorize(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (input.processorReference) return this.#captureIfAutomatic(input, await this.#read(input, input.processorReference, input.authentication !== undefined));
    return this.#create(input);
  }

  /**
   * Resolves an attempt whose outcome is open: reads the payment by its reference, or, without one, replays the
   * creation under its Idempotency-Key (Mollie answers with the payment the first request made, or makes it now if that
   * request never arrived) and reads that payment. Without a reference Payrail never showed the customer the checkout
   * (the creation's answer was lost, or is still on its way), so a payment still open there waits for the customer
   * (`requires_authentication`, with the checkout), not for a bank (`processing`, which nothing would ever end).
   */
  async sync(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (input.processorReference) return this.#captureIfAutomatic(input, await this.#read(input, input.processorReference, true));
    const created = await this.#create(input);
    const reference = 'processorReference' in created ? created.processorReference : null;
    if ((created.status !== 'requires_authentication' && created.status !== 'processing') || typeof reference !== 'string') return created;
    return this.#captureIfAutomatic(input, await this.#read(input, reference, false));
  }

  /**
   * Captures an authorized payment (Klarna) through Mollie's Captures API: the payment becomes `paid`. A payment Mollie
   * already paid (every other method) has nothing to capture. The Idempotency-Key is the attempt's, so a retry captures once.
   */
  async capture(input: ReferenceInput): Promise<SimpleOutput> {
    const read = await this.#safely(() => this.#client.request('GET', `/v2/payments/${encodeURIComponent(input.processorReference)}`));
    if (read.kind === 'ok' && (read.body as MolliePayment).status === 'paid') return { status: 'succeeded', processorReference: input.processorReference };
    const outcome = await this.#safely(() => this.#client.request('POST', `/v2/payments/${encodeURIComponent(input.processorReference)}/captures`, {
      body: { amount: toMollieAmount(input.amount, input.currency) },
      idempotencyKey: idempotencyKey('capture', input.attemptId),
    }));
    switch (outcome.kind) {
      case 'ok':
        return { status: 'succeeded', processorReference: input.processorReference };
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        return { status: 'failed', reason: 'provider_unreachable' };
      case 'rejected':
        return { status: 'failed', reason: `mollie_${outcome.status}` };
    }
  }

  /** An authorized (not yet captured) payment of an intent that captures automatically is captured now. */
  async #captureIfAutomatic(input: AuthorizeInput, output: AuthorizeOutput): Promise<AuthorizeOutput> {
    if (output.status !== 'authorized' || output.captured || !input.capture) return output;
    const captured = await this.capture({ attemptId: input.attemptId, processorReference: output.processorReference, amount: input.amount, currency: input.currency });
    if (captured.status === 'succeeded') return { ...output, captured: true };
    // Not captured yet (Mollie unreachable or ambiguous): the authorization stands; the next ask captures again, once.
    return captured.status === 'pending' ? { status: 'pending' } : output;
  }

  /** Cancels a payment Mollie still lets cancel (DELETE /v2/payments/{id}); a paid one cannot be. */
  async void(input: ReferenceInput): Promise<SimpleOutput> {
    const outcome = await this.#safely(() => this.#client.request('DELETE', `/v2/payments/${encodeURIComponent(input.processorReference)}`));
    return voidOutputOf(outcome, input.processorReference, 'mollie');
  }

  /** Refunds (part of) a paid payment. Mollie's refunds start queued or pending and settle later (webhook, syncRefund). */
  async refund(input: RefundInput): Promise<SimpleOutput> {
    return this.#refund(input, false);
  }

  /** Replays the refund under its Idempotency-Key to learn Mollie's refund id, then reads the refund for its status. */
  async syncRefund(input: RefundInput): Promise<SimpleOutput> {
    return this.#refund(input, true);
  }

  /**
   * Mollie's webhook names a payment (`id=tr_...`) and is not signed: the payment is fetched from Mollie with this
   * configuration's API key, and that answer (with its refunds) is the notification. Throws MollieWebhookError (the
   * route answers 400, and Mollie calls again on its schedule) when the body names no payment, the payment is not this
   * key's, or Mollie could not be asked.
   */
  async parseWebhook(_headers: Record<string, string>, body: Buffer): Promise<ProviderNotification[]> {
    const paymentId = webhookPaymentId(body);
    const read = await this.#safely(() => this.#client.request('GET', `/v2/payments/${encodeURIComponent(paymentId)}`));
    if (read.kind === 'rejected') throw new MollieWebhookError('payment_unknown', `Mollie does not know payment ${paymentId} (HTTP ${read.status})`);
    if (read.kind !== 'ok') throw new MollieWebhookError('mollie_unavailable', `Mollie could not be asked about payment ${paymentId}`);
    const payment = read.body as MolliePayment & { _links?: { refunds?: unknown } };
    let refunds: MollieRefund[] = [];
    if (payment._links?.refunds) {
      const list = await this.#safely(() => this.#client.request('GET', `/v2/payments/${encodeURIComponent(paymentId)}/refunds?limit=250`));
      if (list.kind !== 'ok') throw new MollieWebhookError('mollie_unavailable', `Mollie could not list the refunds of payment ${paymentId}`);
      refunds = (list.body as { _embedded?: { refunds?: MollieRefund[] } })._embedded?.refunds ?? [];
    }
    return mollieNotifications(payment, refunds);
  }

  // --- Flows ------------------------------------------------------------------------------------------------------

  async #create(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (!input.localMethod) throw new MollieRequestError('configuration', 'the Mollie connector carries local payment methods only (iDEAL, Bancontact, EPS, Przelewy24, BLIK, Klarna, SEPA Direct Debit)');
    let recurring: { customerId: string; mandateId: string } | undefined;
    if (input.localMethod.type === 'sepa_debit') {
      const mandate = await this.#mandateFor(input);
      if (mandate.kind !== 'ok') return mandate.output;
      recurring = mandate.recurring;
    }
    const request = toPaymentRequest(input, { redirectUrl: input.returnUrl ?? this.#config.returnUrl, webhookUrl: this.#config.webhookUrl }, recurring);
    const outcome = await this.#client.request('POST', '/v2/payments', { body: request, idempotencyKey: idempotencyKey('create-payment', input.attemptId) });
    switch (outcome.kind) {
      case 'ok':
        return fromPayment(outcome.body as MolliePayment, input, false);
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        throw new MollieRequestError('not_sent', `Mollie was not reached: ${outcome.detail}`);
      case 'rejected':
        return { status: 'declined', decline: { ...processingError, message: outcome.detail ?? processingError.message }, processorReference: null, riskScore: 0 };
    }
  }

  /**
   * The Mollie customer and directdebit mandate a SEPA debit is charged on, made for the attempt under Idempotency-Keys
   * derived from its id (a replay gets Mollie's first answers, never a second mandate). Payrail's own Mollie customer
   * and mandate per debit: the connector is stateless and Payrail's mandate, not Mollie's, is the customer's record.
   */
  async #mandateFor(input: AuthorizeInput): Promise<{ kind: 'ok'; recurring: { customerId: string; mandateId: string } } | { kind: 'answered'; output: AuthorizeOutput }> {
    const answerOf = (outcome: MollieOutcome): AuthorizeOutput => {
      if (outcome.kind === 'ambiguous') return { status: 'pending' };
      if (outcome.kind === 'not_sent') throw new MollieRequestError('not_sent', `Mollie was not reached: ${outcome.detail}`);
      return { status: 'declined', decline: { ...processingError, message: outcome.kind === 'rejected' && outcome.detail ? outcome.detail : processingError.message }, processorReference: null, riskScore: 0 };
    };
    const customer = await this.#client.request('POST', '/v2/customers', { body: toCustomerRequest(input), idempotencyKey: idempotencyKey('create-customer', input.attemptId) });
    const customerId = customer.kind === 'ok' ? (customer.body as { id?: unknown }).id : undefined;
    if (typeof customerId !== 'string') return { kind: 'answered', output: customer.kind === 'ok' ? { status: 'pending' } : answerOf(customer) };
    const mandate = await this.#client.request('POST', `/v2/customers/${encodeURIComponent(customerId)}/mandates`, { body: toMandateRequest(input), idempotencyKey: idempotencyKey('create-mandate', input.attemptId) });
    const mandateId = mandate.kind === 'ok' ? (mandate.body as { id?: unknown }).id : undefined;
    if (typeof mandateId !== 'string') return { kind: 'answered', output: mandate.kind === 'ok' ? { status: 'pending' } : answerOf(mandate) };
    return { kind: 'ok', recurring: { customerId, mandateId } };
  }

  async #read(input: AuthorizeInput, paymentId: string, returned: boolean): Promise<AuthorizeOutput> {
    const read = await this.#client.request('GET', `/v2/payments/${encodeURIComponent(paymentId)}`);
    switch (read.kind) {
      case 'ok':
        break;
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        throw new MollieRequestError('not_sent', `Mollie was not reached: ${read.detail}`);
      case 'rejected':
        return { status: 'declined', decline: processingError, processorReference: null, riskScore: 0 };
    }
    const payment = read.body as MolliePayment;
    // The reference comes from Payrail's own records, but a payment that is not this attempt's is never believed.
    if (attemptIdOf(payment) !== input.attemptId) return { status: 'declined', decline: processingError, processorReference: null, riskScore: 0 };
    return fromPayment(payment, input, returned);
  }

  #refund(input: RefundInput, sync: boolean): Promise<SimpleOutput> {
    const path = `/v2/payments/${encodeURIComponent(input.processorReference)}/refunds`;
    return refundThroughRest<MollieRefund>({
      create: () => this.#safely(() => this.#client.request('POST', path, {
        body: { amount: toMollieAmount(input.amount, input.currency), metadata: { payrail_refund: input.refundId } },
        idempotencyKey: idempotencyKey('refund', input.refundId),
      })),
      read: (refundId) => this.#safely(() => this.#client.request('GET', `${path}/${encodeURIComponent(refundId)}`)),
      idOf: (refund) => (typeof refund.id === 'string' ? refund.id : null),
      outputOf: fromRefund,
    }, sync);
  }

  /** A call whose `not_sent` failure is an outcome rather than an exception (flows that must answer, not fail over). */
  #safely(call: () => Promise<MollieOutcome>): Promise<MollieOutcome> {
    return notSentAsOutcome(call, (error): error is MollieRequestError => error instanceof MollieRequestError);
  }
}
