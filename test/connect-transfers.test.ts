import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { releaseAvailableFunds } from '../src/ledger/jobs.ts';
import { expectLedgerClean, onboardedSeller, usdBalance } from './helpers/connect.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * Connect transfers and their reversals through the official stripe SDK: a platform sends money from its available
 * balance (or from a charge's funds, source_transaction) to a connected account whose transfers capability is active,
 * reverses it in part or in full, and both balances, both sides' balance transactions and the ledger agree.
 */

describe('Connect transfers and reversals through the stripe SDK', () => {
  let server: TestServer;
  let platform: TestAccount;
  let stripe: Stripe;
  let seller: Stripe.Account;

  before(async () => {
    server = await startTestServer();
    platform = server.account;
    stripe = platform.stripe;
    seller = await onboardedSeller(stripe);
    assert.equal(seller.capabilities?.transfers, 'active', 'the seller can receive transfers');
  });
  after(async () => {
    await server.close();
  });

  /** Makes `amount` available on the platform: a charge, then its settlement delay elapsed. */
  async function fundPlatform(amount: number, account = platform): Promise<void> {
    await account.stripe.paymentIntents.create({ amount, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    server.clock.advance(3 * 86_400);
    await releaseAvailableFunds(server.deps);
  }

  const available = (accountId?: string) => usdBalance(stripe, 'available', accountId);
  const pending = (accountId?: string) => usdBalance(stripe, 'pending', accountId);
  const ledgerClean = () => expectLedgerClean(server.db);

  it('transfers from the available balance: the platform\'s transfer and the destination\'s payment balance transactions, transfer.created', async () => {
    await fundPlatform(20_000);
    const platformBefore = await available();
    const sellerBefore = await available(seller.id);
    const transfer = await stripe.transfers.create({ amount: 5_000, currency: 'usd', destination: seller.id, transfer_group: 'ORDER_1', description: 'order 1', metadata: { order: '1' } });
    assert.match(transfer.id, /^tr_/);
    assert.equal(transfer.object, 'transfer');
    assert.equal(transfer.amount, 5_000);
    assert.equal(transfer.amount_reversed, 0);
    assert.equal(transfer.reversed, false);
    assert.equal(transfer.destination, seller.id);
    assert.match(transfer.destination_payment as string, /^py_/);
    assert.equal(transfer.source_transaction, null);
    assert.equal(transfer.transfer_group, 'ORDER_1');
    assert.deepEqual(transfer.reversals.data, []);
    assert.equal(await available(), platformBefore - 5_000);
    assert.equal(await available(seller.id), sellerBefore + 5_000);

    const platformTransaction = await stripe.balanceTransactions.retrieve(transfer.balance_transaction as string, { expand: ['source'] });
    assert.equal(platformTransaction.type, 'transfer');
    assert.equal(platformTransaction.amount, -5_000);
    assert.equal(platformTransaction.status, 'available');
    assert.equal((platformTransaction.source as Stripe.Transfer).id, transfer.id);
    const [payment] = (await stripe.balanceTransactions.list({ type: 'payment' }, { stripeAccount: seller.id })).data;
    assert.equal(payment.source, transfer.destination_payment);
    assert.equal(payment.amount, 5_000);
    assert.equal(payment.net, 5_000);
    assert.equal(payment.status, 'available');

    const [created] = (await stripe.events.list({ type: 'transfer.created', limit: 1 })).data;
    assert.equal((created.data.object as Stripe.Transfer).id, transfer.id);

    assert.equal((await stripe.transfers.retrieve(transfer.id)).amount, 5_000);
    const updated = await stripe.transfers.update(transfer.id, { description: 'order 1, paid', metadata: { paid: 'yes' } });
    assert.deepEqual(updated.metadata, { order: '1', paid: 'yes' });
    const [updatedEvent] = (await stripe.events.list({ type: 'transfer.updated', limit: 1 })).data;
    assert.deepEqual(updatedEvent.data.previous_attributes, { description: 'order 1', metadata: { paid: null } });
    assert.deepEqual((await stripe.transfers.list({ transfer_group: 'ORDER_1' })).data.map((item) => item.id), [transfer.id]);
    assert.deepEqual((await stripe.transfers.list({ destination: seller.id, created: { gte: transfer.created } })).data.map((item) => item.id), [transfer.id]);
    assert.deepEqual((await stripe.transfers.list({ transfer_group: 'nothing' })).data, []);
    await ledgerClean();
  });

  it('refuses a transfer above the available balance (balance_insufficient), to a foreign or unknown account (403), without the capability, in a currency the destination does not settle: nothing moves', async () => {
    const platformBefore = await available();
    await expectStripeError(stripe.transfers.create({ amount: platformBefore + 1, currency: 'usd', destination: seller.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'balance_insufficient', param: 'amount', statusCode: 400 });

    const other = await server.createAccount('Other platform');
    const foreign = await onboardedSeller(other.stripe);
    for (const destination of [foreign.id, 'acct_unknown123', platform.accountId, 'not an account']) {
      await expectStripeError(stripe.transfers.create({ amount: 100, currency: 'usd', destination }), { class: Stripe.errors.StripePermissionError, code: 'account_invalid', param: 'destination', statusCode: 403 });
    }
    const unverified = await stripe.accounts.create({ type: 'custom', country: 'US', capabilities: { card_payments: { requested: true }, transfers: { requested: true } } });
    await expectStripeError(stripe.transfers.create({ amount: 100, currency: 'usd', destination: unverified.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'insufficient_capabilities_for_transfer', param: 'destination', statusCode: 400 });
    await expectStripeError(stripe.transfers.create({ amount: 100, currency: 'eur', destination: seller.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', param: 'currency', statusCode: 400 });
    await expectStripeError(stripe.transfers.create({ amount: 100, currency: 'usd', destination: seller.id, source_transaction: 'ch_missing' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'source_transaction', statusCode: 404 });
    await expectStripeError(stripe.transfers.create({ amount: 0, currency: 'usd', destination: seller.id }), { class: Stripe.errors.StripeInvalidRequestError, param: 'amount', statusCode: 400 });
    // A connected account has no connected accounts of its own.
    await expectStripeError(stripe.transfers.create({ amount: 100, currency: 'usd', destination: seller.id }, { stripeAccount: seller.id }), { class: Stripe.errors.StripePermissionError, code: 'account_invalid', statusCode: 403 });
    assert.equal(await available(), platformBefore, 'nothing moved');
    assert.equal((await stripe.transfers.list({ destination: unverified.id })).data.length, 0);
    await ledgerClean();
  });

  it('transfers a charge\'s funds with source_transaction: limited to the charge, pending until the charge\'s funds are available', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 3_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const charge = intent.latest_charge as string;
    const sellerPending = await pending(seller.id);
    const transfer = await stripe.transfers.create({ amount: 2_000, currency: 'usd', destination: seller.id, source_transaction: charge });
    assert.equal(transfer.source_transaction, charge);
    const platformTransaction = await stripe.balanceTransactions.retrieve(transfer.balance_transaction as string);
    const chargeTransaction = await stripe.balanceTransactions.retrieve((await stripe.charges.retrieve(charge)).balance_transaction as string);
    assert.equal(platformTransaction.status, 'pending');
    assert.equal(platformTransaction.available_on, chargeTransaction.available_on, 'the funds follow the charge\'s availability');
    assert.equal(await pending(seller.id), sellerPending + 2_000);
    await expectStripeError(stripe.transfers.create({ amount: 1_001, currency: 'usd', destination: seller.id, source_transaction: charge }), { class: Stripe.errors.StripeInvalidRequestError, code: 'amount_too_large', param: 'amount', statusCode: 400 });
    await stripe.transfers.create({ amount: 1_000, currency: 'usd', destination: seller.id, source_transaction: charge });
    server.clock.advance(3 * 86_400);
    await releaseAvailableFunds(server.deps);
    assert.equal((await stripe.balanceTransactions.retrieve(transfer.balance_transaction as string)).status, 'available');
    assert.equal(await pending(seller.id), sellerPending);
    await ledgerClean();
  });

  it('reverses a transfer in part, then the rest by default; never more than was transferred; list and retrieve; transfer.reversed', async () => {
    await fundPlatform(10_000);
    const transfer = await stripe.transfers.create({ amount: 4_000, currency: 'usd', destination: seller.id });
    const platformBefore = await available();
    const sellerBefore = await available(seller.id);
    const partial = await stripe.transfers.createReversal(transfer.id, { amount: 1_500, metadata: { reason: 'partial' } });
    assert.match(partial.id, /^trr_/);
    assert.equal(partial.object, 'transfer_reversal');
    assert.equal(partial.amount, 1_500);
    assert.equal(partial.transfer, transfer.id);
    assert.equal(await available(), platformBefore + 1_500);
    assert.equal(await available(seller.id), sellerBefore - 1_500);
    const afterPartial = await stripe.transfers.retrieve(transfer.id);
    assert.equal(afterPartial.amount_reversed, 1_500);
    assert.equal(afterPartial.reversed, false);
    assert.deepEqual(afterPartial.reversals.data.map((item) => item.id), [partial.id]);
    const reversedEvent = (await stripe.events.list({ type: 'transfer.reversed', limit: 1 })).data[0];
    assert.deepEqual(reversedEvent.data.previous_attributes && (reversedEvent.data.previous_attributes as { amount_reversed: number }).amount_reversed, 0);

    await expectStripeError(stripe.transfers.createReversal(transfer.id, { amount: 2_501 }), { class: Stripe.errors.StripeInvalidRequestError, code: 'amount_too_large', param: 'amount', statusCode: 400 });
    const rest = await stripe.transfers.createReversal(transfer.id);
    assert.equal(rest.amount, 2_500);
    const reversed = await stripe.transfers.retrieve(transfer.id);
    assert.equal(reversed.reversed, true);
    assert.equal(reversed.amount_reversed, 4_000);
    await expectStripeError(stripe.transfers.createReversal(transfer.id, { amount: 1 }), { class: Stripe.errors.StripeInvalidRequestError, code: 'amount_too_large', statusCode: 400 });

    const platformTransaction = await stripe.balanceTransactions.retrieve(rest.balance_transaction as string);
    assert.equal(platformTransaction.type, 'transfer_refund');
    assert.equal(platformTransaction.amount, 2_500);
    const sellerRefunds = (await stripe.balanceTransactions.list({ type: 'payment_refund' }, { stripeAccount: seller.id })).data;
    assert.ok(sellerRefunds.some((item) => item.amount === -2_500 && item.source === transfer.destination_payment));

    assert.deepEqual((await stripe.transfers.listReversals(transfer.id)).data.map((item) => item.id), [rest.id, partial.id]);
    assert.equal((await stripe.transfers.retrieveReversal(transfer.id, partial.id)).amount, 1_500);
    assert.deepEqual((await stripe.transfers.updateReversal(transfer.id, partial.id, { metadata: { reason: 'changed' } })).metadata, { reason: 'changed' });
    await expectStripeError(stripe.transfers.retrieveReversal(transfer.id, 'trr_missing'), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(stripe.transfers.createReversal('tr_missing'), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    await ledgerClean();
  });

  it('concurrent reversals never reverse more than was transferred', async () => {
    await fundPlatform(5_000);
    const transfer = await stripe.transfers.create({ amount: 1_000, currency: 'usd', destination: seller.id });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => stripe.transfers.createReversal(transfer.id, { amount: 300 })));
    const succeeded = results.filter((result) => result.status === 'fulfilled');
    assert.equal(succeeded.length, 3);
    const after = await stripe.transfers.retrieve(transfer.id);
    assert.equal(after.amount_reversed, 900);
    await ledgerClean();
  });

  it('concurrent transfers and payouts never together overdraw the available balance', async () => {
    const other = await server.createAccount('Busy platform');
    const otherSeller = await onboardedSeller(other.stripe);
    await fundPlatform(10_000, other);
    const balance = (await other.stripe.balance.retrieve()).available.find((entry) => entry.currency === 'usd')!.amount;
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => other.stripe.transfers.create({ amount: Math.floor(balance / 4), currency: 'usd', destination: otherSeller.id })));
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 4);
    assert.ok((await other.stripe.balance.retrieve()).available.find((entry) => entry.currency === 'usd')!.amount >= 0);
    await ledgerClean();
  });

  it('the marketplace walk-through of docs/connect.md: charge, transfer with source_transaction, refund, reversal', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const charge = intent.latest_charge as string;
    const transfer = await stripe.transfers.create({ amount: 9_000, currency: 'usd', destination: seller.id, source_transaction: charge, transfer_group: 'ORDER_42' });
    await stripe.refunds.create({ charge, amount: 5_000 });
    const reversal = await stripe.transfers.createReversal(transfer.id, { amount: 4_500 });
    assert.equal(reversal.amount, 4_500);
    // What remains of the charge for transfers: 10000 - 5000 refunded - (9000 - 4500) transferred.
    await expectStripeError(stripe.transfers.create({ amount: 501, currency: 'usd', destination: seller.id, source_transaction: charge }), { class: Stripe.errors.StripeInvalidRequestError, code: 'amount_too_large', statusCode: 400 });
    await stripe.transfers.create({ amount: 500, currency: 'usd', destination: seller.id, source_transaction: charge });
    await ledgerClean();
  });

  it('a restricted key needs rak_transfer_write to transfer and rak_transfer_read to list', async () => {
    const reader = await platform.stripe.rawRequest('POST', '/v1/payrail/api_keys', { type: 'restricted', name: 'transfers reader', permissions: { transfer: 'read' } }) as unknown as { secret: string };
    const restricted = server.stripeFor(reader.secret);
    await restricted.transfers.list();
    const refused = await expectStripeError(restricted.transfers.create({ amount: 100, currency: 'usd', destination: seller.id }), { class: Stripe.errors.StripePermissionError, statusCode: 403 });
    assert.match(refused.message, /rak_transfer_write/);
  });
});
