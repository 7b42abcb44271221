import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { maximumAmount } from '../platform/money.ts';
import { basisPointsOf, defaultPricing, effectivePricing, percentBpsMax, pricingProblem, quoteFee, type Pricing, type PricingOverrides } from './pricing.ts';

const card = (settlementCurrency: string, settlementAmount: number, extra: { international?: boolean; converted?: boolean } = {}) => ({
  paymentMethodType: 'card', settlementCurrency, settlementAmount, international: extra.international ?? false, converted: extra.converted ?? false,
});

describe('basisPointsOf', () => {
  it('takes a percentage in basis points, rounding half up', () => {
    assert.equal(basisPointsOf(1000, 290), 29);
    assert.equal(basisPointsOf(10_000, 1), 1);
    assert.equal(basisPointsOf(149, 100), 1, '1.49 rounds down');
    assert.equal(basisPointsOf(50, 100), 1, '0.5 rounds up');
    assert.equal(basisPointsOf(150, 100), 2, '1.5 rounds up');
    assert.equal(basisPointsOf(250, 100), 3, '2.5 rounds up, not to even');
    assert.equal(basisPointsOf(4_999, 1), 0, '0.4999 rounds down');
    assert.equal(basisPointsOf(5_000, 1), 1, '0.5 rounds up');
    assert.equal(basisPointsOf(0, 290), 0);
    assert.equal(basisPointsOf(1000, 0), 0);
    assert.equal(basisPointsOf(maximumAmount, percentBpsMax), 50_000_000, 'half of the largest amount, exactly (0.5 rounds up)');
  });

  it('refuses negative or fractional inputs as a broken invariant', () => {
    assert.throws(() => basisPointsOf(-1, 290), /invariant violated/);
    assert.throws(() => basisPointsOf(10.5, 290), /invariant violated/);
    assert.throws(() => basisPointsOf(100, -1), /invariant violated/);
    assert.throws(() => basisPointsOf(100, 2.5), /invariant violated/);
  });

  it('equals amount * bps / 10000 rounded half up, for every amount and rate (exact integer reference)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: maximumAmount }), fc.integer({ min: 0, max: percentBpsMax }), (amount, bps) => {
      const result = BigInt(basisPointsOf(amount, bps));
      const exact = BigInt(amount) * BigInt(bps);
      // Half up: result - 1/2 <= exact / 10000 < result + 1/2.
      return result * 10_000n - 5_000n <= exact && exact < result * 10_000n + 5_000n;
    }));
  });
});

