/**
 * Property-based test of the ledger: random sequences of money operations (charges in several currencies, manual
 * captures, cancels, refunds, settings changes, bank accounts, payouts, clock moves with the background jobs, sealing)
 * run through the official stripe SDK against one server, each sequence on a fresh account, while a model written
 * here — independently of src/ — predicts every balance transaction (amount, fee, net, currency, rate, status,
 * available date) and every balance. After each sequence the ledger must verify, every entry must balance, the
 * balance must equal both the model and the sum of the balance transactions, and sealing must give the same sums.
 *
 * A second part corrupts rows behind the triggers' back and checks that `verifyLedger` and `payrail ledger verify`
 * notice, and that the database itself refuses unbalanced or changed postings.
 *
 * Environment: LEDGER_PROPERTY_RUNS (sequences, default 40; `npm run test:deep` runs 300) and LEDGER_PROPERTY_SEED (fast-check's seed, printed on
 * failure) widen or reproduce a run; LEDGER_PROPERTY_SHRINK=1 lets fast-check shrink a failing sequence (slow, and
 * off by default because every shrink step is a whole sequence against the server); LEDGER_DEBUG=1 prints each
 * operation with the model's balances after it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type pg from 'pg';
import Stripe from 'stripe';
import { defaultSettings, type AccountSettings } from '../src/accounts/settings.ts';
import { saveAccountSettings } from '../src/accounts/settings-repository.ts';
import { defaultExchangeRatesFile } from '../src/dependencies.ts';
import type { PricingOverrides } from '../src/fees/pricing.ts';
import { runLedgerJobs } from '../src/ledger/jobs.ts';
import { sealAll, sealLedger } from '../src/ledger/sealer.ts';
import { verifyLedger } from '../src/ledger/verify.ts';
import { submitChallengePage } from './helpers/challenge.ts';
import { payrailCli } from './helpers/platform-process.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

const day = 86_400;
const dayOf = (seconds: number): number => Math.floor(seconds / day) * day;
const runs = Number(process.env.LEDGER_PROPERTY_RUNS ?? 40);
const seed = process.env.LEDGER_PROPERTY_SEED === undefined ? undefined : Number(process.env.LEDGER_PROPERTY_SEED);

// ---------------------------------------------------------------------------------------------------------------
// The model's own arithmetic: exponents, exchange rates, conversion and fees, written from the documented rules
// (docs/ledger.md, Stripe's pricing), not imported from src/. Only data is shared: the rates file and the platform's
// default price list.
// ---------------------------------------------------------------------------------------------------------------

const currencies = ['usd', 'eur', 'gbp', 'jpy', 'kwd'] as const;
type Currency = (typeof currencies)[number];
const exponents: Record<Currency, number> = { usd: 2, eur: 2, gbp: 2, jpy: 0, kwd: 3 };
const minimumAmounts: Record<Currency, number> = { usd: 50, eur: 50, gbp: 30, jpy: 50, kwd: 50 };
const maximumAmounts: Record<Currency, number> = { usd: 300_000, eur: 300_000, gbp: 300_000, jpy: 400_000, kwd: 900_000 };

const rateDecimals = 10;
const rateScale = 10n ** BigInt(rateDecimals);
const ratesFile = JSON.parse(fs.readFileSync(defaultExchangeRatesFile, 'utf8')) as { base: string; rates: Record<string, string> };

/** A decimal text rate as an integer scaled by 10^10. */
function scaledRate(text: string): bigint {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole) * rateScale + BigInt(fraction.padEnd(rateDecimals, '0').slice(0, rateDecimals) || '0');
}

function roundedDivide(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** Units of `to` per unit of `from`, scaled by 10^10: quoted directly, inverted, or crossed over the file's base (usd). */
function expectedRate(from: Currency, to: Currency): bigint {
  assert.equal(ratesFile.base, 'usd');
  const perDollar = (currency: Currency) => scaledRate(ratesFile.rates[currency]);
  if (from === to) return rateScale;
  if (from === 'usd') return perDollar(to);
  if (to === 'usd') return roundedDivide(rateScale * rateScale, perDollar(from));
  return roundedDivide(perDollar(to) * rateScale, perDollar(from));
}

function convert(amount: number, from: Currency, to: Currency, rate: bigint): number {
  const numerator = BigInt(amount) * rate * 10n ** BigInt(exponents[to]);
  return Number(roundedDivide(numerator, rateScale * 10n ** BigInt(exponents[from])));
}

function rateAsNumber(rate: bigint): number {
  return Number(`${rate / rateScale}.${(rate % rateScale).toString().padStart(rateDecimals, '0')}`);
}

/** `amount * bps / 10000`, rounded half up. */
const basisPoints = (amount: number, bps: number): number => Math.floor((amount * bps * 2 + 10_000) / 20_000);

interface Rule { percent_bps: number; fixed: number }
/** The platform's default card prices (Stripe's standard pricing), as configured. */
const defaultCardRules: Record<string, Rule> = {
  '*': { percent_bps: 290, fixed: 0 }, usd: { percent_bps: 290, fixed: 30 }, eur: { percent_bps: 290, fixed: 25 }, gbp: { percent_bps: 290, fixed: 20 },
  cad: { percent_bps: 290, fixed: 30 }, aud: { percent_bps: 290, fixed: 30 }, chf: { percent_bps: 290, fixed: 30 }, jpy: { percent_bps: 360, fixed: 0 },
};

function expectedFee(pricing: PricingOverrides, settlementCurrency: Currency, settlementAmount: number, international: boolean, converted: boolean): number {
  const rules: Record<string, Rule> = Object.fromEntries(Object.entries(defaultCardRules).map(([currency, rule]) => [currency, { ...rule }]));
  for (const [currency, override] of Object.entries(pricing.rules?.card ?? {})) {
    const base = rules[currency] ?? rules['*'];
    rules[currency] = { percent_bps: override.percent_bps ?? base.percent_bps, fixed: override.fixed ?? base.fixed };
  }
  const rule = rules[settlementCurrency] ?? rules['*'];
  let fee = basisPoints(settlementAmount, rule.percent_bps) + rule.fixed;
  if (international) fee += basisPoints(settlementAmount, pricing.international_bps ?? 150);
  if (converted) fee += basisPoints(settlementAmount, pricing.currency_conversion_bps ?? 100);
  // A fee never exceeds what it is charged on: a tiny charge nets zero rather than a negative amount.
  return Math.min(fee, settlementAmount);
}

const weekdayNames = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

function isPayoutDay(settings: AccountSettings, dayStart: number): boolean {
  const date = new Date(dayStart * 1000);
  switch (settings.payout_interval) {
    case 'manual':
      return false;
    case 'daily':
      return true;
    case 'weekly':
      return weekdayNames[date.getUTCDay()] === settings.payout_weekly_anchor;
    case 'monthly': {
      const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
      return date.getUTCDate() === Math.min(settings.payout_monthly_anchor, daysInMonth);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Operations.
// ---------------------------------------------------------------------------------------------------------------

type Card = 'pm_card_visa' | 'pm_card_gb';

/** Currencies the test pays out in, with a bank account that is paid and one that fails (Stripe's test numbers). */
const payoutCurrencies = ['usd', 'eur', 'gbp'] as const;
type PayoutCurrency = (typeof payoutCurrencies)[number];
/** `funded`: a payout currency the model holds funds in (so payouts are not mostly refused), else the default one. */
type PayoutCurrencyChoice = PayoutCurrency | 'default' | 'funded';
const payoutCurrencyChoice = fc.constantFrom<PayoutCurrencyChoice>('funded', 'funded', 'funded', 'default', ...payoutCurrencies);
const bankAccounts: Record<PayoutCurrency, { country: string; routing_number?: string; paid: string; failing?: string }> = {
  usd: { country: 'US', routing_number: '110000000', paid: '000123456789', failing: '000111111116' },
  eur: { country: 'DE', paid: 'DE89370400440532013000', failing: 'DE62370400440532013001' },
  gbp: { country: 'GB', paid: 'GB82WEST12345698765432' },
};
const cardCountries: Record<Card, string> = { pm_card_visa: 'US', pm_card_gb: 'GB' };

type Operation =
  | { kind: 'charge'; currency: Currency; amount: number; card: Card; manual: boolean }
  | { kind: 'capture'; pick: number; mode: 'full' | 'partial' | 'too_much'; fraction: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'refund'; pick: number; mode: 'full' | 'partial' | 'too_much'; fraction: number; byIntent: boolean }
  | { kind: 'settings'; settings: Pick<AccountSettings, 'country' | 'default_currency' | 'settlement_currencies' | 'payout_interval' | 'payout_delay_days' | 'payout_weekly_anchor' | 'payout_monthly_anchor' | 'pricing' | 'debit_negative_balances'> }
  | { kind: 'bank_account'; currency: PayoutCurrencyChoice; failing: boolean; makeDefault: boolean }
  | { kind: 'payout'; currency: PayoutCurrencyChoice; mode: 'part' | 'too_much'; fraction: number }
  | { kind: 'cancel_payout'; pick: number }
  | { kind: 'advance'; days: number }
  | { kind: 'seal' };

/** A share of an amount: thousandths, with the ends (nothing, everything) more likely than chance. */
const fraction = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 1_000 }).map((thousandths) => thousandths / 1_000) }, { weight: 1, arbitrary: fc.constantFrom(0, 1) });
const amountFor = (currency: Currency) => fc.integer({ min: minimumAmounts[currency], max: maximumAmounts[currency] });

