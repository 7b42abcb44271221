import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ApiError } from './errors.ts';
import { checkChargeAmount, currencyExponents, exponentOf, formatAmount, maximumAmount, minimumChargeAmount, parseCurrency } from './money.ts';

describe('currencies', () => {
  it('knows the ISO 4217 exponents, with Stripe zero-decimal and three-decimal currencies', () => {
    assert.equal(exponentOf('usd'), 2);
    assert.equal(exponentOf('eur'), 2);
    for (const code of ['jpy', 'krw', 'vnd', 'clp', 'xaf', 'xof', 'bif', 'pyg']) assert.equal(exponentOf(code), 0, code);
    for (const code of ['kwd', 'bhd', 'jod', 'omr', 'tnd']) assert.equal(exponentOf(code), 3, code);
    assert.ok(currencyExponents.size > 150);
  });

  it('normalises codes to lower case and refuses unknown ones with param currency', () => {
    assert.equal(parseCurrency('USD'), 'usd');
    assert.throws(() => parseCurrency('xyz'), (error: unknown) => error instanceof ApiError && error.code === 'invalid_currency' && error.param === 'currency');
  });

  it('formats minor units with the currency exponent', () => {
    assert.equal(formatAmount(1050, 'usd'), '10.50 USD');
    assert.equal(formatAmount(5, 'usd'), '0.05 USD');
    assert.equal(formatAmount(1000, 'jpy'), '1000 JPY');
    assert.equal(formatAmount(1234, 'kwd'), '1.234 KWD');
  });

  it('applies Stripe minimum and maximum charge amounts', () => {
    assert.equal(minimumChargeAmount('usd'), 50);
    assert.equal(minimumChargeAmount('gbp'), 30);
    assert.equal(minimumChargeAmount('jpy'), 50);
    assert.throws(() => checkChargeAmount(49, 'usd'), (error: unknown) => error instanceof ApiError && error.code === 'amount_too_small' && error.param === 'amount');
    assert.throws(() => checkChargeAmount(maximumAmount + 1, 'usd'), (error: unknown) => error instanceof ApiError && error.code === 'amount_too_large');
    checkChargeAmount(50, 'usd');
    checkChargeAmount(maximumAmount, 'usd');
  });

  it('formatAmount round-trips any integer amount (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -maximumAmount, max: maximumAmount }), fc.constantFrom(...currencyExponents.keys()), (amount, currency) => {
        const [number] = formatAmount(amount, currency).split(' ');
        assert.equal(Math.round(Number(number) * 10 ** exponentOf(currency)), amount);
      }),
    );
  });
});
