import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import adyen from '@adyen/api-library';
import { adyenSdk, type AdyenSdk } from '../../../test/helpers/adyen-sdk.ts';
import { OpenApiSpec } from '../../../test/helpers/openapi-spec.ts';
import { startAdyenSandbox, type AdyenSandbox } from './server.ts';

/*
 * iDEAL and SEPA Direct Debit at the Adyen sandbox through the official @adyen/api-library: every request the SDK
 * sends and every answer it gets is checked against Adyen's published Checkout API v71 spec.
 */

const { HttpClientException } = adyen;
const apiKey = 'AQE_sandbox_local_methods_key';
const hmacKeyHex = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const merchantAccount = 'PayrailTestECOM';
const checkoutSpec = OpenApiSpec.load('adyen/CheckoutService-v71.json');

function request(paymentMethod: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    amount: { value: 2500, currency: 'EUR' },
    reference: `order-${Math.random().toString(36).slice(2)}`,
    merchantAccount,
    returnUrl: 'https://shop.example/checkout/return?order=9',
    paymentMethod,
    ...overrides,
  } as never;
}

async function errorOf(promise: Promise<unknown>): Promise<{ statusCode: number; errorCode?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpClientException, `expected an HttpClientException, got ${String(error)}`);
    return error as unknown as { statusCode: number; errorCode?: string; message: string };
  }
  assert.fail('the request succeeded');
}