const chargeArbitrary: fc.Arbitrary<Operation> = fc.constantFrom<Currency>('usd', ...currencies).chain((currency) =>
  fc.record({
    kind: fc.constant('charge' as const),
    currency: fc.constant(currency),
    amount: fc.oneof(amountFor(currency), fc.integer({ min: minimumAmounts[currency], max: minimumAmounts[currency] * 4 })),
    card: fc.constantFrom<Card>('pm_card_visa', 'pm_card_visa', 'pm_card_gb'),
    manual: fc.boolean(),
  }));

const ruleOverride = fc.record({ percent_bps: fc.integer({ min: 0, max: 5_000 }), fixed: fc.integer({ min: 0, max: 1_000 }) }, { requiredKeys: [] });
const pricingArbitrary: fc.Arbitrary<PricingOverrides> = fc.oneof(
  fc.constant({}),
  fc.record({
    rules: fc.record({ card: fc.record({ usd: ruleOverride, eur: ruleOverride, gbp: ruleOverride, jpy: ruleOverride, '*': ruleOverride }, { requiredKeys: [] }) }),
    international_bps: fc.integer({ min: 0, max: 5_000 }),
    currency_conversion_bps: fc.integer({ min: 0, max: 5_000 }),
  }, { requiredKeys: ['rules'] }),
);

const settingsArbitrary: fc.Arbitrary<Operation> = fc.record({
  country: fc.constantFrom('US', 'GB'),
  default_currency: fc.constantFrom<Currency>('usd', 'usd', 'eur', 'gbp'),
  settlement_currencies: fc.subarray([...currencies]),
  payout_interval: fc.constantFrom<AccountSettings['payout_interval']>('daily', 'weekly', 'monthly', 'manual', 'manual'),
  payout_delay_days: fc.integer({ min: 0, max: 3 }),
  payout_weekly_anchor: fc.constantFrom(...weekdayNames),
  payout_monthly_anchor: fc.integer({ min: 1, max: 31 }),
  pricing: pricingArbitrary,
  debit_negative_balances: fc.boolean(),
}).map((settings) => ({ kind: 'settings' as const, settings: { ...settings, settlement_currencies: settings.settlement_currencies.filter((currency) => currency !== settings.default_currency) } }));

const bankAccountArbitrary: fc.Arbitrary<Operation> = fc.record({ kind: fc.constant('bank_account' as const), currency: payoutCurrencyChoice, failing: fc.boolean(), makeDefault: fc.boolean() });

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 8, arbitrary: chargeArbitrary },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('capture' as const), pick: fc.nat(), mode: fc.constantFrom('full' as const, 'partial' as const, 'partial' as const, 'too_much' as const), fraction }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), mode: fc.constantFrom('full' as const, 'partial' as const, 'partial' as const, 'too_much' as const), fraction, byIntent: fc.boolean() }) },
  { weight: 2, arbitrary: settingsArbitrary },
  { weight: 2, arbitrary: bankAccountArbitrary },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('payout' as const), currency: payoutCurrencyChoice, mode: fc.constantFrom('part' as const, 'part' as const, 'part' as const, 'too_much' as const), fraction }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel_payout' as const), pick: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.constantFrom(0, 1, 2, 2, 3, 3, 4) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'seal' as const }) },
);

// ---------------------------------------------------------------------------------------------------------------
// The model.
// ---------------------------------------------------------------------------------------------------------------

interface ExpectedTransaction {
  id?: string;
  type: 'charge' | 'refund' | 'payout' | 'payout_failure' | 'payout_cancel';
  source: string;
  amount: number;
  fee: number;
  net: number;
  currency: Currency;
  exchangeRate: number | null;
  status: 'pending' | 'available';
  availableOn: number;
}

interface ModelCharge {
  id: string;
  intentId: string;
  currency: Currency;
  amount: number;
  card: Card;
  state: 'authorized' | 'captured' | 'canceled';
  captured: number;
  refunded: number;
  settlementCurrency?: Currency;
  rate?: bigint | null;
}

interface ModelPayout {
  id: string;
  currency: PayoutCurrency;
  amount: number;
  arrivalDate: number;
  fails: boolean;
  automatic: boolean;
  status: 'pending' | 'in_transit' | 'paid' | 'failed' | 'canceled';
}

interface ModelBank { id: string; currency: PayoutCurrency; fails: boolean; isDefault: boolean }

class Model {
  settings: AccountSettings;
  readonly transactions: ExpectedTransaction[] = [];
  readonly charges: ModelCharge[] = [];
  readonly refunds: { id: string; chargeId: string }[] = [];
  readonly payouts: ModelPayout[] = [];
  readonly banks: ModelBank[] = [];
  /** Payout runs claimed: `${currency} ${day}`. */
  readonly payoutRunsClaimed = new Set<string>();

