import {
  ConnectorRequestError, type AuthorizeInput, type AuthorizeOutput, type Connector, type IncrementInput, type IncrementOutput, type ProviderNotification, type ReferenceInput,
  type RefundInput, type SimpleOutput,
} from '../connector.ts';
import {
  declineOf, encodeForm, fromCanceledIntent, fromCapturedIntent, fromPaymentIntent, fromRefund, idempotencyKey, isSettledIntent,
  processingErrorDecline, refundMetadataKey, stripeApiVersion, toCaptureParams, toIncrementParams, toPaymentIntentParams, toPaymentMethodParams, toRefundParams,
  type FormValue, type StripeCharge, type StripeError, type StripePaymentIntent, type StripeRefund,
} from './transformers.ts';
import { parseStripeWebhook } from './webhook.ts';
import { stripeNotifications } from './notifications.ts';
import { assertRequestTimeout, classifyFetchFailure, fetchWithDeadline } from '../shared/http.ts';

/** Refunds read per page when looking for one by its Payrail id (Stripe's list maximum). */
export const refundListPageSize = 100;

/** Pages of refunds read at most for one PaymentIntent (Payrail caps refunds per charge far below this). */
export const refundListPagesMax = 10;

export interface StripeConnectorConfig {
  /** Stripe's API origin, https://api.stripe.com (or a Stripe-compatible server: another Payrail). */
  baseUrl: string;
  /** A secret (`sk_`) or restricted (`rk_`) key, sent as `Authorization: Bearer`. */
  apiKey: string;
  /** The webhook endpoint's signing secrets (`whsec_...`); several while a secret is being rolled. */
  webhookSecrets: readonly string[];
  /** Per-request timeout; an answer that does not arrive in time is an ambiguous outcome. */
  timeoutMs: number;
  /**
   * Where Stripe returns the customer after 3-D Secure. With it, Stripe answers `next_action.redirect_to_url`; without
   * it, `use_stripe_sdk`, which only Stripe.js can handle. Used when the payment brings no `AuthorizeInput.returnUrl`
   * of its own (as for Adyen).
   */
  returnUrl: string | null;
  /** The clock for webhook timestamps (seconds); tests pass their own. */
  nowSeconds?: () => number;
}

/**
 * A request Stripe did not act on (see `ConnectorRequestError`):
 * - `not_sent`: the connection was refused, the host not found, or Stripe rate-limited the request (429: Stripe
 *   documents that it did not process it); nothing happened at Stripe, so failover is safe;
 * - `configuration`: Stripe refused the key (401) or its permissions (403); retrying will not help.
 */
export class StripeRequestError extends ConnectorRequestError {}

type HttpOutcome =
  | { kind: 'ok'; status: number; body: unknown; replayed: boolean }
  /** Stripe may or may not have acted: a timeout, a broken connection, a 5xx, a concurrent use of the key. */
  | { kind: 'ambiguous'; detail: string }
  | { kind: 'not_sent'; detail: string; status: number | null }
  | { kind: 'unauthorized'; status: number }
  /** A card error (402): Stripe acted, and the error carries the PaymentIntent and charge. */
  | { kind: 'card_error'; error: StripeError }
  /** Stripe answered that it did not act (400/404): final, nothing was created or changed. */
  | { kind: 'rejected'; status: number; error: StripeError };

/**
 * Stripe over its REST API, with plain `fetch` (no SDK at run time). Stateless: every request that changes anything
 * carries an Idempotency-Key derived from the Payrail id, so a repeated call (a retry, or `sync`) replays Stripe's
 * stored response instead of acting twice.
 */
export class StripeConnector implements Connector {
  readonly name = 'stripe';
  readonly capabilities = { manualCapture: true, partialCapture: true, refunds: true, partialRefunds: true, threeDSecure: true };
  /** Stripe keeps idempotency keys for 24 hours (docs.stripe.com/api/idempotent_requests); 23 to be safe. */
  readonly syncReplayWindowSeconds = 23 * 3_600;
  readonly #config: StripeConnectorConfig;
  readonly #origin: string;