describe('quoteFee', () => {
  it('charges the percentage plus the fixed fee of the settlement currency', () => {
    assert.deepEqual(quoteFee(defaultPricing, card('usd', 1000)), { fee: 59, lines: [{ amount: 59, description: 'Payrail processing fees' }] });
    assert.deepEqual(quoteFee(defaultPricing, card('eur', 1000)), { fee: 54, lines: [{ amount: 54, description: 'Payrail processing fees' }] });
    // Zero-decimal currency: 3.6% of 10,000 yen, no fixed fee.
    assert.equal(quoteFee(defaultPricing, card('jpy', 10_000)).fee, 360);
    // A currency without its own rule uses '*': 2.9% and no fixed fee.
    assert.equal(quoteFee(defaultPricing, card('sek', 1000)).fee, 29);
    // Rounding half up of the percentage: 2.9% of 150 is 4.35 -> 4; of 50 is 1.45 -> 1; 1% of 250 is 2.5 -> 3.
    assert.equal(quoteFee(defaultPricing, card('usd', 150)).fee, 34);
    assert.equal(quoteFee(defaultPricing, card('sek', 50)).fee, 1);
    const onePercent: Pricing = { rules: { card: { '*': { percent_bps: 100, fixed: 0 } } }, international_bps: 0, currency_conversion_bps: 0 };
    assert.equal(quoteFee(onePercent, card('usd', 250)).fee, 3);
  });

  it('adds the international and currency conversion surcharges as separate lines', () => {
    const quote = quoteFee(defaultPricing, card('usd', 10_000, { international: true, converted: true }));
    assert.deepEqual(quote.lines, [
      { amount: 320, description: 'Payrail processing fees' },
      { amount: 150, description: 'International card fee' },
      { amount: 100, description: 'Currency conversion fee' },
    ]);
    assert.equal(quote.fee, 570);
    assert.equal(quoteFee(defaultPricing, card('usd', 10_000, { international: true })).fee, 470);
    assert.equal(quoteFee(defaultPricing, card('usd', 10_000, { converted: true })).fee, 420);
    // Surcharges round half up too: 1.5% of 1,001 cents is 15.015 -> 15; 1% of 1,050 is 10.5 -> 11.
    assert.equal(quoteFee(defaultPricing, card('usd', 1001, { international: true })).lines[1].amount, 15);
    assert.equal(quoteFee(defaultPricing, card('usd', 1050, { converted: true })).lines[1].amount, 11);
  });

  it('leaves out lines that come to zero, and charges nothing without a rule', () => {
    const noSurcharges: Pricing = { ...defaultPricing, international_bps: 0, currency_conversion_bps: 0 };
    assert.deepEqual(quoteFee(noSurcharges, card('usd', 1000, { international: true, converted: true })).lines, [{ amount: 59, description: 'Payrail processing fees' }]);
    // 1.5% of 20 cents is 0.3 -> 0: no "International card fee" line of zero.
    const free: Pricing = { rules: { card: { '*': { percent_bps: 0, fixed: 0 } } }, international_bps: 150, currency_conversion_bps: 0 };
    assert.deepEqual(quoteFee(free, card('usd', 20, { international: true })), { fee: 0, lines: [] });
    assert.deepEqual(quoteFee(defaultPricing, { ...card('usd', 1000), paymentMethodType: 'sepa_debit' }), { fee: 0, lines: [] });
  });

  it('caps the fee at the amount, as one line, so a net is never negative', () => {
    // 2.9% of 20 cents is 0.58 -> 1, plus 30 cents: 31 > 20.
    assert.deepEqual(quoteFee(defaultPricing, card('usd', 20)), { fee: 20, lines: [{ amount: 20, description: 'Payrail processing fees (capped at the charge amount)' }] });
    assert.equal(quoteFee(defaultPricing, card('usd', 31)).fee, 31, 'exactly the amount is not capped');
    assert.equal(quoteFee(defaultPricing, card('usd', 31)).lines[0].description, 'Payrail processing fees');
    assert.equal(quoteFee(defaultPricing, card('usd', 0)).fee, 0);
  });

  const pricingArbitrary: fc.Arbitrary<Pricing> = fc.record({
    rules: fc.record({ card: fc.dictionary(fc.constantFrom('usd', 'eur', 'jpy', 'kwd', '*'), fc.record({ percent_bps: fc.integer({ min: 0, max: percentBpsMax }), fixed: fc.integer({ min: 0, max: 100_000 }) })) }),
    international_bps: fc.integer({ min: 0, max: percentBpsMax }),
    currency_conversion_bps: fc.integer({ min: 0, max: percentBpsMax }),
  });
  const quoteInput = fc.record({
    settlementCurrency: fc.constantFrom('usd', 'eur', 'jpy', 'kwd', 'sek'),
    international: fc.boolean(),
    converted: fc.boolean(),
  });

  it('never exceeds the amount, sums its lines and never goes negative (property)', () => {
    fc.assert(fc.property(pricingArbitrary, quoteInput, fc.integer({ min: 0, max: maximumAmount }), (pricing, input, amount) => {
      const quote = quoteFee(pricing, { ...input, paymentMethodType: 'card', settlementAmount: amount });
      assert.ok(quote.fee >= 0 && quote.fee <= amount);
      assert.equal(quote.lines.reduce((sum, line) => sum + line.amount, 0), quote.fee);
      // (A zero amount with a fixed fee is "capped" to a single line of 0; every other line is positive.)
      if (amount > 0) assert.ok(quote.lines.every((line) => Number.isSafeInteger(line.amount) && line.amount > 0));
    }));
  });

  it('grows with the amount: a larger charge never pays a smaller fee (property)', () => {
    fc.assert(fc.property(pricingArbitrary, quoteInput, fc.integer({ min: 0, max: maximumAmount }), fc.integer({ min: 0, max: maximumAmount }), (pricing, input, a, b) => {
      const [small, large] = a <= b ? [a, b] : [b, a];
      const fee = (amount: number) => quoteFee(pricing, { ...input, paymentMethodType: 'card', settlementAmount: amount }).fee;
      assert.ok(fee(small) <= fee(large), `fee(${small}) > fee(${large})`);
    }));
  });
});