  constructor(accountId: string) {
    this.settings = defaultSettings(accountId);
  }

  sums(status: 'pending' | 'available'): Map<string, number> {
    const sums = new Map<string, number>();
    for (const transaction of this.transactions) {
      if (transaction.status === status) sums.set(transaction.currency, (sums.get(transaction.currency) ?? 0) + transaction.net);
    }
    return sums;
  }

  available(currency: Currency): number {
    return this.sums('available').get(currency) ?? 0;
  }

  authorized(): Map<string, number> {
    const sums = new Map<string, number>();
    for (const charge of this.charges) if (charge.state === 'authorized') sums.set(charge.currency, (sums.get(charge.currency) ?? 0) + charge.amount);
    return sums;
  }

  inTransit(): Map<string, number> {
    const sums = new Map<string, number>();
    for (const payout of this.payouts) if (payout.status === 'pending' || payout.status === 'in_transit') sums.set(payout.currency, (sums.get(payout.currency) ?? 0) + payout.amount);
    return sums;
  }

  payoutCurrency(choice: PayoutCurrencyChoice): PayoutCurrency {
    const fallback = (payoutCurrencies as readonly string[]).includes(this.settings.default_currency) ? this.settings.default_currency as PayoutCurrency : 'usd';
    if (choice === 'default') return fallback;
    if (choice !== 'funded') return choice;
    const available = this.sums('available');
    const pending = this.sums('pending');
    return payoutCurrencies.find((currency) => (available.get(currency) ?? 0) > 0) ?? payoutCurrencies.find((currency) => (pending.get(currency) ?? 0) > 0) ?? fallback;
  }

  defaultBank(currency: PayoutCurrency): ModelBank | undefined {
    return this.banks.find((bank) => bank.isDefault && bank.currency === currency);
  }

  /** What capturing `amount` of a charge settles to now: the transaction the capture must create. */
  captureTransaction(charge: ModelCharge, amount: number, capturedAt: number): ExpectedTransaction {
    const converted = charge.currency !== this.settings.default_currency && !this.settings.settlement_currencies.includes(charge.currency);
    const settlementCurrency = converted ? this.settings.default_currency as Currency : charge.currency;
    const rate = converted ? expectedRate(charge.currency, settlementCurrency) : null;
    const settlementAmount = rate === null ? amount : convert(amount, charge.currency, settlementCurrency, rate);
    const international = cardCountries[charge.card] !== this.settings.country;
    const fee = expectedFee(this.settings.pricing, settlementCurrency, settlementAmount, international, converted);
    charge.settlementCurrency = settlementCurrency;
    charge.rate = rate;
    return {
      type: 'charge', source: charge.id, amount: settlementAmount, fee, net: settlementAmount - fee, currency: settlementCurrency,
      exchangeRate: rate === null ? null : rateAsNumber(rate), status: 'pending', availableOn: dayOf(capturedAt) + this.settings.payout_delay_days * day,
    };
  }

