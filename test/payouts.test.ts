import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { defaultSettings } from '../src/accounts/settings.ts';
import { saveAccountSettings } from '../src/accounts/settings-repository.ts';
import { availabilityEntry, captureMovement } from '../src/ledger/movements.ts';
import { availableBalance, merchantBalance, writeMovement } from '../src/ledger/service.ts';
import { secondsPerDay, startOfDay } from '../src/platform/clock.ts';
import { inTransaction } from '../src/platform/db.ts';
import { randomBase62 } from '../src/platform/ids.ts';
import { advancePayouts, isPayoutDay, runPayoutSchedules } from '../src/payouts/jobs.ts';
import { payoutFailureMessages, type PayoutFailureCode } from '../src/payouts/provider.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;

describe('payouts through the official stripe SDK', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  /**
   * Available funds for an account. Until the payments core releases pending funds into the available balance (the
   * lead's release job), a balanced capture-then-availability movement is written directly.
   */
  async function fund(account: TestAccount, amount: number, currency = 'usd'): Promise<void> {
    const scope = { accountId: account.accountId, livemode: false };
    const now = server.clock.nowSeconds();
    const capture = captureMovement(scope, { id: `ch_${randomBase62(24)}`, amount, currency, description: null }, {
      currency, amount, settlementCurrency: currency, settlementAmount: amount, exchangeRate: null, fee: 0, feeDetails: [], availableOn: now,
    }, null, now);
    capture.balanceTransactions[0].status = 'available';
    await inTransaction(server.db, (client) => writeMovement(client, { entries: [...capture.entries, availabilityEntry(scope, currency, amount, now)], balanceTransactions: capture.balanceTransactions }));
  }

  async function available(account: TestAccount, currency = 'usd'): Promise<number> {
    // availableBalance negates a sum, so an empty balance comes back as -0; compare it as 0.
    return (await availableBalance(server.db, { accountId: account.accountId, livemode: false }, currency)) + 0;
  }

  async function inTransit(account: TestAccount, currency = 'usd'): Promise<number> {
    const balance = await merchantBalance(server.db, { accountId: account.accountId, livemode: false }, currency);
    return balance.in_transit.find((entry) => entry.currency === currency)?.amount ?? 0;
  }

  async function bankAccount(account: TestAccount, accountNumber = '000123456789'): Promise<Stripe.BankAccount> {
    return account.stripe.accounts.createExternalAccount(account.accountId, {
      external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: accountNumber, routing_number: '110000000' },
    }) as Promise<Stripe.BankAccount>;
  }

  async function eventTypesFor(id: string): Promise<string[]> {
    const result = await server.db.query("SELECT type FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq", [id]);
    return result.rows.map((row) => row.type);
  }

  async function balanceTransaction(id: string): Promise<{ type: string; amount: number; reporting_category: string; source_id: string; payout_id: string | null }> {
    const result = await server.db.query('SELECT type, amount, reporting_category, source_id, payout_id FROM balance_transactions WHERE id = $1', [id]);
    return result.rows[0];
  }

  it('pays out through pending, in_transit and paid, moving the ledger at each step', async () => {
    const account = await server.createAccount('happy path');
    const bank = await bankAccount(account);
    await fund(account, 10_000);
    const payout = await account.stripe.payouts.create({ amount: 4_000, currency: 'usd', description: 'Weekly payout', statement_descriptor: 'PAYRAIL', metadata: { run: '1' } });
    assert.match(payout.id, /^po_/);
    assert.equal(payout.object, 'payout');
    assert.equal(payout.amount, 4_000);
    assert.equal(payout.currency, 'usd');
    assert.equal(payout.status, 'pending');
    assert.equal(payout.automatic, false);
    assert.equal(payout.destination, bank.id, 'defaults to the default bank account of the currency');
    assert.equal(payout.method, 'standard');
    assert.equal(payout.type, 'bank_account');
    assert.equal(payout.source_type, 'card');
    assert.equal(payout.description, 'Weekly payout');
    assert.equal(payout.statement_descriptor, 'PAYRAIL');
    assert.deepEqual(payout.metadata, { run: '1' });
    assert.equal(payout.livemode, false);
    assert.equal(payout.failure_code, null);
    assert.equal(payout.failure_balance_transaction, null);
    const now = server.clock.nowSeconds();
    assert.ok(Math.abs(payout.created - now) <= 5);
    assert.equal(payout.arrival_date, startOfDay(payout.created) + 2 * secondsPerDay);
    assert.deepEqual(await balanceTransaction(payout.balance_transaction as string), { type: 'payout', amount: -4_000, reporting_category: 'payout', source_id: payout.id, payout_id: null });
    assert.equal(await available(account), 6_000);
    assert.equal(await inTransit(account), 4_000);

    const submitted = await advancePayouts(server.deps);
    assert.ok(submitted.submitted >= 1);
    assert.equal((await account.stripe.payouts.retrieve(payout.id)).status, 'in_transit');
    const again = await advancePayouts(server.deps);
    assert.equal((await account.stripe.payouts.retrieve(payout.id)).status, 'in_transit', 'not settled before its arrival date');
    assert.equal(again.paid, 0);
    const transfers = await server.db.query('SELECT amount, currency, account_number_last4, outcome FROM sandbox_payout_transfers WHERE idempotency_key = $1', [payout.id]);
    assert.deepEqual(transfers.rows, [{ amount: 4_000, currency: 'usd', account_number_last4: '6789', outcome: 'paid' }]);

    server.clock.advance(3 * secondsPerDay);
    await advancePayouts(server.deps);
    const paid = await account.stripe.payouts.retrieve(payout.id);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.failure_code, null);
    assert.equal(await available(account), 6_000);
    assert.equal(await inTransit(account), 0, 'the paid payout left the in-transit balance');
    assert.deepEqual(await eventTypesFor(payout.id), ['payout.created', 'payout.updated', 'payout.paid']);
    const paidEntries = await server.db.query("SELECT count(*)::int AS count FROM ledger_entries WHERE source_id = $1 AND type = 'payout_paid'", [payout.id]);
    assert.equal(paidEntries.rows[0].count, 1);
    await advancePayouts(server.deps);
    assert.equal((await server.db.query("SELECT count(*)::int AS count FROM ledger_entries WHERE source_id = $1 AND type = 'payout_paid'", [payout.id])).rows[0].count, 1, 'a later run does not pay twice');
  });

  it('returns the funds of a failed payout with a payout_failure balance transaction and Stripe failure details', async () => {
    const account = await server.createAccount('failure');
    const bank = await bankAccount(account, '000111111116');
    await fund(account, 5_000);
    const payout = await account.stripe.payouts.create({ amount: 5_000, currency: 'usd', destination: bank.id });
    assert.equal(await available(account), 0);
    await advancePayouts(server.deps);
    server.clock.advance(3 * secondsPerDay);
    await advancePayouts(server.deps);
    const failed = await account.stripe.payouts.retrieve(payout.id);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.failure_code, 'no_account');
    assert.equal(failed.failure_message, payoutFailureMessages.no_account);
    assert.ok(failed.failure_balance_transaction);
    assert.deepEqual(await balanceTransaction(failed.failure_balance_transaction as string), { type: 'payout_failure', amount: 5_000, reporting_category: 'payout_reversal', source_id: payout.id, payout_id: null });
    assert.equal(await available(account), 5_000, 'the funds are back in the available balance');
    assert.equal(await inTransit(account), 0);
    assert.deepEqual(await eventTypesFor(payout.id), ['payout.created', 'payout.updated', 'payout.failed']);
    const bankAfter = await account.stripe.accounts.retrieveExternalAccount(account.accountId, bank.id) as Stripe.BankAccount;
    assert.equal(bankAfter.status, 'errored');
  });

  it('maps each Stripe test account number to its failure code', async () => {
    const cases = { '000111111113': 'account_closed', '000222222227': 'insufficient_funds', '000333333335': 'debit_not_authorized', '000444444440': 'invalid_currency' } as const;
    const payouts: [string, PayoutFailureCode, TestAccount][] = [];
    for (const [number, code] of Object.entries(cases) as [string, PayoutFailureCode][]) {
      const account = await server.createAccount(`failure ${code}`);
      await bankAccount(account, number);
      await fund(account, 1_000);
      payouts.push([(await account.stripe.payouts.create({ amount: 1_000, currency: 'usd' })).id, code, account]);
    }
    await advancePayouts(server.deps);
    server.clock.advance(3 * secondsPerDay);
    await advancePayouts(server.deps);
    for (const [id, code, account] of payouts) {
      const payout = await account.stripe.payouts.retrieve(id);
      assert.equal(payout.status, 'failed');
      assert.equal(payout.failure_code, code);
      assert.equal(payout.failure_message, payoutFailureMessages[code]);
    }
  });

  it('pays out to an IBAN account; the Stripe failing test IBAN fails with no_account', async () => {
    const account = await server.createAccount('iban');
    const good = await account.stripe.accounts.createExternalAccount(account.accountId, { external_account: { object: 'bank_account', country: 'DE', currency: 'eur', account_number: 'DE89370400440532013000' } }) as Stripe.BankAccount;
    const bad = await account.stripe.accounts.createExternalAccount(account.accountId, { external_account: { object: 'bank_account', country: 'DE', currency: 'eur', account_number: 'DE62370400440532013001' } }) as Stripe.BankAccount;
    await fund(account, 3_000, 'eur');
    const first = await account.stripe.payouts.create({ amount: 1_000, currency: 'eur', destination: good.id });
    const second = await account.stripe.payouts.create({ amount: 1_000, currency: 'eur', destination: bad.id });
    await advancePayouts(server.deps);
    server.clock.advance(3 * secondsPerDay);
    await advancePayouts(server.deps);
    assert.equal((await account.stripe.payouts.retrieve(first.id)).status, 'paid');
    const failed = await account.stripe.payouts.retrieve(second.id);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.failure_code, 'no_account');
    assert.equal(await available(account, 'eur'), 2_000);
  });

  it('cancels a pending payout, returning its funds; only pending payouts can be canceled', async () => {
    const account = await server.createAccount('cancel');
    await bankAccount(account);
    await fund(account, 2_000);
    const payout = await account.stripe.payouts.create({ amount: 1_500, currency: 'usd' });
    assert.equal(await available(account), 500);
    const canceled = await account.stripe.payouts.cancel(payout.id);
    assert.equal(canceled.status, 'canceled');
    assert.ok(canceled.failure_balance_transaction);
    assert.deepEqual(await balanceTransaction(canceled.failure_balance_transaction as string), { type: 'payout_cancel', amount: 1_500, reporting_category: 'payout_reversal', source_id: payout.id, payout_id: null });
    assert.equal(await available(account), 2_000);
    assert.equal(await inTransit(account), 0);
    assert.deepEqual(await eventTypesFor(payout.id), ['payout.created', 'payout.canceled']);
    await expectStripeError(account.stripe.payouts.cancel(payout.id), { class: invalidRequest, statusCode: 400, code: 'payout_unexpected_state' });
    assert.equal(await available(account), 2_000, 'a second cancel returns nothing twice');
    await advancePayouts(server.deps);
    assert.equal((await account.stripe.payouts.retrieve(payout.id)).status, 'canceled', 'the job never submits a canceled payout');
    assert.equal((await server.db.query('SELECT count(*)::int AS count FROM sandbox_payout_transfers WHERE idempotency_key = $1', [payout.id])).rows[0].count, 0);

    const sent = await account.stripe.payouts.create({ amount: 1_000, currency: 'usd' });
    await advancePayouts(server.deps);
    await expectStripeError(account.stripe.payouts.cancel(sent.id), { class: invalidRequest, statusCode: 400, code: 'payout_unexpected_state' });
  });

  it('refuses a payout larger than the available balance with balance_insufficient, writing nothing', async () => {
    const account = await server.createAccount('insufficient');
    await bankAccount(account);
    await fund(account, 1_000);
    const counts = async () => (await server.db.query(
      `SELECT (SELECT count(*) FROM payouts WHERE account_id = $1)::int AS payouts, (SELECT count(*) FROM ledger_entries WHERE account_id = $1)::int AS entries,
              (SELECT count(*) FROM balance_transactions WHERE account_id = $1)::int AS transactions, (SELECT count(*) FROM events WHERE account_id = $1)::int AS events`,
      [account.accountId],
    )).rows[0];
    const before = await counts();
    await expectStripeError(account.stripe.payouts.create({ amount: 1_001, currency: 'usd' }), { class: invalidRequest, statusCode: 400, type: 'invalid_request_error', code: 'balance_insufficient' });
    assert.deepEqual(await counts(), before);
    assert.equal(await available(account), 1_000);
    await expectStripeError(account.stripe.payouts.create({ amount: 100, currency: 'eur' }), { class: invalidRequest, statusCode: 400, code: 'no_external_account', param: 'currency' });
    await expectStripeError(account.stripe.payouts.create({ amount: 100, currency: 'usd', method: 'instant' }), { class: invalidRequest, statusCode: 400, code: 'instant_payouts_unsupported', param: 'method' });
    await expectStripeError(account.stripe.payouts.create({ amount: 100, currency: 'usd', destination: 'ba_missing' }), { class: invalidRequest, statusCode: 404, code: 'resource_missing', param: 'destination' });
    await expectStripeError(account.stripe.payouts.create({ amount: 100, currency: 'usd', statement_descriptor: 'X'.repeat(23) }), { class: invalidRequest, statusCode: 400, param: 'statement_descriptor' });
    assert.deepEqual(await counts(), before);
  });

  it('never overdraws the balance under many concurrent payouts', async () => {
    const account = await server.createAccount('concurrency');
    await bankAccount(account);
    await fund(account, 10_000);
    const attempts = await Promise.allSettled(Array.from({ length: 25 }, () => account.stripe.payouts.create({ amount: 1_000, currency: 'usd' })));
    const succeeded = attempts.filter((attempt): attempt is PromiseFulfilledResult<Stripe.Response<Stripe.Payout>> => attempt.status === 'fulfilled');
    const refused = attempts.filter((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
    for (const attempt of refused) assert.equal((attempt.reason as Stripe.errors.StripeError).code, 'balance_insufficient');
    assert.equal(succeeded.length, 10, 'exactly the balance is paid out, no more');
    assert.equal(succeeded.reduce((sum, attempt) => sum + attempt.value.amount, 0), 10_000);
    assert.equal(await available(account), 0);
    const stored = await server.db.query('SELECT coalesce(sum(amount), 0)::int AS total FROM payouts WHERE account_id = $1', [account.accountId]);
    assert.equal(stored.rows[0].total, 10_000);
  });

  it('updates metadata with payout.updated and lists with status, destination and arrival_date filters', async () => {
    const account = await server.createAccount('lists');
    const first = await bankAccount(account);
    const second = await bankAccount(account, '000111111116');
    await fund(account, 3_000);
    const a = await account.stripe.payouts.create({ amount: 1_000, currency: 'usd' });
    const b = await account.stripe.payouts.create({ amount: 1_000, currency: 'usd', destination: second.id });
    const updated = await account.stripe.payouts.update(a.id, { metadata: { order: '42' } });
    assert.deepEqual(updated.metadata, { order: '42' });
    assert.deepEqual(await eventTypesFor(a.id), ['payout.created', 'payout.updated']);
    await account.stripe.payouts.cancel(b.id);
    assert.deepEqual((await account.stripe.payouts.list()).data.map((payout) => payout.id), [b.id, a.id]);
    assert.deepEqual((await account.stripe.payouts.list({ status: 'canceled' })).data.map((payout) => payout.id), [b.id]);
    assert.deepEqual((await account.stripe.payouts.list({ destination: first.id })).data.map((payout) => payout.id), [a.id]);
    assert.deepEqual((await account.stripe.payouts.list({ arrival_date: { gte: a.arrival_date } })).data.length, 2);
    assert.deepEqual((await account.stripe.payouts.list({ arrival_date: { gt: a.arrival_date } })).data, []);
    assert.deepEqual((await account.stripe.payouts.list({ created: { lt: a.created } })).data, []);
    const other = await server.createAccount('lists other');
    await expectStripeError(other.stripe.payouts.retrieve(a.id), { class: invalidRequest, statusCode: 404, code: 'resource_missing' });
  });

  it('knows weekly and monthly payout days, paying short months on their last day', () => {
    const day = (text: string) => Date.parse(`${text}T00:00:00Z`) / 1000;
    const weekly = { payout_interval: 'weekly' as const, payout_weekly_anchor: 'friday' as const, payout_monthly_anchor: 1 };
    assert.equal(isPayoutDay(weekly, day('2025-02-28')), true);
    assert.equal(isPayoutDay(weekly, day('2025-02-27')), false);
    const monthly = { payout_interval: 'monthly' as const, payout_weekly_anchor: 'monday' as const, payout_monthly_anchor: 31 };
    assert.equal(isPayoutDay(monthly, day('2025-02-28')), true);
    assert.equal(isPayoutDay(monthly, day('2024-02-28')), false, 'a leap February pays on the 29th');
    assert.equal(isPayoutDay(monthly, day('2024-02-29')), true);
    assert.equal(isPayoutDay(monthly, day('2025-03-30')), false);
    assert.equal(isPayoutDay(monthly, day('2025-03-31')), true);
    assert.equal(isPayoutDay({ ...monthly, payout_interval: 'daily' }, day('2025-03-30')), true);
    assert.equal(isPayoutDay({ ...monthly, payout_interval: 'manual' }, day('2025-03-31')), false);
  });

  it('creates exactly one automatic payout of the available balance per day, and none on a manual schedule', async () => {
    const account = await server.createAccount('automatic');
    const bank = await bankAccount(account);
    const manual = await server.createAccount('manual schedule');
    await bankAccount(manual);
    await saveAccountSettings(server.db, { ...defaultSettings(manual.accountId), payout_interval: 'manual', updated: server.clock.nowSeconds() });
    await fund(account, 7_000);
    await fund(account, 500);
    await fund(manual, 9_000);

    const [first, second] = await Promise.all([runPayoutSchedules(server.deps), runPayoutSchedules(server.deps)]);
    const mine = [...first.created, ...second.created].filter((payout) => payout.account_id === account.accountId);
    assert.equal(mine.length, 1, 'two concurrent runners make one payout');
    assert.equal([...first.created, ...second.created].filter((payout) => payout.account_id === manual.accountId).length, 0);
    const payout = await account.stripe.payouts.retrieve(mine[0].id);
    assert.equal(payout.automatic, true);
    assert.equal(payout.amount, 7_500);
    assert.equal(payout.destination, bank.id);
    assert.equal(payout.reconciliation_status, 'in_progress');
    assert.equal(await available(account), 0);
    assert.equal(await available(manual), 9_000);
    const paidOut = await server.db.query('SELECT type, amount::int FROM balance_transactions WHERE payout_id = $1 ORDER BY seq', [payout.id]);
    assert.deepEqual(paidOut.rows, [{ type: 'charge', amount: 7_000 }, { type: 'charge', amount: 500 }, { type: 'payout', amount: -7_500 }]);
    assert.deepEqual(await eventTypesFor(payout.id), ['payout.created']);

    await fund(account, 300);
    const later = await runPayoutSchedules(server.deps);
    assert.equal(later.created.filter((entry) => entry.account_id === account.accountId).length, 0, 'at most one per day');

    server.clock.advance(secondsPerDay);
    const nextDay = await runPayoutSchedules(server.deps);
    const next = nextDay.created.filter((entry) => entry.account_id === account.accountId);
    assert.equal(next.length, 1);
    assert.equal(next[0].amount, 300);
    const runs = await server.db.query('SELECT count(*)::int AS count FROM payout_runs WHERE account_id = $1 AND payout_id IS NOT NULL', [account.accountId]);
    assert.equal(runs.rows[0].count, 2);
  });
});
