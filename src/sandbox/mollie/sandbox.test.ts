import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import { MollieApiError as ApiError, PaymentMethod, SequenceType, type MollieClient } from '@mollie/api-client';
import { mollieClient, mollieSpec, sandboxFetch, selfSignedCertificate } from '../../../test/helpers/mollie-sdk.ts';
import { until } from '../../../test/helpers/until.ts';
import { startMollieSandbox, type MollieSandbox } from './server.ts';

/*
 * The Mollie sandbox driven by the official @mollie/api-client over HTTPS, with raw answers checked against Mollie's
 * published OpenAPI description (Mollie's OpenAPI description, github.com/mollie/openapi), the test checkout page over plain HTTP requests, and a
 * webhook receiver that must get nothing but `id=tr_...`.
 */

const apiKey = 'test_payrailmolliesandboxtest000000';

interface Call {
  contentType: string;
  userAgent: string;
  body: string;
}

describe('Mollie sandbox with the official @mollie/api-client', () => {
  const tls = selfSignedCertificate();
  const fetchSandbox = sandboxFetch(tls.cert);
  let sandbox: MollieSandbox;
  let mollie: MollieClient;
  let receiver: Server;
  let webhookUrl: string;
  const calls: Call[] = [];
  /** Answers the receiver gives next (then 200). */
  const failNext: number[] = [];

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        calls.push({ contentType: String(request.headers['content-type']), userAgent: String(request.headers['user-agent']), body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(failNext.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/mollie`;
    sandbox = await startMollieSandbox({ apiKeys: [apiKey], tls, webhookRetryDelaysMs: [10, 10] });
    mollie = mollieClient(sandbox.url, apiKey, tls.cert);
  });
  after(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });
  afterEach(() => sandbox.setFaults({ outage: false, errorRate: 0, status5xxRate: 0, timeoutRate: 0 }));

  /**
   * A raw API call; with PAYRAIL_MOLLIE_SPEC (test/helpers/mollie-sdk.ts) the answer is checked against the operation's documented response, or (`undocumented`: a status
   * the operation does not list, such as the idempotency guide's 400) against Mollie's error-response schema.
   */
  async function raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, undocumented = false) {
    const response = await fetchSandbox(sandbox.url + path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
    const spec = mollieSpec();
    if (spec && undocumented) assert.deepEqual(spec.validateComponent('error-response', parsed), []);
    else if (spec) spec.assertResponse(spec.operationFor(method, path.split('?')[0]), response.status, parsed);
    return { status: response.status, body: parsed!, contentType: response.headers.get('content-type'), replayed: response.headers.get('idempotent-replayed') };
  }

  /** The tester's choice on the hosted test checkout; returns where the shopper is sent. */
  async function pickOutcome(checkoutUrl: string, outcome: string, method?: string): Promise<string | null> {
    const page = await fetchSandbox(checkoutUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Select the payment status/);
    const form = new URLSearchParams({ outcome, ...(method ? { method } : {}) });
    const response = await fetchSandbox(checkoutUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), redirect: 'manual' });
    return response.headers.get('location');
  }

  it('creates an iDEAL payment, takes the tester through the checkout to the redirect, and calls the webhook with only the id', async () => {
    const created = await mollie.payments.create({
      amount: { currency: 'EUR', value: '10.00' },
      description: 'Order 1',
      redirectUrl: 'https://shop.example/return/1',
      webhookUrl,
      method: PaymentMethod.ideal,
      metadata: { order_id: '1' },
    });
    assert.equal(created.status, 'open');
    assert.match(created.id, /^tr_\w{10}$/);
    const checkoutUrl = created.getCheckoutUrl();
    assert.ok(checkoutUrl?.startsWith(sandbox.url));
    assert.deepEqual(calls, [], 'no webhook while the payment is open');

    assert.equal(await pickOutcome(checkoutUrl!, 'paid'), 'https://shop.example/return/1');
    const paid = await mollie.payments.get(created.id);
    assert.equal(paid.status, 'paid');
    assert.ok(paid.paidAt);
    assert.deepEqual(paid.amountRemaining, { currency: 'EUR', value: '10.00' });
    assert.deepEqual(paid.metadata, { order_id: '1' });
    await until('the webhook call', () => calls.length === 1 || undefined);
    assert.deepEqual(calls, [{ contentType: 'application/x-www-form-urlencoded', userAgent: 'Mollie HTTP client/1.0', body: `id=${created.id}` }]);

    const fetched = await raw('GET', `/v2/payments/${created.id}`);
    assert.equal(fetched.contentType, 'application/hal+json; charset=utf-8');
    assert.equal(fetched.body.status, 'paid');
  });

  it('offers every outcome Mollie test mode offers and lets the shopper choose the method when none was given', async () => {
    const statuses: string[] = [];
    for (const outcome of ['failed', 'canceled', 'expired', 'open']) {
      const payment = await mollie.payments.create({ amount: { currency: 'PLN', value: '25.50' }, description: `Outcome ${outcome}`, redirectUrl: 'https://shop.example/return' });
      assert.equal(await pickOutcome(payment.getCheckoutUrl()!, outcome, 'blik'), 'https://shop.example/return');
      const after = await mollie.payments.get(payment.id);
      assert.equal(after.method, 'blik');
      statuses.push(after.status);
    }
    assert.deepEqual(statuses, ['failed', 'canceled', 'expired', 'open']);
  });

  it('lists payments newest first with HAL pagination the client follows', async () => {
    sandbox.reset();
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      ids.push((await mollie.payments.create({ amount: { currency: 'EUR', value: '1.00' }, description: `List ${index}`, redirectUrl: 'https://shop.example/return' })).id);
    }
    const first = await mollie.payments.page({ limit: 2 });
    assert.deepEqual([...first].map((payment) => payment.id), [ids[4], ids[3]]);
    const second = await first.nextPage!();
    assert.deepEqual([...second].map((payment) => payment.id), [ids[2], ids[1]]);
    const all: string[] = [];
    for await (const payment of mollie.payments.iterate()) all.push(payment.id);
    assert.deepEqual(all, [...ids].reverse());

    const listed = await raw('GET', `/v2/payments?limit=2&from=${ids[2]}`);
    assert.equal(listed.body.count, 2);
    const links = listed.body._links as Record<string, { href: string } | null>;
    assert.equal(new URL(links.next!.href).searchParams.get('from'), ids[0]);
    assert.equal(new URL(links.previous!.href).searchParams.get('from'), ids[4]);
    const bad = await raw('GET', '/v2/payments?limit=251');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'limit');
  });

  it('refunds part of a paid payment, refuses more than remains, and calls the webhook when the refund settles', async () => {
    const payment = await mollie.payments.create({ amount: { currency: 'EUR', value: '20.00' }, description: 'Refund me', redirectUrl: 'https://shop.example/r', webhookUrl, method: PaymentMethod.bancontact });
    await pickOutcome(payment.getCheckoutUrl()!, 'paid');
    await until('the webhook call', () => calls.some((call) => call.body === `id=${payment.id}`) || undefined);
    const before = calls.length;

    const refund = await mollie.paymentRefunds.create({ paymentId: payment.id, amount: { currency: 'EUR', value: '7.50' }, description: 'Partial' });
    assert.equal(refund.status, 'pending');
    assert.match(refund.id, /^re_/);
    assert.deepEqual((await mollie.payments.get(payment.id)).amountRemaining, { currency: 'EUR', value: '12.50' });
    await assert.rejects(mollie.paymentRefunds.create({ paymentId: payment.id, amount: { currency: 'EUR', value: '12.51' } }), (error: ApiError) => {
      assert.equal(error.statusCode, 422);
      assert.equal(error.field, 'amount.value');
      return true;
    });

    const settled = await fetchSandbox(`${sandbox.url}/sandbox/admin/refunds/${refund.id}/settle`, { method: 'POST', body: JSON.stringify({ status: 'refunded' }) });
    assert.equal(settled.status, 200);
    assert.equal((await mollie.paymentRefunds.get(refund.id, { paymentId: payment.id })).status, 'refunded');
    await until('the webhook call', () => calls.length === before + 1 || undefined);
    assert.equal(calls.at(-1)!.body, `id=${payment.id}`);
    const refunds = await raw('GET', `/v2/payments/${payment.id}/refunds`);
    assert.equal(refunds.body.count, 1);
  });

  it('makes a mandate from a paid first payment and charges recurring payments on it without the shopper', async () => {
    const customer = await mollie.customers.create({ name: 'Jan Jansen', email: 'jan@example.com' });
    assert.match(customer.id, /^cst_/);
    const first = await mollie.payments.create({
      amount: { currency: 'EUR', value: '0.01' }, description: 'First', redirectUrl: 'https://shop.example/first', customerId: customer.id, sequenceType: SequenceType.first, method: PaymentMethod.ideal,
    });
    await pickOutcome(first.getCheckoutUrl()!, 'paid');
    const mandates = await mollie.customerMandates.page({ customerId: customer.id });
    assert.equal(mandates.length, 1);
    assert.equal(mandates[0].method, 'directdebit');
    assert.equal(mandates[0].status, 'valid');
    assert.equal((await mollie.payments.get(first.id)).mandateId, mandates[0].id);

    const recurring = await mollie.payments.create({ amount: { currency: 'EUR', value: '15.00' }, description: 'Month 1', customerId: customer.id, sequenceType: SequenceType.recurring, webhookUrl });
    assert.equal(recurring.status, 'pending');
    assert.equal(recurring.method, 'directdebit');
    assert.equal(recurring.mandateId, mandates[0].id);
    assert.equal(recurring.getCheckoutUrl(), null);
    assert.equal((await raw('GET', `/v2/payments/${recurring.id}`)).body.status, 'pending');
    const settled = await fetchSandbox(`${sandbox.url}/sandbox/admin/payments/${recurring.id}/settle`, { method: 'POST', body: JSON.stringify({ status: 'paid' }) });
    assert.equal(settled.status, 200);
    assert.equal((await mollie.payments.get(recurring.id)).status, 'paid');

    // A SEPA mandate made directly, then a recurring payment naming it, settled on its changePaymentState page.
    const direct = await mollie.customerMandates.create({ customerId: customer.id, method: 'directdebit' as never, consumerName: 'Jan Jansen', consumerAccount: 'NL55INGB0000000000' });
    assert.equal(direct.status, 'valid');
    const second = await mollie.customerPayments.create({ customerId: customer.id, amount: { currency: 'EUR', value: '15.00' }, description: 'Month 2', sequenceType: SequenceType.recurring, mandateId: direct.id });
    const changeUrl = (second._links as unknown as { changePaymentState: { href: string } }).changePaymentState.href;
    assert.equal(await pickOutcome(changeUrl, 'failed'), null);
    assert.equal((await mollie.payments.get(second.id)).status, 'failed');

    await assert.rejects(mollie.customerMandates.create({ customerId: customer.id, method: 'directdebit' as never, consumerName: 'X', consumerAccount: 'NL00INGB0000000000' }), (error: ApiError) => error.statusCode === 422 && error.field === 'consumerAccount');
    await mollie.customerMandates.revoke(direct.id, { customerId: customer.id });
    assert.equal((await mollie.customerMandates.get(direct.id, { customerId: customer.id })).status, 'invalid');
    const listed = await raw('GET', `/v2/customers/${customer.id}/mandates`);
    assert.equal(listed.body.count, 2);
    assert.equal((await raw('GET', `/v2/customers/${customer.id}`)).body.email, 'jan@example.com');
    assert.equal(await mollie.customers.delete(customer.id), true);
    await assert.rejects(mollie.customers.get(customer.id), (error: ApiError) => error.statusCode === 410);
  });

  it('BLIK: paid on the checkout is pending until the banking app approves it, then paid or failed', async () => {
    const outcomes: string[] = [];
    for (const final of ['paid', 'failed']) {
      const payment = await mollie.payments.create({ amount: { currency: 'PLN', value: '30.00' }, description: `BLIK ${final}`, redirectUrl: 'https://shop.example/b', method: PaymentMethod.blik, webhookUrl });
      assert.equal(await pickOutcome(payment.getCheckoutUrl()!, 'paid'), 'https://shop.example/b');
      const pending = await mollie.payments.get(payment.id);
      assert.equal(pending.status, 'pending');
      assert.equal(pending.getCheckoutUrl(), null);
      const changeUrl = (pending._links as unknown as { changePaymentState: { href: string } }).changePaymentState.href;
      assert.equal(await pickOutcome(changeUrl, final), null, 'the changePaymentState page answers with the new status');
      outcomes.push((await mollie.payments.get(payment.id)).status);
    }
    assert.deepEqual(outcomes, ['paid', 'failed']);
  });

  it('captures an authorized Klarna payment (Captures API): paid once captured; only an authorized payment can be', async () => {
    const payment = await mollie.payments.create({ amount: { currency: 'EUR', value: '42.00' }, description: 'Klarna', redirectUrl: 'https://shop.example/k', method: PaymentMethod.klarna, webhookUrl });
    assert.equal(payment.status, 'open');
    await assert.rejects(mollie.paymentCaptures.create({ paymentId: payment.id }), (error: ApiError) => error.statusCode === 422);
    assert.equal(await pickOutcome(payment.getCheckoutUrl()!, 'authorized'), 'https://shop.example/k');
    assert.equal((await mollie.payments.get(payment.id)).status, 'authorized');
    await assert.rejects(mollie.paymentCaptures.create({ paymentId: payment.id, amount: { currency: 'EUR', value: '50.00' } }), (error: ApiError) => error.statusCode === 422 && error.field === 'amount.value');
    const capture = await mollie.paymentCaptures.create({ paymentId: payment.id, description: 'Shipped' });
    assert.match(capture.id, /^cpt_/);
    assert.deepEqual(capture.amount, { currency: 'EUR', value: '42.00' });
    assert.equal(capture.paymentId, payment.id);
    assert.equal((await mollie.paymentCaptures.get(capture.id, { paymentId: payment.id })).id, capture.id);
    assert.equal((await mollie.payments.get(payment.id)).status, 'paid');
    assert.equal((await raw('GET', `/v2/payments/${payment.id}/captures`)).body.count, 1);
    await until('the webhook of the captured payment', () => calls.some((call) => call.body === `id=${payment.id}`) || undefined);
  });

  it('fails a direct debit with the bank\'s SEPA reason code (details.bankReasonCode), set by the tester', async () => {
    const customer = await mollie.customers.create({ name: 'Jan Jansen', email: 'jan@example.com' });
    const mandate = await mollie.customerMandates.create({ customerId: customer.id, method: 'directdebit' as never, consumerName: 'Jan Jansen', consumerAccount: 'DE89370400440532013000' });
    const debit = await mollie.customerPayments.create({ customerId: customer.id, amount: { currency: 'EUR', value: '12.00' }, description: 'Debit', sequenceType: SequenceType.recurring, mandateId: mandate.id });
    assert.equal(debit.status, 'pending');
    const refused = await fetchSandbox(`${sandbox.url}/sandbox/admin/payments/${debit.id}/settle`, { method: 'POST', body: JSON.stringify({ status: 'failed', bankReasonCode: 'closed' }) });
    assert.equal(refused.status, 400);
    const settled = await fetchSandbox(`${sandbox.url}/sandbox/admin/payments/${debit.id}/settle`, { method: 'POST', body: JSON.stringify({ status: 'failed', bankReasonCode: 'AC04' }) });
    assert.equal(settled.status, 200);
    const failed = await mollie.payments.get(debit.id);
    assert.equal(failed.status, 'failed');
    const details = failed.details as { bankReasonCode?: string; bankReason?: string; consumerAccount?: string };
    assert.equal(details.bankReasonCode, 'AC04');
    assert.equal(details.bankReason, 'Account closed');
    assert.equal(details.consumerAccount, 'DE89370400440532013000');
  });

  it('fails a recurring card charge whose amount ends in 13 (the sandbox test trigger)', async () => {
    const customer = await mollie.customers.create({ name: 'Card holder' });
    const first = await mollie.payments.create({ amount: { currency: 'EUR', value: '1.00' }, description: 'First card', redirectUrl: 'https://shop.example/c', customerId: customer.id, sequenceType: SequenceType.first, method: PaymentMethod.creditcard });
    await pickOutcome(first.getCheckoutUrl()!, 'paid');
    const charge = async (value: string) => (await mollie.payments.create({ amount: { currency: 'EUR', value }, description: value, customerId: customer.id, sequenceType: SequenceType.recurring })).status;
    assert.equal(await charge('9.99'), 'paid');
    assert.equal(await charge('10.13'), 'failed');
  });

  it("answers bad requests with Mollie's error format", async () => {
    const noDescription = await raw('POST', '/v2/payments', { amount: { currency: 'EUR', value: '10.00' }, redirectUrl: 'https://shop.example' });
    assert.equal(noDescription.status, 422);
    assert.equal(noDescription.contentType, 'application/hal+json; charset=utf-8');
    assert.equal(noDescription.body.field, 'description');
    assert.equal(noDescription.body.title, 'Unprocessable Entity');
    const badValue = await raw('POST', '/v2/payments', { amount: { currency: 'EUR', value: '10' }, description: 'x', redirectUrl: 'https://shop.example' });
    assert.equal(badValue.body.field, 'amount.value');
    const wrongCurrency = await raw('POST', '/v2/payments', { amount: { currency: 'USD', value: '10.00' }, description: 'x', redirectUrl: 'https://shop.example', method: 'ideal' });
    assert.equal(wrongCurrency.body.field, 'method');

    const polluting = await fetchSandbox(`${sandbox.url}/v2/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: '__proto__[polluted]=yes&name=Eve',
    });
    assert.equal(polluting.status, 400);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);

    await assert.rejects(mollie.payments.get('tr_doesnotexist'), (error: ApiError) => error.statusCode === 404 && error.getDocumentationUrl() !== undefined);
    const stranger = mollieClient(sandbox.url, 'test_000000000000000000000000000000', tls.cert);
    await assert.rejects(stranger.payments.page(), (error: ApiError) => error.statusCode === 401);
    const open = await mollie.payments.create({ amount: { currency: 'EUR', value: '3.00' }, description: 'Cancel me', redirectUrl: 'https://shop.example' });
    await assert.rejects(mollie.payments.update(open.id, { description: 'Changed', metadata: 'x'.repeat(2000) }), (error: ApiError) => error.statusCode === 422 && error.field === 'metadata');
    assert.equal((await mollie.payments.update(open.id, { metadata: { step: 2 } })).description, 'Cancel me', 'a refused update changed nothing');
    assert.equal((await mollie.payments.cancel(open.id)).status, 'canceled');
    await assert.rejects(mollie.payments.cancel(open.id), (error: ApiError) => error.statusCode === 422);
  });

  it('replays the first answer to an Idempotency-Key and refuses the key for a different request', async () => {
    const body = { amount: { currency: 'EUR', value: '5.00' }, description: 'Idempotent', redirectUrl: 'https://shop.example' };
    const first = await raw('POST', '/v2/payments', body, { 'idempotency-key': 'key-1' });
    const again = await raw('POST', '/v2/payments', body, { 'idempotency-key': 'key-1' });
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.replayed, 'true');
    assert.equal(first.replayed, null);
    const other = await raw('POST', '/v2/payments', { ...body, description: 'Another' }, { 'idempotency-key': 'key-1' }, true);
    assert.equal(other.status, 400);
    const created = await mollie.payments.create({ ...body, idempotencyKey: 'key-2' });
    const replayed = await mollie.payments.create({ ...body, idempotencyKey: 'key-2' });
    assert.equal(replayed.id, created.id);
  });

  it('retries a webhook the receiver refuses', async () => {
    const payment = await mollie.payments.create({ amount: { currency: 'EUR', value: '4.00' }, description: 'Retry', redirectUrl: 'https://shop.example', webhookUrl, method: PaymentMethod.eps });
    // Only 200 OK counts (docs.mollie.com, Webhooks): a 204 and a 500 are both called again.
    failNext.push(204, 500);
    const before = calls.length;
    await pickOutcome(payment.getCheckoutUrl()!, 'paid');
    await sandbox.webhooksIdle();
    assert.deepEqual(calls.slice(before).map((call) => call.body), [`id=${payment.id}`, `id=${payment.id}`, `id=${payment.id}`]);
    const record = sandbox.records().webhooks.find((webhook) => webhook.resourceId === payment.id)!;
    assert.equal(record.attempts, 3);
    assert.equal(record.delivered, true);
  });

  it('injects faults: a processed request answered 500 is replayed by the client under its Idempotency-Key, an outage is a 503', async () => {
    const before = sandbox.records().payments.length;
    sandbox.setFaults({ status5xxRate: 1 });
    await assert.rejects(mollie.payments.create({ amount: { currency: 'EUR', value: '8.00' }, description: 'Ambiguous', redirectUrl: 'https://shop.example' }), (error: ApiError) => error.statusCode === 500);
    // The client made three attempts with one Idempotency-Key: one payment exists.
    assert.equal(sandbox.records().payments.length, before + 1);
    sandbox.setFaults({ status5xxRate: 0, outage: true });
    await assert.rejects(mollie.payments.page(), (error: ApiError) => error.statusCode === 503);
    const admin = await fetchSandbox(`${sandbox.url}/sandbox/admin/records`);
    assert.equal(admin.status, 200, 'faults never touch the admin endpoints');
  });
});