  refundTransaction(charge: ModelCharge, refundId: string, amount: number, refundedAt: number): ExpectedTransaction {
    const converted = charge.rate === null || charge.rate === undefined ? amount : convert(amount, charge.currency, charge.settlementCurrency!, charge.rate);
    // A tiny refund can convert to nothing (1 fils is a third of a cent); the transaction then shows 0, not -0.
    const settled = converted === 0 ? 0 : converted;
    if (settled === 0) return { type: 'refund', source: refundId, amount: 0, fee: 0, net: 0, currency: charge.settlementCurrency!, exchangeRate: charge.rate ? rateAsNumber(charge.rate) : null, status: 'available', availableOn: refundedAt };
    return {
      type: 'refund', source: refundId, amount: -settled, fee: 0, net: -settled, currency: charge.settlementCurrency!,
      exchangeRate: charge.rate ? rateAsNumber(charge.rate) : null, status: 'available', availableOn: refundedAt,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------

type Balance = Stripe.Balance & { payrail_authorized: Stripe.Balance.Available[]; payrail_in_transit: Stripe.Balance.Available[] };

function nonZero(amounts: { amount: number; currency: string }[]): Record<string, number> {
  return Object.fromEntries(amounts.filter((entry) => entry.amount !== 0).map((entry) => [entry.currency, entry.amount]).sort());
}

function nonZeroMap(sums: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...sums].filter(([, amount]) => amount !== 0).sort());
}

function describeOperations(operations: Operation[]): string {
  return operations.map((operation) => JSON.stringify(operation)).join('\n  ');
}

describe('ledger properties: random operation sequences keep the ledger, balances and balance transactions consistent', () => {
  let server: TestServer;
  let knownProblems = new Set<string>();
  const totals = { sequences: 0, operations: 0, transactions: 0, automaticPayouts: 0, outcomes: new Map<string, number>() };

  before(async () => {
    server = await startTestServer();
    // Midday UTC: every date the ledger uses (available_on, arrival dates, payout days) falls on a midnight, and
    // whole-day clock moves keep the test clock far from one, so the model and the server agree on "today".
    const now = server.clock.nowSeconds();
    server.clock.advance((day / 2 - (now % day) + day) % day);
  });
  after(async () => {
    await server?.close();
  });

  async function balanceOf(account: TestAccount): Promise<Balance> {
    return (await account.stripe.balance.retrieve()) as unknown as Balance;
  }

  async function checkBalance(account: TestAccount, model: Model, where: string): Promise<void> {
    const balance = await balanceOf(account);
    assert.equal(balance.available[0].currency, model.settings.default_currency, `${where}: the default currency is listed first`);
    assert.deepEqual(nonZero(balance.available), nonZeroMap(model.sums('available')), `${where}: available balance`);
    assert.deepEqual(nonZero(balance.pending), nonZeroMap(model.sums('pending')), `${where}: pending balance`);
    assert.deepEqual(nonZero(balance.payrail_authorized), nonZeroMap(model.authorized()), `${where}: authorized holds`);
    assert.deepEqual(nonZero(balance.payrail_in_transit), nonZeroMap(model.inTransit()), `${where}: payouts in transit`);
  }

  async function transactionById(account: TestAccount, id: string | null | Stripe.BalanceTransaction): Promise<Stripe.BalanceTransaction> {
    assert.equal(typeof id, 'string', 'a balance transaction id');
    return account.stripe.balanceTransactions.retrieve(id as string);
  }

  function assertTransaction(actual: Stripe.BalanceTransaction, expected: ExpectedTransaction, where: string): void {
    assert.deepEqual(
      { type: actual.type, source: actual.source, amount: actual.amount, fee: actual.fee, net: actual.net, currency: actual.currency, exchange_rate: actual.exchange_rate, status: actual.status, available_on: actual.available_on },
      { type: expected.type, source: expected.source, amount: expected.amount, fee: expected.fee, net: expected.net, currency: expected.currency, exchange_rate: expected.exchangeRate, status: expected.status, available_on: expected.availableOn },
      `${where}: balance transaction ${actual.id}`,
    );
    assert.equal(actual.fee_details.reduce((sum, detail) => sum + detail.amount, 0), actual.fee, `${where}: fee details add up to the fee`);
  }

  /** Runs the background jobs at the current clock and moves the model the same way, in the jobs' order. */
  async function runJobs(account: TestAccount, model: Model): Promise<void> {
    const before = server.clock.nowSeconds();
    await runLedgerJobs(server.deps);
    const now = server.clock.nowSeconds();
    const today = dayOf(now);
    assert.equal(dayOf(before), today, 'the jobs ran within one day');
    // 1. Pending funds whose date has come become available.
    for (const transaction of model.transactions) if (transaction.status === 'pending' && transaction.availableOn <= now) transaction.status = 'available';
    // 2. The schedule: each currency with a default bank account, under a non-manual schedule, is looked at once a
    //    day; on a payout day its whole available balance is paid out to that bank account (or, if negative, debited).
    const expectedAutomatic = new Map<PayoutCurrency, { amount: number; bank: ModelBank }>();
    for (const currency of payoutCurrencies) {
      const bank = model.defaultBank(currency);
      if (!bank || model.settings.payout_interval === 'manual' || model.payoutRunsClaimed.has(`${currency} ${today}`)) continue;
      model.payoutRunsClaimed.add(`${currency} ${today}`);
      const available = model.available(currency);
      // A negative balance is debited from the bank account when debit_negative_balances allows it (the default).
      const due = available > 0 || (available < 0 && model.settings.debit_negative_balances);
      if (isPayoutDay(model.settings, today) && due) expectedAutomatic.set(currency, { amount: available, bank });
    }
    const listed = await account.stripe.payouts.list({ limit: 100 }).autoPagingToArray({ limit: 1_000 });
    const known = new Set(model.payouts.map((payout) => payout.id));
    const created = listed.filter((payout) => !known.has(payout.id));
    assert.deepEqual(created.map((payout) => payout.currency).sort(), [...expectedAutomatic.keys()].sort(), 'one automatic payout per currency due today');
    for (const payout of created) {
      const expected = expectedAutomatic.get(payout.currency as PayoutCurrency)!;
      assert.equal(payout.automatic, true);
      assert.equal(payout.amount, expected.amount, `automatic ${payout.currency} payout of the whole available balance`);
      assert.equal(payout.destination, expected.bank.id);
      totals.automaticPayouts += 1;
      if (payout.amount < 0) totals.outcomes.set('bank debit', (totals.outcomes.get('bank debit') ?? 0) + 1);
      model.payouts.push({ id: payout.id, currency: payout.currency as PayoutCurrency, amount: payout.amount, arrivalDate: today + 2 * day, fails: expected.bank.fails, automatic: true, status: 'pending' });
      model.transactions.push({ type: 'payout', source: payout.id, amount: -payout.amount, fee: 0, net: -payout.amount, currency: payout.currency as Currency, exchangeRate: null, status: 'available', availableOn: Number(payout.created) });
    }
    // 3. Pending payouts are sent; those whose arrival date has passed end paid, or failed back into the balance.
    for (const payout of model.payouts) {
      if (payout.status === 'pending') payout.status = 'in_transit';
      if (payout.status === 'in_transit' && payout.arrivalDate <= now) {
        payout.status = payout.fails ? 'failed' : 'paid';
        totals.outcomes.set(`payout ${payout.status}`, (totals.outcomes.get(`payout ${payout.status}`) ?? 0) + 1);
        if (payout.fails) {
          model.transactions.push({ type: 'payout_failure', source: payout.id, amount: payout.amount, fee: 0, net: payout.amount, currency: payout.currency, exchangeRate: null, status: 'available', availableOn: -1 });
        }
      }
    }
    const statuses = new Map(listed.map((payout) => [payout.id, payout]));
    for (const payout of model.payouts) {
      const actual = statuses.get(payout.id);
      assert.ok(actual, `payout ${payout.id} is listed`);
      assert.equal(actual.status, payout.status, `payout ${payout.id} (${payout.amount}, arrives ${payout.arrivalDate}, now ${now}) status`);
      assert.equal(actual.arrival_date, payout.arrivalDate, `payout ${payout.id} arrival date`);
      // The failing test accounts (000111111116, DE62370400440532013001) fail with no_account.
      if (payout.status === 'failed') assert.equal(actual.failure_code, 'no_account');
      assert.equal(actual.currency, payout.currency);
    }
  }

  /** Applies one operation to the server and the model; says whether it moved money, was refused, or had nothing to act on. */
  async function applyOperation(account: TestAccount, model: Model, operation: Operation): Promise<'done' | 'refused' | 'skipped'> {
    const { stripe } = account;
    switch (operation.kind) {
      case 'charge': {
        const before = server.clock.nowSeconds();
        let intent = await stripe.paymentIntents.create({
          amount: operation.amount, currency: operation.currency, payment_method: operation.card, confirm: true, capture_method: operation.manual ? 'manual' : 'automatic',
        });
        if (intent.status === 'requires_action') {
          // PSD2 (docs/sca.md): a UK account's payment by a UK card may need 3-D Secure (which payments are exempted is
          // test/strong-customer-authentication.test.ts's subject); the customer passes the challenge, and money moves
          // as for any card payment.
          assert.ok(model.settings.country === 'GB' && cardCountries[operation.card] === 'GB', `only a payment under PSD2 is challenged (${model.settings.country} account, ${operation.card})`);
          const url = intent.next_action?.redirect_to_url?.url;
          assert.ok(url, 'a challenge page');
          // Without a return_url the page answers with its own completion page (200), else it redirects (303).
          assert.ok([200, 303].includes((await submitChallengePage(url, 'complete')).status), 'the challenge is passed');
          intent = await stripe.paymentIntents.retrieve(intent.id);
        }
        assert.equal(intent.status, operation.manual ? 'requires_capture' : 'succeeded');
        const charge: ModelCharge = {
          id: intent.latest_charge as string, intentId: intent.id, currency: operation.currency, amount: operation.amount, card: operation.card,
          state: operation.manual ? 'authorized' : 'captured', captured: operation.manual ? 0 : operation.amount, refunded: 0,
        };
        model.charges.push(charge);
        if (!operation.manual) {
          const actual = await stripe.charges.retrieve(charge.id);
          const transaction = await transactionById(account, actual.balance_transaction as string);
          assert.ok(transaction.created >= before && transaction.created <= server.clock.nowSeconds(), 'the capture is dated by the server clock');
          const expected = model.captureTransaction(charge, operation.amount, transaction.created);
          assertTransaction(transaction, expected, `charge ${charge.id}`);
          model.transactions.push({ ...expected, id: transaction.id });
        }
        return 'done';
      }
      case 'capture': {
        const open = model.charges.filter((charge) => charge.state === 'authorized');
        if (open.length === 0) return 'skipped';
        const charge = open[operation.pick % open.length];
        if (operation.mode === 'too_much') {
          const error = await stripeErrorOf(stripe.paymentIntents.capture(charge.intentId, { amount_to_capture: charge.amount + 1 }));
          assert.equal(error.code, 'amount_too_large');
          assert.equal(error.param, 'amount_to_capture');
          return 'refused';
        }
        const amount = operation.mode === 'full' ? charge.amount : 1 + Math.floor(operation.fraction * (charge.amount - 1));
        const intent = await stripe.paymentIntents.capture(charge.intentId, operation.mode === 'full' ? {} : { amount_to_capture: amount });
        assert.equal(intent.status, 'succeeded');
        assert.equal(intent.amount_received, amount);
        charge.state = 'captured';
        charge.captured = amount;
        const actual = await stripe.charges.retrieve(charge.id);
        assert.equal(actual.amount_captured, amount);
        const transaction = await transactionById(account, actual.balance_transaction as string);
        const expected = model.captureTransaction(charge, amount, transaction.created);
        assertTransaction(transaction, expected, `capture of ${charge.id}`);
        model.transactions.push({ ...expected, id: transaction.id });
        return 'done';
      }
      case 'cancel': {
        const open = model.charges.filter((charge) => charge.state === 'authorized');
        if (open.length === 0) {
          const captured = model.charges.filter((charge) => charge.state === 'captured');
          if (captured.length === 0) return 'skipped';
          const error = await stripeErrorOf(stripe.paymentIntents.cancel(captured[operation.pick % captured.length].intentId));
          assert.equal(error.code, 'payment_intent_unexpected_state');
          return 'refused';
        }
        const charge = open[operation.pick % open.length];
        const intent = await stripe.paymentIntents.cancel(charge.intentId);
        assert.equal(intent.status, 'canceled');
        charge.state = 'canceled';
        const actual = await stripe.charges.retrieve(charge.id);
        assert.equal(actual.balance_transaction, null, 'a released authorization moves no balance');
        return 'done';
      }
      case 'refund': {
        const captured = model.charges.filter((charge) => charge.state === 'captured');
        if (captured.length === 0) return 'skipped';
        const charge = captured[operation.pick % captured.length];
        const remaining = charge.captured - charge.refunded;
        const target = operation.byIntent ? { payment_intent: charge.intentId } : { charge: charge.id };
        if (operation.mode === 'too_much' || remaining === 0) {
          const error = await stripeErrorOf(stripe.refunds.create({ ...target, ...(operation.mode === 'too_much' ? { amount: remaining + 1 } : {}) }));
          assert.equal(error.code, remaining === 0 ? 'charge_already_refunded' : 'amount_too_large');
          return 'refused';
        }
        const amount = operation.mode === 'full' ? remaining : 1 + Math.floor(operation.fraction * (remaining - 1));
        const refund = await stripe.refunds.create({ ...target, ...(operation.mode === 'full' ? {} : { amount }) });
        assert.equal(refund.status, 'succeeded');
        assert.equal(refund.amount, amount);
        assert.equal(refund.charge, charge.id);
        charge.refunded += amount;
        model.refunds.push({ id: refund.id, chargeId: charge.id });
        const transaction = await transactionById(account, refund.balance_transaction as string);
        const expected = model.refundTransaction(charge, refund.id, amount, transaction.created);
        assertTransaction(transaction, expected, `refund ${refund.id}`);
        model.transactions.push({ ...expected, id: transaction.id });
        return 'done';
      }
      case 'settings': {
        model.settings = { ...model.settings, ...operation.settings, updated: server.clock.nowSeconds() };
        await saveAccountSettings(server.db, model.settings);
        server.deps.settings.forget(account.accountId);
        return 'done';
      }
      case 'bank_account': {
        const currency = model.payoutCurrency(operation.currency);
        const details = bankAccounts[currency];
        const fails = operation.failing && details.failing !== undefined;
        const bank = await stripe.accounts.createExternalAccount(account.accountId, {
          external_account: {
            object: 'bank_account', country: details.country, currency, account_number: fails ? details.failing! : details.paid,
            ...(details.routing_number ? { routing_number: details.routing_number } : {}),
          },
          ...(operation.makeDefault ? { default_for_currency: true } : {}),
        }) as Stripe.BankAccount;
        const becomesDefault = operation.makeDefault || model.defaultBank(currency) === undefined;
        assert.equal(bank.default_for_currency, becomesDefault);
        assert.equal(bank.currency, currency);
        if (becomesDefault) for (const other of model.banks) if (other.currency === currency) other.isDefault = false;
        model.banks.push({ id: bank.id, currency, fails, isDefault: becomesDefault });
        return 'done';
      }
      case 'payout': {
        const currency = model.payoutCurrency(operation.currency);
        const available = model.available(currency);
        const bank = model.defaultBank(currency);
        const amount = operation.mode === 'part' && available >= 1 ? Math.max(1, Math.floor(available * operation.fraction)) : Math.max(available, 0) + 1 + Math.floor(operation.fraction * 1_000);
        if (!bank || amount > available) {
          const error = await stripeErrorOf(stripe.payouts.create({ amount, currency }));
          assert.equal(error.code, bank ? 'balance_insufficient' : 'no_external_account');
          return 'refused';
        }
        const payout = await stripe.payouts.create({ amount, currency });
        assert.equal(payout.status, 'pending');
        assert.equal(payout.amount, amount);
        assert.equal(payout.currency, currency);
        assert.equal(payout.destination, bank.id);
        assert.equal(payout.arrival_date, dayOf(payout.created) + 2 * day);
        model.payouts.push({ id: payout.id, currency, amount, arrivalDate: payout.arrival_date, fails: bank.fails, automatic: false, status: 'pending' });
        const transaction = await transactionById(account, payout.balance_transaction as string);
        const expected: ExpectedTransaction = { type: 'payout', source: payout.id, amount: -amount, fee: 0, net: -amount, currency, exchangeRate: null, status: 'available', availableOn: transaction.created };
        assertTransaction(transaction, expected, `payout ${payout.id}`);
        model.transactions.push({ ...expected, id: transaction.id });
        return 'done';
      }
      case 'cancel_payout': {
        if (model.payouts.length === 0) return 'skipped';
        const payout = model.payouts[operation.pick % model.payouts.length];
        if (payout.status !== 'pending') {
          const error = await stripeErrorOf(stripe.payouts.cancel(payout.id));
          assert.equal(error.code, 'payout_unexpected_state');
          return 'refused';
        }
        const canceled = await stripe.payouts.cancel(payout.id);
        assert.equal(canceled.status, 'canceled');
        payout.status = 'canceled';
        const transaction = await transactionById(account, canceled.failure_balance_transaction as string);
        const expected: ExpectedTransaction = { type: 'payout_cancel', source: payout.id, amount: payout.amount, fee: 0, net: payout.amount, currency: payout.currency, exchangeRate: null, status: 'available', availableOn: transaction.created };
        assertTransaction(transaction, expected, `cancel of payout ${payout.id}`);
        model.transactions.push({ ...expected, id: transaction.id });
        return 'done';
      }
      case 'advance': {
        server.clock.advance(operation.days * day);
        await runJobs(account, model);
        return 'done';
      }
      case 'seal': {
        await sealLedger(server.db);
        return 'done';
      }
    }
  }

  /** The checks after a whole sequence. */
  async function checkSequence(account: TestAccount, model: Model): Promise<void> {
    // Every balance transaction the model expects exists, with its values, and there are no others.
    const listed = await account.stripe.balanceTransactions.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    assert.equal(listed.length, model.transactions.length, 'one balance transaction per capture, refund, payout and payout failure or cancel');
    const byKey = new Map(listed.map((transaction) => [`${transaction.type}:${transaction.source}`, transaction]));
    assert.equal(byKey.size, listed.length, 'one balance transaction per source and type');
    for (const expected of model.transactions) {
      const actual = byKey.get(`${expected.type}:${expected.source}`);
      assert.ok(actual, `a ${expected.type} balance transaction for ${expected.source}`);
      if (expected.id) assert.equal(actual.id, expected.id);
      // Failure transactions are written by the job at its own time: the model knows their values, not the instant.
      assertTransaction(actual, { ...expected, availableOn: expected.availableOn === -1 ? actual.created : expected.availableOn }, 'after the sequence');
    }
    // The balance is the sum of the balance transactions' nets, by status and currency, and the model's.
    const sums = { pending: new Map<string, number>(), available: new Map<string, number>() };
    for (const transaction of listed) {
      const target = sums[transaction.status as 'pending' | 'available'];
      target.set(transaction.currency, (target.get(transaction.currency) ?? 0) + transaction.net);
    }
    const balance = await balanceOf(account);
    assert.deepEqual(nonZero(balance.available), nonZeroMap(sums.available), 'available = sum of available transactions');
    assert.deepEqual(nonZero(balance.pending), nonZeroMap(sums.pending), 'pending = sum of pending transactions');
    await checkBalance(account, model, 'after the sequence');

    // Every captured charge and every refund names its balance transaction; uncaptured ones have none.
    for (const charge of model.charges) {
      const actual = await account.stripe.charges.retrieve(charge.id);
      if (charge.state === 'captured') {
        assert.equal(actual.balance_transaction, byKey.get(`charge:${charge.id}`)?.id, `charge ${charge.id} names its balance transaction`);
        // As at Stripe, the uncaptured rest of a partially captured charge is reported as refunded.
        assert.equal(actual.amount_refunded, charge.refunded + charge.amount - charge.captured, `charge ${charge.id} amount_refunded`);
      } else {
        assert.equal(actual.balance_transaction, null, `${charge.state} charge ${charge.id} has no balance transaction`);
      }
    }
    for (const refund of model.refunds) {
      const actual = await account.stripe.refunds.retrieve(refund.id);
      assert.equal(actual.balance_transaction, byKey.get(`refund:${refund.id}`)?.id, `refund ${refund.id} names its balance transaction`);
    }

    // The ledger itself: every entry balances in every currency, and verify finds nothing new.
    const unbalanced = await server.db.query('SELECT entry_id, currency, sum(amount)::bigint AS sum FROM ledger_postings GROUP BY entry_id, currency HAVING sum(amount) <> 0');
    assert.deepEqual(unbalanced.rows, [], 'every entry balances');
    const report = await verifyLedger(server.db);
    const fresh = report.problems.filter((problem) => !knownProblems.has(problem));
    knownProblems = new Set(report.problems);
    assert.deepEqual(fresh, [], 'verifyLedger finds no problem');

    // Sealing everything keeps the balance and gives sealed balances equal to the sums of the postings.
    await sealAll(server.db);
    const unsealed = await server.db.query('SELECT count(*)::int AS count FROM ledger_entries WHERE chain_position IS NULL');
    assert.equal(unsealed.rows[0].count, 0, 'sealAll seals every committed entry');
    const mismatched = await server.db.query(
      `SELECT coalesce(b.owner_id, p.owner_id) AS owner_id, coalesce(b.kind, p.kind) AS kind, coalesce(b.currency, p.currency) AS currency, b.balance, p.sum
         FROM ledger_balances b
         FULL JOIN (SELECT owner_id, livemode, kind, currency, sum(amount)::bigint AS sum FROM ledger_postings GROUP BY owner_id, livemode, kind, currency) p
           ON p.owner_id = b.owner_id AND p.livemode = b.livemode AND p.kind = b.kind AND p.currency = b.currency
        WHERE b.balance IS DISTINCT FROM p.sum AND NOT (b.balance IS NULL AND p.sum = 0)`,
    );
    assert.deepEqual(mismatched.rows, [], 'sealed balances equal the sums of the postings');
    await checkBalance(account, model, 'after sealing');
    totals.transactions += listed.length;
  }

  it('holds for random sequences of charges, captures, cancels, refunds, settings, payouts, clock moves and sealing', { timeout: 15 * 60_000 }, async () => {
    const started = Date.now();
    await fc.assert(
      // Each sequence starts with a settings operation (so schedules, currencies and pricing vary from the start) and
      // usually a bank account or two, so that payouts are not mostly refused for want of one.
      fc.asyncProperty(fc.tuple(settingsArbitrary, fc.array(bankAccountArbitrary, { maxLength: 2 }), fc.array(operationArbitrary, { minLength: 15, maxLength: 50 }))
        .map(([settings, banks, rest]) => [settings, ...banks, ...rest]), async (operations) => {
        const account = await server.createAccount('ledger property');
        const model = new Model(account.accountId);
        try {
          for (const [index, operation] of operations.entries()) {
            const outcome = await applyOperation(account, model, operation);
            if (process.env.LEDGER_DEBUG) console.log(`#> ${outcome} ${JSON.stringify(operation)} avail=${JSON.stringify([...model.sums('available')])} pend=${JSON.stringify([...model.sums('pending')])}`);
            const key = `${operation.kind} ${outcome}`;
            totals.outcomes.set(key, (totals.outcomes.get(key) ?? 0) + 1);
            await checkBalance(account, model, `after operation ${index} ${JSON.stringify(operation)}`);
          }
          await checkSequence(account, model);
        } catch (error) {
          // fast-check prints the counterexample too; this names the account and the step, for reading the database.
          console.log(`# failing sequence on account ${account.accountId} after ${model.transactions.length} balance transactions:\n  ${describeOperations(operations)}\n# ${String((error as Error).stack)}`);
          throw error;
        } finally {
          // Retire the account from automatic payouts, so later sequences' job runs do not keep visiting it.
          await saveAccountSettings(server.db, { ...model.settings, payout_interval: 'manual', updated: server.clock.nowSeconds() });
        }
        totals.sequences += 1;
        totals.operations += operations.length;
      }),
      { numRuns: runs, seed, endOnFailure: process.env.LEDGER_PROPERTY_SHRINK === undefined },
    );
    // Every account's ledger, after all sequences, and with the background work of later days done.
    server.clock.advance(5 * day);
    await runLedgerJobs(server.deps);
    await sealAll(server.db);
    const report = await verifyLedger(server.db);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    console.log(`# ledger properties: ${totals.sequences} sequences, ${totals.operations} operations, ${totals.automaticPayouts} automatic payouts, `
      + `${totals.transactions} balance transactions checked, ${report.entries} entries verified, in ${((Date.now() - started) / 1000).toFixed(1)} s\n#   `
      + [...totals.outcomes].sort().map(([key, count]) => `${key}: ${count}`).join(', '));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Tampering: verify notices what the triggers would have refused, and the database refuses it in the first place.
// ---------------------------------------------------------------------------------------------------------------

describe('ledger tampering is detected by verify and refused by the database', () => {
  let server: TestServer;
  let account: TestAccount;
  let databaseUrl: string;
  let dataDirectory: string;

  before(async () => {
    server = await startTestServer();
    account = server.account;
    databaseUrl = server.db.options.connectionString!;
    dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-ledger-verify-'));
    fs.chmodSync(dataDirectory, 0o755);
    const { stripe } = account;
    // Sealed and unsealed entries of several kinds: charges in two currencies, a hold, a capture, a refund.
    await stripe.paymentIntents.create({ amount: 5_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await stripe.paymentIntents.create({ amount: 4_200, currency: 'eur', payment_method: 'pm_card_gb', confirm: true });
    const manual = await stripe.paymentIntents.create({ amount: 3_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' });
    await sealAll(server.db);
    await stripe.paymentIntents.capture(manual.id, { amount_to_capture: 2_000 });
    await stripe.refunds.create({ payment_intent: manual.id, amount: 500 });
    await stripe.paymentIntents.create({ amount: 900, currency: 'jpy', payment_method: 'pm_card_visa', confirm: true });
    await sealAll(server.db);
    await stripe.paymentIntents.create({ amount: 1_500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const report = await verifyLedger(server.db);
    assert.deepEqual(report.problems, []);
    assert.ok(report.sealedEntries >= 5 && report.sealedEntries < report.entries, 'some entries sealed, one not yet');
  });
  after(async () => {
    await server?.close();
    if (dataDirectory) fs.rmSync(dataDirectory, { recursive: true, force: true });
  });

  /** Runs `change` with the triggers off (session_replication_role = replica), verifies, then undoes it. */
  async function tampered(change: (client: pg.PoolClient) => Promise<void>, undo: (client: pg.PoolClient) => Promise<void>): Promise<string[]> {
    const client = await server.db.connect();
    let problems: string[];
    try {
      await client.query('SET session_replication_role = replica');
      await change(client);
      const report = await verifyLedger(server.db);
      assert.equal(report.ok, false, 'verify reports the tampering');
      assert.equal(report.problemCount, report.problems.length);
      problems = report.problems;
    } finally {
      await undo(client);
      await client.query('RESET session_replication_role');
      client.release();
    }
    const restored = await verifyLedger(server.db);
    assert.deepEqual(restored.problems, [], 'undoing the change makes the ledger verify again');
    return problems;
  }

  async function sealedEntry(type: string): Promise<{ id: string; account_id: string; chain_position: string; chain_hash: Buffer }> {
    const result = await server.db.query("SELECT id, account_id, chain_position, chain_hash FROM ledger_entries WHERE type = $1 AND chain_position IS NOT NULL ORDER BY seq LIMIT 1", [type]);
    assert.equal(result.rows.length, 1, `a sealed ${type} entry`);
    return result.rows[0];
  }

  it('reports a changed posting amount: unbalanced, or balanced but not matching the content hash', async () => {
    const entry = await sealedEntry('charge');
    const lines = (await server.db.query('SELECT line, amount FROM ledger_postings WHERE entry_id = $1 ORDER BY line', [entry.id])).rows as { line: number; amount: string }[];
    const problems = await tampered(
      (client) => client.query('UPDATE ledger_postings SET amount = amount + 1 WHERE entry_id = $1 AND line = 1', [entry.id]).then(() => undefined),
      (client) => client.query('UPDATE ledger_postings SET amount = $2 WHERE entry_id = $1 AND line = 1', [entry.id, lines[0].amount]).then(() => undefined),
    );
    assert.ok(problems.some((problem) => problem.includes(entry.id) && problem.includes('does not balance')), problems.join('\n'));
    assert.ok(problems.some((problem) => problem.includes('its postings sum to')), `the sealed balance no longer matches: ${problems.join('\n')}`);

    // Moving one unit between two postings keeps the entry balanced; only the content hash gives it away.
    const balancedProblems = await tampered(
      (client) => client.query('UPDATE ledger_postings SET amount = amount + CASE WHEN line = 1 THEN 1 ELSE -1 END WHERE entry_id = $1 AND line IN (1, $2)', [entry.id, lines.length]).then(() => undefined),
      (client) => client.query('UPDATE ledger_postings p SET amount = v.amount FROM unnest($2::int[], $3::bigint[]) AS v(line, amount) WHERE p.entry_id = $1 AND p.line = v.line', [entry.id, lines.map((line) => line.line), lines.map((line) => line.amount)]).then(() => undefined),
    );
    assert.ok(balancedProblems.some((problem) => problem.includes(entry.id) && problem.includes('content hash')), balancedProblems.join('\n'));
  });

  it('reports a changed chain hash of a sealed entry', async () => {
    const entry = await sealedEntry('refund');
    const problems = await tampered(
      (client) => client.query("UPDATE ledger_entries SET chain_hash = decode(repeat('ab', 32), 'hex') WHERE id = $1", [entry.id]).then(() => undefined),
      (client) => client.query('UPDATE ledger_entries SET chain_hash = $2 WHERE id = $1', [entry.id, entry.chain_hash]).then(() => undefined),
    );
    assert.ok(problems.some((problem) => problem.includes(`hash chain broken at entry ${entry.id}`)), problems.join('\n'));
  });

  it('reports a deleted entry: a gap in its chain, and the capture that resolved it naming a hold that is gone', async () => {
    const entry = await sealedEntry('authorization_hold');
    const row = (await server.db.query('SELECT * FROM ledger_entries WHERE id = $1', [entry.id])).rows[0];
    const postings = (await server.db.query('SELECT * FROM ledger_postings WHERE entry_id = $1 ORDER BY line', [entry.id])).rows;
    const problems = await tampered(
      async (client) => {
        await client.query('DELETE FROM ledger_postings WHERE entry_id = $1', [entry.id]);
        await client.query('DELETE FROM ledger_entries WHERE id = $1', [entry.id]);
      },
      async (client) => {
        const columns = Object.keys(row);
        await client.query(`INSERT INTO ledger_entries (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`, columns.map((column) => row[column]));
        for (const posting of postings) {
          const postingColumns = Object.keys(posting);
          await client.query(`INSERT INTO ledger_postings (${postingColumns.join(', ')}) VALUES (${postingColumns.map((_, index) => `$${index + 1}`).join(', ')})`, postingColumns.map((column) => posting[column]));
        }
      },
    );
    assert.ok(problems.some((problem) => problem.includes(`ledger ${entry.account_id}`) && problem.includes(`expected ${entry.chain_position}`)), problems.join('\n'));
    assert.ok(problems.some((problem) => problem.includes(entry.id) || problem.includes('authorization hold')), `the capture names a hold that is gone: ${problems.join('\n')}`);
  });

  it('reports a changed sealed balance, naming the account', async () => {
    const balance = (await server.db.query("SELECT owner_id, kind, currency, balance FROM ledger_balances WHERE owner_id = $1 AND kind = 'merchant_pending' AND currency = 'usd'", [account.accountId])).rows[0];
    assert.ok(balance, 'a sealed pending balance');
    const problems = await tampered(
      (client) => client.query("UPDATE ledger_balances SET balance = balance - 100 WHERE owner_id = $1 AND kind = 'merchant_pending' AND currency = 'usd'", [account.accountId]).then(() => undefined),
      (client) => client.query("UPDATE ledger_balances SET balance = $2 WHERE owner_id = $1 AND kind = 'merchant_pending' AND currency = 'usd'", [account.accountId, balance.balance]).then(() => undefined),
    );
    assert.ok(problems.some((problem) => problem.includes(`balance of ${account.accountId} test merchant_pending usd`)), problems.join('\n'));
  });

  it('payrail ledger verify exits 0 on a clean ledger and 1, printing the problem, after tampering', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, PAYRAIL_DATA_DIR: dataDirectory };
    const clean = spawnSync(process.execPath, [payrailCli, 'ledger', 'verify'], { env, encoding: 'utf8' });
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /ledger verify: OK/);

    const entry = await sealedEntry('charge');
    const client = await server.db.connect();
    try {
      await client.query('SET session_replication_role = replica');
      await client.query('UPDATE ledger_postings SET amount = amount * 2 WHERE entry_id = $1 AND line = 1', [entry.id]);
      const broken = spawnSync(process.execPath, [payrailCli, 'ledger', 'verify'], { env, encoding: 'utf8' });
      assert.equal(broken.status, 1, broken.stdout + broken.stderr);
      assert.match(broken.stdout, /ledger verify: \d+ problem\(s\)/);
      assert.ok(broken.stdout.includes(`entry ${entry.id} does not balance`), broken.stdout);
      const json = spawnSync(process.execPath, [payrailCli, 'ledger', 'verify', '--json'], { env, encoding: 'utf8' });
      assert.equal(json.status, 1);
      const report = JSON.parse(json.stdout) as { ok: boolean; problems: string[] };
      assert.equal(report.ok, false);
      assert.ok(report.problems.some((problem) => problem.includes(entry.id)));
      await client.query('UPDATE ledger_postings SET amount = amount / 2 WHERE entry_id = $1 AND line = 1', [entry.id]);
    } finally {
      await client.query('RESET session_replication_role');
      client.release();
    }
    const again = spawnSync(process.execPath, [payrailCli, 'ledger', 'verify'], { env, encoding: 'utf8' });
    assert.equal(again.status, 0, again.stdout + again.stderr);
  });

  async function refused(statements: (client: pg.PoolClient) => Promise<unknown>): Promise<{ code?: string; message: string }> {
    const client = await server.db.connect();
    try {
      await client.query('BEGIN');
      await statements(client);
      assert.fail('the database accepted the change');
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      return error as { code?: string; message: string };
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  it('refuses unbalanced or incomplete postings, changed or deleted postings, and changes to sealed entries', async () => {
    const insertEntry = (client: pg.PoolClient, id: string, count: number) => client.query(
      `INSERT INTO ledger_entries (id, account_id, livemode, type, posting_count, created, content_hash) VALUES ($1, $2, false, 'adjustment', $3, 0, '\\x00')`,
      [id, account.accountId, count],
    );
    const unbalanced = await refused(async (client) => {
      await insertEntry(client, 'le_unbalanced', 2);
      await client.query(
        `INSERT INTO ledger_postings (entry_id, line, line_count, owner_id, livemode, kind, currency, amount) VALUES
           ('le_unbalanced', 1, 2, 'platform', false, 'bank', 'usd', 100), ('le_unbalanced', 2, 2, $1, false, 'merchant_available', 'usd', -99)`,
        [account.accountId],
      );
    });
    assert.equal(unbalanced.code, '23514');
    assert.match(unbalanced.message, /ledger entry le_unbalanced does not balance in usd/);

    const otherCurrency = await refused(async (client) => {
      await insertEntry(client, 'le_two_currencies', 2);
      await client.query(
        `INSERT INTO ledger_postings (entry_id, line, line_count, owner_id, livemode, kind, currency, amount) VALUES
           ('le_two_currencies', 1, 2, 'platform', false, 'bank', 'usd', 100), ('le_two_currencies', 2, 2, $1, false, 'merchant_available', 'eur', -100)`,
        [account.accountId],
      );
    });
    assert.match(otherCurrency.message, /does not balance/);

    const incomplete = await refused(async (client) => {
      await insertEntry(client, 'le_incomplete', 3);
      await client.query(
        `INSERT INTO ledger_postings (entry_id, line, line_count, owner_id, livemode, kind, currency, amount) VALUES
           ('le_incomplete', 1, 3, 'platform', false, 'bank', 'usd', 100), ('le_incomplete', 2, 3, $1, false, 'merchant_available', 'usd', -100)`,
        [account.accountId],
      );
    });
    assert.match(incomplete.message, /ledger entry le_incomplete is incomplete/);

    const entry = await sealedEntry('charge');
    const updated = await refused((client) => client.query('UPDATE ledger_postings SET amount = amount WHERE entry_id = $1', [entry.id]));
    assert.equal(updated.code, '42501');
    assert.match(updated.message, /ledger_postings are immutable/);
    const deleted = await refused((client) => client.query('DELETE FROM ledger_postings WHERE entry_id = $1', [entry.id]));
    assert.match(deleted.message, /ledger_postings are immutable/);
    const truncated = await refused((client) => client.query('TRUNCATE ledger_postings'));
    assert.match(truncated.message, /immutable/);

    const resealed = await refused((client) => client.query('UPDATE ledger_entries SET chain_hash = NULL, chain_position = NULL WHERE id = $1', [entry.id]));
    assert.equal(resealed.code, '42501');
    assert.match(resealed.message, new RegExp(`ledger entry ${entry.id} is immutable once written`));
    const retyped = await refused((client) => client.query("UPDATE ledger_entries SET type = 'adjustment' WHERE id = $1", [entry.id]));
    assert.match(retyped.message, /immutable once written/);
    const removed = await refused((client) => client.query('DELETE FROM ledger_entries WHERE id = $1', [entry.id]));
    assert.match(removed.message, /ledger entries are immutable/);

    // An unsealed entry may be sealed, but its content may not change either.
    const open = (await server.db.query('SELECT id FROM ledger_entries WHERE chain_position IS NULL LIMIT 1')).rows[0] as { id: string } | undefined;
    assert.ok(open, 'an unsealed entry');
    const changed = await refused((client) => client.query('UPDATE ledger_entries SET created = created + 1 WHERE id = $1', [open.id]));
    assert.match(changed.message, /immutable once written/);

    const report = await verifyLedger(server.db);
    assert.deepEqual(report.problems, [], 'nothing refused was written');
  });
});
