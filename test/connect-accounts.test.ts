import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { reviewDueAccounts } from '../src/connect/review.ts';
import { releaseAvailableFunds } from '../src/ledger/jobs.ts';
import { runPayoutSchedules } from '../src/payouts/jobs.ts';
import { onboardedSeller, usdBalance } from './helpers/connect.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * Connected accounts (Stripe Connect) through the official stripe SDK: a platform creates, updates, lists, rejects and
 * deletes its sellers' accounts, acts as them with the SDK's `stripeAccount` option (the Stripe-Account header), and
 * sees requirements, verification with Stripe's test values, capabilities and charges/payouts enabled move as Stripe's
 * do. Another platform, a sibling and an unknown id all get the same 403 account_invalid.
 */

const usIndividualDetails = {
  first_name: 'Jenny',
  last_name: 'Rosen',
  email: 'jenny@example.com',
  phone: '+15555550100',
  dob: { day: 1, month: 1, year: 1901 },
  address: { line1: 'address_full_match', city: 'San Francisco', state: 'CA', postal_code: '94111', country: 'US' },
  id_number: '000000000',
};
const usBankAccount = { object: 'bank_account' as const, country: 'US', currency: 'usd', account_number: '000123456789', routing_number: '110000000' };

describe('connected accounts through the stripe SDK', () => {
  let server: TestServer;
  let platform: TestAccount;
  let stripe: Stripe;
  let otherPlatform: TestAccount;

  before(async () => {
    server = await startTestServer();
    platform = server.account;
    stripe = platform.stripe;
    otherPlatform = await server.createAccount('Other platform');
  });
  after(async () => {
    await server.close();
  });

  /** Finishes the verifications in progress now (the connect sweep, its delay elapsed). */
  async function finishVerifications(): Promise<void> {
    await server.db.query('UPDATE connected_accounts SET next_review_at = now() WHERE next_review_at IS NOT NULL');
    await reviewDueAccounts(server.deps);
  }

  async function eventTypes(accountId: string): Promise<string[]> {
    const events = await stripe.events.list({ limit: 100 }, { stripeAccount: accountId });
    return events.data.map((event) => event.type).reverse();
  }

  it('creates a Custom account whose requirements say what is due, then onboards it through the API until charges and payouts are enabled', async () => {
    const account = await stripe.accounts.create({
      type: 'custom', country: 'US', email: 'seller@example.com',
      capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
      metadata: { seller: '42' },
    });
    assert.match(account.id, /^acct_/);
    assert.equal(account.type, 'custom');
    assert.equal(account.country, 'US');
    assert.equal(account.default_currency, 'usd');
    assert.equal(account.email, 'seller@example.com');
    assert.deepEqual(account.metadata, { seller: '42' });
    assert.equal(account.controller?.type, 'application');
    assert.equal(account.controller?.requirement_collection, 'application');
    assert.deepEqual(account.capabilities, { card_payments: 'inactive', transfers: 'inactive' });
    assert.equal(account.charges_enabled, false);
    assert.equal(account.payouts_enabled, false);
    assert.ok(account.requirements?.currently_due?.includes('business_type'));
    assert.ok(account.requirements?.currently_due?.includes('external_account'));
    assert.ok(account.requirements?.currently_due?.includes('tos_acceptance.date'));
    assert.ok(account.requirements?.disabled_reason);

    const updated = await stripe.accounts.update(account.id, {
      business_type: 'individual',
      individual: usIndividualDetails,
      business_profile: { mcc: '5734', url: 'https://seller.example.com', name: 'Jenny Rosen Shop' },
      tos_acceptance: { date: 1_700_000_000, ip: '203.0.113.9' },
    });
    assert.equal(updated.individual?.id_number_provided, true);
    assert.equal(updated.individual?.verification?.status, 'pending');
    assert.ok(!JSON.stringify(updated).includes(usIndividualDetails.id_number), 'the id number is never shown');
    assert.ok(updated.requirements?.currently_due?.includes('external_account'));

    const bank = await stripe.accounts.createExternalAccount(account.id, { external_account: usBankAccount } as Stripe.AccountCreateExternalAccountParams);
    assert.equal((bank as Stripe.BankAccount).account, account.id);

    await finishVerifications();
    const onboarded = await stripe.accounts.retrieve(account.id);
    assert.equal(onboarded.individual?.verification?.status, 'verified');
    assert.deepEqual(onboarded.requirements?.currently_due, []);
    assert.deepEqual(onboarded.requirements?.past_due, []);
    assert.equal(onboarded.requirements?.disabled_reason, null);
    assert.deepEqual(onboarded.capabilities, { card_payments: 'active', transfers: 'active' });
    assert.equal(onboarded.charges_enabled, true);
    assert.equal(onboarded.payouts_enabled, true);
    assert.equal(onboarded.details_submitted, true);
    assert.equal(onboarded.external_accounts?.data.length, 1);

    const types = await eventTypes(account.id);
    assert.ok(types.includes('account.external_account.created'));
    assert.ok(types.includes('account.updated'));
    assert.deepEqual(types.filter((type) => type === 'capability.updated').length >= 2, true, 'each capability reported its move to active');
    const stored = await server.db.query<{ data: unknown }>("SELECT data FROM events WHERE account_id = $1", [account.id]);
    assert.ok(!JSON.stringify(stored.rows).includes(usIndividualDetails.id_number), 'no event carries the id number');
  });

  it('fails verification of a date of birth that is not Stripe\'s passing test value; a corrected one verifies; 1902-01-01 verifies at once', async () => {
    const account = await stripe.accounts.create({
      type: 'custom', country: 'US', capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
      business_type: 'individual', individual: { ...usIndividualDetails, dob: { day: 15, month: 6, year: 1985 } },
    });
    assert.equal(account.individual?.verification?.status, 'pending');
    await finishVerifications();
    const failed = await stripe.accounts.retrieve(account.id);
    assert.equal(failed.individual?.verification?.status, 'unverified');
    assert.equal(failed.individual?.verification?.details_code, 'failed_keyed_identity');
    assert.ok(failed.requirements?.errors?.some((error) => error.code === 'verification_failed_keyed_identity'), 'the failure is in requirements.errors');
    assert.equal(failed.charges_enabled, false);
    // The sweep does not check a failed person again by itself.
    await finishVerifications();
    assert.equal((await stripe.accounts.retrieve(account.id)).individual?.verification?.status, 'unverified');

    const corrected = await stripe.accounts.update(account.id, { individual: { dob: { day: 1, month: 1, year: 1901 } } });
    assert.equal(corrected.individual?.verification?.status, 'pending');
    await finishVerifications();
    assert.equal((await stripe.accounts.retrieve(account.id)).individual?.verification?.status, 'verified');

    const immediate = await stripe.accounts.create({
      type: 'custom', country: 'US', capabilities: { transfers: { requested: true } },
      business_type: 'individual', individual: { ...usIndividualDetails, dob: { day: 1, month: 1, year: 1902 } },
    });
    assert.equal(immediate.individual?.verification?.status, 'verified', 'Stripe\'s immediate test value is verified in the answer');
  });

  it('acts as a connected account with stripeAccount: its own customers and payments, invisible to the platform and to others', async () => {
    // Onboarded: a direct charge needs the account's card_payments capability active (test/connect-charges.test.ts).
    const seller = await onboardedSeller(stripe);
    const customer = await stripe.customers.create({ email: 'buyer@example.com' }, { stripeAccount: seller.id });
    assert.equal((await stripe.customers.retrieve(customer.id, {}, { stripeAccount: seller.id })).id, customer.id);
    await expectStripeError(stripe.customers.retrieve(customer.id), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 404, code: 'resource_missing' });

    const payment = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { stripeAccount: seller.id });
    assert.equal(payment.status, 'succeeded');
    const owner = await server.db.query<{ account_id: string }>('SELECT account_id FROM payment_intents WHERE id = $1', [payment.id]);
    assert.equal(owner.rows[0].account_id, seller.id, 'a direct charge belongs to the connected account');
    const balance = await stripe.balance.retrieve({}, { stripeAccount: seller.id });
    assert.ok(balance.pending.some((amount) => amount.currency === 'usd' && amount.amount > 0));

    // The account itself, through the header.
    assert.equal((await stripe.accounts.retrieveCurrent({}, { stripeAccount: seller.id })).id, seller.id);

    // Another platform, an unknown id and a malformed one: the same 403 account_invalid.
    for (const [client, id] of [[otherPlatform.stripe, seller.id], [stripe, 'acct_1NoSuchAccount000000'], [stripe, 'not-an-account']] as const) {
      await expectStripeError(client.customers.list({}, { stripeAccount: id }), { class: Stripe.errors.StripePermissionError, statusCode: 403, code: 'account_invalid' });
    }
    await expectStripeError(otherPlatform.stripe.accounts.retrieve(seller.id), { class: Stripe.errors.StripePermissionError, statusCode: 403, code: 'account_invalid' });
    // A connected account is not a platform: it cannot create accounts, nor reach its siblings.
    const sibling = await stripe.accounts.create({ type: 'custom', country: 'US', capabilities: { transfers: { requested: true } } });
    await expectStripeError(stripe.accounts.create({ type: 'custom', country: 'US' }, { stripeAccount: seller.id }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'platform_account_required' });
    await expectStripeError(stripe.accounts.retrieve(sibling.id, {}, { stripeAccount: seller.id }), { class: Stripe.errors.StripePermissionError, statusCode: 403, code: 'account_invalid' });
  });

  it('lists the platform\'s accounts newest first, with pagination, and nobody else\'s', async () => {
    const made: string[] = [];
    for (let index = 0; index < 3; index += 1) made.push((await otherPlatform.stripe.accounts.create({ type: 'express', country: 'GB', email: `seller${index}@example.co.uk` })).id);
    const first = await otherPlatform.stripe.accounts.list({ limit: 2 });
    assert.deepEqual(first.data.map((account) => account.id), [made[2], made[1]]);
    assert.equal(first.has_more, true);
    const second = await otherPlatform.stripe.accounts.list({ limit: 2, starting_after: made[1] });
    assert.deepEqual(second.data.map((account) => account.id), [made[0]]);
    assert.equal(second.data[0].default_currency, 'gbp');
    assert.equal(second.data[0].type, 'express');
    const mine = await stripe.accounts.list({ limit: 100 });
    assert.ok(mine.data.every((account) => !made.includes(account.id)));
  });

  it('rejects an account the platform is liable for, and deletes one', async () => {
    const account = await stripe.accounts.create({ type: 'custom', country: 'DE', capabilities: { card_payments: { requested: true }, transfers: { requested: true } } });
    assert.equal(account.default_currency, 'eur');
    const rejected = await stripe.accounts.reject(account.id, { reason: 'fraud' });
    assert.equal(rejected.requirements?.disabled_reason, 'rejected.fraud');
    assert.equal(rejected.charges_enabled, false);
    assert.deepEqual(rejected.capabilities, { card_payments: 'inactive', transfers: 'inactive' });
    await expectStripeError(stripe.accounts.reject(account.id, { reason: 'other' }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400 });

    const standard = await stripe.accounts.create({ type: 'standard', country: 'US' });
    assert.equal(standard.controller?.stripe_dashboard?.type, 'full');
    await expectStripeError(stripe.accounts.reject(standard.id, { reason: 'fraud' }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, param: 'account' });

    const deleted = await stripe.accounts.del(account.id);
    assert.deepEqual(deleted, { id: account.id, object: 'account', deleted: true });
    await expectStripeError(stripe.accounts.retrieve(account.id), { class: Stripe.errors.StripePermissionError, statusCode: 403, code: 'account_invalid' });
    await expectStripeError(stripe.customers.list({}, { stripeAccount: account.id }), { class: Stripe.errors.StripePermissionError, statusCode: 403, code: 'account_invalid' });
  });

  it('pays a rejected account nothing, by hand or on its schedule, while its sibling is paid out', async () => {
    const kept = await onboardedSeller(stripe);
    const dropped = await onboardedSeller(stripe);
    for (const seller of [kept, dropped]) await stripe.paymentIntents.create({ amount: 4_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { stripeAccount: seller.id });
    server.clock.advance(3 * 86_400);
    await releaseAvailableFunds(server.deps);
    await stripe.accounts.reject(dropped.id, { reason: 'fraud' });
    const droppedAvailable = await usdBalance(stripe, 'available', dropped.id);
    assert.ok(droppedAvailable > 0);
    await expectStripeError(stripe.payouts.create({ amount: 100, currency: 'usd' }, { stripeAccount: dropped.id }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'payouts_not_allowed' });
    await runPayoutSchedules(server.deps);
    assert.equal((await stripe.payouts.list({}, { stripeAccount: kept.id })).data.filter((payout) => payout.automatic).length, 1, 'the sibling is paid on its daily schedule');
    assert.deepEqual((await stripe.payouts.list({}, { stripeAccount: dropped.id })).data, []);
    assert.equal(await usdBalance(stripe, 'available', dropped.id), droppedAvailable);
  });

  it('refuses bad input with Stripe-shaped errors and writes nothing', async () => {
    const count = async () => Number((await server.db.query<{ count: string }>('SELECT count(*) FROM connected_accounts')).rows[0].count);
    const before = await count();
    await expectStripeError(stripe.accounts.create({ type: 'custom', capabilities: { card_payments: { requested: true } } }), {
      class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, param: 'capabilities[transfers][requested]',
    });
    await expectStripeError(stripe.accounts.create({ type: 'custom', controller: { stripe_dashboard: { type: 'none' } } }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, code: 'parameters_exclusive' });
    await expectStripeError(stripe.accounts.create({ type: 'custom', country: 'ZZ' }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, param: 'country' });
    await expectStripeError(stripe.accounts.create({ type: 'custom', business_type: 'company', individual: { first_name: 'A' } }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, param: 'individual' });
    await expectStripeError(stripe.accounts.create({ type: 'custom', external_account: { ...usBankAccount, routing_number: '123' } } as Stripe.AccountCreateParams), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400 });
    await expectStripeError(stripe.accounts.create({ type: 'custom', business_profile: { mcc: 'abcd' } }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, param: 'business_profile[mcc]' });
    assert.equal(await count(), before);
    // Connect fields on the platform's own account are refused.
    await expectStripeError(stripe.accounts.update(platform.accountId, { business_type: 'company' }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400, param: 'business_type' });
  });
});
