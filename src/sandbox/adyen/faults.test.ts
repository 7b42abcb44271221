import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import adyen from '@adyen/api-library';
import { adyenSdk } from '../../../test/helpers/adyen-sdk.ts';
import { OpenApiSpec } from '../../../test/helpers/openapi-spec.ts';
import { mergeFaults, noFaults } from '../shared/faults.ts';
import { startAdyenSandbox, type AdyenSandbox } from './server.ts';

const { HttpClientException } = adyen;
const apiKey = 'AQE_fault_test_key';
const hmacKeyHex = '00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF';
const merchantAccount = 'PayrailTestECOM';
const checkoutSpec = OpenApiSpec.load('adyen/CheckoutService-v71.json');

function paymentBody(reference: string) {
  return {
    amount: { value: 1500, currency: 'EUR' },
    reference,
    merchantAccount,
    returnUrl: 'https://shop.example/return',
    paymentMethod: { type: 'scheme', number: '4111111145551142', expiryMonth: '03', expiryYear: '2030', cvc: '737' },
  };
}

async function post(sandbox: AdyenSandbox, path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...headers },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('Adyen sandbox fault injection', () => {
  let sandbox: AdyenSandbox;

  before(async () => {
    sandbox = await startAdyenSandbox({ apiKey, hmacKeyHex });
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  it('errorRate: answers 500 before processing, so nothing is authorised', async () => {
    sandbox.setFaults({ errorRate: 1 });
    const response = await post(sandbox, '/v71/payments', paymentBody('order-error'), { 'idempotency-key': 'error-1' });
    assert.equal(response.status, 500);
    assert.equal(response.body?.errorType, 'internal');
    checkoutSpec.assertResponse('POST /payments', 500, response.body);
    assert.equal(sandbox.records().payments.length, 0);

    // Nothing was processed, so the same key may be used again and the payment goes through once.
    sandbox.setFaults({ errorRate: 0 });
    const retried = await post(sandbox, '/v71/payments', paymentBody('order-error'), { 'idempotency-key': 'error-1' });
    assert.equal(retried.status, 200);
    assert.equal(retried.body?.resultCode, 'Authorised');
    assert.equal(sandbox.records().payments.length, 1);
  });

  it('status5xxRate: processes the payment, answers 500, and a retry with the same Idempotency-Key returns the real outcome', async () => {
    sandbox.setFaults({ status5xxRate: 1 });
    const ambiguous = await post(sandbox, '/v71/payments', paymentBody('order-5xx'), { 'idempotency-key': 'ambiguous-1' });
    assert.equal(ambiguous.status, 500);
    checkoutSpec.assertResponse('POST /payments', 500, ambiguous.body);
    const [payment] = sandbox.records().payments;
    assert.equal(payment.status, 'authorised', 'the provider did authorise');

    sandbox.setFaults({ status5xxRate: 0 });
    const resolved = await post(sandbox, '/v71/payments', paymentBody('order-5xx'), { 'idempotency-key': 'ambiguous-1' });
    assert.equal(resolved.status, 200);
    assert.equal(resolved.body?.pspReference, payment.pspReference);
    assert.equal(sandbox.records().payments.length, 1, 'never authorised twice');
  });

  it('timeoutRate: processes the request and never answers; the SDK times out and a keyed retry gets the result', async () => {
    // Short enough to keep the test quick, long enough for the request to reach the sandbox on a loaded machine.
    const impatient = adyenSdk(sandbox.url, apiKey, 2_000);
    sandbox.setFaults({ timeoutRate: 1 });
    // The SDK aborts the request at its timeout and reports the dropped connection (not an HTTP error response).
    await assert.rejects(impatient.payments.payments(paymentBody('order-timeout') as never, { idempotencyKey: 'timeout-1' }), (error: Error) => {
      assert.ok(!(error instanceof HttpClientException));
      assert.match(error.message, /socket hang up/);
      return true;
    });
    assert.equal(sandbox.records().payments.length, 1, 'the sandbox processed the timed-out request');

    sandbox.setFaults({ timeoutRate: 0 });
    // The retry is answered: a client with the SDK's default (generous) timeout.
    const retried = await adyenSdk(sandbox.url, apiKey).payments.payments(paymentBody('order-timeout') as never, { idempotencyKey: 'timeout-1' });
    assert.equal(retried.resultCode, 'Authorised');
    assert.equal(retried.pspReference, sandbox.records().payments[0].pspReference);
    assert.equal(sandbox.records().payments.length, 1);
  });

  it('outage: every API request gets 503 and nothing is processed, while the admin endpoints keep working', async () => {
    const set = await fetch(`${sandbox.url}/sandbox/admin/faults`, { method: 'POST', body: JSON.stringify({ outage: true, latencyMs: 5 }), headers: { 'content-type': 'application/json' } });
    assert.equal(set.status, 200);
    assert.deepEqual(await set.json(), { ...noFaults(), outage: true, latencyMs: 5 });
    const payment = await post(sandbox, '/v71/payments', paymentBody('order-outage'));
    assert.equal(payment.status, 503);
    const capture = await post(sandbox, '/v71/payments/ABCDEFGHIJKLMNOP/captures', { merchantAccount, amount: { value: 1, currency: 'EUR' } });
    assert.equal(capture.status, 503);
    const records = await fetch(`${sandbox.url}/sandbox/admin/records`);
    assert.equal(records.status, 200);
    assert.deepEqual(await records.json(), { payments: [], storedPaymentMethods: [], modifications: [], notifications: [] });

    const reset = await fetch(`${sandbox.url}/sandbox/admin/reset`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(reset.status, 200);
    assert.equal((await post(sandbox, '/v71/payments', paymentBody('order-after-outage'))).status, 200);
  });

  it('rejects invalid fault settings with the field named', async () => {
    const response = await fetch(`${sandbox.url}/sandbox/admin/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 2 }), headers: { 'content-type': 'application/json' } });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: string }).error, /errorRate/);
    assert.deepEqual(mergeFaults(noFaults(), { bogus: true }), { error: "unknown fault 'bogus'" });
    assert.deepEqual(mergeFaults(noFaults(), { outage: 'yes' }), { error: 'outage must be a boolean' });
    assert.throws(() => sandbox.setFaults({ latencyMs: -1 }), /latencyMs/);
  });
});
