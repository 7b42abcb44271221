import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { negativeBalanceClearingSeconds, sweepConnectReserves } from '../src/connect/reserves.ts';
import { releaseAvailableFunds } from '../src/ledger/jobs.ts';
import { expectLedgerClean, onboardedSeller, usdBalance } from './helpers/connect.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/*
 * The Connect reserve through the official stripe SDK: while a connected account whose losses the platform bears is
 * below zero, as much of the platform's balance is held in `connect_reserved` (reserve_transaction balance
 * transactions); it is released as the account recovers, and a negative balance that lasts 180 days is cleared by the
 * platform (connect_collection_transfer on both sides). An account whose losses are Stripe's (a Standard account) moves
 * nothing. `ledger verify` agrees after every step.
 */

describe('Connect reserves: a platform covers the negative balances of the accounts whose losses it bears', () => {
  let server: TestServer;
  let stripe: Stripe;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  const available = (accountId?: string) => usdBalance(stripe, 'available', accountId);
  const reserved = async () => (await stripe.balance.retrieve()).connect_reserved?.find((entry) => entry.currency === 'usd')?.amount;
  const sweep = () => sweepConnectReserves(server.deps);
  const lastTransaction = async (accountId?: string) => (await stripe.balanceTransactions.list({ limit: 1 }, accountId ? { stripeAccount: accountId } : {})).data[0];

  /** A direct charge on `accountId`, refunded in full before its funds are available: the account goes below zero. */
  async function refundedDirectCharge(accountId: string, amount: number): Promise<void> {
    const intent = await stripe.paymentIntents.create({ amount, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { stripeAccount: accountId });
    await stripe.refunds.create({ payment_intent: intent.id }, { stripeAccount: accountId });
  }

  it('holds the negative balance in reserve, releases it as the account recovers, and shows connect_reserved only to the platform', async () => {
    const seller = await onboardedSeller(stripe);
    assert.equal(seller.controller?.losses?.payments, 'application');
    assert.equal(await reserved(), 0, 'a platform sees connect_reserved, at zero at first');
    assert.equal((await stripe.balance.retrieve({}, { stripeAccount: seller.id })).connect_reserved, undefined, 'a connected account has no reserve of its own');

    const platformBefore = await available();
    await refundedDirectCharge(seller.id, 5_000);
    assert.equal(await available(seller.id), -5_000);
    assert.deepEqual(await sweep(), { negativeAccounts: 1, reserveChanges: 1, cleared: 0 });
    assert.equal(await reserved(), 5_000);
    assert.equal(await available(), platformBefore - 5_000, 'the reserve comes out of the platform\'s available balance, even below zero');
    const held = await lastTransaction();
    assert.equal(held.type, 'reserve_transaction');
    assert.equal(held.amount, -5_000);
    assert.equal(held.reporting_category, 'connect_reserved_funds');
    assert.equal(held.source, null);
    assert.deepEqual(await sweep(), { negativeAccounts: 1, reserveChanges: 0, cleared: 0 }, 'a second round changes nothing');
    await expectLedgerClean(server.db);

    // The charge's funds become available: the seller is short only the processing fee it kept paying.
    server.clock.advance(3 * 86_400);
    await releaseAvailableFunds(server.deps);
    const short = -(await available(seller.id));
    assert.ok(short > 0 && short < 5_000, `the seller is still ${short} short`);
    await sweep();
    assert.equal(await reserved(), short);
    assert.equal((await lastTransaction()).amount, 5_000 - short, 'the difference is released');

    // The platform (funded first) transfers what is missing: the seller is at zero, and the reserve is released.
    const funding = await stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    assert.equal(funding.status, 'succeeded');
    server.clock.advance(3 * 86_400);
    await releaseAvailableFunds(server.deps);
    await stripe.transfers.create({ amount: short, currency: 'usd', destination: seller.id });
    assert.equal(await available(seller.id), 0);
    assert.deepEqual(await sweep(), { negativeAccounts: 0, reserveChanges: 1, cleared: 0 });
    assert.equal(await reserved(), 0);
    await expectLedgerClean(server.db);
  });

  it('clears a negative balance that lasted 180 days from the reserve: the platform\'s funds make the account zero', async () => {
    const seller = await onboardedSeller(stripe);
    const platformBefore = await available();
    await refundedDirectCharge(seller.id, 3_000);
    await sweep();
    assert.equal(await reserved(), 3_000);
    server.clock.advance(negativeBalanceClearingSeconds - 86_400);
    assert.deepEqual(await sweep(), { negativeAccounts: 1, reserveChanges: 0, cleared: 0 }, 'a day before the 180 days, nothing is cleared');
    server.clock.advance(86_400);
    assert.deepEqual(await sweep(), { negativeAccounts: 0, reserveChanges: 1, cleared: 1 });
    assert.equal(await reserved(), 0);
    assert.equal(await available(seller.id), 0);
    assert.equal(await available(), platformBefore - 3_000, 'the platform paid the negative balance once');
    const platformSide = (await stripe.balanceTransactions.list({ type: 'connect_collection_transfer' })).data;
    assert.equal(platformSide.length, 1);
    assert.equal(platformSide[0].amount, -3_000);
    const sellerSide = await lastTransaction(seller.id);
    assert.equal(sellerSide.type, 'connect_collection_transfer');
    assert.equal(sellerSide.amount, 3_000);
    assert.equal(sellerSide.status, 'available');
    assert.deepEqual(await sweep(), { negativeAccounts: 0, reserveChanges: 0, cleared: 0 });
    await expectLedgerClean(server.db);
  });

  it('moves nothing for an account whose losses are not the platform\'s (controller.losses.payments = stripe)', async () => {
    const seller = await onboardedSeller(stripe, { type: undefined, controller: { losses: { payments: 'stripe' }, fees: { payer: 'account' }, stripe_dashboard: { type: 'full' } } } as Partial<Stripe.AccountCreateParams>);
    assert.equal(seller.controller?.losses?.payments, 'stripe');
    await refundedDirectCharge(seller.id, 2_000);
    assert.equal(await available(seller.id), -2_000);
    const before = await reserved();
    await sweep();
    assert.equal(await reserved(), before);
    await expectLedgerClean(server.db);
  });
});
