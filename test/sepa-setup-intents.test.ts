import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectedDebitDate, isTargetBusinessDay } from '../src/mandates/debit-date.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * SEPA Direct Debit saved for later (docs/setup-intents.md) through the official stripe SDK and the built-in test
 * processor: a SetupIntent confirmed with the IBAN and the customer's acceptance succeeds with an active multi-use
 * mandate; off-session PaymentIntents debit under it; a debit the bank refuses because the account is closed or the
 * debit was not authorized makes the mandate inactive (`mandate.updated`), and later payments under it are refused.
 */

const billing = { name: 'Jenny Rosen', email: 'jenny@example.com' };
const online = { type: 'online' as const, online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0 (test)' } };
const succeeding = 'DE89370400440532013000';
// Payrail's own test IBANs (Stripe documents none that ends a mandate): docs/payment-methods.md.
const accountClosed = 'DE47370400440000444444';
const notAuthorized = 'AT021904300000555555';
// Stripe's documented insufficient-funds IBAN: the debit fails, the mandate stays usable.
const insufficientFunds = 'DE65370400440002222227';

async function invalid(promise: Promise<unknown>, code: string, param: string): Promise<Stripe.errors.StripeError> {
  const error = await stripeErrorOf(promise);
  assert.equal(error.statusCode, 400, `${error.code}: ${error.message}`);
  assert.equal(error.code, code);
  assert.equal(error.param, param);
  return error;
}

describe('SEPA Direct Debit SetupIntents and mandates through the stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  const createSetup = (params: Record<string, unknown>) => stripe.setupIntents.create(params as unknown as Stripe.SetupIntentCreateParams);
  const setUp = async (iban: string, customer: string) => createSetup({
    customer, payment_method_types: ['sepa_debit'], confirm: true,
    payment_method_data: { type: 'sepa_debit', sepa_debit: { iban }, billing_details: billing },
    mandate_data: { customer_acceptance: online },
  });
  // The SDK's newer types lack payment_method_types, which Stripe's API (and Payrail) still take.
  const createIntent = (params: Record<string, unknown>) => stripe.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams);
  const offSession = (params: { customer: string; payment_method: string; mandate?: string; amount?: number }) => createIntent({
    amount: params.amount ?? 1200, currency: 'eur', payment_method_types: ['sepa_debit'], confirm: true, off_session: true,
    customer: params.customer, payment_method: params.payment_method, ...(params.mandate ? { mandate: params.mandate } : {}),
  });

  it('confirms a sepa_debit SetupIntent into an active multi-use mandate; missing mandate_data names the param', async () => {
    const customer = await stripe.customers.create({ email: billing.email });
    const pending = await createSetup({ customer: customer.id, payment_method_types: ['sepa_debit'] });
    assert.equal(pending.status, 'requires_payment_method');
    assert.equal(pending.mandate, null);
    await invalid(
      stripe.setupIntents.confirm(pending.id, { payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: succeeding }, billing_details: billing } } as Stripe.SetupIntentConfirmParams),
      'parameter_missing', 'mandate_data[customer_acceptance]',
    );
    await invalid(
      stripe.setupIntents.confirm(pending.id, { payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: succeeding }, billing_details: { name: 'Jenny Rosen' } }, mandate_data: { customer_acceptance: online } } as Stripe.SetupIntentConfirmParams),
      'parameter_missing', 'payment_method_data[billing_details][email]',
    );
    assert.equal((await stripe.setupIntents.retrieve(pending.id)).status, 'requires_payment_method', 'a refused confirmation changes nothing');

    const confirmed = await stripe.setupIntents.confirm(pending.id, {
      payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: succeeding }, billing_details: billing }, mandate_data: { customer_acceptance: online },
      expand: ['latest_attempt', 'payment_method'],
    } as Stripe.SetupIntentConfirmParams);
    assert.equal(confirmed.status, 'succeeded');
    assert.equal(confirmed.next_action, null);
    const paymentMethod = confirmed.payment_method as Stripe.PaymentMethod;
    assert.equal(paymentMethod.type, 'sepa_debit');
    assert.equal(paymentMethod.customer, customer.id, 'the PaymentMethod is attached to the SetupIntent\'s customer');
    assert.equal(paymentMethod.sepa_debit?.last4, '3000');
    const attempt = confirmed.latest_attempt as Stripe.SetupAttempt;
    assert.equal(attempt.status, 'succeeded');
    assert.equal(attempt.payment_method_details.type, 'sepa_debit');

    const mandate = await stripe.mandates.retrieve(String(confirmed.mandate));
    assert.equal(mandate.status, 'active');
    assert.equal(mandate.type, 'multi_use');
    assert.deepEqual(mandate.multi_use, {});
    assert.equal(mandate.payment_method, paymentMethod.id);
    assert.deepEqual(mandate.customer_acceptance.online, online.online);
    assert.match(mandate.payment_method_details.sepa_debit?.reference ?? '', /^[A-Z0-9]{16}$/);
    assert.equal(JSON.stringify(confirmed).includes('0532013000'), false, 'the IBAN is never shown');

    const events = await stripe.events.list({ type: 'setup_intent.succeeded', limit: 10 });
    assert.ok(events.data.some((event) => (event.data.object as Stripe.SetupIntent).id === pending.id));
    const attached = await stripe.events.list({ type: 'payment_method.attached', limit: 10 });
    assert.ok(attached.data.some((event) => (event.data.object as Stripe.PaymentMethod).id === paymentMethod.id));

    // An existing PaymentMethod, offline acceptance, created and confirmed in one request.
    const saved = await stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: 'AT611904300234573201' }, billing_details: billing });
    const offline = await createSetup({
      customer: customer.id, payment_method: saved.id, payment_method_types: ['sepa_debit'], confirm: true, mandate_data: { customer_acceptance: { type: 'offline' } },
    });
    assert.equal(offline.status, 'succeeded');
    const offlineMandate = await stripe.mandates.retrieve(String(offline.mandate));
    assert.equal(offlineMandate.customer_acceptance.type, 'offline');
    assert.deepEqual(offlineMandate.customer_acceptance.offline, {});

    // A card-only SetupIntent refuses a sepa_debit PaymentMethod.
    const cardOnly = await stripe.setupIntents.create({ customer: customer.id });
    await invalid(stripe.setupIntents.confirm(cardOnly.id, { payment_method: saved.id, mandate_data: { customer_acceptance: online } }), 'setup_intent_invalid_parameter', 'payment_method');
    await invalid(
      stripe.setupIntents.confirm(cardOnly.id, { payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: succeeding }, billing_details: billing }, mandate_data: { customer_acceptance: online } } as Stripe.SetupIntentConfirmParams),
      'setup_intent_invalid_parameter', 'payment_method_data[type]',
    );
  });

  it('debits off-session under the SetupIntent\'s mandate, named or found', async () => {
    const customer = await stripe.customers.create({ email: billing.email });
    const setup = await setUp(succeeding, customer.id);
    assert.equal(setup.status, 'succeeded');
    const paymentMethod = String(setup.payment_method);
    const mandate = String(setup.mandate);

    const named = await offSession({ customer: customer.id, payment_method: paymentMethod, mandate });
    assert.equal(named.status, 'processing');
    const found = await offSession({ customer: customer.id, payment_method: paymentMethod });
    assert.equal(found.status, 'processing');
    // The pre-notification's facts: charge.pending carries the charge with its mandate and expected debit date.
    const pendingCharge = await stripe.charges.retrieve(String(named.latest_charge));
    const details = pendingCharge.payment_method_details?.sepa_debit as (Stripe.Charge.PaymentMethodDetails.SepaDebit & { payrail_expected_debit_date?: string }) | undefined;
    assert.equal(details?.mandate, mandate);
    assert.equal(details?.payrail_expected_debit_date, expectedDebitDate(pendingCharge.created));
    const pendingEvents = await stripe.events.list({ type: 'charge.pending', limit: 20 });
    const notice = pendingEvents.data.find((event) => (event.data.object as Stripe.Charge).id === pendingCharge.id);
    assert.ok(notice, 'charge.pending is recorded when the debit is sent');
    const noticed = (notice.data.object as Stripe.Charge).payment_method_details?.sepa_debit as typeof details;
    assert.equal(noticed?.mandate, mandate);
    assert.equal(noticed?.payrail_expected_debit_date, details?.payrail_expected_debit_date);
    assert.equal(JSON.stringify(notice).includes('0532013000'), false, 'the IBAN is not in the event');
    await resolveStuckAttempts(server.deps, 0);
    for (const intent of [named, found]) {
      const done = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
      assert.equal(done.status, 'succeeded');
      assert.equal((done.latest_charge as Stripe.Charge).payment_method_details?.sepa_debit?.mandate, mandate);
    }
    // Another PaymentMethod's mandate, or one that does not exist, is refused.
    const other = await setUp('AT611904300234573201', customer.id);
    await invalid(offSession({ customer: customer.id, payment_method: paymentMethod, mandate: String(other.mandate) }), 'payment_intent_mandate_invalid', 'mandate');
    const unknown = await stripeErrorOf(offSession({ customer: customer.id, payment_method: paymentMethod, mandate: 'mandate_missing' }));
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.code, 'resource_missing');
    assert.equal(unknown.param, 'mandate');
    await invalid(
      createIntent({ amount: 500, currency: 'eur', payment_method_types: ['sepa_debit'], customer: customer.id, payment_method: paymentMethod, mandate }),
      'payment_intent_invalid_parameter', 'mandate',
    );
  });

  it('payment_method_options[sepa_debit][target_date]: 3 to 15 days ahead on a TARGET2 business day, the charge\'s expected debit date', async () => {
    const customer = await stripe.customers.create({ email: billing.email });
    const setup = await setUp(succeeding, customer.id);
    const day = (days: number) => new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + days)).toISOString().slice(0, 10);
    const businessDayWithin = (from: number, to: number) => {
      for (let days = from; days <= to; days += 1) if (isTargetBusinessDay(new Date(`${day(days)}T00:00:00Z`))) return day(days);
      throw new Error('no business day');
    };
    const closedDayWithin = (from: number, to: number) => {
      for (let days = from; days <= to; days += 1) if (!isTargetBusinessDay(new Date(`${day(days)}T00:00:00Z`))) return day(days);
      throw new Error('no closed day');
    };
    const param = 'payment_method_options[sepa_debit][target_date]';
    const debit = (targetDate: string, extra: Record<string, unknown> = {}) => createIntent({
      amount: 1500, currency: 'eur', payment_method_types: ['sepa_debit'], customer: customer.id, payment_method: String(setup.payment_method),
      payment_method_options: { sepa_debit: { target_date: targetDate } }, ...extra,
    });
    await invalid(debit('2030-02-30'), 'invalid_value', param);
    await invalid(debit('next week'), 'invalid_value', param);
    await invalid(debit(day(2)), 'invalid_value', param);
    await invalid(debit(day(16)), 'invalid_value', param);
    await invalid(debit(closedDayWithin(3, 15)), 'invalid_value', param);

    const target = businessDayWithin(10, 15);
    const created = await debit(target);
    assert.deepEqual(created.payment_method_options?.sepa_debit, { target_date: target });
    const confirmed = await stripe.paymentIntents.confirm(created.id, { off_session: true } as Stripe.PaymentIntentConfirmParams);
    assert.equal(confirmed.status, 'processing');
    const charge = await stripe.charges.retrieve(String(confirmed.latest_charge));
    const details = charge.payment_method_details?.sepa_debit as { payrail_expected_debit_date?: string } | undefined;
    assert.equal(details?.payrail_expected_debit_date, target, 'the debit is expected on the target date, not the next business day');
    assert.notEqual(target, expectedDebitDate(charge.created));
    // Given on confirmation too, and checked there.
    const later = await debit(businessDayWithin(3, 15));
    await invalid(stripe.paymentIntents.confirm(later.id, { off_session: true, payment_method_options: { sepa_debit: { target_date: day(20) } } } as unknown as Stripe.PaymentIntentConfirmParams), 'invalid_value', param);
    // Unset by update (''): the next business day again.
    const unset = await stripe.paymentIntents.update(later.id, { payment_method_options: { sepa_debit: '' } } as unknown as Stripe.PaymentIntentUpdateParams);
    assert.deepEqual(unset.payment_method_options?.sepa_debit, {});
  });

  it('a debit refused for a closed account or an unauthorized debit makes the mandate inactive; later payments are refused', async () => {
    for (const [iban, code] of [[accountClosed, 'account_closed'], [notAuthorized, 'debit_not_authorized']] as const) {
      const customer = await stripe.customers.create({ email: billing.email });
      const setup = await setUp(iban, customer.id);
      assert.equal(setup.status, 'succeeded', 'setting up asks no bank: the IBAN is only refused when debited');
      const paymentMethod = String(setup.payment_method);
      const mandateId = String(setup.mandate);
      const debit = await offSession({ customer: customer.id, payment_method: paymentMethod, amount: 2500 });
      assert.equal(debit.status, 'processing');
      await resolveStuckAttempts(server.deps, 0);
      const failed = await stripe.paymentIntents.retrieve(debit.id);
      assert.equal(failed.status, 'requires_payment_method');
      assert.equal(failed.last_payment_error?.decline_code, code);

      const mandate = await stripe.mandates.retrieve(mandateId);
      assert.equal(mandate.status, 'inactive');
      const updates = await stripe.events.list({ type: 'mandate.updated', limit: 20 });
      const update = updates.data.find((event) => (event.data.object as Stripe.Mandate).id === mandateId);
      assert.ok(update, 'mandate.updated is recorded');
      assert.equal((update.data.object as Stripe.Mandate).status, 'inactive');
      assert.equal(JSON.stringify(update).includes(iban.slice(-10)), false, 'the IBAN is not in the event');

      await invalid(offSession({ customer: customer.id, payment_method: paymentMethod }), 'payment_intent_mandate_invalid', 'mandate');
      await invalid(offSession({ customer: customer.id, payment_method: paymentMethod, mandate: mandateId }), 'payment_intent_mandate_invalid', 'mandate');
      // A new acceptance from the customer makes a new mandate, which the next off-session payment uses.
      const again = await createIntent({
        amount: 900, currency: 'eur', payment_method_types: ['sepa_debit'], confirm: true, customer: customer.id, payment_method: paymentMethod,
        setup_future_usage: 'off_session', mandate_data: { customer_acceptance: online },
      });
      assert.equal(again.status, 'processing');
      const newMandate = (await stripe.charges.retrieve(String(again.latest_charge))).payment_method_details?.sepa_debit?.mandate;
      assert.notEqual(newMandate, mandateId);
      assert.equal((await stripe.mandates.retrieve(String(newMandate))).type, 'multi_use');
    }
  });

  it('a debit refused for insufficient funds leaves the mandate active', async () => {
    const customer = await stripe.customers.create({ email: billing.email });
    const setup = await setUp(insufficientFunds, customer.id);
    const debit = await offSession({ customer: customer.id, payment_method: String(setup.payment_method) });
    await resolveStuckAttempts(server.deps, 0);
    const failed = await stripe.paymentIntents.retrieve(debit.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.decline_code, 'insufficient_funds');
    assert.equal((await stripe.mandates.retrieve(String(setup.mandate))).status, 'active');
    const retry = await offSession({ customer: customer.id, payment_method: String(setup.payment_method) });
    assert.equal(retry.status, 'processing', 'the mandate still authorizes debits');
  });
});
