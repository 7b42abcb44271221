import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { buildApp } from '../src/api/app.ts';
import { buildDependencies } from '../src/dependencies.ts';
import { createPool } from '../src/platform/db.ts';
import { defaultSettings } from '../src/accounts/settings.ts';
import { saveAccountSettings } from '../src/accounts/settings-repository.ts';
import { runLedgerJobs, releaseAvailableFunds } from '../src/ledger/jobs.ts';
import { ownerBalances } from '../src/ledger/repository.ts';
import { sealAll } from '../src/ledger/sealer.ts';
import { verifyLedger } from '../src/ledger/verify.ts';
import { resolvePendingRefunds } from '../src/refunds/service.ts';
import { secondsPerDay } from '../src/platform/clock.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/** Postings of every entry whose source is `sourceId`, as "kind currency amount" lines (debit positive). */
async function postingsOf(server: TestServer, sourceId: string): Promise<{ type: string; resolves: string | null; lines: string[] }[]> {
  const result = await server.db.query<{ id: string; type: string; resolves_entry_id: string | null; lines: string[] }>(
    `SELECT e.id, e.type, e.resolves_entry_id,
            array_agg(p.owner_id || ' ' || p.kind || ' ' || p.currency || ' ' || p.amount ORDER BY p.line) AS lines
       FROM ledger_entries e JOIN ledger_postings p ON p.entry_id = e.id
      WHERE e.source_id = $1 GROUP BY e.id, e.type, e.resolves_entry_id, e.seq ORDER BY e.seq`,
    [sourceId],
  );
  return result.rows.map((row) => ({ type: row.type, resolves: row.resolves_entry_id, lines: row.lines }));
}

async function merchantBalances(server: TestServer, accountId: string): Promise<Record<string, number>> {
  const rows = await ownerBalances(server.db, accountId, false);
  return Object.fromEntries(rows.filter((row) => row.balance !== 0).map((row) => [`${row.kind} ${row.currency}`, -row.balance]));
}

