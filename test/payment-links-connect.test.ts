import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { payingCard, submitCheckoutPage } from './helpers/checkout-page.ts';
import { expectLedgerClean, onboardedSeller, usdBalance } from './helpers/connect.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * Payment Links with Connect parameters, through the official stripe SDK: application_fee_amount, transfer_data and
 * on_behalf_of (and payment_intent_data[transfer_group]) checked as a PaymentIntent's when the link is made, rendered
 * on the link, and passed to the session a visit makes and to its PaymentIntent, so paying the link is a destination
 * (or, for a link made with the Stripe-Account header, a direct) charge with its transfer and fee.
 */

describe('Payment Links with Connect destination and direct charges', () => {
  let server: TestServer;
  let platform: TestAccount;
  let stripe: Stripe;
  let seller: Stripe.Account;
  let print: Stripe.Price;

  before(async () => {
    server = await startTestServer();
    platform = server.account;
    stripe = platform.stripe;
    seller = await onboardedSeller(stripe);
    print = await stripe.prices.create({ currency: 'usd', unit_amount: 3_000, product_data: { name: 'Art print' } });
  });
  after(async () => {
    await server.close();
  });

  const pending = (accountId?: string) => usdBalance(stripe, 'pending', accountId);
  const linkCount = async (): Promise<number> => (await server.db.query('SELECT count(*)::int AS n FROM payment_links')).rows[0].n;

  /** Visits the link, pays its session's page, and answers the session's PaymentIntent and charge. */
  async function buyThrough(link: Stripe.PaymentLink, requestOptions: Stripe.RequestOptions = {}): Promise<{ intent: Stripe.PaymentIntent; charge: Stripe.Charge }> {
    const visit = await fetch(link.url, { redirect: 'manual' });
    assert.equal(visit.status, 303, await visit.text());
    const pageUrl = visit.headers.get('location')!;
    const paid = await submitCheckoutPage(pageUrl, { ...payingCard, email: 'collector@example.com' });
    assert.equal(paid.status, 303, paid.text);
    const sessionId = /\/c\/pay\/(cs_[0-9A-Za-z]+)$/.exec(pageUrl)![1];
    const session = await stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent'] }, requestOptions);
    assert.equal(session.status, 'complete');
    assert.equal(session.payment_link, link.id);
    const intent = session.payment_intent as Stripe.PaymentIntent;
    assert.equal(intent.status, 'succeeded');
    return { intent, charge: await stripe.charges.retrieve(intent.latest_charge as string, {}, requestOptions) };
  }

  it('a destination charge with a fee: rendered on the link, carried by its sessions\' PaymentIntents, transfer and fee made', async () => {
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: print.id, quantity: 2 }],
      application_fee_amount: 900,
      transfer_data: { destination: seller.id },
      on_behalf_of: seller.id,
      payment_intent_data: { transfer_group: 'PRINTS' },
    });
    assert.equal(link.application_fee_amount, 900);
    assert.equal(link.application_fee_percent, null);
    assert.deepEqual(link.transfer_data, { amount: null, destination: seller.id });
    assert.equal(link.on_behalf_of, seller.id);
    assert.equal(link.payment_intent_data?.transfer_group, 'PRINTS');
    assert.deepEqual(await stripe.paymentLinks.retrieve(link.id), link);

    const platformBefore = await pending();
    const sellerBefore = await pending(seller.id);
    const { intent, charge } = await buyThrough(link);
    assert.equal(intent.amount, 6_000);
    assert.deepEqual(intent.transfer_data, { destination: seller.id });
    assert.equal(intent.application_fee_amount, 900);
    assert.equal(intent.on_behalf_of, seller.id);
    assert.equal(intent.transfer_group, 'PRINTS');
    const transfer = await stripe.transfers.retrieve(charge.transfer as string);
    assert.equal(transfer.amount, 6_000);
    assert.equal(transfer.destination, seller.id);
    assert.equal(transfer.transfer_group, 'PRINTS');
    const fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
    assert.equal(fee.amount, 900);
    assert.equal(fee.account, seller.id);
    const chargeTransaction = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    assert.equal(await pending(seller.id) - sellerBefore, 6_000 - 900);
    assert.equal(await pending() - platformBefore, chargeTransaction.net - 6_000 + 900);

    // An update of payment_intent_data[transfer_group] reaches the next payment; '' unsets it.
    const updated = await stripe.paymentLinks.update(link.id, { payment_intent_data: { transfer_group: '' } });
    assert.equal(updated.payment_intent_data?.transfer_group, null);
    assert.equal(updated.application_fee_amount, 900);
    await expectLedgerClean(server.db);
  });

  it('transfer_data[amount]: that much transferred to the destination', async () => {
    const link = await stripe.paymentLinks.create({ line_items: [{ price: print.id, quantity: 1 }], transfer_data: { destination: seller.id, amount: 2_500 } });
    assert.deepEqual(link.transfer_data, { amount: 2_500, destination: seller.id });
    assert.equal(link.application_fee_amount, null);
    const { intent, charge } = await buyThrough(link);
    assert.deepEqual(intent.transfer_data, { amount: 2_500, destination: seller.id });
    assert.equal((await stripe.transfers.retrieve(charge.transfer as string)).amount, 2_500);
    assert.equal(charge.application_fee, null);
    await expectLedgerClean(server.db);
  });

  it('a link made with the Stripe-Account header takes application_fee_amount: its payments are direct charges paying the platform the fee', async () => {
    const asSeller = { stripeAccount: seller.id };
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 4_000, product_data: { name: 'Seller\'s vase' } }, asSeller);
    const link = await stripe.paymentLinks.create({ line_items: [{ price: price.id, quantity: 1 }], application_fee_amount: 400 }, asSeller);
    assert.equal(link.application_fee_amount, 400);
    assert.equal(link.transfer_data, null);
    const platformBefore = await pending();
    const { intent, charge } = await buyThrough(link, asSeller);
    assert.equal(intent.application_fee_amount, 400);
    const fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
    assert.equal(fee.amount, 400);
    assert.equal(fee.account, seller.id);
    assert.equal(await pending() - platformBefore, 400);
    await expectLedgerClean(server.db);
  });

  it('refuses what a PaymentIntent refuses, and application_fee_percent (Stripe\'s is for recurring prices), writing nothing', async () => {
    const before = await linkCount();
    const create = (params: Partial<Stripe.PaymentLinkCreateParams>) => stripe.paymentLinks.create({ line_items: [{ price: print.id, quantity: 1 }], ...params });
    const invalid = { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400 };
    await expectStripeError(create({ application_fee_percent: 10 }), { ...invalid, code: 'invalid_value', param: 'application_fee_percent' });
    await expectStripeError(create({ application_fee_amount: 100 }), { ...invalid, code: 'payment_intent_invalid_parameter', param: 'application_fee_amount' });
    await expectStripeError(create({ application_fee_amount: 3_001, transfer_data: { destination: seller.id } }), { ...invalid, code: 'payment_intent_invalid_parameter', param: 'application_fee_amount' });
    await expectStripeError(create({ application_fee_amount: 100, transfer_data: { destination: seller.id, amount: 1_000 } }), { ...invalid, code: 'parameters_exclusive', param: 'application_fee_amount' });
    await expectStripeError(create({ transfer_data: { destination: seller.id }, on_behalf_of: platform.accountId }), { ...invalid, code: 'payment_intent_invalid_parameter', param: 'on_behalf_of' });
    await expectStripeError(create({ transfer_data: { destination: 'acct_doesnotexist000000' } }), { class: Stripe.errors.StripePermissionError, statusCode: 403, code: 'account_invalid', param: 'transfer_data[destination]' });
    const unready = await stripe.accounts.create({ type: 'custom', country: 'US', capabilities: { transfers: { requested: true } } });
    await expectStripeError(create({ transfer_data: { destination: unready.id } }), { ...invalid, code: 'insufficient_capabilities_for_transfer', param: 'transfer_data[destination]' });
    assert.equal(await linkCount(), before);
  });
});
