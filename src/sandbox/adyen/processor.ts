import { randomBytes, randomInt } from 'node:crypto';
import { newPspReference, type Amount, type ModificationKind, type ModificationRecord, type PaymentRecord, type SandboxStore } from './store.ts';
import {
  cvcDeclinedOutcome,
  expiredCardOutcome,
  findTestCard,
  invalidCardNumberOutcome,
  notAuthenticatedOutcome,
  passesLuhn,
  requestedTestOutcome,
  testCardAmexSecurityCode,
  testCardSecurityCode,
  type TestOutcome,
} from './test-cards.ts';
import type { WebhookDispatcher } from './webhooks.ts';

/**
 * What the sandbox does with each Checkout API v71 request, independent of HTTP. Field names follow
 * specs/adyen/CheckoutService-v71.json (PaymentRequest, PaymentResponse, PaymentDetailsRequest/Response,
 * PaymentCaptureRequest/Response, PaymentCancelRequest/Response, PaymentRefundRequest/Response, ServiceError).
 *
 * Like Adyen, modifications (captures, cancels, refunds) are asynchronous: a well-formed request is answered
 * `201 {status: "received"}` and its real outcome arrives in the CAPTURE / CANCELLATION / REFUND webhook with
 * `success` "true" or "false". The sandbox decides the outcome at request time (so records are exact at once) and
 * only the notification is delivered later. Requests that cannot be accepted at all (malformed fields, an unknown
 * payment, another merchant account, a currency that differs from the payment's) get a synchronous ServiceError.
 */

/** An Adyen ServiceError answer: `{status, errorCode, message, errorType, pspReference?}`. */
export class AdyenError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly errorType: string;

  constructor(status: number, errorCode: string, message: string, errorType = 'validation') {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.errorType = errorType;
  }

  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = { status: this.status, errorCode: this.errorCode, message: this.message, errorType: this.errorType };
    if (this.status === 422 || this.status >= 500) body.pspReference = newPspReference();
    return body;
  }
}

export interface ProcessorOptions {
  /** Merchant accounts the API key may use; empty accepts any (a stand-in for the API credential's roles). */
  merchantAccounts: readonly string[];
  /** The merchant account's capture setting in Adyen's Customer Area: immediate (Adyen's default) or manual. */
  defaultCaptureMode: 'immediate' | 'manual';
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Adyen's documented maximum length of `reference` (merchant reference). */
const referenceLengthMax = 80;
/** `returnUrl` maximum length (Adyen documents 8000 characters). */
const returnUrlLengthMax = 8000;
const holderNameLengthMax = 200;
/** The prefix Adyen's test platform accepts in `encrypted*` fields for unencrypted test values. */
const unencryptedTestPrefix = 'test_';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isObject(value)) throw new AdyenError(422, '702', `Required field '${field}' is not provided or is not an object.`);
  return value;
}

function readMerchantAccount(body: Record<string, unknown>, options: ProcessorOptions): string {
  const merchantAccount = body.merchantAccount;
  if (typeof merchantAccount !== 'string' || merchantAccount.length === 0) {
    throw new AdyenError(422, '702', "Required field 'merchantAccount' is not provided.");
  }
  if (options.merchantAccounts.length > 0 && !options.merchantAccounts.includes(merchantAccount)) {
    throw new AdyenError(403, '901', 'Invalid Merchant Account', 'security');
  }
  return merchantAccount;
}

function readAmount(value: unknown): Amount {
  if (!isObject(value)) throw new AdyenError(422, '100', 'No amount specified');
  const { value: minor, currency } = value;
  if (typeof minor !== 'number' || !Number.isSafeInteger(minor) || minor < 0) throw new AdyenError(422, '137', 'Invalid amount specified');
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw new AdyenError(422, '138', 'Unsupported currency specified');
  return { value: minor, currency };
}

function readOptionalString(body: Record<string, unknown>, field: string, lengthMax: number): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > lengthMax) throw new AdyenError(422, '702', `Field '${field}' must be a string of at most ${lengthMax} characters.`);
  return value;
}

/** Reads a plain card field, or its `encrypted*` twin carrying Adyen's `test_` prefix. */
function readCardField(method: Record<string, unknown>, plain: string, encrypted: string): string | undefined {
  const encryptedValue = method[encrypted];
  if (encryptedValue !== undefined) {
    if (typeof encryptedValue !== 'string' || !encryptedValue.startsWith(unencryptedTestPrefix)) {
      // Real client-side encryption needs Adyen's key pair; the sandbox only knows the documented test values.
      throw new AdyenError(422, '174', 'Unable to decrypt data');
    }
    return encryptedValue.slice(unencryptedTestPrefix.length);
  }
  const value = method[plain];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AdyenError(422, '702', `Field 'paymentMethod.${plain}' must be a string.`);
  return value;
}