describe('the ledger under the payments core', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  async function freshAccount(): Promise<TestAccount> {
    return server.createAccount('Ledger merchant');
  }

  it('posts an automatically captured charge: receivable, net to pending, fee to the platform', async () => {
    const { accountId, stripe } = await freshAccount();
    const intent = await stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const chargeId = intent.latest_charge as string;
    // 2.9% of 100.00 = 2.90, plus 0.30: 3.20.
    assert.deepEqual(await postingsOf(server, chargeId), [{
      type: 'charge', resolves: null,
      lines: ['platform provider_receivable usd 10000', `${accountId} merchant_pending usd -9680`, 'platform fee_revenue usd -320'],
    }]);
    const charge = await stripe.charges.retrieve(chargeId, { expand: ['balance_transaction'] });
    const transaction = charge.balance_transaction as Stripe.BalanceTransaction;
    assert.equal(transaction.object, 'balance_transaction');
    assert.equal(transaction.amount, 10_000);
    assert.equal(transaction.fee, 320);
    assert.equal(transaction.net, 9_680);
    assert.equal(transaction.type, 'charge');
    assert.equal(transaction.status, 'pending');
    assert.equal(transaction.source, chargeId);
    assert.equal(transaction.available_on % secondsPerDay, 0, 'available at midnight UTC');
    assert.equal(transaction.available_on, Math.floor(charge.created / secondsPerDay) * secondsPerDay + 2 * secondsPerDay);
    assert.deepEqual(await merchantBalances(server, accountId), { 'merchant_pending usd': 9_680 });
  });

  it('holds an authorization, and a partial capture posts the captured part and releases the whole hold', async () => {
    const { accountId, stripe } = await freshAccount();
    const intent = await stripe.paymentIntents.create({ amount: 5_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' });
    const chargeId = intent.latest_charge as string;
    assert.deepEqual(await merchantBalances(server, accountId), { 'merchant_authorized usd': 5_000 }, 'the hold is visible');
    assert.equal((await stripe.charges.retrieve(chargeId)).balance_transaction, null, 'no balance transaction before capture');

    await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 3_000 });
    const entries = await postingsOf(server, chargeId);
    assert.equal(entries.length, 2);
    assert.deepEqual(entries[0].lines, ['platform authorizations_pending usd 5000', `${accountId} merchant_authorized usd -5000`]);
    assert.equal(entries[0].type, 'authorization_hold');
    assert.equal(entries[1].type, 'capture');
    const holdId = (await server.db.query('SELECT hold_entry_id FROM charges WHERE id = $1', [chargeId])).rows[0].hold_entry_id;
    assert.equal(entries[1].resolves, holdId, 'the capture resolves the hold');
    // 2.9% of 30.00 = 0.87, plus 0.30.
    assert.deepEqual(entries[1].lines, [
      `${accountId} merchant_authorized usd 5000`, 'platform authorizations_pending usd -5000',
      'platform provider_receivable usd 3000', `${accountId} merchant_pending usd -2883`, 'platform fee_revenue usd -117',
    ]);
    assert.deepEqual(await merchantBalances(server, accountId), { 'merchant_pending usd': 2_883 }, 'the uncaptured 20.00 is released');
  });

  it('voids the hold when an authorization is canceled, and nothing reaches the balance', async () => {
    const { accountId, stripe } = await freshAccount();
    const intent = await stripe.paymentIntents.create({ amount: 4_200, currency: 'eur', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' });
    await stripe.paymentIntents.cancel(intent.id);
    const entries = await postingsOf(server, intent.latest_charge as string);
    assert.deepEqual(entries.map((entry) => entry.type), ['authorization_hold', 'hold_release']);
    assert.deepEqual(await merchantBalances(server, accountId), {});
  });

  it('records nothing in the ledger for a declined card', async () => {
    const { accountId, stripe } = await freshAccount();
    await assert.rejects(stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }));
    const count = await server.db.query('SELECT count(*)::int AS n FROM ledger_entries WHERE account_id = $1', [accountId]);
    assert.equal(count.rows[0].n, 0);
  });

  it('adds the international card surcharge for a card issued outside the account country', async () => {
    const { stripe } = await freshAccount();
    const intent = await stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_gb', confirm: true, expand: ['latest_charge.balance_transaction'] });
    const transaction = (intent.latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction;
    assert.equal(transaction.fee, 320 + 150);
    assert.deepEqual(transaction.fee_details.map((detail) => [detail.amount, detail.description]), [[320, 'Payrail processing fees'], [150, 'International card fee']]);
  });

  it('converts a charge in a currency the account does not settle in, at a recorded rate, with the conversion fee', async () => {
    const { accountId, stripe } = await freshAccount();
    const intent = await stripe.paymentIntents.create({ amount: 10_000, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });
    const chargeId = intent.latest_charge as string;
    const charge = await stripe.charges.retrieve(chargeId, { expand: ['balance_transaction'] });
    const transaction = charge.balance_transaction as Stripe.BalanceTransaction;
    // The default rates file has 0.92 EUR per USD: 100.00 EUR is 108.70 USD.
    assert.equal(transaction.currency, 'usd');
    assert.equal(transaction.amount, 10_870);
    assert.ok(Math.abs((transaction.exchange_rate ?? 0) - 1 / 0.92) < 1e-9);
    // 2.9% of 108.70 = 3.15, + 0.30, + 1% conversion = 1.09.
    assert.equal(transaction.fee, 315 + 30 + 109);
    assert.deepEqual(await postingsOf(server, chargeId), [{
      type: 'charge', resolves: null,
      lines: ['platform provider_receivable eur 10000', 'platform fx_clearing eur -10000', 'platform fx_clearing usd 10870',
        `${accountId} merchant_pending usd -10416`, 'platform fee_revenue usd -454'],
    }]);

    // A refund of half converts back at the charge's own rate.
    const refund = await stripe.refunds.create({ charge: chargeId, amount: 5_000, expand: ['balance_transaction'] });
    const refundTransaction = refund.balance_transaction as Stripe.BalanceTransaction;
    assert.equal(refundTransaction.type, 'refund');
    assert.equal(refundTransaction.amount, -5_435);
    assert.equal(refundTransaction.currency, 'usd');
    assert.equal(refundTransaction.status, 'available');
    assert.deepEqual(await merchantBalances(server, accountId), { 'merchant_pending usd': 10_416, 'merchant_available usd': -5_435 });
  });

  it('settles in a currency the account lists, without conversion', async () => {
    const { accountId, stripe } = await freshAccount();
    await saveAccountSettings(server.db, { ...defaultSettings(accountId), settlement_currencies: ['eur'], payout_delay_days: 0, updated: 1 });
    server.deps.settings.forget(accountId);
    const intent = await stripe.paymentIntents.create({ amount: 10_000, currency: 'eur', payment_method: 'pm_card_visa', confirm: true, expand: ['latest_charge.balance_transaction'] });
    const transaction = (intent.latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction;
    assert.equal(transaction.currency, 'eur');
    assert.equal(transaction.exchange_rate, null);
    assert.equal(transaction.fee, 290 + 25);
    // Delay 0: available from today's midnight, so the settlement job releases it at once.
    await releaseAvailableFunds(server.deps);
    assert.deepEqual(await merchantBalances(server, accountId), { 'merchant_available eur': 9_685 });
    assert.equal((await stripe.balanceTransactions.retrieve(transaction.id)).status, 'available');
  });

  it('moves funds from pending to available when available_on passes, and a larger refund makes available negative', async () => {
    const { accountId, stripe } = await freshAccount();
    const first = await stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await releaseAvailableFunds(server.deps);
    assert.deepEqual(await merchantBalances(server, accountId), { 'merchant_pending usd': 1_912 }, 'not yet available');
    server.clock.advance(3 * secondsPerDay);
    await runLedgerJobs(server.deps);
    assert.deepEqual(await merchantBalances(server, accountId), { 'merchant_available usd': 1_912 });

    const second = await stripe.paymentIntents.create({ amount: 5_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    // Refunding the second in full draws 50.00 from an available balance of 19.12.
    await stripe.refunds.create({ payment_intent: second.id });
    assert.deepEqual(await merchantBalances(server, accountId), { 'merchant_available usd': 1_912 - 5_000, 'merchant_pending usd': 4_825 });
    // When the second charge's funds mature, they cover the negative balance.
    server.clock.advance(3 * secondsPerDay);
    await runLedgerJobs(server.deps);
    assert.deepEqual(await merchantBalances(server, accountId), { 'merchant_available usd': 1_912 - 5_000 + 4_825 });
    assert.ok(first.id);
  });

  it('returns the money of a refund that fails later, with a reversing entry and a refund_failure transaction', async () => {
    const { accountId, stripe } = await freshAccount();
    // Stripe's test card whose refunds fail some time after they were made.
    const paymentMethod = await stripe.paymentMethods.create({ type: 'card', card: { number: '4000000000005126', exp_month: 12, exp_year: 2034, cvc: '123' } });
    const intent = await stripe.paymentIntents.create({ amount: 3_000, currency: 'usd', payment_method: paymentMethod.id, confirm: true });
    const refund = await stripe.refunds.create({ payment_intent: intent.id });
    assert.equal(refund.status, 'pending');
    assert.equal((await stripe.charges.retrieve(intent.latest_charge as string)).amount_refunded, 3_000);
    assert.deepEqual(await merchantBalances(server, accountId), { 'merchant_pending usd': 2_883, 'merchant_available usd': -3_000 });

    assert.ok((await resolvePendingRefunds(server.deps)) >= 1);
    const failed = await stripe.refunds.retrieve(refund.id, { expand: ['failure_balance_transaction'] });
    assert.equal(failed.status, 'failed');
    assert.equal(failed.failure_reason, 'expired_or_canceled_card');
    const reversal = failed.failure_balance_transaction as Stripe.BalanceTransaction;
    assert.equal(reversal.type, 'refund_failure');
    assert.equal(reversal.amount, 3_000);
    assert.equal(reversal.source, refund.id);
    assert.deepEqual((await postingsOf(server, refund.id)).map((entry) => entry.type), ['refund', 'refund_failure']);
    assert.deepEqual(await merchantBalances(server, accountId), { 'merchant_pending usd': 2_883 });
    assert.equal((await stripe.charges.retrieve(intent.latest_charge as string)).amount_refunded, 0);
    const events = await stripe.events.list({ type: 'refund.failed' });
    assert.ok(events.data.some((event) => (event.data.object as Stripe.Refund).id === refund.id));
    // A second sweep finds nothing left to do.
    assert.equal(await resolvePendingRefunds(server.deps), 0);
  });

  // The test's timeout catches a deadlock; it is generous so that a loaded machine is not taken for one.
  it('never waits for a second pooled connection while holding one (a busy pool must not deadlock)', { timeout: 120_000 }, async () => {
    // A pool of two connections, settings and rates not cached: every confirmation holds a connection while it
    // needs the account's settings. They must be read through the connection it holds.
    const url = (server.db as unknown as { options: { connectionString: string } }).options.connectionString;
    const pool = createPool(url, 2);
    const deps = buildDependencies({ db: pool, secretBox: server.deps.secretBox, connector: server.deps.connectors.builtIn, publicUrl: server.baseUrl, clock: server.clock });
    const app = buildApp(deps);
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { secretKey } = await freshAccount();
      const stripe = server.stripeFor(secretKey);
      const port = (app.server.address() as AddressInfo).port;
      const direct = new (stripe.constructor as typeof Stripe)(secretKey, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
      const payments = await Promise.all(Array.from({ length: 12 }, (_, index) =>
        direct.paymentIntents.create({ amount: 1_000 + index, currency: index % 2 ? 'eur' : 'usd', payment_method: 'pm_card_visa', confirm: true })));
      assert.ok(payments.every((intent) => intent.status === 'succeeded'));
    } finally {
      await app.close();
      await pool.end();
    }
  });

  it('debits the bank account for a negative available balance on the payout day, unless the account opts out', async () => {
    const debited = await freshAccount();
    const keptNegative = await freshAccount();
    await saveAccountSettings(server.db, { ...defaultSettings(keptNegative.accountId), debit_negative_balances: false, updated: 1 });
    server.deps.settings.forget(keptNegative.accountId);
    for (const { accountId, stripe } of [debited, keptNegative]) {
      await stripe.accounts.createExternalAccount(accountId, { external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: '000123456789', routing_number: '110000000' } });
      const intent = await stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      // Refunded at once: available is -20.00 while the charge's 18.12 is still pending.
      await stripe.refunds.create({ payment_intent: intent.id });
    }
    await runLedgerJobs(server.deps);
    const [debit] = (await debited.stripe.payouts.list()).data;
    assert.equal(debit.amount, -2_000, 'a payout of negative amount: the bank account is debited');
    assert.equal(debit.automatic, true);
    assert.deepEqual(await merchantBalances(server, debited.accountId), { 'merchant_pending usd': 1_912, 'merchant_payouts_in_transit usd': -2_000 });
    assert.equal((await keptNegative.stripe.payouts.list()).data.length, 0, 'no debit when the account opts out');
    assert.deepEqual(await merchantBalances(server, keptNegative.accountId), { 'merchant_pending usd': 1_912, 'merchant_available usd': -2_000 });

    server.clock.advance(3 * secondsPerDay);
    await runLedgerJobs(server.deps);
    assert.equal((await debited.stripe.payouts.retrieve(debit.id)).status, 'paid');
    // The charge matured into a positive balance, which the daily schedule paid out the same day.
    assert.deepEqual(await merchantBalances(server, debited.accountId), { 'merchant_payouts_in_transit usd': 1_912 });
    assert.deepEqual((await debited.stripe.payouts.list()).data.map((payout) => [payout.amount, payout.status]), [[1_912, 'in_transit'], [-2_000, 'paid']]);
    const report = await verifyLedger(server.db);
    assert.deepEqual(report.problems, []);
  });

  it('seals everything into hash chains and verifies clean', async () => {
    await sealAll(server.db);
    const report = await verifyLedger(server.db);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.ok(report.entries > 10 && report.sealedEntries === report.entries);
    const unsealed = await server.db.query('SELECT count(*)::int AS n FROM ledger_entries WHERE chain_position IS NULL');
    assert.equal(unsealed.rows[0].n, 0);
  });

  it('derives the same balances before and after sealing', async () => {
    const { accountId, stripe } = await freshAccount();
    await stripe.paymentIntents.create({ amount: 3_000, currency: 'gbp', payment_method: 'pm_card_visa', confirm: true });
    const before = await merchantBalances(server, accountId);
    await sealAll(server.db);
    assert.deepEqual(await merchantBalances(server, accountId), before);
  });
});
