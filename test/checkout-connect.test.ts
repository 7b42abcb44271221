import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { payingCard, submitCheckoutPage } from './helpers/checkout-page.ts';
import { expectLedgerClean, onboardedSeller, usdBalance } from './helpers/connect.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * Checkout with a destination charge and a fee (Stripe's marketplace pattern), through the official stripe SDK: a
 * session's payment_intent_data[application_fee_amount|transfer_data|on_behalf_of|transfer_group] checked at creation
 * as a PaymentIntent's, and the page's PaymentIntent made with them, so the shopper's payment transfers to the seller
 * and collects the platform's fee as a PaymentIntent destination charge does; a direct charge's session (created with
 * the Stripe-Account header) pays the platform its fee. The page is paid as a browser without JavaScript would.
 */

describe('Checkout Sessions with Connect destination and direct charges', () => {
  let server: TestServer;
  let platform: TestAccount;
  let stripe: Stripe;
  let seller: Stripe.Account;
  let shirt: Stripe.Price;

  before(async () => {
    server = await startTestServer();
    platform = server.account;
    stripe = platform.stripe;
    seller = await onboardedSeller(stripe);
    shirt = await stripe.prices.create({ currency: 'usd', unit_amount: 5_000, product_data: { name: 'Handmade shirt' } });
  });
  after(async () => {
    await server.close();
  });

  const pending = (accountId?: string) => usdBalance(stripe, 'pending', accountId);
  const sessionCount = async (accountId: string): Promise<number> => (await server.db.query('SELECT count(*)::int AS n FROM checkout_sessions WHERE account_id = $1', [accountId])).rows[0].n;

  async function pay(session: Stripe.Checkout.Session, requestOptions: Stripe.RequestOptions = {}): Promise<{ intent: Stripe.PaymentIntent; charge: Stripe.Charge }> {
    const paid = await submitCheckoutPage(session.url!, { ...payingCard, email: 'shopper@example.com' });
    assert.equal(paid.status, 303, paid.text);
    const completed = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] }, requestOptions);
    assert.equal(completed.status, 'complete');
    assert.equal(completed.payment_status, 'paid');
    const intent = completed.payment_intent as Stripe.PaymentIntent;
    assert.equal(intent.status, 'succeeded');
    const charge = await stripe.charges.retrieve(intent.latest_charge as string, {}, requestOptions);
    return { intent, charge };
  }

  it('a destination charge with application_fee_amount: the transfer and the fee as a PaymentIntent\'s, balances moved alike', async () => {
    const platformBefore = await pending();
    const sellerBefore = await pending(seller.id);
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: shirt.id, quantity: 2 }],
      success_url: 'https://market.example/thanks',
      payment_intent_data: { application_fee_amount: 1_230, transfer_data: { destination: seller.id }, on_behalf_of: seller.id, transfer_group: 'ORDER_15' },
    });
    assert.equal(session.amount_total, 10_000);
    const { intent, charge } = await pay(session);
    assert.equal(intent.amount, 10_000);
    assert.deepEqual(intent.transfer_data, { destination: seller.id });
    assert.equal(intent.application_fee_amount, 1_230);
    assert.equal(intent.on_behalf_of, seller.id);
    assert.equal(intent.transfer_group, 'ORDER_15');
    assert.deepEqual(charge.transfer_data, { destination: seller.id });
    assert.equal(charge.application_fee_amount, 1_230);
    assert.equal(charge.on_behalf_of, seller.id);
    assert.equal(charge.transfer_group, 'ORDER_15');

    const transfer = await stripe.transfers.retrieve(charge.transfer as string);
    assert.equal(transfer.amount, 10_000);
    assert.equal(transfer.destination, seller.id);
    assert.equal(transfer.source_transaction, charge.id);
    assert.equal(transfer.transfer_group, 'ORDER_15');
    const fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
    assert.equal(fee.amount, 1_230);
    assert.equal(fee.account, seller.id);
    assert.equal(fee.charge, charge.id);

    const chargeTransaction = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    assert.equal(await pending(seller.id) - sellerBefore, 10_000 - 1_230);
    assert.equal(await pending() - platformBefore, chargeTransaction.net - 10_000 + 1_230);
    await expectLedgerClean(server.db);
  });

  it('transfer_data[amount]: that much transferred, no application fee', async () => {
    const sellerBefore = await pending(seller.id);
    const session = await stripe.checkout.sessions.create({
      mode: 'payment', line_items: [{ price: shirt.id, quantity: 1 }], success_url: 'https://market.example/thanks',
      payment_intent_data: { transfer_data: { destination: seller.id, amount: 4_000 } },
    });
    const { intent, charge } = await pay(session);
    assert.deepEqual(intent.transfer_data, { amount: 4_000, destination: seller.id });
    assert.equal(intent.application_fee_amount, null);
    assert.equal(charge.application_fee, null);
    assert.equal(charge.transfer_group, `group_${intent.id}`);
    assert.equal((await stripe.transfers.retrieve(charge.transfer as string)).amount, 4_000);
    assert.equal(await pending(seller.id) - sellerBefore, 4_000);
    await expectLedgerClean(server.db);
  });

  it('a direct charge: a session created with the Stripe-Account header takes application_fee_amount, the seller pays the platform the fee', async () => {
    const asSeller = { stripeAccount: seller.id };
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 8_000, product_data: { name: 'Seller\'s lamp' } }, asSeller);
    const platformBefore = await pending();
    const sellerBefore = await pending(seller.id);
    const session = await stripe.checkout.sessions.create({
      mode: 'payment', line_items: [{ price: price.id, quantity: 1 }], success_url: 'https://seller.example/thanks',
      payment_intent_data: { application_fee_amount: 500 },
    }, asSeller);
    const { intent, charge } = await pay(session, asSeller);
    assert.equal(intent.application_fee_amount, 500);
    assert.equal(intent.transfer_data, null);
    assert.match(charge.application_fee as string, /^fee_/);
    assert.equal(charge.transfer ?? null, null);
    const fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
    assert.equal(fee.amount, 500);
    assert.equal(fee.account, seller.id);
    const chargeTransaction = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string, {}, asSeller);
    assert.equal(await pending(seller.id) - sellerBefore, chargeTransaction.net - 500);
    assert.equal(await pending() - platformBefore, 500);
    await expectLedgerClean(server.db);
  });

  it('refuses what a PaymentIntent refuses, named as the session\'s parameters, and writes nothing', async () => {
    const before = await sessionCount(platform.accountId);
    const sellerBefore = await sessionCount(seller.id);
    const sellerPrice = await stripe.prices.create({ currency: 'usd', unit_amount: 5_000, product_data: { name: 'Seller\'s shirt' } }, { stripeAccount: seller.id });
    const create = (payment_intent_data: Stripe.Checkout.SessionCreateParams.PaymentIntentData, options: Stripe.RequestOptions = {}) =>
      stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: options.stripeAccount ? sellerPrice.id : shirt.id, quantity: 1 }], success_url: 'https://market.example/thanks', payment_intent_data }, options);
    const invalid = { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400 };
    await expectStripeError(create({ application_fee_amount: 100 }), { ...invalid, code: 'payment_intent_invalid_parameter', param: 'payment_intent_data[application_fee_amount]' });
    await expectStripeError(create({ transfer_data: { destination: seller.id }, application_fee_amount: 5_001 }), { ...invalid, code: 'payment_intent_invalid_parameter', param: 'payment_intent_data[application_fee_amount]' });
    await expectStripeError(create({ transfer_data: { destination: seller.id, amount: 5_001 } }), { ...invalid, code: 'payment_intent_invalid_parameter', param: 'payment_intent_data[transfer_data][amount]' });
    await expectStripeError(create({ transfer_data: { destination: seller.id, amount: 500 }, application_fee_amount: 100 }), { ...invalid, code: 'parameters_exclusive', param: 'payment_intent_data[application_fee_amount]' });
    await expectStripeError(create({ transfer_data: { destination: seller.id }, on_behalf_of: platform.accountId }), { ...invalid, code: 'payment_intent_invalid_parameter', param: 'payment_intent_data[on_behalf_of]' });
    const denied = { class: Stripe.errors.StripePermissionError, statusCode: 403, code: 'account_invalid', param: 'payment_intent_data[transfer_data][destination]' };
    await expectStripeError(create({ transfer_data: { destination: 'acct_doesnotexist000000' } }), denied);
    // Another platform's connected account is no destination of this one.
    const other = await server.createAccount('Other platform');
    const foreign = await onboardedSeller(other.stripe);
    await expectStripeError(create({ transfer_data: { destination: foreign.id } }), denied);
    const unready = await stripe.accounts.create({ type: 'custom', country: 'US', capabilities: { transfers: { requested: true } } });
    await expectStripeError(create({ transfer_data: { destination: unready.id } }), { ...invalid, code: 'insufficient_capabilities_for_transfer', param: 'payment_intent_data[transfer_data][destination]' });
    // A direct charge names no destination.
    await expectStripeError(create({ transfer_data: { destination: platform.accountId } }, { stripeAccount: seller.id }), { ...invalid, code: 'payment_intent_invalid_parameter', param: 'payment_intent_data[transfer_data]' });
    // Setup mode takes no payment_intent_data at all.
    await expectStripeError(stripe.checkout.sessions.create({ mode: 'setup', currency: 'usd', success_url: 'https://market.example/thanks', payment_intent_data: { application_fee_amount: 1 } }), { ...invalid, code: 'invalid_value', param: 'payment_intent_data' });
    assert.equal(await sessionCount(platform.accountId), before);
    assert.equal(await sessionCount(seller.id), sellerBefore);
  });
});
