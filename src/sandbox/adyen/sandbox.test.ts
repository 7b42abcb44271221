import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import adyen from '@adyen/api-library';
import { adyenSdk, type AdyenSdk } from '../../../test/helpers/adyen-sdk.ts';
import { OpenApiSpec } from '../../../test/helpers/openapi-spec.ts';
import { startAdyenSandbox, type AdyenSandbox } from './server.ts';

const { HttpClientException } = adyen;
const apiKey = 'AQE_sandbox_test_key';
const hmacKeyHex = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const merchantAccount = 'PayrailTestECOM';
const checkoutSpec = OpenApiSpec.load('adyen/CheckoutService-v71.json');

const visa = { type: 'scheme' as const, number: '4111111145551142', expiryMonth: '03', expiryYear: '2030', cvc: '737' };
const threeDSecureVisa = { ...visa, number: '4917610000000000' };

function paymentRequest(overrides: Record<string, unknown> = {}) {
  return {
    amount: { value: 1000, currency: 'EUR' },
    reference: `order-${Math.random().toString(36).slice(2)}`,
    merchantAccount,
    returnUrl: 'https://shop.example/checkout/return?order=1',
    paymentMethod: visa,
    ...overrides,
  } as never;
}

/** The SDK returns its model classes; compare their JSON. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** The Adyen error the SDK threw: the library's HttpClientException carrying the parsed ServiceError. */
async function adyenErrorOf(promise: Promise<unknown>): Promise<{ statusCode: number; errorCode?: string; apiError?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpClientException, `expected an HttpClientException, got ${String(error)}`);
    return error as unknown as { statusCode: number; errorCode?: string; apiError?: Record<string, unknown> };
  }
  assert.fail('the request succeeded');
}

