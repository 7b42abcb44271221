import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { startMollieSandbox, type MollieSandbox } from '../src/sandbox/mollie/server.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { sandboxFetch, selfSignedCertificate } from './helpers/mollie-sdk.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { until } from './helpers/until.ts';

/*
 * Mollie's remaining methods end to end: the stripe SDK against Payrail with a `mollie` connector configuration in
 * front of the Mollie sandbox. SEPA Direct Debit (a SetupIntent's mandate at Payrail; each debit a recurring Mollie
 * payment on a directdebit mandate made for it, pending until the bank answers, a closed account ending Payrail's
 * mandate), Klarna (authorized on Mollie's checkout, then captured through Mollie's Captures API, at once or later)
 * and BLIK (the code entered on Mollie's checkout, then pending until the banking app approves it: paid or failed).
 */

const apiKey = 'test_PayrailMollieLocalMethods00000';
const returnUrl = 'https://shop.example.com/return';
const billing = { name: 'Jenny Rosen', email: 'jenny@example.com' };
const online = { type: 'online' as const, online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0 (test)' } };

describe('Mollie carries sepa_debit, klarna and blik (stripe SDK, Mollie sandbox)', () => {
  let server: TestServer;
  let stripe: Stripe;
  let sandbox: MollieSandbox;
  let sandboxGet: ReturnType<typeof sandboxFetch>;

  before(async () => {
    const tls = selfSignedCertificate();
    sandboxGet = sandboxFetch(tls.cert);
    server = await startTestServer();
    stripe = server.account.stripe;
    sandbox = await startMollieSandbox({ apiKeys: [apiKey], tls, webhookRetryDelaysMs: [] });
    const created = await stripe.rawRequest('POST', '/v1/payrail/connector_configurations', {
      connector: 'mollie', credentials: { api_key: apiKey }, settings: { base_url: sandbox.url, ca_certificate: tls.cert },
    });
    assert.deepEqual(created.payment_method_types, ['ideal', 'bancontact', 'eps', 'p24', 'klarna', 'blik', 'sepa_debit']);
    server.deps.routing.forget({ accountId: server.account.accountId, livemode: false });
  });
  after(async () => {
    await sandbox?.close();
    await server?.close();
  });
  afterEach(async () => {
    await sandbox.webhooksIdle();
  });

  const createIntent = (params: Record<string, unknown>) => stripe.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams);
  const settle = async (paymentId: string, body: Record<string, unknown>) => {
    const answer = await sandboxGet(`${sandbox.url}/sandbox/admin/payments/${paymentId}/settle`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    assert.equal(answer.status, 200, await answer.text());
  };
  /** Waits (bounded) until Mollie's webhook, fetched back by Payrail, has moved the intent out of `processing`. */
  const settled = (id: string) => until(`payment intent ${id} settled`, async () => {
    const intent = await stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] });
    return intent.status === 'processing' ? undefined : intent;
  });
  const molliePayment = (id: string) => {
    const payment = sandbox.records().payments.find((record) => record.id === id);
    assert.ok(payment, `Mollie has payment ${id}`);
    return payment;
  };
  const processorReferenceOf = async (intent: Stripe.PaymentIntent) => {
    // The attempt's reference: a debit still processing has not written it to its charge yet.
    const rows = await server.db.query<{ processor_reference: string }>(
      'SELECT processor_reference FROM payment_attempts WHERE charge_id = $1 AND processor_reference IS NOT NULL ORDER BY started_at DESC LIMIT 1', [String(intent.latest_charge)],
    );
    return rows.rows[0]?.processor_reference ?? '';
  };

  /** The customer on Mollie's checkout: picks an outcome, then follows Mollie's redirect to Payrail's return page. */
  async function checkout(intent: Stripe.PaymentIntent, outcome: string): Promise<void> {
    const url = intent.next_action!.redirect_to_url!.url!;
    assert.ok(url.startsWith(`${sandbox.url}/sandbox/mollie/checkout/tr_`), url);
    const answer = await sandboxGet(url, { method: 'POST', body: new URLSearchParams({ outcome }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    assert.equal(answer.status, 303);
    const back = await fetch(answer.headers.get('location')!, { redirect: 'manual' });
    assert.equal(back.status, 303, await back.text());
  }

  it('SEPA Direct Debit: a SetupIntent\'s mandate, then off-session debits as recurring Mollie payments on a directdebit mandate', async () => {
    const customer = await stripe.customers.create({ email: billing.email });
    const setup = await stripe.setupIntents.create({
      customer: customer.id, payment_method_types: ['sepa_debit'], confirm: true,
      payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: 'DE89370400440532013000' }, billing_details: billing },
      mandate_data: { customer_acceptance: online },
    } as unknown as Stripe.SetupIntentCreateParams);
    assert.equal(setup.status, 'succeeded');
    const debit = await createIntent({
      amount: 1999, currency: 'eur', payment_method_types: ['sepa_debit'], confirm: true, off_session: true,
      customer: customer.id, payment_method: setup.payment_method, mandate: setup.mandate,
    });
    assert.equal(debit.status, 'processing');
    const payment = molliePayment(await processorReferenceOf(debit));
    assert.equal(payment.method, 'directdebit');
    assert.equal(payment.sequenceType, 'recurring');
    assert.equal(payment.status, 'pending');
    assert.deepEqual(payment.amount, { currency: 'EUR', value: '19.99' });
    const mollieMandate = sandbox.records().mandates.find((mandate) => mandate.id === payment.mandateId);
    assert.equal(mollieMandate?.method, 'directdebit');
    assert.equal(mollieMandate?.details.consumerAccount, 'DE89370400440532013000', 'Mollie holds the account it debits');
    assert.equal(mollieMandate?.details.consumerName, billing.name);

    await settle(payment.id, { status: 'paid' });
    const done = await settled(debit.id);
    assert.equal(done.status, 'succeeded');
    const charge = done.latest_charge as Stripe.Charge & { payrail_routing?: { connector: string } };
    assert.equal(charge.payrail_routing?.connector, 'mollie');
    assert.equal(charge.payment_method_details?.sepa_debit?.mandate, setup.mandate);
    assert.equal(charge.payment_method_details?.sepa_debit?.last4, '3000');
    assert.equal(JSON.stringify(charge).includes('0532013000'), false, 'the IBAN is not in the charge');
  });

  it('SEPA Direct Debit: a debit the bank returns as account closed (AC04) ends Payrail\'s mandate', async () => {
    const customer = await stripe.customers.create({ email: billing.email });
    const setup = await stripe.setupIntents.create({
      customer: customer.id, payment_method_types: ['sepa_debit'], confirm: true,
      payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: 'AT611904300234573201' }, billing_details: billing },
      mandate_data: { customer_acceptance: { type: 'offline' } },
    } as unknown as Stripe.SetupIntentCreateParams);
    const offSession = () => createIntent({
      amount: 700, currency: 'eur', payment_method_types: ['sepa_debit'], confirm: true, off_session: true, customer: customer.id, payment_method: setup.payment_method,
    });
    const debit = await offSession();
    assert.equal(debit.status, 'processing');
    await settle(await processorReferenceOf(debit), { status: 'failed', bankReasonCode: 'AC04' });
    const failed = await settled(debit.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_method_provider_decline');
    assert.equal(failed.last_payment_error?.decline_code, 'account_closed');
    assert.equal((await stripe.mandates.retrieve(String(setup.mandate))).status, 'inactive');
    const refused = await stripeErrorOf(offSession());
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.code, 'payment_intent_mandate_invalid');
    assert.equal(refused.param, 'mandate');

    // Insufficient funds (AM04) fails the debit but leaves the mandate usable.
    const other = await stripe.setupIntents.create({
      customer: customer.id, payment_method_types: ['sepa_debit'], confirm: true,
      payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: 'DE89370400440532013000' }, billing_details: billing },
      mandate_data: { customer_acceptance: online },
    } as unknown as Stripe.SetupIntentCreateParams);
    const poor = await createIntent({ amount: 800, currency: 'eur', payment_method_types: ['sepa_debit'], confirm: true, off_session: true, customer: customer.id, payment_method: other.payment_method });
    await settle(await processorReferenceOf(poor), { status: 'failed', bankReasonCode: 'AM04' });
    assert.equal((await settled(poor.id)).last_payment_error?.decline_code, 'insufficient_funds');
    assert.equal((await stripe.mandates.retrieve(String(other.mandate))).status, 'active');
  });

  it('Klarna: authorized on Mollie\'s checkout, captured through the Captures API at once, or later with capture_method=manual', async () => {
    const klarnaData = { type: 'klarna', billing_details: { email: 'klaus@example.com', address: { country: 'DE' } } };
    const automatic = await createIntent({ amount: 4200, currency: 'eur', payment_method_types: ['klarna'], confirm: true, payment_method_data: klarnaData, return_url: returnUrl });
    assert.equal(automatic.status, 'requires_action');
    await checkout(automatic, 'authorized');
    const paid = await stripe.paymentIntents.retrieve(automatic.id);
    assert.equal(paid.status, 'succeeded');
    const paidReference = await processorReferenceOf(paid);
    assert.equal(molliePayment(paidReference).status, 'paid');
    assert.deepEqual(sandbox.records().captures.filter((capture) => capture.paymentId === paidReference).map((capture) => capture.amount), [{ currency: 'EUR', value: '42.00' }]);

    const manual = await createIntent({
      amount: 3000, currency: 'eur', payment_method_types: ['klarna'], confirm: true, payment_method_data: klarnaData, return_url: returnUrl, capture_method: 'manual',
    });
    await checkout(manual, 'authorized');
    const held = await stripe.paymentIntents.retrieve(manual.id);
    assert.equal(held.status, 'requires_capture');
    const manualReference = await processorReferenceOf(held);
    assert.equal(molliePayment(manualReference).status, 'authorized');
    const captured = await stripe.paymentIntents.capture(manual.id);
    assert.equal(captured.status, 'succeeded');
    assert.equal(molliePayment(manualReference).status, 'paid');
    assert.equal(sandbox.records().captures.filter((capture) => capture.paymentId === manualReference).length, 1);
  });

  it('BLIK: the code entered on Mollie\'s checkout, then processing until the banking app approves (paid) or not (failed)', async () => {
    const pay = (amount: number) => createIntent({
      amount, currency: 'pln', payment_method_types: ['blik'], confirm: true, payment_method_data: { type: 'blik' }, payment_method_options: { blik: { code: '777123' } }, return_url: returnUrl,
    });
    for (const [amount, final, status] of [[5000, 'paid', 'succeeded'], [2500, 'failed', 'requires_payment_method']] as const) {
      const intent = await pay(amount);
      assert.equal(intent.status, 'requires_action');
      const paymentId = new URL(intent.next_action!.redirect_to_url!.url!).pathname.split('/').at(-1)!;
      assert.equal(molliePayment(paymentId).method, 'blik');
      await checkout(intent, 'paid');
      assert.equal(molliePayment(paymentId).status, 'pending');
      assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'processing', 'waiting for the approval in the banking app');
      await settle(paymentId, { status: final });
      const done = await settled(intent.id);
      assert.equal(done.status, status);
      if (final === 'failed') assert.ok(done.last_payment_error, 'the failure is on the intent');
    }
  });
});