interface Card {
  number: string;
  expiryMonth: string;
  expiryYear: string;
  cvc?: string;
  holderName?: string;
}

function readCard(value: unknown): Card {
  const method = requireObject(value, 'paymentMethod');
  if (method.type !== undefined && method.type !== 'scheme') {
    throw new AdyenError(422, '905', `Payment details are not supported: the sandbox accepts paymentMethod.type 'scheme' only.`, 'configuration');
  }
  const number = readCardField(method, 'number', 'encryptedCardNumber')?.replace(/\s+/g, '');
  if (number === undefined || !passesLuhn(number)) throw new AdyenError(422, '101', 'Invalid card number');
  const expiryMonth = readCardField(method, 'expiryMonth', 'encryptedExpiryMonth');
  const expiryYear = readCardField(method, 'expiryYear', 'encryptedExpiryYear');
  if (expiryMonth === undefined || expiryYear === undefined || !/^(0?[1-9]|1[0-2])$/.test(expiryMonth) || !/^\d{4}$/.test(expiryYear)) {
    throw new AdyenError(422, '129', 'Expiry Date Invalid');
  }
  const cvc = readCardField(method, 'cvc', 'encryptedSecurityCode');
  const holderName = method.holderName;
  if (holderName !== undefined && (typeof holderName !== 'string' || holderName.length > holderNameLengthMax)) {
    throw new AdyenError(422, '702', `Field 'paymentMethod.holderName' must be a string of at most ${holderNameLengthMax} characters.`);
  }
  return { number, expiryMonth: expiryMonth.padStart(2, '0'), expiryYear, ...(cvc !== undefined ? { cvc } : {}), ...(holderName !== undefined ? { holderName } : {}) };
}

function isExpired(card: Card, now: Date): boolean {
  const year = Number(card.expiryYear);
  const month = Number(card.expiryMonth);
  return year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1);
}

function stringAdditionalData(body: Record<string, unknown>): Record<string, unknown> {
  return isObject(body.additionalData) ? body.additionalData : {};
}

export class AdyenProcessor {
  readonly #store: SandboxStore;
  readonly #webhooks: WebhookDispatcher;
  readonly #options: ProcessorOptions;

  constructor(store: SandboxStore, webhooks: WebhookDispatcher, options: ProcessorOptions) {
    this.#store = store;
    this.#webhooks = webhooks;
    this.#options = options;
  }