describe('Adyen sandbox through the official @adyen/api-library', () => {
  let sandbox: AdyenSandbox;
  let sdk: AdyenSdk;

  before(async () => {
    sandbox = await startAdyenSandbox({ apiKey, hmacKeyHex, merchantAccounts: [merchantAccount] });
    sdk = adyenSdk(sandbox.url, apiKey);
  });
  after(async () => {
    await sandbox.close();
  });
  afterEach(() => {
    // Every request the SDK sent and every response it got must match Adyen's published Checkout API v71 spec.
    for (const exchange of sdk.exchanges.splice(0)) {
      assert.ok(exchange.status !== undefined && exchange.responseBody !== undefined, `no response recorded for ${exchange.path}`);
      checkoutSpec.assertExchange(exchange.method, exchange.path, exchange.requestBody, exchange.status, exchange.responseBody);
    }
  });

  it('authorises a payment with a documented Visa test card (immediate capture, the merchant account default)', async () => {
    const request = paymentRequest();
    const response = await sdk.payments.payments(request);
    assert.equal(response.resultCode, 'Authorised');
    assert.match(response.pspReference!, /^[A-Z0-9]{16}$/);
    assert.deepEqual(plain(response.amount), { value: 1000, currency: 'EUR' });
    assert.equal(response.merchantReference, (request as { reference: string }).reference);
    assert.equal(response.paymentMethod?.brand, 'visa');
    const record = sandbox.records().payments.find((payment) => payment.pspReference === response.pspReference)!;
    assert.equal(record.status, 'authorised');
    assert.equal(record.captureMode, 'immediate');
    assert.equal(record.capturedValue, 1000);
    const captures = sandbox.records().modifications.filter((modification) => modification.paymentPspReference === response.pspReference);
    assert.deepEqual(captures.map((capture) => [capture.kind, capture.source, capture.status]), [['capture', 'automatic', 'succeeded']]);
  });

  it('accepts the unencrypted test_ values in the encrypted card fields', async () => {
    const response = await sdk.payments.payments(paymentRequest({
      paymentMethod: {
        type: 'scheme',
        encryptedCardNumber: 'test_5555341244441115',
        encryptedExpiryMonth: 'test_03',
        encryptedExpiryYear: 'test_2030',
        encryptedSecurityCode: 'test_737',
      },
    }));
    assert.equal(response.resultCode, 'Authorised');
    assert.equal(response.paymentMethod?.brand, 'mc');
    const error = await adyenErrorOf(sdk.payments.payments(paymentRequest({ paymentMethod: { type: 'scheme', encryptedCardNumber: 'adyenjs_0_1_25$abc', encryptedExpiryMonth: 'test_03', encryptedExpiryYear: 'test_2030' } })));
    assert.equal(error.statusCode, 422);
    assert.equal(error.errorCode, '174');
  });

  it('refuses with the reason selected by the holder name, as Adyen documents for testing', async () => {
    const cases: [string, string, string, string][] = [
      ['DECLINED', 'Refused', 'Refused', '2'],
      ['NOT_ENOUGH_BALANCE', 'Refused', 'Not enough balance', '12'],
      ['CARD_EXPIRED', 'Refused', 'Expired Card', '6'],
      ['BLOCK_CARD', 'Refused', 'Blocked Card', '5'],
      ['ERROR', 'Error', 'Acquirer Error', '4'],
    ];
    for (const [holderName, resultCode, refusalReason, refusalReasonCode] of cases) {
      const response = await sdk.payments.payments(paymentRequest({ paymentMethod: { ...visa, holderName } }));
      assert.equal(response.resultCode, resultCode, holderName);
      assert.equal(response.refusalReason, refusalReason, holderName);
      assert.equal(response.refusalReasonCode, refusalReasonCode, holderName);
      assert.match(response.pspReference!, /^[A-Z0-9]{16}$/);
    }
    const viaResponseCode = await sdk.payments.payments(paymentRequest({ additionalData: { RequestedTestAcquirerResponseCode: '12' } }));
    assert.equal(viaResponseCode.refusalReason, 'Not enough balance');
    const wrongCvc = await sdk.payments.payments(paymentRequest({ paymentMethod: { ...visa, cvc: '123' } }));
    assert.equal(wrongCvc.resultCode, 'Refused');
    assert.equal(wrongCvc.refusalReason, 'CVC Declined');
    const expired = await sdk.payments.payments(paymentRequest({ paymentMethod: { ...visa, expiryYear: '2020' } }));
    assert.equal(expired.refusalReason, 'Expired Card');
    const notATestCard = await sdk.payments.payments(paymentRequest({ paymentMethod: { ...visa, number: '4242424242424242' } }));
    assert.equal(notATestCard.refusalReason, 'Invalid Card Number');
    const refused = sandbox.records().payments.find((payment) => payment.pspReference === wrongCvc.pspReference)!;
    assert.equal(refused.status, 'refused');
    assert.equal(refused.capturedValue, 0);
  });

  it('answers malformed requests and bad credentials with Adyen ServiceErrors', async () => {
    const badNumber = await adyenErrorOf(sdk.payments.payments(paymentRequest({ paymentMethod: { ...visa, number: '4111111145551143' } })));
    assert.equal(badNumber.statusCode, 422);
    assert.equal(badNumber.errorCode, '101');
    assert.equal(badNumber.apiError?.errorType, 'validation');
    const noReference = await adyenErrorOf(sdk.payments.payments(paymentRequest({ reference: undefined })));
    assert.equal(noReference.statusCode, 422);
    assert.equal(noReference.errorCode, '130');
    // That request breaks the spec too (reference is required): check it, then leave only valid requests for afterEach.
    const invalid = sdk.exchanges.pop()!;
    assert.deepEqual(checkoutSpec.validateRequest('POST /payments', invalid.requestBody), [`(root) must have required property 'reference' {"missingProperty":"reference"}`]);
    checkoutSpec.assertResponse('POST /payments', 422, invalid.responseBody);
    const otherMerchant = await adyenErrorOf(sdk.payments.payments(paymentRequest({ merchantAccount: 'SomeoneElse' })));
    assert.equal(otherMerchant.statusCode, 403);
    assert.equal(otherMerchant.errorCode, '901');

    const wrongKey = adyenSdk(sandbox.url, 'not-the-key');
    const unauthorised = await adyenErrorOf(wrongKey.payments.payments(paymentRequest()));
    assert.equal(unauthorised.statusCode, 401);
    assert.equal(unauthorised.apiError?.errorType, 'security');
    for (const exchange of wrongKey.exchanges) checkoutSpec.assertExchange(exchange.method, exchange.path, exchange.requestBody, exchange.status, exchange.responseBody);
  });

  it('runs the 3-D Secure redirect flow: RedirectShopper, the challenge page, then /payments/details', async () => {
    const returnUrl = 'https://shop.example/checkout/return?order=42';
    const started = await sdk.payments.payments(paymentRequest({ paymentMethod: threeDSecureVisa, returnUrl }));
    assert.equal(started.resultCode, 'RedirectShopper');
    const action = started.action as { type: string; url: string; method: string };
    assert.equal(action.type, 'redirect');
    assert.equal(action.method, 'GET');
    assert.ok(action.url.startsWith(`${sandbox.url}/sandbox/3ds/`));

    const page = await fetch(action.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /3-D Secure 2 challenge/);
    const challenge = await fetch(action.url, { method: 'POST', body: new URLSearchParams({ password: 'password' }), redirect: 'manual' });
    assert.equal(challenge.status, 302);
    const back = new URL(challenge.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, 'https://shop.example/checkout/return');
    assert.equal(back.searchParams.get('order'), '42');
    const redirectResult = back.searchParams.get('redirectResult')!;
    assert.ok(redirectResult.length > 0);

    const completed = await sdk.payments.paymentsDetails({ details: { redirectResult } });
    assert.equal(completed.resultCode, 'Authorised');
    assert.match(completed.pspReference!, /^[A-Z0-9]{16}$/);
    assert.deepEqual(plain(completed.amount), { value: 1000, currency: 'EUR' });
    const record = sandbox.records().payments.find((payment) => payment.pspReference === completed.pspReference)!;
    assert.equal(record.authentication, 'authenticated');
    assert.equal(record.status, 'authorised');
    // The challenge page is single use.
    assert.equal((await fetch(action.url)).status, 404);
  });

  it('refuses a 3-D Secure payment whose challenge failed, and skips the challenge when attemptAuthentication is never', async () => {
    const started = await sdk.payments.payments(paymentRequest({ paymentMethod: threeDSecureVisa }));
    const url = (started.action as { url: string }).url;
    const challenge = await fetch(url, { method: 'POST', body: new URLSearchParams({ password: 'wrong' }), redirect: 'manual' });
    const redirectResult = new URL(challenge.headers.get('location')!).searchParams.get('redirectResult')!;
    const completed = await sdk.payments.paymentsDetails({ details: { redirectResult } });
    assert.equal(completed.resultCode, 'Refused');
    assert.equal(completed.refusalReason, '3D Not Authenticated');
    assert.equal(completed.refusalReasonCode, '11');

    const frictionless = await sdk.payments.payments(paymentRequest({ paymentMethod: threeDSecureVisa, authenticationData: { attemptAuthentication: 'never' } }));
    assert.equal(frictionless.resultCode, 'Authorised');
    const forced = await sdk.payments.payments(paymentRequest({ authenticationData: { attemptAuthentication: 'always' } }));
    assert.equal(forced.resultCode, 'RedirectShopper');

    const unknown = await adyenErrorOf(sdk.payments.paymentsDetails({ details: { redirectResult: 'not-a-result' } }));
    assert.equal(unknown.statusCode, 422);
  });

  it('verifies a card with a zero amount and stores it for the shopper (storePaymentMethod), holding and capturing nothing', async () => {
    const response = await sdk.payments.payments(paymentRequest({
      amount: { value: 0, currency: 'EUR' }, storePaymentMethod: true, shopperReference: 'shopper-0042', recurringProcessingModel: 'UnscheduledCardOnFile', shopperInteraction: 'Ecommerce',
    }));
    assert.equal(response.resultCode, 'Authorised');
    const data = plain(response.additionalData) as Record<string, string>;
    assert.match(data['tokenization.storedPaymentMethodId'], /^[A-Z0-9]{16}$/);
    assert.equal(data['recurring.recurringDetailReference'], data['tokenization.storedPaymentMethodId']);
    assert.equal(data['tokenization.shopperReference'], 'shopper-0042');
    assert.equal(data['recurring.shopperReference'], 'shopper-0042');
    assert.equal(data.recurringProcessingModel, 'UnscheduledCardOnFile');
    assert.match(data.networkTxReference, /^\d{15}$/);
    const records = sandbox.records();
    const stored = records.storedPaymentMethods.find((method) => method.storedPaymentMethodId === data['tokenization.storedPaymentMethodId'])!;
    assert.equal(stored.shopperReference, 'shopper-0042');
    assert.equal(stored.firstPspReference, response.pspReference);
    assert.equal(stored.lastFour, '1142');
    const record = records.payments.find((payment) => payment.pspReference === response.pspReference)!;
    assert.equal(record.capturedValue, 0);
    assert.deepEqual(records.modifications.filter((modification) => modification.paymentPspReference === response.pspReference), [], 'nothing to capture');

    // A payment that stores nothing answers without tokenization data.
    const plainPayment = await sdk.payments.payments(paymentRequest({ amount: { value: 0, currency: 'EUR' } }));
    assert.equal(plainPayment.resultCode, 'Authorised');
    assert.equal(plainPayment.additionalData, undefined);
  });

  it('stores the card only once 3-D Secure is passed, and refuses storePaymentMethod without a shopper or a recurring model', async () => {
    const returnUrl = 'https://shop.example/setup/return';
    const started = await sdk.payments.payments(paymentRequest({
      amount: { value: 0, currency: 'EUR' }, paymentMethod: threeDSecureVisa, returnUrl, storePaymentMethod: true, shopperReference: 'shopper-3ds', recurringProcessingModel: 'CardOnFile',
    }));
    assert.equal(started.resultCode, 'RedirectShopper');
    assert.equal(started.additionalData, undefined);
    const action = started.action as { url: string };
    const challenge = await fetch(action.url, { method: 'POST', body: new URLSearchParams({ password: 'password' }), redirect: 'manual' });
    const redirectResult = new URL(challenge.headers.get('location')!).searchParams.get('redirectResult')!;
    const completed = await sdk.payments.paymentsDetails({ details: { redirectResult } });
    assert.equal(completed.resultCode, 'Authorised');
    const data = plain(completed.additionalData) as Record<string, string>;
    assert.equal(data['tokenization.shopperReference'], 'shopper-3ds');
    assert.equal(data.recurringProcessingModel, 'CardOnFile');

    const noShopper = await adyenErrorOf(sdk.payments.payments(paymentRequest({ amount: { value: 0, currency: 'EUR' }, storePaymentMethod: true, recurringProcessingModel: 'CardOnFile' })));
    assert.equal(noShopper.statusCode, 422);
    assert.equal(noShopper.errorCode, '702');
    const noModel = await adyenErrorOf(sdk.payments.payments(paymentRequest({ amount: { value: 0, currency: 'EUR' }, storePaymentMethod: true, shopperReference: 'shopper-0042' })));
    assert.equal(noModel.statusCode, 422);
  });

  it('pays with a stored card\'s token as card on file (ContAuth): no challenge, only for its shopper and with a recurring model', async () => {
    // Stored after a 3-D Secure card's verification: later payments with the token are merchant-initiated.
    const started = await sdk.payments.payments(paymentRequest({
      amount: { value: 0, currency: 'EUR' }, paymentMethod: threeDSecureVisa, storePaymentMethod: true, shopperReference: 'shopper-mit', recurringProcessingModel: 'UnscheduledCardOnFile',
    }));
    const challenge = await fetch((started.action as { url: string }).url, { method: 'POST', body: new URLSearchParams({ password: 'password' }), redirect: 'manual' });
    const redirectResult = new URL(challenge.headers.get('location')!).searchParams.get('redirectResult')!;
    const stored = plain((await sdk.payments.paymentsDetails({ details: { redirectResult } })).additionalData) as Record<string, string>;
    const token = stored['tokenization.storedPaymentMethodId'];
    assert.ok(token);
    assert.ok(!JSON.stringify(sandbox.records()).includes(threeDSecureVisa.number), 'the records show no card number');

    const tokenPayment = (overrides: Record<string, unknown>) => paymentRequest({
      paymentMethod: { type: 'scheme', storedPaymentMethodId: token }, shopperInteraction: 'ContAuth', recurringProcessingModel: 'UnscheduledCardOnFile', shopperReference: 'shopper-mit', ...overrides,
    });
    const paid = await sdk.payments.payments(tokenPayment({}));
    assert.equal(paid.resultCode, 'Authorised', 'a merchant-initiated payment is not challenged');
    const record = sandbox.records().payments.find((payment) => payment.pspReference === paid.pspReference)!;
    assert.equal(record.shopperInteraction, 'ContAuth');
    assert.equal(record.storedPaymentMethodId, token);
    assert.equal(record.lastFour, '0000');

    const otherShopper = await adyenErrorOf(sdk.payments.payments(tokenPayment({ shopperReference: 'shopper-other' })));
    assert.equal(otherShopper.statusCode, 422);
    assert.equal(otherShopper.errorCode, '800');
    const unknown = await adyenErrorOf(sdk.payments.payments(tokenPayment({ paymentMethod: { type: 'scheme', storedPaymentMethodId: 'NOSUCHTOKEN00000' } })));
    assert.equal(unknown.errorCode, '800');
    const noModel = await adyenErrorOf(sdk.payments.payments(tokenPayment({ recurringProcessingModel: undefined })));
    assert.equal(noModel.statusCode, 422);
    assert.equal(noModel.errorCode, '702');

    // The same card's details on session (Ecommerce) are challenged as before.
    const onSession = await sdk.payments.payments(paymentRequest({ paymentMethod: threeDSecureVisa }));
    assert.equal(onSession.resultCode, 'RedirectShopper');
  });

  it('captures in parts up to the authorised amount and refuses an over-capture in the webhook outcome', async () => {
    const authorised = await sdk.payments.payments(paymentRequest({ additionalData: { manualCapture: 'true' } }));
    assert.equal(authorised.resultCode, 'Authorised');
    const psp = authorised.pspReference!;
    assert.equal(sandbox.records().payments.find((payment) => payment.pspReference === psp)!.capturedValue, 0);

    const first = await sdk.modifications.captureAuthorisedPayment(psp, { merchantAccount, amount: { value: 600, currency: 'EUR' }, reference: 'capture-1' });
    assert.equal(first.status, 'received');
    assert.equal(first.paymentPspReference, psp);
    assert.equal(first.merchantAccount, merchantAccount);
    assert.equal(first.reference, 'capture-1');
    assert.deepEqual(plain(first.amount), { value: 600, currency: 'EUR' });
    assert.notEqual(first.pspReference, psp);
    const second = await sdk.modifications.captureAuthorisedPayment(psp, { merchantAccount, amount: { value: 400, currency: 'EUR' } });
    assert.equal(second.status, 'received');
    // Like Adyen, an over-capture is accepted for processing ("received") and fails asynchronously.
    const over = await sdk.modifications.captureAuthorisedPayment(psp, { merchantAccount, amount: { value: 1, currency: 'EUR' } });
    assert.equal(over.status, 'received');

    const records = sandbox.records();
    assert.equal(records.payments.find((payment) => payment.pspReference === psp)!.capturedValue, 1000);
    const captures = records.modifications.filter((modification) => modification.paymentPspReference === psp);
    assert.deepEqual(captures.map((capture) => [capture.amount.value, capture.status, capture.reason ?? null]), [
      [600, 'succeeded', null],
      [400, 'succeeded', null],
      [1, 'failed', 'Insufficient balance on payment'],
    ]);

    const wrongCurrency = await adyenErrorOf(sdk.modifications.captureAuthorisedPayment(psp, { merchantAccount, amount: { value: 1, currency: 'USD' } }));
    assert.equal(wrongCurrency.statusCode, 422);
    const unknownPayment = await adyenErrorOf(sdk.modifications.captureAuthorisedPayment('ABCDEFGHIJKLMNOP', { merchantAccount, amount: { value: 1, currency: 'EUR' } }));
    assert.equal(unknownPayment.statusCode, 422);
    assert.equal(unknownPayment.errorCode, '167');
  });

  it('cancels an uncaptured authorisation, after which captures fail', async () => {
    const authorised = await sdk.payments.payments(paymentRequest({ additionalData: { manualCapture: 'true' } }));
    const psp = authorised.pspReference!;
    const cancel = await sdk.modifications.cancelAuthorisedPaymentByPspReference(psp, { merchantAccount, reference: 'void-1' });
    assert.equal(cancel.status, 'received');
    assert.equal(cancel.paymentPspReference, psp);
    assert.equal(cancel.reference, 'void-1');
    const capture = await sdk.modifications.captureAuthorisedPayment(psp, { merchantAccount, amount: { value: 1000, currency: 'EUR' } });
    assert.equal(capture.status, 'received');
    const records = sandbox.records();
    assert.equal(records.payments.find((payment) => payment.pspReference === psp)!.status, 'cancelled');
    const modifications = records.modifications.filter((modification) => modification.paymentPspReference === psp);
    assert.deepEqual(modifications.map((modification) => [modification.kind, modification.status]), [['cancel', 'succeeded'], ['capture', 'failed']]);
  });

  it('refunds captured money in parts, never more than was captured', async () => {
    const paid = await sdk.payments.payments(paymentRequest({ captureDelayHours: 0 }));
    const psp = paid.pspReference!;
    const refund = await sdk.modifications.refundCapturedPayment(psp, { merchantAccount, amount: { value: 300, currency: 'EUR' }, reference: 'refund-1', merchantRefundReason: 'CUSTOMER REQUEST' } as never);
    assert.equal(refund.status, 'received');
    assert.equal(refund.paymentPspReference, psp);
    assert.deepEqual(plain(refund.amount), { value: 300, currency: 'EUR' });
    assert.equal(refund.merchantRefundReason, 'CUSTOMER REQUEST');
    await sdk.modifications.refundCapturedPayment(psp, { merchantAccount, amount: { value: 800, currency: 'EUR' } });
    await sdk.modifications.refundCapturedPayment(psp, { merchantAccount, amount: { value: 700, currency: 'EUR' } });

    const manual = await sdk.payments.payments(paymentRequest({ additionalData: { manualCapture: 'true' } }));
    await sdk.modifications.refundCapturedPayment(manual.pspReference!, { merchantAccount, amount: { value: 100, currency: 'EUR' } });

    const records = sandbox.records();
    assert.equal(records.payments.find((payment) => payment.pspReference === psp)!.refundedValue, 1000);
    const refunds = records.modifications.filter((modification) => modification.kind === 'refund' && modification.paymentPspReference === psp);
    assert.deepEqual(refunds.map((item) => [item.amount.value, item.status]), [[300, 'succeeded'], [800, 'failed'], [700, 'succeeded']]);
    const uncaptured = records.modifications.find((modification) => modification.kind === 'refund' && modification.paymentPspReference === manual.pspReference)!;
    assert.equal(uncaptured.status, 'failed');
    assert.equal(uncaptured.reason, 'Transaction has not been captured');
  });

  it('replays the first response for a retried Idempotency-Key and never charges twice', async () => {
    const request = paymentRequest({ additionalData: { manualCapture: 'true' } });
    const first = await sdk.payments.payments(request, { idempotencyKey: 'attempt-ch_123' });
    const again = await sdk.payments.payments(request, { idempotencyKey: 'attempt-ch_123' });
    assert.deepEqual(again, first);
    const withKey = sandbox.records().payments.filter((payment) => payment.idempotencyKey === 'attempt-ch_123');
    assert.equal(withKey.length, 1);

    const capture = { merchantAccount, amount: { value: 1000, currency: 'EUR' } };
    const captured = await sdk.modifications.captureAuthorisedPayment(first.pspReference!, capture, { idempotencyKey: 'capture-ch_123' });
    const replayed = await sdk.modifications.captureAuthorisedPayment(first.pspReference!, capture, { idempotencyKey: 'capture-ch_123' });
    assert.equal(replayed.pspReference, captured.pspReference);
    const captures = sandbox.records().modifications.filter((modification) => modification.paymentPspReference === first.pspReference);
    assert.equal(captures.length, 1, 'one capture for one Idempotency-Key');

    const conflict = await adyenErrorOf(sdk.payments.payments(paymentRequest(), { idempotencyKey: 'attempt-ch_123' }));
    assert.equal(conflict.statusCode, 422);
    assert.equal(conflict.errorCode, '704');

    // The key comes back in the response header, as Adyen documents.
    const raw = await fetch(`${sandbox.url}/v71/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'idempotency-key': 'raw-key-1' },
      body: JSON.stringify(paymentRequest()),
    });
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get('idempotency-key'), 'raw-key-1');
    // A retry is the same request even when its JSON keys come in another order or with other whitespace.
    const sent = JSON.parse(JSON.stringify(paymentRequest({ reference: 'order-reordered' })));
    const reordered = Object.fromEntries(Object.entries(sent).reverse());
    const answers = [];
    for (const body of [JSON.stringify(sent), JSON.stringify(reordered, null, 2)]) {
      const response = await fetch(`${sandbox.url}/v71/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'idempotency-key': 'raw-key-2' },
        body,
      });
      assert.equal(response.status, 200);
      answers.push(await response.json());
    }
    assert.deepEqual(answers[1], answers[0]);
  });
});
