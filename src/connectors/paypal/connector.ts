import { type AuthorizeInput, type AuthorizeOutput, type CardData, type Connector, type ProviderNotification, type ReferenceInput, type RefundInput, type SimpleOutput } from '../connector.ts';
import {
  approvalRedirect,
  buyerDidNotApprove,
  fromCapture,
  fromCompletedOrder,
  fromRefund,
  fundingDeclined,
  isOrderStatus,
  orderKinds,
  orderMatchesAttempt,
  processingError,
  requestId,
  toAuthorizationCaptureRequest,
  toOrderRequest,
  toRefundRequest,
  type PayPalCapture,
  type PayPalOrder,
  type PayPalRefund,
} from './transformers.ts';
import { parseVerifiedEvent, PayPalWebhookError, verificationRequestBody } from './webhook.ts';
import { captureContextOf, paypalNotifications } from './notifications.ts';
import { assertNever } from '../connector.ts';
import { assertRequestTimeout } from '../shared/http.ts';
import { PayPalClient, PayPalRequestError, type HttpOutcome } from './client.ts';

// The transport (access token, one classified REST call) is client.ts; this file holds the flows.
export { PayPalRequestError, tokenRenewalMarginSeconds } from './client.ts';

export interface PayPalConnectorConfig {
  /** PayPal's REST endpoint: https://api-m.sandbox.paypal.com or https://api-m.paypal.com (or the Payrail sandbox). */
  baseUrl: string;
  /** The REST app's client id and secret (OAuth 2.0 client credentials). */
  clientId: string;
  clientSecret: string;
  /** The id of the webhook registered for this app (part of what PayPal signs). */
  webhookId: string;
  /** Per-request timeout; an answer that does not arrive in time is an ambiguous outcome. */
  timeoutMs: number;
  /**
   * Where PayPal returns the buyer after approving (when the payment brings no `AuthorizeInput.returnUrl` of its own,
   * as for Adyen), and after cancelling (the interface has no per-payment cancel URL, so it is per configuration).
   */
  returnUrl: string;
  cancelUrl: string;
  brandName?: string;
}

/**
 * The PayPal connector's authorize input: `AuthorizeInput` without the card (the buyer pays on PayPal). After approval,
 * `authentication.details` are what the shopper's return from PayPal carries (the query string of `return_url` /
 * `cancel_url`): `token` is the order id, `PayerID` the buyer (absent after a cancel). Pass `status: 'succeeded'` for
 * a return to `return_url` and `'failed'` for `cancel_url`.
 */
export interface PayPalAuthorizeInput extends Omit<AuthorizeInput, 'card'> {
  card?: CardData;
}

/** The key of `authentication.details` that names the order the buyer returned from (PayPal's `token`). */
export const returnedOrderDetail = 'token';

/** The order id the buyer's return carries, or null when there was no return (or it did not name an order). */
function returnedOrderId(input: PayPalAuthorizeInput): string | null {
  const token = input.authentication?.details?.[returnedOrderDetail];
  return typeof token === 'string' ? token : null;
}

/**
 * PayPal Orders v2 + Payments v2 connector. The buyer approves on PayPal, so `authorize` is two steps: create the order
 * (-> `requires_authentication` with the approval redirect), then, on the buyer's return, capture or authorize it. Every
 * POST carries a `PayPal-Request-Id` derived from the Payrail id, so a retry or `sync` replays PayPal's stored answer.
 * The processor reference of a charge is the PayPal order id; capture, void and refund read the order to find the
 * authorization or capture they act on.
 */
export class PayPalConnector implements Connector {
  readonly name = 'paypal';
  /** PayPal captures an authorization once here (final_capture), possibly for less; refunds may be partial. No 3-D Secure. */
  readonly capabilities = { manualCapture: true, partialCapture: true, refunds: true, partialRefunds: true, threeDSecure: false };
  /** A replayed order creation cannot charge by itself: the buyer must approve an order before it is captured. */
  readonly syncReplayWindowSeconds = null;
  readonly #config: PayPalConnectorConfig;
  readonly #client: PayPalClient;

  constructor(config: PayPalConnectorConfig) {
    assertRequestTimeout(config.timeoutMs);
    if (!URL.canParse(config.returnUrl) || !URL.canParse(config.cancelUrl)) throw new Error('returnUrl and cancelUrl must be absolute URLs');
    this.#config = config;
    this.#client = new PayPalClient({ endpoint: config.baseUrl.replace(/\/+$/, ''), clientId: config.clientId, clientSecret: config.clientSecret, timeoutMs: config.timeoutMs });
  }

