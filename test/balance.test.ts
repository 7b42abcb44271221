import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { releaseAvailableFunds } from '../src/ledger/jobs.ts';
import { secondsPerDay, startOfDay } from '../src/platform/clock.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;

type Amounts = { amount: number; currency: string; source_types: { card: number } }[];
/** The balance object with the Payrail extensions, which the SDK's types do not know. */
type PayrailBalance = Stripe.Balance & { payrail_authorized: Amounts; payrail_in_transit: Amounts };

const zero = (currency: string): Amounts => [{ amount: 0, currency, source_types: { card: 0 } }];
const amounts = (...entries: [number, string][]): Amounts => entries.map(([amount, currency]) => ({ amount, currency, source_types: { card: amount } }));

describe('balance and balance transactions through the official stripe SDK', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  async function balanceOf(account: TestAccount): Promise<PayrailBalance> {
    return (await account.stripe.balance.retrieve()) as unknown as PayrailBalance;
  }

  async function allTransactions(account: TestAccount, params: Stripe.BalanceTransactionListParams = {}): Promise<Stripe.BalanceTransaction[]> {
    return account.stripe.balanceTransactions.list({ limit: 100, ...params }).autoPagingToArray({ limit: 1000 });
  }

  /** A succeeded card payment; returns its charge id. */
  async function pay(account: TestAccount, amount: number, currency = 'usd', paymentMethod = 'pm_card_visa'): Promise<string> {
    const intent = await account.stripe.paymentIntents.create({ amount, currency, payment_method: paymentMethod, confirm: true });
    assert.equal(intent.status, 'succeeded');
    return intent.latest_charge as string;
  }

  async function transactionOf(account: TestAccount, sourceId: string): Promise<Stripe.BalanceTransaction> {
    const list = await account.stripe.balanceTransactions.list({ source: sourceId });
    assert.equal(list.data.length, 1, `one balance transaction for ${sourceId}`);
    return list.data[0];
  }

  /** An account with its own card pricing (2.5% + 20 cents in usd) and a three-day settlement delay. */
  async function pricedAccount(): Promise<TestAccount> {
    const account = await server.createAccount();
    await account.stripe.accounts.update(account.accountId, {
      settings: { payouts: { schedule: { delay_days: 3 } } },
      payrail_settings: { pricing: { rules: { card: { usd: { percent_bps: 250, fixed: 20 } } } } },
    } as Stripe.AccountUpdateParams);
    return account;
  }

  it('shows a fresh account a zero balance in its default currency, in both modes', async () => {
    const account = await server.createAccount();
    const balance = await balanceOf(account);
    assert.equal(balance.object, 'balance');
    assert.equal(balance.livemode, false);
    assert.deepEqual(balance.available, zero('usd'));
    assert.deepEqual(balance.pending, zero('usd'));
    assert.deepEqual(balance.payrail_authorized, zero('usd'));
    assert.deepEqual(balance.payrail_in_transit, zero('usd'));
    const live = await server.liveKeys(account.accountId);
    const liveBalance = (await live.stripe.balance.retrieve()) as unknown as PayrailBalance;
    assert.equal(liveBalance.livemode, true);
    assert.deepEqual(liveBalance.available, zero('usd'));

    const list = await account.stripe.balanceTransactions.list();
    assert.deepEqual(list.data, []);
    assert.equal(list.has_more, false);
    assert.equal(list.url, '/v1/balance_transactions');
    await expectStripeError(server.stripeFor(account.publishableKey).balance.retrieve(), { class: Stripe.errors.StripeAuthenticationError, code: 'secret_key_required', statusCode: 401 });
  });

  it('documents the balance, balance transaction and account endpoints, with the Payrail extensions, in the OpenAPI document', async () => {
    const response = await server.request('GET', '/v1/openapi.json');
    assert.equal(response.status, 200);
    const paths = response.json.paths as Record<string, Record<string, { operationId: string; summary: string }>>;
    assert.equal(paths['/v1/balance'].get.operationId, 'GetBalance');
    assert.match(paths['/v1/balance'].get.summary, /payrail_authorized/);
    assert.match(paths['/v1/balance'].get.summary, /payrail_in_transit/);
    assert.equal(paths['/v1/balance_transactions'].get.operationId, 'GetBalanceTransactions');
    assert.equal(paths['/v1/balance_transactions/{id}'].get.operationId, 'GetBalanceTransactionsId');
    assert.equal(paths['/v1/account'].get.operationId, 'GetAccount');
    assert.equal(paths['/v1/accounts/{account}'].get.operationId, 'GetAccountsAccount');
    assert.equal(paths['/v1/accounts/{account}'].post.operationId, 'PostAccountsAccount');
    assert.match(paths['/v1/accounts/{account}'].post.summary, /payrail_settings/);
  });

  it('refuses unknown ids, other accounts\' transactions and bad list parameters', async () => {
    const account = await pricedAccount();
    const chargeId = await pay(account, 1000);
    const transaction = await transactionOf(account, chargeId);
    const other = await server.createAccount();
    for (const [stripe, id] of [[account.stripe, 'txn_doesnotexist'], [other.stripe, transaction.id], [(await server.liveKeys(account.accountId)).stripe, transaction.id]] as const) {
      const error = await expectStripeError(stripe.balanceTransactions.retrieve(id), { class: invalidRequest, type: 'invalid_request_error', code: 'resource_missing', param: 'id', statusCode: 404 });
      assert.match(error.message, new RegExp(`No such balance_transaction: '${id}'`));
    }
    assert.deepEqual((await other.stripe.balanceTransactions.list({ source: chargeId })).data, []);

    const cases: { params: Record<string, unknown>; code: string; param: string; statusCode?: number }[] = [
      { params: { type: 'Charge!' }, code: 'invalid_value', param: 'type' },
      { params: { currency: 'USD' }, code: 'invalid_value', param: 'currency' },
      { params: { currency: 'us' }, code: 'invalid_string_length', param: 'currency' },
      { params: { limit: 0 }, code: 'invalid_value', param: 'limit' },
      { params: { limit: 101 }, code: 'invalid_value', param: 'limit' },
      { params: { created: { gte: 'yesterday' } }, code: 'parameter_invalid_integer', param: 'created[gte]' },
      { params: { starting_after: 'txn_doesnotexist' }, code: 'resource_missing', param: 'starting_after', statusCode: 404 },
      { params: { available_on: 5 }, code: 'parameter_unknown', param: 'available_on' },
      { params: { expand: ['data.fee'] }, code: 'invalid_expand', param: 'expand[0]' },
    ];
    for (const { params, code, param, statusCode } of cases) {
      await expectStripeError(account.stripe.balanceTransactions.list(params as Stripe.BalanceTransactionListParams), { class: invalidRequest, code, param, statusCode: statusCode ?? 400 });
    }
  });

  it('credits captured card payments to pending, net of the configured fee, one charge transaction each', async () => {
    const account = await pricedAccount();
    const before = server.clock.nowSeconds();
    const charges = [await pay(account, 1000), await pay(account, 2000), await pay(account, 3333)];
    const after = server.clock.nowSeconds();
    // 2.5% + 20: 25 + 20; 50 + 20; 83.325 -> 83, + 20.
    const fees = [45, 70, 103];
    const amountsPaid = [1000, 2000, 3333];

    for (const [index, chargeId] of charges.entries()) {
      const transaction = await transactionOf(account, chargeId);
      assert.match(transaction.id, /^txn_/);
      assert.equal(transaction.object, 'balance_transaction');
      assert.equal(transaction.type, 'charge');
      assert.equal(transaction.reporting_category, 'charge');
      assert.equal(transaction.source, chargeId);
      assert.equal(transaction.amount, amountsPaid[index]);
      assert.equal(transaction.currency, 'usd');
      assert.equal(transaction.fee, fees[index]);
      assert.equal(transaction.net, amountsPaid[index] - fees[index]);
      assert.deepEqual(transaction.fee_details, [{ amount: fees[index], application: null, currency: 'usd', description: 'Payrail processing fees', type: 'stripe_fee' }]);
      assert.equal(transaction.exchange_rate, null);
      assert.equal(transaction.status, 'pending');
      assert.ok(transaction.created >= before && transaction.created <= after);
      // Available at midnight UTC, delay_days (3) days after the day of the capture.
      assert.equal(transaction.available_on, startOfDay(transaction.created) + 3 * secondsPerDay);
      assert.equal(transaction.available_on % secondsPerDay, 0);
      assert.deepEqual(await account.stripe.balanceTransactions.retrieve(transaction.id), transaction);
    }

    const balance = await balanceOf(account);
    assert.deepEqual(balance.pending, amounts([6000 + 333 - 45 - 70 - 103, 'usd']));
    assert.deepEqual(balance.available, zero('usd'));
    assert.deepEqual(balance.payrail_authorized, zero('usd'));
    const stored = await server.db.query('SELECT count(*)::int AS count FROM balance_transactions WHERE account_id = $1', [account.accountId]);
    assert.equal(stored.rows[0].count, 3);
  });

  it('adds the international surcharge for foreign cards and converts charges in currencies the account does not settle in', async () => {
    const account = await pricedAccount();
    const foreign = await transactionOf(account, await pay(account, 1000, 'usd', 'pm_card_gb'));
    // 25 + 20 processing, 1.5% international: 15.
    assert.equal(foreign.fee, 60);
    assert.deepEqual(foreign.fee_details.map((detail) => [detail.amount, detail.description]), [[45, 'Payrail processing fees'], [15, 'International card fee']]);

    // 10.00 EUR at 1 / 0.92 = 1.0869565217 is 10.87 USD; 2.5% of 1087 is 27.175 -> 27, + 20, + 1% conversion (10.87 -> 11).
    const converted = await transactionOf(account, await pay(account, 1000, 'eur'));
    assert.equal(converted.currency, 'usd');
    assert.equal(converted.amount, 1087);
    assert.equal(converted.exchange_rate, 1.0869565217);
    assert.equal(converted.fee, 58);
    assert.deepEqual(converted.fee_details.map((detail) => [detail.amount, detail.currency, detail.description]), [[47, 'usd', 'Payrail processing fees'], [11, 'usd', 'Currency conversion fee']]);

    // Once the account settles in euros, euro charges stay in euros, at the platform's euro price (2.9% + 25).
    await account.stripe.accounts.update(account.accountId, { payrail_settings: { settlement_currencies: ['eur'] } } as Stripe.AccountUpdateParams);
    const euros = await transactionOf(account, await pay(account, 1000, 'eur'));
    assert.equal(euros.currency, 'eur');
    assert.equal(euros.amount, 1000);
    assert.equal(euros.exchange_rate, null);
    assert.equal(euros.fee, 54);

    const balance = await balanceOf(account);
    assert.deepEqual(balance.pending, amounts([1000 - 60 + 1087 - 58, 'usd'], [1000 - 54, 'eur']), 'the default currency first, then the others');
    assert.deepEqual(balance.available, amounts([0, 'usd']));
  });

  it('filters and pages balance transactions like Stripe lists', async () => {
    const account = await pricedAccount();
    const charges: string[] = [];
    for (const amount of [500, 600, 700, 800, 900]) charges.push(await pay(account, amount));
    const euroCharge = await pay(account, 1000, 'eur');
    const refund = await account.stripe.refunds.create({ charge: charges[0], amount: 100 });

    const all = await allTransactions(account);
    assert.equal(all.length, 7);
    assert.deepEqual(all.map((transaction) => transaction.source), [refund.id, euroCharge, ...[...charges].reverse()], 'newest first');

    assert.deepEqual((await allTransactions(account, { type: 'charge' })).map((transaction) => transaction.source), [euroCharge, ...[...charges].reverse()]);
    assert.deepEqual((await allTransactions(account, { type: 'refund' })).map((transaction) => transaction.source), [refund.id]);
    assert.deepEqual(await allTransactions(account, { type: 'adjustment' }), [], 'a type Payrail has not written matches nothing');
    assert.deepEqual((await allTransactions(account, { source: charges[2] })).map((transaction) => transaction.amount), [700]);
    assert.deepEqual(await allTransactions(account, { payout: 'po_doesnotexist' }), []);
    // The euro charge settled in dollars: currency is the settlement currency.
    assert.equal((await allTransactions(account, { currency: 'usd' })).length, 7);
    assert.deepEqual(await allTransactions(account, { currency: 'eur' }), []);
    const newest = all[0].created;
    assert.equal((await allTransactions(account, { created: { lte: newest } })).length, 7);
    assert.deepEqual(await allTransactions(account, { created: { gt: newest } }), []);

    const first = await account.stripe.balanceTransactions.list({ limit: 3 });
    assert.deepEqual(first.data.map((transaction) => transaction.id), all.slice(0, 3).map((transaction) => transaction.id));
    assert.equal(first.has_more, true);
    const second = await account.stripe.balanceTransactions.list({ limit: 3, starting_after: first.data[2].id });
    assert.deepEqual(second.data.map((transaction) => transaction.id), all.slice(3, 6).map((transaction) => transaction.id));
    assert.equal(second.has_more, true);
    const last = await account.stripe.balanceTransactions.list({ limit: 3, starting_after: second.data[2].id });
    assert.deepEqual(last.data.map((transaction) => transaction.id), [all[6].id]);
    assert.equal(last.has_more, false);
    const back = await account.stripe.balanceTransactions.list({ limit: 2, ending_before: all[4].id });
    assert.deepEqual(back.data.map((transaction) => transaction.id), [all[2].id, all[3].id]);
    assert.equal(back.has_more, true);
  });

  it('expands a transaction\'s source to the charge or refund that moved the money', async () => {
    const account = await pricedAccount();
    const chargeId = await pay(account, 1500);
    const refund = await account.stripe.refunds.create({ charge: chargeId, amount: 500 });
    const chargeTransaction = await account.stripe.balanceTransactions.retrieve((await transactionOf(account, chargeId)).id, { expand: ['source'] });
    const charge = chargeTransaction.source as Stripe.Charge;
    assert.equal(charge.object, 'charge');
    assert.equal(charge.id, chargeId);
    assert.equal(charge.amount, 1500);
    const list = await account.stripe.balanceTransactions.list({ type: 'refund', expand: ['data.source'] });
    const refundSource = list.data[0].source as Stripe.Refund;
    assert.equal(refundSource.object, 'refund');
    assert.equal(refundSource.id, refund.id);
  });

  it('records refunds as refund transactions drawn from available funds, which may go negative', async () => {
    const account = await pricedAccount();
    const chargeId = await pay(account, 2000);
    const refund = await account.stripe.refunds.create({ charge: chargeId, amount: 750 });
    const transaction = await transactionOf(account, refund.id);
    assert.equal(transaction.type, 'refund');
    assert.equal(transaction.reporting_category, 'refund');
    assert.equal(transaction.amount, -750);
    assert.equal(transaction.fee, 0);
    assert.deepEqual(transaction.fee_details, []);
    assert.equal(transaction.net, -750);
    assert.equal(transaction.currency, 'usd');
    assert.equal(transaction.status, 'available');
    assert.equal(transaction.available_on, transaction.created, 'a refund takes funds at once');

    // The charge's funds are still pending, so the refund takes the available balance below zero; the fee stays paid.
    const balance = await balanceOf(account);
    assert.deepEqual(balance.available, amounts([-750, 'usd']));
    assert.deepEqual(balance.pending, amounts([2000 - 70, 'usd']));
    const transactions = await allTransactions(account);
    const sum = (status: string) => transactions.filter((entry) => entry.status === status).reduce((total, entry) => total + entry.net, 0);
    assert.equal(sum('available'), balance.available[0].amount, 'available is the sum of available transactions');
    assert.equal(sum('pending'), balance.pending[0].amount, 'pending is the sum of pending transactions');
  });

  it('shows authorization holds as payrail_authorized until they are captured or canceled', async () => {
    const account = await pricedAccount();
    const held = await account.stripe.paymentIntents.create({ amount: 4000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
    assert.equal(held.status, 'requires_capture');
    const canceled = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
    let balance = await balanceOf(account);
    assert.deepEqual(balance.payrail_authorized, amounts([5000, 'usd']));
    assert.deepEqual(balance.pending, zero('usd'));
    assert.deepEqual(await allTransactions(account), [], 'an authorization is not a balance transaction');

    await account.stripe.paymentIntents.cancel(canceled.id);
    // A partial capture releases the whole hold: 2.5% of 3000 + 20 = 95.
    await account.stripe.paymentIntents.capture(held.id, { amount_to_capture: 3000 });
    balance = await balanceOf(account);
    assert.deepEqual(balance.payrail_authorized, zero('usd'));
    assert.deepEqual(balance.pending, amounts([3000 - 95, 'usd']));
    const transaction = await transactionOf(account, held.latest_charge as string);
    assert.equal(transaction.amount, 3000);
    assert.equal(transaction.fee, 95);
  });
  // Runs last: it moves the shared clock forward, and the release job settles every account's due funds.
  it('moves funds from pending to available when available_on passes and the release job runs', async () => {
    const account = await pricedAccount();
    const first = await pay(account, 1000);
    const second = await pay(account, 2000);
    const refund = await account.stripe.refunds.create({ charge: first, amount: 300 });
    const availableOn = (await transactionOf(account, first)).available_on;
    assert.equal((await transactionOf(account, second)).available_on, availableOn, 'both captured the same day');
    const expected = { pending: 1000 - 45 + 2000 - 70, available: -300 };

    await releaseAvailableFunds(server.deps);
    let balance = await balanceOf(account);
    assert.deepEqual(balance.pending, amounts([expected.pending, 'usd']), 'nothing is due before available_on');
    assert.deepEqual(balance.available, amounts([expected.available, 'usd']));

    // A minute early (a margin wide enough that real time passing during the test cannot reach available_on).
    server.clock.advance(availableOn - server.clock.nowSeconds() - 60);
    await releaseAvailableFunds(server.deps);
    assert.deepEqual((await balanceOf(account)).pending, amounts([expected.pending, 'usd']), 'a minute early is still pending');

    server.clock.advance(60);
    assert.ok(await releaseAvailableFunds(server.deps) >= 2);
    balance = await balanceOf(account);
    assert.deepEqual(balance.pending, zero('usd'));
    assert.deepEqual(balance.available, amounts([expected.pending + expected.available, 'usd']));
    for (const sourceId of [first, second]) assert.equal((await transactionOf(account, sourceId)).status, 'available');
    assert.equal((await transactionOf(account, refund.id)).status, 'available');

    // Running the job again releases nothing twice.
    await releaseAvailableFunds(server.deps);
    assert.deepEqual((await balanceOf(account)).available, amounts([expected.pending + expected.available, 'usd']));

    // A charge captured now waits its own delay_days from today's midnight.
    const later = await transactionOf(account, await pay(account, 500));
    assert.equal(later.status, 'pending');
    assert.equal(later.available_on, startOfDay(server.clock.nowSeconds()) + 3 * secondsPerDay);

    // With delay_days 0, funds are due from the start of the day they were captured: the next run releases them.
    const immediate = await server.createAccount();
    await immediate.stripe.accounts.update(immediate.accountId, { settings: { payouts: { schedule: { delay_days: 0 } } } });
    const today = await transactionOf(immediate, await pay(immediate, 1000));
    assert.equal(today.available_on, startOfDay(today.created));
    await releaseAvailableFunds(server.deps);
    balance = await balanceOf(immediate);
    assert.deepEqual(balance.available, amounts([1000 - 59, 'usd']));
    assert.deepEqual(balance.pending, zero('usd'));

    const transactions = await allTransactions(account);
    const sum = (status: string) => transactions.filter((entry) => entry.status === status).reduce((total, entry) => total + entry.net, 0);
    const final = await balanceOf(account);
    assert.equal(sum('available'), final.available[0].amount);
    assert.equal(sum('pending'), final.pending[0].amount);
  });
});
