import { randomBytes, randomInt } from 'node:crypto';
import { newPspReference, type Amount, type ModificationKind, type ModificationRecord, type PaymentRecord, type SandboxStore } from './store.ts';
import {
  cvcDeclinedOutcome,
  expiredCardOutcome,
  findTestCard,
  invalidCardNumberOutcome,
  notAuthenticatedOutcome,
  requestedTestOutcome,
  testCardAmexSecurityCode,
  testCardSecurityCode,
  type TestOutcome,
} from './test-cards.ts';
import type { WebhookDispatcher } from './webhooks.ts';
import { AdyenError } from './errors.ts';
import { failingSepaIbans, isLocalMethodBrand, readLocalMethod, sepaRefusal, type LocalMethod } from './local-methods.ts';
import {
  isExpired, isObject, readAmount, readCard, readMerchantAccount, readNetworkPaymentReference, readOptionalString, readShopperInteraction, readStoredPaymentMethodId, readTokenization,
  referenceLengthMax, requireObject, returnUrlLengthMax, stringAdditionalData, type Card,
} from './requests.ts';

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
 * Reading and checking request bodies is requests.ts; the ServiceError itself is errors.ts.
 */

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

export class AdyenProcessor {
  readonly #store: SandboxStore;
  readonly #webhooks: WebhookDispatcher;
  readonly #options: ProcessorOptions;

  constructor(store: SandboxStore, webhooks: WebhookDispatcher, options: ProcessorOptions) {
    this.#store = store;
    this.#webhooks = webhooks;
    this.#options = options;
  }

