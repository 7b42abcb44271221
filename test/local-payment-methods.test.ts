import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { secondsPerDay, startOfDay } from '../src/platform/clock.ts';
import { launchChromium, startMerchantSite } from './helpers/browser.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Local payment methods (docs/payment-methods.md) through the official stripe SDK and the built-in test processor:
 * PaymentMethods with their type hashes, the checks naming the param, the redirect to the test payment page and back
 * (plain HTTP here, Chromium once), BLIK's processing then outcome, settlement delay, refunds.
 */

async function invalid(promise: Promise<unknown>, code: string, param: string): Promise<void> {
  const error = await stripeErrorOf(promise);
  assert.equal(error.statusCode, 400, `${error.code}: ${error.message}`);
  assert.equal(error.code, code);
  assert.equal(error.param, param);
}

describe('local payment methods through the stripe SDK and the test processor', () => {
  let server: TestServer;
  let stripe: Stripe;
  const returnUrl = 'https://shop.example/return?order=7';
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });
  // The SDK's types (newer than API 2024-04-10) no longer list payment_method_types on creation; the API takes it.
  const createIntent = (params: Record<string, unknown>) => stripe.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams);

  /** Answers the test payment page of an intent waiting for the customer, over plain HTTP, as a browser's form would. */
  async function answerTestPage(intent: Stripe.PaymentIntent, action: 'authorize' | 'fail'): Promise<URL> {
    assert.equal(intent.status, 'requires_action');
    assert.equal(intent.next_action?.type, 'redirect_to_url');
    const url = intent.next_action?.redirect_to_url?.url ?? '';
    assert.match(url, /\/payrail\/test_payment\/pa_/);
    const page = await fetch(url);
    const html = await page.text();
    assert.match(html, /Authorize test payment/);
    const token = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const forged = await fetch(url, { method: 'POST', body: new URLSearchParams({ action }), redirect: 'manual' });
    assert.equal(forged.status, 403, 'an answer without the form token is refused');
    const answer = await fetch(url, { method: 'POST', body: new URLSearchParams({ action, csrf_token: token }), redirect: 'manual' });
    assert.equal(answer.status, 303);
    return new URL(answer.headers.get('location') ?? '');
  }

  it('creates and retrieves PaymentMethods with their type hashes, and refuses bad ones naming the param', async () => {
    const ideal = await stripe.paymentMethods.create({ type: 'ideal', ideal: { bank: 'rabobank' } });
    assert.equal(ideal.type, 'ideal');
    assert.deepEqual(ideal.ideal, { bank: 'rabobank', bic: 'RABONL2U' });
    assert.equal(ideal.card, undefined);
    const klarna = await stripe.paymentMethods.create({
      type: 'klarna', klarna: { dob: { day: 1, month: 2, year: 1990 } }, billing_details: { email: 'k@example.com', address: { country: 'SE' } },
    } as Stripe.PaymentMethodCreateParams);
    assert.deepEqual((await stripe.paymentMethods.retrieve(klarna.id)).klarna, { dob: { day: 1, month: 2, year: 1990 } });
    const blik = await stripe.paymentMethods.create({ type: 'blik' });
    assert.deepEqual(blik.blik, {});

    await invalid(stripe.paymentMethods.create({ type: 'p24' }), 'parameter_missing', 'billing_details[email]');
    await invalid(stripe.paymentMethods.create({ type: 'klarna', billing_details: { email: 'k@example.com' } }), 'parameter_missing', 'billing_details[address][country]');
    await invalid(stripe.paymentMethods.create({ type: 'ideal', ideal: { bank: 'no_such_bank' as 'ing' } }), 'invalid_value', 'ideal[bank]');
    await invalid(stripe.paymentMethods.create({ type: 'eps', ideal: { bank: 'ing' }, billing_details: { name: 'A' } }), 'payment_method_invalid_parameter', 'ideal');
    // The currency check names payment_method_types, as Stripe's does.
    await invalid(createIntent({ amount: 1000, currency: 'usd', payment_method_types: ['ideal'] }), 'payment_intent_invalid_parameter', 'payment_method_types');
  });

  it('iDEAL: requires return_url, redirects to the test page, succeeds with the bank details, settles and refunds', async () => {
    const intent = await createIntent({ amount: 2500, currency: 'eur', payment_method_types: ['ideal'] });
    const data = { type: 'ideal' as const, ideal: { bank: 'ing' as const }, billing_details: { name: 'Jan de Vries' } };
    await invalid(stripe.paymentIntents.confirm(intent.id, { payment_method_data: data }), 'parameter_missing', 'return_url');
    const confirmed = await stripe.paymentIntents.confirm(intent.id, { payment_method_data: data, return_url: returnUrl });
    const back = await answerTestPage(confirmed, 'authorize');
    assert.equal(back.origin + back.pathname, 'https://shop.example/return');
    assert.equal(back.searchParams.get('order'), '7');
    assert.equal(back.searchParams.get('payment_intent'), intent.id);
    assert.equal(back.searchParams.get('payment_intent_client_secret'), intent.client_secret);
    assert.equal(back.searchParams.get('redirect_status'), 'succeeded');

    const done = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge.balance_transaction'] });
    assert.equal(done.status, 'succeeded');
    const charge = done.latest_charge as Stripe.Charge;
    assert.equal(charge.payment_method_details?.type, 'ideal');
    assert.deepEqual(charge.payment_method_details?.ideal, {
      bank: 'ing', bic: 'INGBNL2A', generated_sepa_debit: null, generated_sepa_debit_mandate: null, iban_last4: '5264', verified_name: 'Jan de Vries',
    });
    // iDEAL's 2 days, the same as the account's payout delay here.
    assert.equal((charge.balance_transaction as Stripe.BalanceTransaction).available_on, startOfDay(server.clock.nowSeconds()) + 2 * secondsPerDay);

    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 500 });
    assert.equal(refund.status, 'succeeded');
    assert.equal((await stripe.charges.retrieve(charge.id)).amount_refunded, 500);
  });

  it('Bancontact: "Fail test payment" returns the intent to requires_payment_method with the error', async () => {
    const intent = await createIntent({
      amount: 1200, currency: 'eur', payment_method_types: ['bancontact'], confirm: true, return_url: returnUrl,
      payment_method_data: { type: 'bancontact', billing_details: { name: 'Jenny Rosen' } },
    });
    const back = await answerTestPage(intent, 'fail');
    assert.equal(back.searchParams.get('redirect_status'), 'failed');
    const failed = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure');
    assert.equal(failed.last_payment_error?.payment_method?.type, 'bancontact');
  });

  it('Klarna: country and currency must match; manual capture; funds available after its own delay', async () => {
    const swede = { type: 'klarna' as const, billing_details: { email: 'k@example.com', address: { country: 'SE' } } };
    const euro = await createIntent({ amount: 5000, currency: 'eur', payment_method_types: ['klarna'] });
    await invalid(stripe.paymentIntents.confirm(euro.id, { payment_method_data: swede, return_url: returnUrl }), 'payment_method_invalid_parameter', 'billing_details[address][country]');

    const intent = await createIntent({
      amount: 5000, currency: 'sek', payment_method_types: ['klarna'], payment_method_options: { klarna: { capture_method: 'manual', preferred_locale: 'sv-SE' } },
    });
    const back = await answerTestPage(await stripe.paymentIntents.confirm(intent.id, { payment_method_data: swede, return_url: returnUrl }), 'authorize');
    assert.equal(back.searchParams.get('redirect_status'), 'succeeded');
    assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'requires_capture');
    const captured = await stripe.paymentIntents.capture(intent.id);
    assert.equal(captured.status, 'succeeded');
    const charge = await stripe.charges.retrieve(String(captured.latest_charge), { expand: ['balance_transaction'] });
    assert.deepEqual(charge.payment_method_details?.klarna, { payment_method_category: 'pay_later', preferred_locale: 'sv-SE' });
    const transaction = charge.balance_transaction as Stripe.BalanceTransaction;
    // Klarna's 3 days are longer than the account's 2-day payout delay.
    assert.equal(transaction.available_on, startOfDay(server.clock.nowSeconds()) + 3 * secondsPerDay);
  });

  it('BLIK: a 6-digit code is required; the payment is processing until the processor answers (Stripe\'s test e-mails)', async () => {
    const create = (email: string) => createIntent({ amount: 3000, currency: 'pln', payment_method_types: ['blik'], payment_method_data: { type: 'blik', billing_details: { email } } });
    const bad = await create('buyer@example.com');
    await invalid(stripe.paymentIntents.confirm(bad.id, {}), 'parameter_missing', 'payment_method_options[blik][code]');
    await invalid(stripe.paymentIntents.confirm(bad.id, { payment_method_options: { blik: { code: '12345' } } }), 'payment_method_invalid_parameter', 'payment_method_options[blik][code]');

    await invalid(stripe.paymentIntents.update(bad.id, { payment_method_options: { blik: { code: '777123' } } }), 'payment_intent_invalid_parameter', 'payment_method_options[blik][code]');
    const paid = await stripe.paymentIntents.confirm(bad.id, { payment_method_options: { blik: { code: '777123' } } });
    assert.equal(paid.status, 'processing');
    assert.equal(paid.next_action, null);
    assert.deepEqual(paid.payment_method_options?.blik, {}, 'the code is never returned');
    const stored = await server.db.query('SELECT payment_method_options FROM payment_intents WHERE id = $1', [paid.id]);
    assert.equal(JSON.stringify(stored.rows[0]).includes('777123'), false, 'nor stored: it is good for one confirmation');
    const declined = await stripe.paymentIntents.confirm((await create('insufficient_funds@example.com')).id, { payment_method_options: { blik: { code: '777123' } } });
    assert.equal(declined.status, 'processing');

    // The customer approves (or not) in the banking app; the janitor asks the processor, as it would a provider.
    await resolveStuckAttempts(server.deps, 0);
    const succeeded = await stripe.paymentIntents.retrieve(paid.id, { expand: ['latest_charge'] });
    assert.equal(succeeded.status, 'succeeded');
    assert.deepEqual((succeeded.latest_charge as Stripe.Charge).payment_method_details?.blik, {});
    const failed = await stripe.paymentIntents.retrieve(declined.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_method_provider_decline');
    assert.equal(failed.last_payment_error?.decline_code, 'insufficient_funds');
    for (const type of ['payment_intent.processing', 'payment_intent.succeeded'] as const) {
      const events = await stripe.events.list({ type });
      assert.equal(events.data.filter((event) => (event.data.object as Stripe.PaymentIntent).id === paid.id).length, 1, type);
    }
  });

  it('P24 in Chromium: the customer authorizes on the test page and lands on the merchant\'s return_url', async () => {
    const site = await startMerchantSite({ heading: () => 'Thank you' });
    const browser = await launchChromium();
    try {
      const intent = await createIntent({
        amount: 4200, currency: 'pln', payment_method_types: ['p24'], confirm: true, return_url: `${site.url}/done`,
        payment_method_data: { type: 'p24', p24: { bank: 'ing' }, billing_details: { email: 'jan@example.com' } },
      });
      const page = await browser.newPage();
      await page.goto(intent.next_action?.redirect_to_url?.url ?? '');
      await page.getByRole('heading', { name: 'Przelewy24 test payment' }).waitFor();
      await page.getByRole('button', { name: 'Authorize test payment' }).click();
      await page.getByRole('heading', { name: 'Thank you' }).waitFor();
      const landed = new URL(page.url());
      assert.equal(landed.pathname, '/done');
      assert.equal(landed.searchParams.get('redirect_status'), 'succeeded');
      const done = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
      assert.equal(done.status, 'succeeded');
      const details = (done.latest_charge as Stripe.Charge).payment_method_details?.p24;
      assert.equal(details?.bank, 'ing');
      assert.match(details?.reference ?? '', /^P24-/);
    } finally {
      await browser.close();
      await site.close();
    }
  });
});