  /** POST /v71/payments. `challengeUrl` builds the 3-D Secure page address for a token. */
  payments(body: Record<string, unknown>, idempotencyKey: string | undefined, challengeUrl: (token: string) => string): Answer {
    const merchantAccount = readMerchantAccount(body, this.#options);
    const amount = readAmount(body.amount);
    const reference = body.reference;
    if (typeof reference !== 'string' || reference.length === 0) throw new AdyenError(422, '130', "Required field 'reference' is not provided.");
    if (reference.length > referenceLengthMax) throw new AdyenError(422, '130', `Field 'reference' must be at most ${referenceLengthMax} characters.`);
    const returnUrl = body.returnUrl;
    if (typeof returnUrl !== 'string' || returnUrl.length > returnUrlLengthMax || !URL.canParse(returnUrl)) {
      throw new AdyenError(422, '702', "Required field 'returnUrl' is not provided or is not a valid URL.");
    }
    const card = readCard(body.paymentMethod);
    const additionalData = stringAdditionalData(body);
    const captureDelayHours = body.captureDelayHours;
    if (captureDelayHours !== undefined && (typeof captureDelayHours !== 'number' || !Number.isInteger(captureDelayHours) || captureDelayHours < 0)) {
      throw new AdyenError(422, '702', "Field 'captureDelayHours' must be a non-negative integer.");
    }
    const authenticationData = isObject(body.authenticationData) ? body.authenticationData : {};
    const attemptAuthentication = authenticationData.attemptAuthentication;

    const testCard = findTestCard(card.number);
    // Adyen documents additionalData.manualCapture "true" to hold a payment for a later capture, and
    // captureDelayHours 0 for an immediate capture; without either, the merchant account's setting applies.
    // A positive delay would capture later: the sandbox keeps such payments for a manual capture.
    const captureMode: PaymentRecord['captureMode'] = additionalData.manualCapture === 'true' || additionalData.manualCapture === true
      ? 'manual'
      : captureDelayHours === 0
        ? 'immediate'
        : captureDelayHours !== undefined
          ? 'manual'
          : this.#options.defaultCaptureMode;

    const payment: PaymentRecord = {
      pspReference: newPspReference(),
      merchantAccount,
      merchantReference: reference,
      amount,
      status: 'pending_authentication',
      resultCode: 'Received',
      brand: testCard?.brand ?? 'visa',
      lastFour: card.number.slice(-4),
      expiryMonth: card.expiryMonth,
      expiryYear: card.expiryYear,
      ...(card.holderName !== undefined ? { holderName: card.holderName } : {}),
      returnUrl,
      captureMode,
      capturedValue: 0,
      refundedValue: 0,
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      createdAt: new Date().toISOString(),
    };
    this.#store.payments.set(payment.pspReference, payment);

    const requestedResponseCode = typeof additionalData.RequestedTestAcquirerResponseCode === 'string' ? additionalData.RequestedTestAcquirerResponseCode : undefined;
    let outcome: TestOutcome | undefined;
    if (isExpired(card, new Date())) outcome = expiredCardOutcome;
    else if (!testCard) outcome = invalidCardNumberOutcome;
    else if (card.cvc !== undefined && card.cvc !== (testCard.brand === 'amex' ? testCardAmexSecurityCode : testCardSecurityCode)) outcome = cvcDeclinedOutcome;

    const needsChallenge = attemptAuthentication === 'always' || (testCard?.threeDSecure === true && attemptAuthentication !== 'never');
    if (!outcome && needsChallenge) {
      payment.authentication = 'pending';
      const token = randomBytes(18).toString('base64url');
      this.#store.challenges.set(token, payment.pspReference);
      payment.resultCode = 'RedirectShopper';
      // Adyen's redirect action for 3-D Secure (CheckoutRedirectAction): the shopper's browser goes to `url` and
      // comes back to returnUrl with a `redirectResult`, which the merchant sends to /payments/details.
      return {
        status: 200,
        body: { resultCode: 'RedirectShopper', action: { paymentMethodType: 'scheme', url: challengeUrl(token), method: 'GET', type: 'redirect' } },
      };
    }
    return { status: 200, body: this.#finish(payment, outcome ?? requestedTestOutcome(card.holderName, requestedResponseCode) ?? { resultCode: 'Authorised' }) };
  }

  /** The shopper completed (or failed) the challenge on the 3-D Secure page: a redirectResult for the return URL. */
  completeChallenge(token: string, authenticated: boolean): { returnUrl: string } | undefined {
    const pspReference = this.#store.challenges.get(token);
    const payment = pspReference ? this.#store.payments.get(pspReference) : undefined;
    if (!payment) return undefined;
    this.#store.challenges.delete(token);
    const redirectResult = randomBytes(24).toString('base64url');
    this.#store.redirectResults.set(redirectResult, { pspReference: payment.pspReference, authenticated });
    const returnUrl = new URL(payment.returnUrl);
    returnUrl.searchParams.set('redirectResult', redirectResult);
    return { returnUrl: returnUrl.toString() };
  }

  /** The payment a 3-D Secure page token belongs to, for rendering the page. */
  challengePayment(token: string): PaymentRecord | undefined {
    const pspReference = this.#store.challenges.get(token);
    return pspReference ? this.#store.payments.get(pspReference) : undefined;
  }

  /** POST /v71/payments/details with `details.redirectResult`. */
  paymentDetails(body: Record<string, unknown>): Answer {
    const details = requireObject(body.details, 'details');
    const redirectResult = details.redirectResult;
    if (typeof redirectResult !== 'string' || redirectResult.length === 0) {
      throw new AdyenError(422, '702', "Required field 'details.redirectResult' is not provided.");
    }
    const result = this.#store.redirectResults.get(redirectResult);
    const payment = result ? this.#store.payments.get(result.pspReference) : undefined;
    if (!result || !payment) throw new AdyenError(422, '702', 'Invalid redirectResult: no payment is waiting for these details.');
    if (payment.status !== 'pending_authentication') return { status: 200, body: this.#paymentResponse(payment) };
    payment.authentication = result.authenticated ? 'authenticated' : 'failed';
    const outcome = result.authenticated ? requestedTestOutcome(payment.holderName, undefined) ?? { resultCode: 'Authorised' as const } : notAuthenticatedOutcome;
    return { status: 200, body: this.#finish(payment, outcome) };
  }

  #finish(payment: PaymentRecord, outcome: TestOutcome): Record<string, unknown> {
    payment.resultCode = outcome.resultCode;
    if (outcome.resultCode === 'Authorised') {
      payment.status = 'authorised';
      payment.authCode = String(randomInt(100_000, 1_000_000));
      if (payment.captureMode === 'immediate') {
        payment.capturedValue = payment.amount.value;
        this.#recordModification(payment, 'capture', payment.amount, { source: 'automatic', status: 'succeeded' });
      }
    } else {
      payment.status = outcome.resultCode === 'Cancelled' ? 'cancelled' : outcome.resultCode === 'Error' ? 'error' : 'refused';
      payment.refusalReason = outcome.refusalReason;
      payment.refusalReasonCode = outcome.refusalReasonCode;
    }
    const authorised = payment.status === 'authorised';
    this.#webhooks.enqueue({
      eventCode: 'AUTHORISATION',
      success: authorised ? 'true' : 'false',
      pspReference: payment.pspReference,
      merchantAccountCode: payment.merchantAccount,
      merchantReference: payment.merchantReference,
      amount: payment.amount,
      paymentMethod: payment.brand,
      // For card payments Adyen puts "authCode:last four digits:expiry" in the reason of a successful AUTHORISATION.
      reason: authorised ? `${payment.authCode}:${payment.lastFour}:${payment.expiryMonth}/${payment.expiryYear}` : payment.refusalReason ?? 'Refused',
      ...(authorised ? { operations: payment.captureMode === 'manual' ? ['CANCEL', 'CAPTURE', 'REFUND'] : ['REFUND'] } : {}),
    });
    return this.#paymentResponse(payment);
  }

  #paymentResponse(payment: PaymentRecord): Record<string, unknown> {
    const body: Record<string, unknown> = {
      pspReference: payment.pspReference,
      resultCode: payment.resultCode,
      amount: payment.amount,
      merchantReference: payment.merchantReference,
      paymentMethod: { brand: payment.brand, type: 'scheme' },
    };
    if (payment.refusalReason !== undefined) body.refusalReason = payment.refusalReason;
    if (payment.refusalReasonCode !== undefined) body.refusalReasonCode = payment.refusalReasonCode;
    return body;
  }