  constructor(config: StripeConnectorConfig) {
    assertRequestTimeout(config.timeoutMs);
    this.#config = config;
    // Paths below start with /v1; a base URL given with it is accepted too.
    this.#origin = config.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  }

  /**
   * Creates the card PaymentMethod and a confirmed PaymentIntent. On the customer's return from 3-D Secure
   * (`authentication` set), the intent already exists: it is found again and its current state read, directly when
   * `processorReference` (the PaymentIntent id from `requires_authentication`) is given.
   */
  async authorize(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (input.authentication !== undefined) return this.sync(input);
    return this.#create(input);
  }

  /**
   * Resolves an attempt whose outcome Payrail does not know. With the PaymentIntent id it retrieves the intent.
   * Without it, it replays the create with the same Idempotency-Keys: if the first request reached Stripe, Stripe
   * returns its stored response (for 24 hours) and nothing new happens; if it never arrived, the replay is the one
   * and only authorization. The stored response is the state at creation, so an intent that was still moving then
   * (`requires_action`, `processing`) is retrieved for its state now.
   *
   * Why not search by `metadata[payrail_attempt]`: Stripe's search is eventually consistent (an intent created a
   * moment ago may not be found yet, and "not found" would wrongly say nothing happened) and not available
   * everywhere; the idempotent replay is exact. The janitor must sync attempts well inside Stripe's 24 hours.
   */
  async sync(input: AuthorizeInput): Promise<AuthorizeOutput> {
    if (typeof input.processorReference === 'string' && input.processorReference !== '') return this.#retrieve(input.processorReference);
    const created = await this.#createIntent(input);
    if (created.intent !== null && created.replayed && !isSettledIntent(created.intent)) return this.#retrieve(created.intent.id);
    return created.output;
  }

  /** Captures `amount` (a partial capture releases the rest, as Stripe does). */
  async capture(input: ReferenceInput): Promise<SimpleOutput> {
    const outcome = await this.#send('POST', `/v1/payment_intents/${encodeURIComponent(input.processorReference)}/capture`, toCaptureParams(input.amount), idempotencyKey('capture', input.attemptId));
    return this.#modification(outcome, fromCapturedIntent, 'capture');
  }

  async void(input: ReferenceInput): Promise<SimpleOutput> {
    const outcome = await this.#send('POST', `/v1/payment_intents/${encodeURIComponent(input.processorReference)}/cancel`, {}, idempotencyKey('cancel', input.attemptId));
    return this.#modification(outcome, fromCanceledIntent, 'cancel');
  }

  /**
   * Stripe's incremental authorization: the PaymentIntent's authorization grows to `amount`. The Idempotency-Key
   * derives from Payrail's increment id (the charge and the new total), so a retry is the same increment at Stripe.
   * A 402 is the issuer's decline; a request Stripe refused (400) declines with a processing error, since nothing
   * was authorized; a request that never reached Stripe throws (`not_sent`), and an unknown outcome is `pending`.
   */
  async incrementAuthorization(input: IncrementInput): Promise<IncrementOutput> {
    const outcome = await this.#send('POST', `/v1/payment_intents/${encodeURIComponent(input.processorReference)}/increment_authorization`, toIncrementParams(input.amount), idempotencyKey('increment', input.incrementId));
    switch (outcome.kind) {
      case 'ok': {
        const amount = (outcome.body as StripePaymentIntent).amount;
        return typeof amount === 'number' ? { status: 'authorized', amount } : { status: 'pending' };
      }
      case 'card_error':
        return { status: 'declined', decline: declineOf(outcome.error) };
      case 'rejected':
        return { status: 'declined', decline: processingErrorDecline };
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        throw new StripeRequestError('not_sent', `Stripe did not process the request: ${outcome.detail}`, outcome.status);
      case 'unauthorized':
        throw new StripeRequestError('configuration', `Stripe refused the API key (HTTP ${outcome.status})`, outcome.status);
    }
  }

  /**
   * Refunds part or all of the PaymentIntent. Card refunds at Stripe are usually `succeeded` at once; `pending`
   * ones are settled by `syncRefund` or the `refund.updated` / `refund.failed` webhooks.
   */
  async refund(input: RefundInput): Promise<SimpleOutput> {
    const outcome = await this.#send('POST', '/v1/refunds', toRefundParams(input.processorReference, input.amount, input.refundId, input.attemptId), idempotencyKey('refund', input.refundId));
    return this.#modification(outcome, (body) => fromRefund(body as StripeRefund), 'refund');
  }

  /**
   * How a refund ended. The Stripe refund id is not in Payrail's input, and a replay of the create would, after
   * Stripe's 24-hour idempotency window, refund a second time (refunds can stay pending for days); so the intent's
   * refunds are listed (a consistent read) and the one with `metadata[payrail_refund]` is taken. Only if it is not
   * there, i.e. the first request never reached Stripe, is the create sent again, under the same key.
   */
  async syncRefund(input: RefundInput): Promise<SimpleOutput> {
    let startingAfter: string | undefined;
    for (let page = 0; page < refundListPagesMax; page += 1) {
      const query = { payment_intent: input.processorReference, limit: refundListPageSize, starting_after: startingAfter };
      const outcome = await this.#send('GET', '/v1/refunds', query, null);
      if (outcome.kind !== 'ok') return this.#modification(outcome, () => ({ status: 'pending' }), 'refund');
      const list = outcome.body as { data?: StripeRefund[]; has_more?: boolean };
      const refunds = Array.isArray(list.data) ? list.data : [];
      const found = refunds.find((refund) => refund.metadata?.[refundMetadataKey] === input.refundId);
      if (found) return fromRefund(found);
      if (!list.has_more || refunds.length === 0) return this.refund(input);
      startingAfter = refunds[refunds.length - 1].id;
    }
    // More refunds than Payrail can have made: do not create one more on a guess.
    return { status: 'pending' };
  }

  /**
   * Verifies `Stripe-Signature` against the configured secrets and returns the event in Payrail's terms
   * (notifications.ts; payment_intent.succeeded says two things).
   */
  async parseWebhook(headers: Record<string, string>, body: Buffer): Promise<ProviderNotification[]> {
    const now = this.#config.nowSeconds?.() ?? Math.floor(Date.now() / 1000);
    return stripeNotifications(parseStripeWebhook(headers, body, this.#config.webhookSecrets, now));
  }

  async #create(input: AuthorizeInput): Promise<AuthorizeOutput> {
    return (await this.#createIntent(input)).output;
  }

  /** Sends (or replays) the PaymentMethod and PaymentIntent creation; `intent` is Stripe's answer when it sent one. */
  async #createIntent(input: AuthorizeInput): Promise<{ output: AuthorizeOutput; intent: StripePaymentIntent | null; replayed: boolean }> {
    const method = await this.#send('POST', '/v1/payment_methods', toPaymentMethodParams(input), idempotencyKey('payment_method', input.attemptId));
    if (method.kind !== 'ok') return { output: await this.#authorizationFailure(method), intent: null, replayed: false };
    const paymentMethodId = (method.body as { id?: unknown }).id;
    if (typeof paymentMethodId !== 'string') return { output: { status: 'pending' }, intent: null, replayed: false };
    const params = toPaymentIntentParams(input, paymentMethodId, { returnUrl: input.returnUrl ?? this.#config.returnUrl });
    const outcome = await this.#send('POST', '/v1/payment_intents', params, idempotencyKey('authorize', input.attemptId));
    if (outcome.kind === 'ok') {
      const intent = outcome.body as StripePaymentIntent;
      return { output: fromPaymentIntent(intent), intent: typeof intent.id === 'string' ? intent : null, replayed: outcome.replayed };
    }
    const declined = outcome.kind === 'card_error' ? outcome.error.payment_intent : undefined;
    // A replayed decline is final: a PaymentIntent in requires_payment_method does not move without a new confirmation.
    return { output: await this.#authorizationFailure(outcome), intent: declined && typeof declined.id === 'string' ? declined : null, replayed: false };
  }

  async #retrieve(paymentIntentId: string): Promise<AuthorizeOutput> {
    const outcome = await this.#send('GET', `/v1/payment_intents/${encodeURIComponent(paymentIntentId)}`, { expand: ['latest_charge'] }, null);
    if (outcome.kind !== 'ok') return this.#authorizationFailure(outcome);
    const intent = outcome.body as StripePaymentIntent;
    return this.#withDeclineCharge(fromPaymentIntent(intent), intent);
  }

  /** What an authorization request that did not answer 2xx means. */
  async #authorizationFailure(outcome: Exclude<HttpOutcome, { kind: 'ok' }>): Promise<AuthorizeOutput> {
    switch (outcome.kind) {
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        throw new StripeRequestError('not_sent', `Stripe did not process the request: ${outcome.detail}`, outcome.status);
      case 'unauthorized':
        throw new StripeRequestError('configuration', `Stripe refused the API key (HTTP ${outcome.status})`, outcome.status);
      case 'card_error': {
        // A decline: the PaymentIntent inside the error says what happened; without one (a PaymentMethod the
        // issuer-independent checks refused), the error alone is the decline.
        const intent = outcome.error.payment_intent;
        if (intent && typeof intent.id === 'string') return this.#withDeclineCharge(fromPaymentIntent(intent), intent);
        return { status: 'declined', decline: declineOf(outcome.error), processorReference: null, riskScore: 0 };
      }
      case 'rejected':
        return { status: 'declined', decline: processingErrorDecline, processorReference: null, riskScore: 0 };
    }
  }

  /**
   * A decline's charge holds its `outcome` (Radar blocking vs the issuer, network status, risk score), which the
   * PaymentIntent and the 402 do not; it is read when the charge is not already at hand. If the charge cannot be
   * read, the decline stands without it: the decline itself is what matters.
   */
  async #withDeclineCharge(output: AuthorizeOutput, intent: StripePaymentIntent): Promise<AuthorizeOutput> {
    if (output.status !== 'declined' || !intent.last_payment_error) return output;
    let charge: StripeCharge | null = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
    const chargeId = charge?.id ?? (typeof intent.latest_charge === 'string' ? intent.latest_charge : intent.last_payment_error.charge);
    if (!charge?.outcome && typeof chargeId === 'string') {
      const outcome = await this.#send('GET', `/v1/charges/${encodeURIComponent(chargeId)}`, {}, null);
      if (outcome.kind === 'ok') charge = outcome.body as StripeCharge;
    }
    return charge ? fromPaymentIntent(intent, charge) : output;
  }

  #modification(outcome: HttpOutcome, map: (body: never) => SimpleOutput, kind: 'capture' | 'cancel' | 'refund'): SimpleOutput {
    switch (outcome.kind) {
      case 'ok':
        return map(outcome.body as never);
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        // Nothing happened at Stripe: a final failure the caller may retry later.
        return { status: 'failed', reason: kind === 'refund' ? 'unknown' : 'provider_unreachable' };
      case 'unauthorized':
        throw new StripeRequestError('configuration', `Stripe refused the API key (HTTP ${outcome.status})`, outcome.status);
      case 'card_error':
      case 'rejected':
        // Refund failures use Stripe's `failure_reason` vocabulary; Stripe refusing the request is `declined`.
        return { status: 'failed', reason: kind === 'refund' ? 'declined' : `stripe_${outcome.error.code ?? outcome.kind}` };
    }
  }

  async #send(method: 'GET' | 'POST', path: string, params: Record<string, FormValue>, key: string | null): Promise<HttpOutcome> {
    const encoded = encodeForm(params);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#config.apiKey}`,
      'stripe-version': stripeApiVersion,
      accept: 'application/json',
    };
    if (key !== null) headers['idempotency-key'] = key;
    let url = this.#origin + path;
    let body: string | undefined;
    if (method === 'GET') {
      if (encoded !== '') url += '?' + encoded;
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = encoded;
    }
    let response: Response;
    let text: string;
    try {
      ({ response, text } = await fetchWithDeadline(url, { method, headers, body, redirect: 'error' }, this.#config.timeoutMs));
    } catch (error) {
      const failure = classifyFetchFailure(error);
      return failure.kind === 'not_sent' ? { ...failure, status: null } : failure;
    }
    if (response.status >= 500) return { kind: 'ambiguous', detail: `HTTP ${response.status}` };
    if (response.status === 401 || response.status === 403) return { kind: 'unauthorized', status: response.status };
    // Stripe documents that a rate-limited request was not processed, so it is safe to send elsewhere or later.
    if (response.status === 429) return { kind: 'not_sent', detail: 'rate limited (HTTP 429)', status: 429 };
    // 409: another request with this Idempotency-Key is still running (or a lock timed out): the outcome is unknown.
    if (response.status === 409) return { kind: 'ambiguous', detail: 'HTTP 409' };
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      // A 2xx we cannot read may still mean Stripe acted.
      return response.ok ? { kind: 'ambiguous', detail: 'unreadable response' } : { kind: 'rejected', status: response.status, error: {} };
    }
    if (response.ok) return { kind: 'ok', status: response.status, body: parsed, replayed: response.headers.get('idempotent-replayed') === 'true' };
    const error = (isObject(parsed) && isObject(parsed.error) ? parsed.error : {}) as StripeError;
    if (response.status === 402) return { kind: 'card_error', error };
    // The key was first used with other parameters: Stripe acted on that first request, and only asking by id can say how.
    if (error.type === 'idempotency_error') return { kind: 'ambiguous', detail: 'idempotency_error' };
    return { kind: 'rejected', status: response.status, error };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