  /**
   * POST /v71/payments. `challengeUrl` builds the 3-D Secure page address for a token; `bankPageUrl` the iDEAL bank
   * page's (defaults to the 3-D Secure page's, for callers that only send cards).
   */
  payments(body: Record<string, unknown>, idempotencyKey: string | undefined, challengeUrl: (token: string) => string, bankPageUrl: (token: string) => string = challengeUrl): Answer {
    const merchantAccount = readMerchantAccount(body, this.#options.merchantAccounts);
    const amount = readAmount(body.amount);
    const reference = body.reference;
    if (typeof reference !== 'string' || reference.length === 0) throw new AdyenError(422, '130', "Required field 'reference' is not provided.");
    if (reference.length > referenceLengthMax) throw new AdyenError(422, '130', `Field 'reference' must be at most ${referenceLengthMax} characters.`);
    const returnUrl = body.returnUrl;
    if (typeof returnUrl !== 'string' || returnUrl.length > returnUrlLengthMax || !URL.canParse(returnUrl)) {
      throw new AdyenError(422, '702', "Required field 'returnUrl' is not provided or is not a valid URL.");
    }
    const shopperInteraction = readShopperInteraction(body);
    const localMethod = readLocalMethod(body.paymentMethod);
    if (localMethod) return this.#localPayment(localMethod, { merchantAccount, amount, reference, returnUrl, shopperInteraction, idempotencyKey }, bankPageUrl);
    const storedPaymentMethodId = readStoredPaymentMethodId(body.paymentMethod);
    const card = storedPaymentMethodId !== undefined ? this.#storedCard(storedPaymentMethodId, body, merchantAccount) : readCard(body.paymentMethod);
    const networkPaymentReference = storedPaymentMethodId === undefined ? readNetworkPaymentReference(body.paymentMethod) : undefined;
    const additionalData = stringAdditionalData(body);
    const captureDelayHours = body.captureDelayHours;
    if (captureDelayHours !== undefined && (typeof captureDelayHours !== 'number' || !Number.isInteger(captureDelayHours) || captureDelayHours < 0)) {
      throw new AdyenError(422, '702', "Field 'captureDelayHours' must be a non-negative integer.");
    }
    const tokenization = readTokenization(body);
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
      ...(tokenization ? { tokenization } : {}),
      shopperInteraction,
      ...(storedPaymentMethodId !== undefined ? { storedPaymentMethodId } : {}),
      ...(networkPaymentReference !== undefined ? { networkPaymentReference } : {}),
      createdAt: new Date().toISOString(),
    };
    this.#store.payments.set(payment.pspReference, payment);
    if (tokenization) {
      this.#store.cardsToStore.set(payment.pspReference, {
        number: card.number, expiryMonth: card.expiryMonth, expiryYear: card.expiryYear, ...(card.holderName !== undefined ? { holderName: card.holderName } : {}),
      });
    }

    const requestedResponseCode = typeof additionalData.RequestedTestAcquirerResponseCode === 'string' ? additionalData.RequestedTestAcquirerResponseCode : undefined;
    let outcome: TestOutcome | undefined;
    if (isExpired(card, new Date())) outcome = expiredCardOutcome;
    else if (!testCard) outcome = invalidCardNumberOutcome;
    else if (card.cvc !== undefined && card.cvc !== (testCard.brand === 'amex' ? testCardAmexSecurityCode : testCardSecurityCode)) outcome = cvcDeclinedOutcome;

    // Card on file (ContAuth) is a merchant-initiated payment without the shopper: there is nobody to challenge, and
    // strong customer authentication does not apply to it.
    // An exemption claimed (additionalData.scaExemption) is granted by the sandbox's issuers: a 3-D Secure test card
    // then goes through without its challenge; asking for a challenge (`threeDSRequestorChallengeInd` 03 or 04)
    // challenges any card, as attemptAuthentication=always does.
    const threeDS2RequestData = isObject(body.threeDS2RequestData) ? body.threeDS2RequestData : {};
    const challengeAsked = attemptAuthentication === 'always' || threeDS2RequestData.threeDSRequestorChallengeInd === '03' || threeDS2RequestData.threeDSRequestorChallengeInd === '04';
    const exempted = additionalData.scaExemption === 'lowValue' || additionalData.scaExemption === 'transactionRiskAnalysis';
    const needsChallenge = shopperInteraction !== 'ContAuth' && (challengeAsked || (testCard?.threeDSecure === true && attemptAuthentication !== 'never' && !exempted));
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

  /**
   * A payment with a local method (local-methods.ts). iDEAL waits for the shopper on the bank page (the challenge
   * store keeps its token, as for 3-D Secure) and is captured when authorised: iDEAL has no separate capture. A SEPA
   * debit is `Received`: its outcome is decided now (the records are exact at once) and told by the AUTHORISATION
   * webhook the dispatcher delivers later.
   */
  #localPayment(
    method: LocalMethod,
    request: { merchantAccount: string; amount: Amount; reference: string; returnUrl: string; shopperInteraction: string; idempotencyKey: string | undefined },
    bankPageUrl: (token: string) => string,
  ): Answer {
    if (request.amount.currency !== 'EUR') throw new AdyenError(422, '138', 'Unsupported currency specified: iDEAL and SEPA Direct Debit take EUR only.');
    if (request.amount.value === 0) throw new AdyenError(422, '137', 'Invalid amount specified');
    const payment: PaymentRecord = {
      pspReference: newPspReference(),
      merchantAccount: request.merchantAccount,
      merchantReference: request.reference,
      amount: request.amount,
      status: 'pending_authentication',
      resultCode: 'Received',
      brand: method.type,
      lastFour: method.type === 'sepadirectdebit' ? method.iban.slice(-4) : '',
      expiryMonth: '',
      expiryYear: '',
      ...(method.type === 'sepadirectdebit' ? { holderName: method.ownerName } : {}),
      returnUrl: request.returnUrl,
      captureMode: 'immediate',
      capturedValue: 0,
      refundedValue: 0,
      ...(request.idempotencyKey !== undefined ? { idempotencyKey: request.idempotencyKey } : {}),
      shopperInteraction: request.shopperInteraction,
      createdAt: new Date().toISOString(),
    };
    this.#store.payments.set(payment.pspReference, payment);
    if (method.type === 'ideal') {
      payment.authentication = 'pending';
      const token = randomBytes(18).toString('base64url');
      this.#store.challenges.set(token, payment.pspReference);
      payment.resultCode = 'RedirectShopper';
      return { status: 200, body: { resultCode: 'RedirectShopper', action: { paymentMethodType: 'ideal', url: bankPageUrl(token), method: 'GET', type: 'redirect' } } };
    }
    // The debit is submitted to the shopper's bank; its answer (here decided at once) comes by webhook only.
    const refused = failingSepaIbans.has(method.iban);
    this.#finish(payment, refused ? { resultCode: 'Refused', ...sepaRefusal } : { resultCode: 'Authorised' });
    return { status: 200, body: { pspReference: payment.pspReference, resultCode: 'Received', amount: payment.amount, merchantReference: payment.merchantReference, paymentMethod: { type: 'sepadirectdebit' } } };
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
    if (payment.brand === 'ideal') {
      // The shopper's bank refused the payment (or the shopper cancelled it) on the iDEAL page.
      return { status: 200, body: this.#finish(payment, result.authenticated ? { resultCode: 'Authorised' } : { resultCode: 'Refused', refusalReason: 'Refused', refusalReasonCode: '2' }) };
    }
    const outcome = result.authenticated ? requestedTestOutcome(payment.holderName, undefined) ?? { resultCode: 'Authorised' as const } : notAuthenticatedOutcome;
    return { status: 200, body: this.#finish(payment, outcome) };
  }

  #finish(payment: PaymentRecord, outcome: TestOutcome): Record<string, unknown> {
    payment.resultCode = outcome.resultCode;
    if (outcome.resultCode !== 'Authorised') this.#store.cardsToStore.delete(payment.pspReference);
    if (outcome.resultCode === 'Authorised') {
      payment.status = 'authorised';
      payment.authCode = String(randomInt(100_000, 1_000_000));
      if (payment.tokenization) this.#storePaymentMethod(payment, payment.tokenization);
      // A zero-value verification holds nothing, so there is nothing to capture.
      if (payment.captureMode === 'immediate' && payment.amount.value > 0) {
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
      reason: authorised
        ? !isLocalMethodBrand(payment.brand) ? `${payment.authCode}:${payment.lastFour}:${payment.expiryMonth}/${payment.expiryYear}` : ''
        : payment.refusalReason ?? 'Refused',
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
      paymentMethod: isLocalMethodBrand(payment.brand) ? { type: payment.brand } : { brand: payment.brand, type: 'scheme' },
    };
    if (payment.refusalReason !== undefined) body.refusalReason = payment.refusalReason;
    if (payment.refusalReasonCode !== undefined) body.refusalReasonCode = payment.refusalReasonCode;
    const stored = payment.tokenization;
    if (payment.status === 'authorised' && stored?.storedPaymentMethodId !== undefined) {
      // What Adyen returns about the token it created (ResponseAdditionalDataCommon): the current tokenization.* keys,
      // the older recurring.* ones (deprecated since v68, still sent), and the scheme's transaction id.
      body.additionalData = {
        'tokenization.storedPaymentMethodId': stored.storedPaymentMethodId,
        'tokenization.shopperReference': stored.shopperReference,
        'tokenization.store.operationType': 'created',
        'recurring.recurringDetailReference': stored.storedPaymentMethodId,
        'recurring.shopperReference': stored.shopperReference,
        recurringProcessingModel: stored.recurringProcessingModel,
        networkTxReference: stored.networkTxReference ?? '',
      };
    }
    return body;
  }

  /**
   * The card of a payment made with a token (`storedPaymentMethodId`): only for the merchant account and shopper it
   * was stored for, and with the recurring processing model Adyen requires when stored details are used; otherwise
   * Adyen's "Contract not found" (800).
   */
  #storedCard(id: string, body: Record<string, unknown>, merchantAccount: string): Card {
    const stored = this.#store.storedPaymentMethods.get(id);
    const details = this.#store.storedCards.get(id);
    if (!stored || !details || stored.merchantAccount !== merchantAccount || stored.shopperReference !== body.shopperReference) {
      throw new AdyenError(422, '800', 'Contract not found');
    }
    if (body.recurringProcessingModel === undefined) {
      throw new AdyenError(422, '702', "Required field 'recurringProcessingModel' is not provided: it is required when using stored payment details.");
    }
    return { ...details };
  }

  /** Stores the card of an authorised payment that asked for it: Adyen's token, filed under the shopper's reference. */
  #storePaymentMethod(payment: PaymentRecord, tokenization: NonNullable<PaymentRecord['tokenization']>): void {
    if (tokenization.storedPaymentMethodId !== undefined) return;
    const details = this.#store.cardsToStore.get(payment.pspReference);
    // Only card payments store details (local-method payments never ask to).
    if (!details || isLocalMethodBrand(payment.brand)) return;
    const brand = payment.brand;
    this.#store.cardsToStore.delete(payment.pspReference);
    tokenization.storedPaymentMethodId = newPspReference();
    this.#store.storedCards.set(tokenization.storedPaymentMethodId, details);
    // Visa's Transaction ID and Mastercard's Trace ID are 15 digits.
    tokenization.networkTxReference = String(randomInt(100_000_000, 1_000_000_000)) + String(randomInt(100_000, 1_000_000));
    this.#store.storedPaymentMethods.set(tokenization.storedPaymentMethodId, {
      storedPaymentMethodId: tokenization.storedPaymentMethodId,
      shopperReference: tokenization.shopperReference,
      merchantAccount: payment.merchantAccount,
      recurringProcessingModel: tokenization.recurringProcessingModel,
      brand,
      lastFour: payment.lastFour,
      expiryMonth: payment.expiryMonth,
      expiryYear: payment.expiryYear,
      firstPspReference: payment.pspReference,
      networkTxReference: tokenization.networkTxReference,
      createdAt: new Date().toISOString(),
    });
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
    const merchantAccount = readMerchantAccount(body, this.#options.merchantAccounts);
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
    const merchantAccount = readMerchantAccount(body, this.#options.merchantAccounts);
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
    const merchantAccount = readMerchantAccount(body, this.#options.merchantAccounts);
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