describe('Adyen sandbox: iDEAL and SEPA Direct Debit through @adyen/api-library', () => {
  let sandbox: AdyenSandbox;
  let sdk: AdyenSdk;

  before(async () => {
    sandbox = await startAdyenSandbox({ apiKey, hmacKeyHex, merchantAccounts: [merchantAccount], webhookRetryDelaysMs: [] });
    sdk = adyenSdk(sandbox.url, apiKey);
  });
  after(async () => {
    await sandbox.close();
  });
  afterEach(() => {
    for (const exchange of sdk.exchanges.splice(0)) {
      assert.ok(exchange.status !== undefined && exchange.responseBody !== undefined, `no response recorded for ${exchange.path}`);
      checkoutSpec.assertExchange(exchange.method, exchange.path, exchange.requestBody, exchange.status, exchange.responseBody);
    }
  });

  /** The shopper on the iDEAL bank page: picks the outcome, and is sent back to returnUrl with a redirectResult. */
  async function bank(url: string, outcome: 'authorised' | 'failed'): Promise<string> {
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /iDEAL test bank/);
    const answer = await fetch(url, { method: 'POST', body: new URLSearchParams({ outcome }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    assert.equal(answer.status, 302);
    const back = new URL(answer.headers.get('location')!);
    assert.equal(back.origin + back.pathname, 'https://shop.example/checkout/return');
    assert.equal(back.searchParams.get('order'), '9');
    return back.searchParams.get('redirectResult')!;
  }

  it('iDEAL: RedirectShopper to the bank page, authorised there, completed by /payments/details and captured', async () => {
    const started = await sdk.payments.payments(request({ type: 'ideal' }));
    assert.equal(started.resultCode, 'RedirectShopper');
    const action = started.action as { type: string; url: string; method: string; paymentMethodType: string };
    assert.equal(action.type, 'redirect');
    assert.equal(action.method, 'GET');
    assert.equal(action.paymentMethodType, 'ideal');
    assert.ok(action.url.startsWith(`${sandbox.url}/sandbox/ideal/`), action.url);

    const completed = await sdk.payments.paymentsDetails({ details: { redirectResult: await bank(action.url, 'authorised') } });
    assert.equal(completed.resultCode, 'Authorised');
    assert.equal(completed.paymentMethod?.type, 'ideal');
    const record = sandbox.records().payments.find((payment) => payment.pspReference === completed.pspReference)!;
    assert.equal(record.brand, 'ideal');
    assert.equal(record.capturedValue, 2500, 'iDEAL is captured when authorised');

    await sandbox.webhooksIdle();
    const notification = sandbox.records().notifications.find((item) => item.pspReference === completed.pspReference && item.eventCode === 'AUTHORISATION')!;
    assert.equal(notification.success, true);
    const item = (notification.body as { notificationItems: { NotificationRequestItem: Record<string, unknown> }[] }).notificationItems[0].NotificationRequestItem;
    assert.equal(item.paymentMethod, 'ideal');

    const refund = await sdk.modifications.refundCapturedPayment(completed.pspReference!, { amount: { value: 1000, currency: 'EUR' }, merchantAccount, reference: 'refund-ideal-1' });
    assert.equal(refund.status, 'received');
    assert.equal(sandbox.records().payments.find((payment) => payment.pspReference === completed.pspReference)!.refundedValue, 1000);
  });

  it('iDEAL failed at the bank: Refused, nothing captured, AUTHORISATION success false', async () => {
    const started = await sdk.payments.payments(request({ type: 'ideal', issuer: '1121' }));
    const completed = await sdk.payments.paymentsDetails({ details: { redirectResult: await bank((started.action as { url: string }).url, 'failed') } });
    assert.equal(completed.resultCode, 'Refused');
    const record = sandbox.records().payments.find((payment) => payment.pspReference === completed.pspReference)!;
    assert.equal(record.status, 'refused');
    assert.equal(record.capturedValue, 0);
    await sandbox.webhooksIdle();
    assert.equal(sandbox.records().notifications.find((item) => item.pspReference === completed.pspReference)?.success, false);
  });

  it('SEPA Direct Debit: Received at once; the AUTHORISATION webhook tells the outcome by test IBAN', async () => {
    const succeeding = await sdk.payments.payments(request({ type: 'sepadirectdebit', iban: 'DE87123456781234567890', ownerName: 'A. Schneider' }));
    assert.equal(succeeding.resultCode, 'Received');
    assert.match(succeeding.pspReference!, /^[A-Z0-9]{16}$/);
    assert.equal(succeeding.paymentMethod?.type, 'sepadirectdebit');
    const failing = await sdk.payments.payments(request({ type: 'sepadirectdebit', iban: 'DE62 3704 0044 0532 0130 01', ownerName: 'Jenny Rosen' }));
    assert.equal(failing.resultCode, 'Received');

    await sandbox.webhooksIdle();
    const items = sandbox.records().notifications.map((record) => (record.body as { notificationItems: { NotificationRequestItem: Record<string, unknown> }[] }).notificationItems[0].NotificationRequestItem);
    const ok = items.find((item) => item.pspReference === succeeding.pspReference)!;
    assert.deepEqual([ok.eventCode, ok.success, ok.paymentMethod], ['AUTHORISATION', 'true', 'sepadirectdebit']);
    const returned = items.find((item) => item.pspReference === failing.pspReference)!;
    assert.deepEqual([returned.eventCode, returned.success, returned.reason], ['AUTHORISATION', 'false', 'Not enough balance']);
    const stored = sandbox.records().payments.find((payment) => payment.pspReference === succeeding.pspReference)!;
    assert.equal(stored.lastFour, '7890');
    assert.equal(JSON.stringify(sandbox.records()).includes('DE87123456781234567890'), false, 'the records keep no IBAN');

    // Adyen refunds an authorised SEPA debit (the money goes back by credit transfer); a returned one has nothing to refund.
    const refund = await sdk.modifications.refundCapturedPayment(succeeding.pspReference!, { amount: { value: 2500, currency: 'EUR' }, merchantAccount, reference: 'refund-sepa-1' });
    assert.equal(refund.status, 'received');
    const refused = await sdk.modifications.refundCapturedPayment(failing.pspReference!, { amount: { value: 2500, currency: 'EUR' }, merchantAccount, reference: 'refund-sepa-2' });
    assert.equal(refused.status, 'received');
    await sandbox.webhooksIdle();
    const refunds = sandbox.records().modifications.filter((modification) => modification.kind === 'refund' && modification.reference?.startsWith('refund-sepa'));
    assert.deepEqual(refunds.map((modification) => [modification.reference, modification.status]), [['refund-sepa-1', 'succeeded'], ['refund-sepa-2', 'failed']]);
  });

  it('refuses a SEPA payment without its owner or with an invalid IBAN, and a local method in another currency', async () => {
    const noOwner = await errorOf(sdk.payments.payments(request({ type: 'sepadirectdebit', iban: 'DE87123456781234567890' })));
    assert.equal(noOwner.statusCode, 422);
    assert.equal(noOwner.errorCode, '702');
    sdk.exchanges.pop(); // the request breaks the spec (ownerName is required): nothing to check against it
    const badIban = await errorOf(sdk.payments.payments(request({ type: 'sepadirectdebit', iban: 'DE87123456781234567891', ownerName: 'A. Schneider' })));
    assert.equal(badIban.statusCode, 422);
    assert.equal(badIban.errorCode, '161');
    assert.equal(badIban.message.includes('DE871234567812'), false, 'the error never echoes the IBAN');
    const dollars = await errorOf(sdk.payments.payments(request({ type: 'ideal' }, { amount: { value: 2500, currency: 'USD' } })));
    assert.equal(dollars.statusCode, 422);
    assert.equal(dollars.errorCode, '138');
  });
});