describe('Mollie sandbox settling by itself after the configured delays (plain HTTP)', () => {
  it('settles pending direct debits (failing those whose amount ends in 13) and pending refunds', async () => {
    const sandbox = await startMollieSandbox({ apiKeys: [apiKey], settleDelays: { directDebitMs: 0, refundMs: 0 } });
    try {
      const call = async (method: string, path: string, body?: Record<string, unknown>) => {
        const response = await fetch(sandbox.url + path, { method, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
        return (await response.json()) as Record<string, unknown>;
      };
      const customer = await call('POST', '/v2/customers', { name: 'Auto' });
      await call('POST', `/v2/customers/${customer.id}/mandates`, { method: 'directdebit', consumerName: 'Auto', consumerAccount: 'DE89 3704 0044 0532 0130 00' });
      const charge = async (value: string) => call('POST', '/v2/payments', { amount: { currency: 'EUR', value }, description: value, customerId: customer.id, sequenceType: 'recurring' });
      const good = await charge('20.00');
      const bounced = await charge('20.13');
      assert.equal(good.status, 'pending');
      const statusOf = async (id: unknown) => (await call('GET', `/v2/payments/${id}`)).status;
      await until('the direct debits to settle', async () => ((await statusOf(good.id)) !== 'pending' && (await statusOf(bounced.id)) !== 'pending') || undefined);
      assert.deepEqual([await statusOf(good.id), await statusOf(bounced.id)], ['paid', 'failed']);
      const refund = await call('POST', `/v2/payments/${good.id}/refunds`, { amount: { currency: 'EUR', value: '20.00' } });
      assert.equal(refund.status, 'pending');
      await until('the refund to settle', async () => (await call('GET', `/v2/payments/${good.id}/refunds/${refund.id}`)).status === 'refunded' || undefined);
    } finally {
      await sandbox.close();
    }
  });
});