  /**
   * Without return details: creates the order and answers `requires_authentication` with PayPal's approval link.
   * With them (the buyer came back to `return_url`): checks that the order is this attempt's, then captures
   * (automatic capture) or authorizes it. A return to `cancel_url` (`status: 'failed'`) is declined without a call.
   */
  async authorize(input: PayPalAuthorizeInput): Promise<AuthorizeOutput> {
    const token = returnedOrderId(input);
    if (input.authentication?.status === 'failed') return { status: 'declined', decline: buyerDidNotApprove, processorReference: token, riskScore: 0 };
    if (token !== null) return this.#completeOrder(input, token);
    return this.#createOrder(input);
  }

  /**
   * Resolves an ambiguous attempt. With return details it repeats the completion (the capture or authorize replays
   * under its PayPal-Request-Id; PayPal also refuses a second capture of an order). Without, it replays the create
   * under the same PayPal-Request-Id to learn the order (PayPal returns the order the first request created, or
   * creates it now if that request never arrived), then reads the order. An order the buyer approved although
   * Payrail never saw the return is completed: the buyer agreed to exactly this payment.
   */
  async sync(input: PayPalAuthorizeInput): Promise<AuthorizeOutput> {
    if (input.authentication?.status === 'failed') return this.authorize(input);
    const token = returnedOrderId(input);
    if (token !== null) return this.#completeOrder(input, token);
    const created = await this.#createOrder(input);
    if (created.status !== 'requires_authentication' || typeof created.processorReference !== 'string') return created;
    return this.#completeOrder(input, created.processorReference);
  }