  #paymentFor(paymentPspReference: string, merchantAccount: string): PaymentRecord {
    const payment = this.#store.payments.get(paymentPspReference);
    if (!payment) throw new AdyenError(422, '167', 'Original pspReference required for this operation');
    if (payment.merchantAccount !== merchantAccount) throw new AdyenError(403, '901', 'Invalid Merchant Account', 'security');
    return payment;
  }

  #recordModification(
    payment: PaymentRecord,
    kind: ModificationKind,
    amount: Amount,
    details: { source: ModificationRecord['source']; status: ModificationRecord['status']; reason?: string; reference?: string; idempotencyKey?: string },
  ): ModificationRecord {
    const modification: ModificationRecord = {
      pspReference: newPspReference(),
      paymentPspReference: payment.pspReference,
      kind,
      amount,
      merchantAccount: payment.merchantAccount,
      ...(details.reference !== undefined ? { reference: details.reference } : {}),
      source: details.source,
      status: details.status,
      ...(details.reason !== undefined ? { reason: details.reason } : {}),
      ...(details.idempotencyKey !== undefined ? { idempotencyKey: details.idempotencyKey } : {}),
      createdAt: new Date().toISOString(),
    };
    this.#store.modifications.push(modification);
    return modification;
  }

  /**
   * Records an API modification (capture, cancel or refund), queues its webhook, and answers Adyen's 201 `received`:
   * the outcome (`reason` when refused) is only told by the webhook, as at Adyen.
   */
  #acceptModification(
    payment: PaymentRecord,
    kind: ModificationKind,
    amount: Amount,
    outcome: { reason: string | undefined; reference: string | undefined; idempotencyKey: string | undefined },
    extraBody: Record<string, unknown>,
  ): Answer {
    const modification = this.#recordModification(payment, kind, amount, {
      source: 'api',
      status: outcome.reason ? 'failed' : 'succeeded',
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.reference !== undefined ? { reference: outcome.reference } : {}),
      ...(outcome.idempotencyKey !== undefined ? { idempotencyKey: outcome.idempotencyKey } : {}),
    });
    this.#notifyModification(payment, modification);
    return {
      status: 201,
      body: {
        merchantAccount: payment.merchantAccount,
        paymentPspReference: payment.pspReference,
        pspReference: modification.pspReference,
        ...(outcome.reference !== undefined ? { reference: outcome.reference } : {}),
        ...extraBody,
        status: 'received',
        ...(kind === 'cancel' ? {} : { amount }),
      },
    };
  }

  #notifyModification(payment: PaymentRecord, modification: ModificationRecord): void {
    const eventCode = modification.kind === 'capture' ? 'CAPTURE' : modification.kind === 'cancel' ? 'CANCELLATION' : 'REFUND';
    this.#webhooks.enqueue({
      eventCode,
      success: modification.status === 'succeeded' ? 'true' : 'false',
      pspReference: modification.pspReference,
      originalReference: payment.pspReference,
      merchantAccountCode: payment.merchantAccount,
      merchantReference: payment.merchantReference,
      amount: modification.amount,
      paymentMethod: payment.brand,
      ...(modification.reason !== undefined ? { reason: modification.reason } : {}),
    });
  }

  /** POST /v71/payments/{paymentPspReference}/captures. */
  capture(paymentPspReference: string, body: Record<string, unknown>, idempotencyKey: string | undefined): Answer {
    const merchantAccount = readMerchantAccount(body, this.#options);
    const amount = readAmount(body.amount);
    const reference = readOptionalString(body, 'reference', referenceLengthMax);
    const payment = this.#paymentFor(paymentPspReference, merchantAccount);
    if (amount.currency !== payment.amount.currency) throw new AdyenError(422, '137', 'Invalid amount specified: the currency differs from the payment.');
    let reason: string | undefined;
    if (payment.status !== 'authorised') reason = payment.status === 'cancelled' ? 'Payment has been cancelled' : 'Payment is not authorised';
    else if (amount.value === 0) reason = 'Invalid amount specified';
    else if (payment.capturedValue + amount.value > payment.amount.value) reason = 'Insufficient balance on payment';
    if (!reason) payment.capturedValue += amount.value;
    return this.#acceptModification(payment, 'capture', amount, { reason, reference, idempotencyKey }, {});
  }

  /** POST /v71/payments/{paymentPspReference}/cancels. */
  cancel(paymentPspReference: string, body: Record<string, unknown>, idempotencyKey: string | undefined): Answer {
    const merchantAccount = readMerchantAccount(body, this.#options);
    const reference = readOptionalString(body, 'reference', referenceLengthMax);
    const payment = this.#paymentFor(paymentPspReference, merchantAccount);
    let reason: string | undefined;
    if (payment.status === 'cancelled') reason = 'Payment has already been cancelled';
    else if (payment.status !== 'authorised') reason = 'Payment is not authorised';
    else if (payment.capturedValue > 0) reason = 'Payment has already been captured';
    if (!reason) payment.status = 'cancelled';
    return this.#acceptModification(payment, 'cancel', payment.amount, { reason, reference, idempotencyKey }, {});
  }

  /** POST /v71/payments/{paymentPspReference}/refunds. */
  refund(paymentPspReference: string, body: Record<string, unknown>, idempotencyKey: string | undefined): Answer {
    const merchantAccount = readMerchantAccount(body, this.#options);
    const amount = readAmount(body.amount);
    const reference = readOptionalString(body, 'reference', referenceLengthMax);
    const merchantRefundReason = body.merchantRefundReason;
    const refundReasons = ['FRAUD', 'CUSTOMER REQUEST', 'RETURN', 'DUPLICATE', 'OTHER'];
    if (merchantRefundReason !== undefined && (typeof merchantRefundReason !== 'string' || !refundReasons.includes(merchantRefundReason))) {
      throw new AdyenError(422, '702', `Field 'merchantRefundReason' must be one of ${refundReasons.join(', ')}.`);
    }
    const payment = this.#paymentFor(paymentPspReference, merchantAccount);
    if (amount.currency !== payment.amount.currency) throw new AdyenError(422, '137', 'Invalid amount specified: the currency differs from the payment.');
    let reason: string | undefined;
    if (payment.capturedValue === 0) reason = 'Transaction has not been captured';
    else if (amount.value === 0) reason = 'Invalid amount specified';
    else if (payment.refundedValue + amount.value > payment.capturedValue) reason = 'Refund amount exceeds the captured amount';
    if (!reason) payment.refundedValue += amount.value;
    return this.#acceptModification(payment, 'refund', amount, { reason, reference, idempotencyKey }, merchantRefundReason !== undefined ? { merchantRefundReason } : {});
  }
}