describe('effectivePricing', () => {
  it('is the defaults without overrides, as a copy', () => {
    const pricing = effectivePricing(defaultPricing, {});
    assert.deepEqual(pricing, defaultPricing);
    pricing.rules.card.usd.fixed = 999;
    pricing.rules.card.gbp = { percent_bps: 1, fixed: 1 };
    assert.equal(defaultPricing.rules.card.usd.fixed, 30, 'the defaults are not shared with the result');
  });

  it('merges overrides field by field over the rule they replace', () => {
    const before = structuredClone(defaultPricing);
    const pricing = effectivePricing(defaultPricing, {
      rules: {
        card: { usd: { fixed: 10 }, sek: { percent_bps: 250 }, '*': { percent_bps: 300 } },
        sepa_debit: { eur: { percent_bps: 80 } },
      },
      international_bps: 0,
    });
    assert.deepEqual(pricing.rules.card.usd, { percent_bps: 290, fixed: 10 }, 'percentage kept from the usd default');
    assert.deepEqual(pricing.rules.card.sek, { percent_bps: 250, fixed: 0 }, 'a new currency starts from the * rule');
    assert.deepEqual(pricing.rules.card['*'], { percent_bps: 300, fixed: 0 });
    assert.deepEqual(pricing.rules.card.eur, defaultPricing.rules.card.eur, 'rules not named are untouched');
    assert.deepEqual(pricing.rules.sepa_debit, { eur: { percent_bps: 80, fixed: 0 } }, 'a new payment method type starts from zero');
    assert.equal(pricing.international_bps, 0, 'an override of zero is honoured');
    assert.equal(pricing.currency_conversion_bps, defaultPricing.currency_conversion_bps);
    assert.deepEqual(defaultPricing, before, 'the defaults are never modified');
    assert.equal(quoteFee(pricing, card('usd', 1000)).fee, 39);
    assert.equal(quoteFee(pricing, card('nok', 1000)).fee, 30, 'the overridden * rule applies to other currencies');
  });
});

describe('pricingProblem', () => {
  it('accepts the defaults, empty overrides and values at the limits', () => {
    assert.equal(pricingProblem({}), undefined);
    assert.equal(pricingProblem(defaultPricing), undefined);
    assert.equal(pricingProblem({ rules: { card: { usd: { percent_bps: percentBpsMax, fixed: 100_000 } } }, international_bps: 0, currency_conversion_bps: percentBpsMax }), undefined);
  });

  it('names the first field out of range', () => {
    const cases: [PricingOverrides, string][] = [
      [{ rules: { card: { usd: { percent_bps: 5001 } } } }, 'rules.card.usd.percent_bps must be an integer from 0 to 5000'],
      [{ rules: { card: { usd: { percent_bps: -1 } } } }, 'rules.card.usd.percent_bps must be an integer from 0 to 5000'],
      [{ rules: { card: { usd: { percent_bps: 2.5 } } } }, 'rules.card.usd.percent_bps must be an integer from 0 to 5000'],
      [{ rules: { card: { '*': { fixed: 100_001 } } } }, 'rules.card.*.fixed must be an integer from 0 to 100000'],
      [{ rules: { card: { eur: { fixed: -5 } } } }, 'rules.card.eur.fixed must be an integer from 0 to 100000'],
      [{ international_bps: Number.NaN }, 'international_bps must be an integer from 0 to 5000'],
      [{ currency_conversion_bps: 5001 }, 'currency_conversion_bps must be an integer from 0 to 5000'],
      [{ rules: { card: { usd: { fixed: -1 } } }, international_bps: -1 }, 'rules.card.usd.fixed must be an integer from 0 to 100000'],
    ];
    for (const [pricing, message] of cases) assert.equal(pricingProblem(pricing), message, JSON.stringify(pricing));
  });

  it('finds no problem in any in-range overrides, nor in the pricing they produce (property)', () => {
    const rule = fc.record({ percent_bps: fc.integer({ min: 0, max: percentBpsMax }), fixed: fc.integer({ min: 0, max: 100_000 }) }, { requiredKeys: [] });
    const overrides: fc.Arbitrary<PricingOverrides> = fc.record({
      rules: fc.dictionary(fc.constantFrom('card', 'sepa_debit', 'us_bank_account'), fc.dictionary(fc.constantFrom('usd', 'eur', 'jpy', '*'), rule)),
      international_bps: fc.integer({ min: 0, max: percentBpsMax }),
      currency_conversion_bps: fc.integer({ min: 0, max: percentBpsMax }),
    }, { requiredKeys: [] });
    fc.assert(fc.property(overrides, (value) => {
      assert.equal(pricingProblem(value), undefined);
      assert.equal(pricingProblem(effectivePricing(defaultPricing, value)), undefined);
    }));
  });
});
