import { ConnectorRequestError, type AuthorizeInput, type AuthorizeOutput, type Connector, type Decline, type ProviderNotification, type ReferenceInput, type RefundInput, type SimpleOutput, type VerifyCardInput, type VerifyCardOutput } from '../connector.ts';
import {
  fromModificationResponse,
  fromPaymentResponse,
  fromVerificationResponse,
  idempotencyKey,
  redirectResultOf,
  storedCardOf,
  toCancelRequest,
  toCaptureRequest,
  toPaymentDetailsRequest,
  toPaymentRequest,
  toRefundRequest,
  toVerificationRequest,
  type AdyenModificationResponse,
  type AdyenPaymentResponse,
  type ModificationKind,
} from './transformers.ts';
import { refusalDeclines } from './declines.ts';
import { parseAdyenWebhook } from './webhook.ts';
import { adyenNotifications } from './notifications.ts';
import { assertRequestTimeout, classifyFetchFailure, fetchWithDeadline } from '../shared/http.ts';
import { adyenCarriedTypes, adyenLocalMethodNames, idealFailed, isRedirectMethod } from './local-methods.ts';

/** The Checkout API version this connector speaks (specs/adyen/CheckoutService-v71.json). */
export const checkoutApiVersion = 'v71';

export interface AdyenConnectorConfig {
  /** Adyen's Checkout endpoint, e.g. https://checkout-test.adyen.com (the connector adds /v71 unless it is there). */
  baseUrl: string;
  /** A web service user's API key, sent as X-API-Key. */
  apiKey: string;
  merchantAccount: string;
  /** The standard-webhook HMAC key from the Customer Area (hex). */
  hmacKeyHex: string;
  /** Per-request timeout; an answer that does not arrive in time is an ambiguous outcome. */
  timeoutMs: number;
  /**
   * Where Adyen returns the shopper after a redirect (`PaymentRequest.returnUrl`, required by Adyen) when the payment
   * brings no `AuthorizeInput.returnUrl` of its own.
   */
  returnUrl: string;
}

/**
 * A request Adyen did not act on (see `ConnectorRequestError`):
 * - `not_sent`: the connection was refused or the host not found; nothing reached Adyen, so failover is safe;
 * - `configuration`: Adyen refused the credentials or the merchant account (401/403); retrying will not help.
 */
export class AdyenRequestError extends ConnectorRequestError {}

type HttpOutcome =
  | { kind: 'ok'; status: number; body: unknown }
  /** Adyen may or may not have acted: a timeout, a broken connection, a 5xx, or a transient/in-progress error. */
  | { kind: 'ambiguous'; detail: string }
  | { kind: 'not_sent'; detail: string }
  | { kind: 'unauthorized'; status: number }
  /** Adyen answered that it did not act (400/404/422 validation): final, nothing was created. */
  | { kind: 'rejected'; status: number; errorCode: string | null; message: string; pspReference: string | null };

/** Adyen's "request already processed or in progress" for an Idempotency-Key whose first request is still running. */
const idempotencyInProgressErrorCode = '704';

const authenticationFailed: Decline = refusalDeclines['11'];

/** A payment or verification Adyen refused as a request (a validation error): nothing was authorised. */
const rejectedDecline: Decline = {
  code: 'processing_error', declineCode: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.', blocked: false, networkStatus: 'not_sent_to_network',
};

/** The error of a request Adyen did not act on: not reached, or the credentials refused. */
function notActedOn(outcome: Extract<HttpOutcome, { kind: 'not_sent' | 'unauthorized' }>): AdyenRequestError {
  return outcome.kind === 'not_sent'
    ? new AdyenRequestError('not_sent', `Adyen was not reached: ${outcome.detail}`)
    : new AdyenRequestError('configuration', `Adyen refused the API key or merchant account (HTTP ${outcome.status})`, outcome.status);
}

/**
 * Adyen Checkout API v71 connector. Stateless: every call derives its Idempotency-Key from the Payrail id, so a
 * repeated call (a retry, or `sync`) replays Adyen's stored response instead of acting twice.
 */
export class AdyenConnector implements Connector {
  readonly name = 'adyen';
  readonly capabilities = { manualCapture: true, partialCapture: true, refunds: true, partialRefunds: true, threeDSecure: true };
  /** Cards, iDEAL and SEPA Direct Debit (local-methods.ts). */
  readonly paymentMethodTypes = adyenCarriedTypes;
  /** Adyen keeps Idempotency-Keys for at least 7 days (docs.adyen.com/development-resources/api-idempotency); 6 to be safe. */
  readonly syncReplayWindowSeconds = 6 * 86_400;
  readonly #config: AdyenConnectorConfig;
  readonly #endpoint: string;

  constructor(config: AdyenConnectorConfig) {
    assertRequestTimeout(config.timeoutMs);
    this.#config = config;
    const base = config.baseUrl.replace(/\/+$/, '');
    this.#endpoint = base.endsWith('/' + checkoutApiVersion) ? base : `${base}/${checkoutApiVersion}`;
  }