  /** Captures the order's authorization (final capture, possibly less than authorized). */
  async capture(input: ReferenceInput): Promise<SimpleOutput> {
    const order = await this.#readOrder(input.processorReference);
    if ('outcome' in order) return order.outcome;
    const authorization = order.order.purchase_units?.[0]?.payments?.authorizations?.[0];
    if (typeof authorization?.id !== 'string') return { status: 'failed', reason: 'paypal_no_authorization' };
    const existing = this.#captureOf(order.order, authorization.id);
    // Captured already (an earlier call whose answer was lost after its PayPal-Request-Id expired).
    if (existing) return fromCapture(existing);
    const outcome = await this.#client.request('POST', `/v2/payments/authorizations/${encodeURIComponent(authorization.id)}/capture`, {
      body: toAuthorizationCaptureRequest(input.amount, input.currency),
      requestId: requestId('capture', input.attemptId),
    });
    switch (outcome.kind) {
      case 'ok':
        return fromCapture(outcome.body as PayPalCapture);
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        return { status: 'failed', reason: 'provider_unreachable' };
      case 'rejected':
        if (outcome.issue === 'AUTHORIZATION_ALREADY_CAPTURED') {
          const again = await this.#readOrder(input.processorReference);
          const capture = 'order' in again ? this.#captureOf(again.order, authorization.id) : undefined;
          return capture ? fromCapture(capture) : { status: 'pending' };
        }
        return { status: 'failed', reason: `paypal_${(outcome.issue ?? String(outcome.status)).toLowerCase()}` };
    }
  }

  /** Voids the order's authorization. Voiding is idempotent at PayPal's end: PREVIOUSLY_VOIDED is success. */
  async void(input: ReferenceInput): Promise<SimpleOutput> {
    const order = await this.#readOrder(input.processorReference);
    if ('outcome' in order) return order.outcome;
    const authorization = order.order.purchase_units?.[0]?.payments?.authorizations?.[0];
    if (typeof authorization?.id !== 'string') return { status: 'failed', reason: 'paypal_no_authorization' };
    if (authorization.status === 'VOIDED') return { status: 'succeeded', processorReference: authorization.id };
    // The void operation takes no PayPal-Request-Id (payments_payment_v2.json); it is naturally idempotent.
    const outcome = await this.#client.request('POST', `/v2/payments/authorizations/${encodeURIComponent(authorization.id)}/void`, {});
    switch (outcome.kind) {
      case 'ok':
        return { status: 'succeeded', processorReference: authorization.id };
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        return { status: 'failed', reason: 'provider_unreachable' };
      case 'rejected':
        if (outcome.issue === 'PREVIOUSLY_VOIDED') return { status: 'succeeded', processorReference: authorization.id };
        return { status: 'failed', reason: `paypal_${(outcome.issue ?? String(outcome.status)).toLowerCase()}` };
    }
  }

  /** Refunds (part of) the order's capture. PayPal answers refunds synchronously: COMPLETED, or PENDING until settled. */
  async refund(input: RefundInput): Promise<SimpleOutput> {
    return this.#refund(input, false);
  }

  /**
   * Replays the refund under its PayPal-Request-Id to learn PayPal's refund id (or makes the refund now if the first
   * request never arrived), then reads the refund (GET /v2/payments/refunds/{id}) for its current status.
   */
  async syncRefund(input: RefundInput): Promise<SimpleOutput> {
    return this.#refund(input, true);
  }

  /**
   * Verifies a webhook with POST /v1/notifications/verify-webhook-signature and returns the event in Payrail's terms
   * (notifications.ts; one event may say two things). Throws PayPalWebhookError: `verification_unavailable` when
   * PayPal could not be asked (answer 5xx so PayPal retries), otherwise the webhook must be refused.
   */
  async parseWebhook(headers: Record<string, string>, body: Buffer): Promise<ProviderNotification[]> {
    const request = verificationRequestBody(headers, body, this.#config.webhookId);
    let outcome: HttpOutcome;
    try {
      outcome = await this.#client.request('POST', '/v1/notifications/verify-webhook-signature', { rawBody: request });
    } catch (error) {
      if (error instanceof PayPalRequestError && error.kind === 'not_sent') throw new PayPalWebhookError('verification_unavailable', error.message);
      throw error;
    }
    if (outcome.kind !== 'ok') throw new PayPalWebhookError('verification_unavailable', `PayPal could not verify the webhook (${outcome.kind})`);
    const status = (outcome.body as { verification_status?: unknown }).verification_status;
    if (status !== 'SUCCESS') throw new PayPalWebhookError('signature_invalid', 'PayPal did not verify the webhook signature');
    return paypalNotifications(parseVerifiedEvent(body), captureContextOf(body));
  }

  // --- Flows ------------------------------------------------------------------------------------------------------

  async #createOrder(input: PayPalAuthorizeInput): Promise<AuthorizeOutput> {
    const request = toOrderRequest(input, { returnUrl: input.returnUrl ?? this.#config.returnUrl, cancelUrl: this.#config.cancelUrl, ...(this.#config.brandName !== undefined ? { brandName: this.#config.brandName } : {}) });
    const outcome = await this.#client.request('POST', '/v2/checkout/orders', { body: request, requestId: requestId('create-order', input.attemptId), representation: true });
    switch (outcome.kind) {
      case 'ok':
        return this.#fromOrder(outcome.body as PayPalOrder);
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        throw new PayPalRequestError('not_sent', `PayPal was not reached: ${outcome.detail}`);
      case 'rejected':
        return { status: 'declined', decline: processingError, processorReference: null, riskScore: 0 };
    }
  }

  /** What an order's state means for the attempt, without acting on it. */
  #fromOrder(order: PayPalOrder): AuthorizeOutput {
    if (!isOrderStatus(order.status) || typeof order.id !== 'string') return { status: 'pending' };
    const kind = orderKinds[order.status];
    switch (kind) {
      case 'payer_action':
      case 'approved':
        return { status: 'requires_authentication', processorReference: order.id, nextAction: approvalRedirect(order) };
      case 'completed':
        return fromCompletedOrder(order);
      case 'voided':
        return { status: 'declined', decline: buyerDidNotApprove, processorReference: order.id, riskScore: 0 };
      case 'pending':
        return { status: 'pending' };
      default:
        return assertNever(kind);
    }
  }

  async #completeOrder(input: PayPalAuthorizeInput, orderId: string): Promise<AuthorizeOutput> {
    const read = await this.#client.request('GET', `/v2/checkout/orders/${encodeURIComponent(orderId)}`, {});
    switch (read.kind) {
      case 'ok':
        break;
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        throw new PayPalRequestError('not_sent', `PayPal was not reached: ${read.detail}`);
      case 'rejected':
        return { status: 'declined', decline: processingError, processorReference: null, riskScore: 0 };
    }
    const order = read.body as PayPalOrder;
    // The token comes back on a URL the buyer's browser controls: never capture an order that is not this attempt's.
    if (!orderMatchesAttempt(order, input)) return { status: 'declined', decline: processingError, processorReference: null, riskScore: 0 };
    if (order.status !== 'APPROVED') return this.#fromOrder(order);
    const capture = order.intent === 'CAPTURE';
    const outcome = await this.#client.request('POST', `/v2/checkout/orders/${encodeURIComponent(orderId)}/${capture ? 'capture' : 'authorize'}`, {
      body: {},
      requestId: requestId(capture ? 'capture-order' : 'authorize-order', input.attemptId),
      representation: true,
    });
    switch (outcome.kind) {
      case 'ok':
        return this.#fromOrder(outcome.body as PayPalOrder);
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        throw new PayPalRequestError('not_sent', `PayPal was not reached: ${outcome.detail}`);
      case 'rejected':
        switch (outcome.issue) {
          case 'ORDER_ALREADY_CAPTURED':
          case 'ORDER_ALREADY_AUTHORIZED': {
            // Completed by an earlier call whose answer was lost: the order says how.
            const again = await this.#client.request('GET', `/v2/checkout/orders/${encodeURIComponent(orderId)}`, {});
            return again.kind === 'ok' ? this.#fromOrder(again.body as PayPalOrder) : { status: 'pending' };
          }
          case 'INSTRUMENT_DECLINED':
          case 'TRANSACTION_REFUSED':
            return { status: 'declined', decline: fundingDeclined, processorReference: orderId, riskScore: 0 };
          case 'ORDER_NOT_APPROVED':
          case 'PAYER_ACTION_REQUIRED':
            return { status: 'requires_authentication', processorReference: orderId, nextAction: approvalRedirect(order) };
          default:
            return { status: 'declined', decline: processingError, processorReference: orderId, riskScore: 0 };
        }
    }
  }

  async #refund(input: RefundInput, sync: boolean): Promise<SimpleOutput> {
    const order = await this.#readOrder(input.processorReference);
    if ('outcome' in order) return order.outcome.status === 'failed' && order.outcome.reason === 'provider_unreachable' ? { status: 'failed', reason: 'unknown' } : order.outcome;
    const capture = order.order.purchase_units?.[0]?.payments?.captures?.[0];
    if (typeof capture?.id !== 'string') return { status: 'failed', reason: 'unknown' };
    const outcome = await this.#client.request('POST', `/v2/payments/captures/${encodeURIComponent(capture.id)}/refund`, {
      body: toRefundRequest(input.amount, input.currency, input.refundId),
      requestId: requestId('refund', input.refundId),
      representation: true,
    });
    switch (outcome.kind) {
      case 'ok': {
        const refund = outcome.body as PayPalRefund;
        if (!sync || typeof refund.id !== 'string') return fromRefund(refund);
        // The replayed answer is the refund as it was first answered; its current status is a GET away.
        const current = await this.#client.request('GET', `/v2/payments/refunds/${encodeURIComponent(refund.id)}`, {});
        return current.kind === 'ok' ? fromRefund(current.body as PayPalRefund) : { status: 'pending' };
      }
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        return { status: 'failed', reason: 'unknown' };
      case 'rejected':
        return { status: 'failed', reason: 'declined' };
    }
  }

  /** Reads the order behind a charge's processor reference, or the capture/void/refund outcome when that fails. */
  async #readOrder(orderId: string): Promise<{ order: PayPalOrder } | { outcome: SimpleOutput }> {
    let read: HttpOutcome;
    try {
      read = await this.#client.request('GET', `/v2/checkout/orders/${encodeURIComponent(orderId)}`, {});
    } catch (error) {
      if (error instanceof PayPalRequestError && error.kind === 'not_sent') return { outcome: { status: 'failed', reason: 'provider_unreachable' } };
      throw error;
    }
    switch (read.kind) {
      case 'ok':
        return { order: read.body as PayPalOrder };
      // A read changes nothing, but its failure leaves the operation undone: nothing was sent, so it failed.
      case 'ambiguous':
      case 'not_sent':
        return { outcome: { status: 'failed', reason: 'provider_unreachable' } };
      case 'rejected':
        return { outcome: { status: 'failed', reason: `paypal_${(read.issue ?? String(read.status)).toLowerCase()}` } };
    }
  }

  #captureOf(order: PayPalOrder, authorizationId: string): PayPalCapture | undefined {
    return order.purchase_units?.[0]?.payments?.captures?.find((capture) => capture.supplementary_data?.related_ids?.authorization_id === authorizationId);
  }
}
