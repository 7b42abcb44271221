import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { secondsPerDay, startOfDay } from '../src/platform/clock.ts';
import { launchChromium } from './helpers/browser.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * SEPA Direct Debit (docs/payment-methods.md) through the official stripe SDK and the built-in test processor: the
 * IBAN validated and kept encrypted, the mandate, `processing` then Stripe's test IBAN outcomes via the janitor's sync,
 * settlement and refunds.
 */

async function invalid(promise: Promise<unknown>, code: string, param: string): Promise<Stripe.errors.StripeError> {
  const error = await stripeErrorOf(promise);
  assert.equal(error.statusCode, 400, `${error.code}: ${error.message}`);
  assert.equal(error.code, code);
  assert.equal(error.param, param);
  return error;
}

const succeeding = 'AT611904300234573201';
const failing = 'DE62370400440532013001';
const billing = { name: 'Jenny Rosen', email: 'jenny@example.com' };
const online = { type: 'online' as const, online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0 (test)' } };

describe('SEPA Direct Debit through the stripe SDK and the test processor', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });
  const createIntent = (params: Record<string, unknown>) => stripe.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams);

  it('creates a sepa_debit PaymentMethod: the IBAN checked, encrypted, shown only as its facts', async () => {
    const pm = await stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: 'DE89 3704 0044 0532 0130 00' }, billing_details: billing });
    assert.equal(pm.type, 'sepa_debit');
    assert.deepEqual({ ...pm.sepa_debit, fingerprint: undefined }, {
      bank_code: '37040044', branch_code: '', country: 'DE', fingerprint: undefined, generated_from: { charge: null, setup_attempt: null }, last4: '3000',
    });
    assert.match(pm.sepa_debit?.fingerprint ?? '', /.{8,}/);
    const again = await stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: 'DE89370400440532013000' }, billing_details: billing });
    assert.equal(again.sepa_debit?.fingerprint, pm.sepa_debit?.fingerprint, 'the same account has the same fingerprint');
    const stored = await server.db.query('SELECT row_to_json(p)::text AS text, bank_account_encrypted FROM payment_methods p WHERE id = $1', [pm.id]);
    assert.ok(Buffer.isBuffer(stored.rows[0].bank_account_encrypted));
    assert.equal(String(stored.rows[0].text).includes('0532013000'), false, 'the IBAN is nowhere readable in the row');

    const badCheck = await invalid(stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: 'DE89370400440532013001' }, billing_details: billing }), 'invalid_value', 'sepa_debit[iban]');
    assert.equal(badCheck.message.includes('0532013001'), false, 'the error never echoes the IBAN');
    await invalid(stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: 'US89370400440532013000' }, billing_details: billing }), 'invalid_value', 'sepa_debit[iban]');
    await invalid(stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: 'DE8937040044053201300' }, billing_details: billing }), 'invalid_value', 'sepa_debit[iban]');
    await invalid(stripe.paymentMethods.create({ type: 'sepa_debit', billing_details: billing } as Stripe.PaymentMethodCreateParams), 'parameter_missing', 'sepa_debit[iban]');
    await invalid(stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: succeeding }, billing_details: { name: 'Jenny Rosen' } }), 'parameter_missing', 'billing_details[email]');
    await invalid(stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: succeeding }, billing_details: { email: 'j@example.com' } }), 'parameter_missing', 'billing_details[name]');
    await invalid(createIntent({ amount: 1000, currency: 'usd', payment_method_types: ['sepa_debit'] }), 'payment_intent_invalid_parameter', 'payment_method_types');
  });

  it('needs a mandate; processing, then succeeds or fails through the janitor; mandate, settlement and refunds', async () => {
    const data = (iban: string) => ({ type: 'sepa_debit' as const, sepa_debit: { iban }, billing_details: billing });
    const intent = await createIntent({ amount: 5000, currency: 'eur', payment_method_types: ['sepa_debit'], payment_method_data: data(succeeding) });
    await invalid(stripe.paymentIntents.confirm(intent.id, {}), 'parameter_missing', 'mandate_data[customer_acceptance]');
    await invalid(stripe.paymentIntents.confirm(intent.id, { mandate_data: { customer_acceptance: { type: 'online', online: { ip_address: '203.0.113.7' } } } } as Stripe.PaymentIntentConfirmParams), 'parameter_missing', 'mandate_data[customer_acceptance][online][user_agent]');
    const confirmed = await stripe.paymentIntents.confirm(intent.id, { mandate_data: { customer_acceptance: online } } as Stripe.PaymentIntentConfirmParams);
    assert.equal(confirmed.status, 'processing');
    assert.equal(confirmed.next_action, null);

    const failed = await createIntent({
      amount: 3000, currency: 'eur', payment_method_types: ['sepa_debit'], confirm: true, payment_method_data: data(failing), mandate_data: { customer_acceptance: { type: 'offline' } },
    });
    assert.equal(failed.status, 'processing');

    // The bank answers days later; the janitor asks the processor, as it would a provider.
    await resolveStuckAttempts(server.deps, 0);
    const done = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge.balance_transaction'] });
    assert.equal(done.status, 'succeeded');
    const charge = done.latest_charge as Stripe.Charge;
    const details = charge.payment_method_details?.sepa_debit;
    assert.equal(details?.last4, '3201');
    assert.equal(details?.bank_code, '19043');
    assert.equal(details?.country, 'AT');
    assert.match(details?.mandate ?? '', /^mandate_/);
    // SEPA's 9 days, longer than the account's 2-day payout delay.
    assert.equal((charge.balance_transaction as Stripe.BalanceTransaction).available_on, startOfDay(server.clock.nowSeconds()) + 9 * secondsPerDay);

    const mandate = await stripe.mandates.retrieve(details?.mandate ?? '');
    assert.equal(mandate.status, 'active');
    assert.equal(mandate.type, 'single_use');
    assert.deepEqual(mandate.single_use, { amount: 5000, currency: 'eur' });
    assert.equal(mandate.payment_method, done.payment_method);
    assert.deepEqual(mandate.customer_acceptance.online, online.online);
    assert.match(mandate.payment_method_details.sepa_debit?.reference ?? '', /^[A-Z0-9]{16}$/);
    assert.equal(JSON.stringify(mandate).includes('0234573201'), false);
    // The mandate's hosted page, as the customer sees it: the reference, the account's last four digits, never the IBAN.
    const mandateUrl = mandate.payment_method_details.sepa_debit?.url ?? '';
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(mandateUrl);
      await page.getByRole('heading', { name: 'SEPA Direct Debit mandate' }).waitFor();
      const text = await page.locator('body').innerText();
      assert.ok(text.includes(mandate.payment_method_details.sepa_debit?.reference ?? '?'));
      assert.match(text, /AT ···· 3201/);
      assert.equal(text.includes('0234573201'), false);
    } finally {
      await browser.close();
    }
    assert.equal((await fetch(mandateUrl.replace(/\/[^/]+$/, '/forged'))).status, 404, 'the URL\'s token is required');

    const declined = await stripe.paymentIntents.retrieve(failed.id, { expand: ['latest_charge'] });
    assert.equal(declined.status, 'requires_payment_method');
    assert.equal(declined.last_payment_error?.code, 'payment_method_provider_decline');
    assert.equal(declined.last_payment_error?.decline_code, 'generic_could_not_process');
    const offline = await stripe.mandates.retrieve((declined.latest_charge as Stripe.Charge).payment_method_details?.sepa_debit?.mandate ?? '');
    assert.equal(offline.customer_acceptance.type, 'offline');
    assert.deepEqual(offline.customer_acceptance.offline, {});

    const partial = await stripe.refunds.create({ payment_intent: intent.id, amount: 1000 });
    assert.equal(partial.status, 'succeeded');
    await stripe.refunds.create({ payment_intent: intent.id });
    assert.equal((await stripe.charges.retrieve(charge.id)).amount_refunded, 5000);
    const missing = await stripeErrorOf(stripe.mandates.retrieve('mandate_missing'));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, 'resource_missing');
  });

  it('an off-session payment reuses the multi-use mandate of an earlier one', async () => {
    const customer = await stripe.customers.create({ email: billing.email });
    const pm = await stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: 'DE89370400440532013000' }, billing_details: billing });
    await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
    const offSession = () => createIntent({ amount: 700, currency: 'eur', customer: customer.id, payment_method: pm.id, payment_method_types: ['sepa_debit'], confirm: true, off_session: true });
    await invalid(offSession(), 'parameter_missing', 'mandate_data[customer_acceptance]');
    const first = await createIntent({
      amount: 1500, currency: 'eur', customer: customer.id, payment_method: pm.id, payment_method_types: ['sepa_debit'], setup_future_usage: 'off_session', confirm: true,
      mandate_data: { customer_acceptance: online },
    });
    const firstCharge = await stripe.charges.retrieve(String(first.latest_charge));
    const mandate = await stripe.mandates.retrieve(firstCharge.payment_method_details?.sepa_debit?.mandate ?? '');
    assert.equal(mandate.type, 'multi_use');
    assert.deepEqual(mandate.multi_use, {});
    const later = await offSession();
    assert.equal(later.status, 'processing');
    const laterCharge = await stripe.charges.retrieve(String(later.latest_charge));
    assert.equal(laterCharge.payment_method_details?.sepa_debit?.mandate, mandate.id);
  });
});