  /**
   * Authorizes a card (`/payments`), or, on the shopper's return from a 3-D Secure redirect, submits the redirect
   * result (`authentication.details.redirectResult`, to `/payments/details`). `requires_authentication` carries the
   * redirect to send the shopper to.
   */
  async authorize(input: AuthorizeInput): Promise<AuthorizeOutput> {
    return this.#authorize(input, false);
  }

  /**
   * `asking`: a sync (the janitor, a resumed confirmation) rather than the first call. For a redirect method (iDEAL)
   * the first `/payments` that gets no clear answer (a timeout, a 5xx) is reported as not acted on, so routing fails
   * over: nothing can be charged before the shopper follows the redirect, and Payrail never sends the shopper to this
   * one. A payment Adyen may have created then waits for a shopper who never comes, and expires unpaid.
   */
  async #authorize(input: AuthorizeInput, asking: boolean): Promise<AuthorizeOutput> {
    if (asking && input.localMethod?.type === 'sepa_debit' && input.processorReference) {
      // A debit Adyen accepted (`Received`): a replay would only answer `Received` again, and one after Adyen forgot the
      // Idempotency-Key (7 days; a lost webhook) would debit the account a second time. Only the webhook ends it.
      return { status: 'processing', processorReference: input.processorReference };
    }
    const redirectResult = redirectResultOf(input.authentication?.details);
    if (redirectResult !== null) {
      return this.#authorizeWith('/payments/details', toPaymentDetailsRequest(redirectResult), idempotencyKey('details', input.attemptId), input);
    }
    if (input.authentication?.status === 'failed') {
      // The shopper abandoned or failed the challenge (or the bank's page) without a redirect result: Adyen has nothing more to say.
      return { status: 'declined', decline: isRedirectMethod(input.localMethod) ? idealFailed : authenticationFailed, processorReference: null, riskScore: 0 };
    }
    const request = toPaymentRequest(input, { merchantAccount: this.#config.merchantAccount, returnUrl: input.returnUrl ?? this.#config.returnUrl });
    const output = await this.#authorizeWith('/payments', request, idempotencyKey('authorize', input.attemptId), input);
    if (output.status === 'pending' && !asking && isRedirectMethod(input.localMethod)) {
      throw new AdyenRequestError('not_sent', 'Adyen gave no clear answer before the shopper was redirected: nothing can be charged without the shopper, so another connector may take the payment');
    }
    return output;
  }

  /**
   * Resolves an ambiguous attempt by replaying the same request with the same Idempotency-Key: Adyen returns the
   * stored response of the first request if it arrived (docs.adyen.com/development-resources/api-idempotency). The
   * Checkout API has no lookup of a payment by reference, so this is Adyen's documented way to ask. If the first
   * request never arrived, the replay is the one and only authorization.
   */
  async sync(input: AuthorizeInput): Promise<AuthorizeOutput> {
    return this.#authorize(input, true);
  }

  /**
   * Verifies a card and stores it for later payments: `/payments` with a zero amount, `storePaymentMethod`, the
   * shopper's reference and the recurring processing model of the usage; on the shopper's return from 3-D Secure,
   * `/payments/details` with the redirect result. Idempotency-Keys derive from the setup attempt id, so asking again
   * (an ambiguous answer) replays Adyen's stored answer instead of verifying twice.
   */
  async verifyCard(input: VerifyCardInput): Promise<VerifyCardOutput> {
    const redirectResult = redirectResultOf(input.authentication?.details);
    let outcome: HttpOutcome;
    if (redirectResult !== null) {
      outcome = await this.#post('/payments/details', toPaymentDetailsRequest(redirectResult), idempotencyKey('details', input.attemptId));
    } else if (input.authentication?.status === 'failed') {
      return { status: 'declined', decline: authenticationFailed, processorReference: null };
    } else {
      const request = toVerificationRequest(input, { merchantAccount: this.#config.merchantAccount, returnUrl: input.returnUrl });
      outcome = await this.#post('/payments', request, idempotencyKey('verify', input.attemptId));
    }
    switch (outcome.kind) {
      case 'ok':
        return fromVerificationResponse(outcome.body as AdyenPaymentResponse);
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
      case 'unauthorized':
        throw notActedOn(outcome);
      case 'rejected':
        return { status: 'declined', decline: rejectedDecline, processorReference: outcome.pspReference };
    }
  }

  async capture(input: ReferenceInput): Promise<SimpleOutput> {
    const request = toCaptureRequest(input.amount, input.currency, input.attemptId, this.#config.merchantAccount);
    return this.#modify('capture', `/payments/${encodeURIComponent(input.processorReference)}/captures`, request, idempotencyKey('capture', input.attemptId));
  }

  async void(input: ReferenceInput): Promise<SimpleOutput> {
    const request = toCancelRequest(input.attemptId, this.#config.merchantAccount);
    return this.#modify('cancel', `/payments/${encodeURIComponent(input.processorReference)}/cancels`, request, idempotencyKey('cancel', input.attemptId));
  }

  /** Refunds are `pending` once Adyen has received them; the REFUND / REFUND_FAILED webhook settles them. */
  async refund(input: RefundInput): Promise<SimpleOutput> {
    const request = toRefundRequest(input.amount, input.currency, input.refundId, this.#config.merchantAccount);
    return this.#modify('refund', `/payments/${encodeURIComponent(input.processorReference)}/refunds`, request, idempotencyKey('refund', input.refundId));
  }

  /**
   * Adyen has no refund lookup: replaying the refund request makes sure Adyen has it (the first may have timed
   * out) and otherwise stays `pending`; only the REFUND webhook says how it ended.
   */
  async syncRefund(input: RefundInput): Promise<SimpleOutput> {
    return this.refund(input);
  }

  /**
   * Verifies the HMAC of every item and returns one notification per item, in Adyen's order (notifications.ts);
   * throws AdyenWebhookError otherwise, so nothing of a batch with one forged item is acted on.
   */
  async parseWebhook(_headers: Record<string, string>, body: Buffer): Promise<ProviderNotification[]> {
    return adyenNotifications(parseAdyenWebhook(body, this.#config.hmacKeyHex));
  }

  async #authorizeWith(path: string, body: unknown, key: string, input: AuthorizeInput): Promise<AuthorizeOutput> {
    const outcome = await this.#post(path, body, key);
    switch (outcome.kind) {
      case 'ok': {
        const response = outcome.body as AdyenPaymentResponse;
        const localMethod = input.localMethod ? adyenLocalMethodNames[input.localMethod.type as keyof typeof adyenLocalMethodNames] ?? input.localMethod.type : null;
        const output = fromPaymentResponse(response, input.capture, localMethod);
        if (output.status === 'authorized' && input.storedCredential?.save) {
          // A payment that stored the card: Adyen's token and the scheme's id, for later merchant-initiated payments.
          const stored = storedCardOf(response.additionalData);
          return stored ? { ...output, stored } : output;
        }
        if (output.status !== 'partially_authorized') return output;
        // Payrail never asks for partial authorisation; release what was held and report the shortfall.
        if (output.processorReference !== null) await this.void({ attemptId: input.attemptId, processorReference: output.processorReference, amount: input.amount, currency: input.currency });
        return { status: 'declined', decline: refusalDeclines['12'], processorReference: output.processorReference, riskScore: 0 };
      }
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
      case 'unauthorized':
        throw notActedOn(outcome);
      case 'rejected':
        return { status: 'declined', decline: rejectedDecline, processorReference: outcome.pspReference, riskScore: 0 };
    }
  }

  async #modify(kind: ModificationKind, path: string, body: unknown, key: string): Promise<SimpleOutput> {
    const outcome = await this.#post(path, body, key);
    switch (outcome.kind) {
      case 'ok':
        return fromModificationResponse(kind, outcome.body as AdyenModificationResponse);
      case 'ambiguous':
        return { status: 'pending' };
      case 'not_sent':
        // Nothing reached Adyen, so nothing happened: a final failure the caller may retry later.
        return { status: 'failed', reason: kind === 'refund' ? 'unknown' : 'provider_unreachable' };
      case 'unauthorized':
        throw new AdyenRequestError('configuration', `Adyen refused the API key or merchant account (HTTP ${outcome.status})`, outcome.status);
      case 'rejected':
        // Refund failures use Stripe's `failure_reason` vocabulary; Adyen refusing the request is `declined`.
        return { status: 'failed', reason: kind === 'refund' ? 'declined' : `adyen_${outcome.errorCode ?? outcome.status}` };
    }
  }

  async #post(path: string, body: unknown, key: string): Promise<HttpOutcome> {
    let response: Response;
    let text: string;
    try {
      ({ response, text } = await fetchWithDeadline(this.#endpoint + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': this.#config.apiKey, 'idempotency-key': key },
        body: JSON.stringify(body),
      }, this.#config.timeoutMs));
    } catch (error) {
      return classifyFetchFailure(error);
    }
    if (response.status >= 500) return { kind: 'ambiguous', detail: `HTTP ${response.status}` };
    // Adyen marks errors worth retrying with the same key (docs: API idempotency, "transient errors").
    if (response.headers.get('transient-error') === 'true') return { kind: 'ambiguous', detail: `transient HTTP ${response.status}` };
    if (response.status === 401 || response.status === 403) return { kind: 'unauthorized', status: response.status };
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      // A 2xx we cannot read may still mean Adyen acted.
      return response.ok ? { kind: 'ambiguous', detail: 'unreadable response' } : { kind: 'rejected', status: response.status, errorCode: null, message: 'unreadable error', pspReference: null };
    }
    if (response.ok) return { kind: 'ok', status: response.status, body: parsed };
    const error = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { errorCode?: unknown; message?: unknown; pspReference?: unknown };
    const errorCode = typeof error.errorCode === 'string' ? error.errorCode : null;
    if (errorCode === idempotencyInProgressErrorCode) return { kind: 'ambiguous', detail: 'first request with this Idempotency-Key still in progress' };
    return {
      kind: 'rejected',
      status: response.status,
      errorCode,
      message: typeof error.message === 'string' ? error.message : `HTTP ${response.status}`,
      pspReference: typeof error.pspReference === 'string' ? error.pspReference : null,
    };
  }
}
