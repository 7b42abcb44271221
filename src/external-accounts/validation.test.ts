import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ApiError } from '../platform/errors.ts';
import { ibanChecksumValid, ibanLengths, routingChecksumValid, validateBankAccount } from './validation.ts';

function errorOf(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected validation to fail');
}

describe('bank account validation', () => {
  it('accepts Stripe test IBANs and published example IBANs, normalising spaces and case', () => {
    for (const iban of ['DE89370400440532013000', 'DE62370400440532013001', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'NL91ABNA0417164300']) {
      assert.equal(ibanChecksumValid(iban), true, iban);
    }
    const valid = validateBankAccount({ country: 'de', account_number: 'de89 3704 0044 0532 0130 00' });
    assert.deepEqual(valid, { country: 'DE', currency: 'eur', accountNumber: 'DE89370400440532013000', routingNumber: null, last4: '3000' });
    assert.equal(validateBankAccount({ country: 'GB', account_number: 'GB82WEST12345698765432' }).currency, 'gbp');
    assert.equal(validateBankAccount({ country: 'GB', currency: 'EUR', account_number: 'GB82WEST12345698765432' }).currency, 'eur');
  });

  it('refuses an IBAN with bad check digits, a wrong length or another country, naming external_account[account_number]', () => {
    const checksum = errorOf(() => validateBankAccount({ country: 'DE', account_number: 'DE89370400440532013001' }));
    assert.equal(checksum.code, 'account_number_invalid');
    assert.equal(checksum.param, 'external_account[account_number]');
    assert.equal(checksum.status, 400);
    const length = errorOf(() => validateBankAccount({ country: 'DE', account_number: 'DE8937040044053201300' }));
    assert.equal(length.code, 'account_number_invalid');
    assert.match(length.message, /22 characters/);
    const country = errorOf(() => validateBankAccount({ country: 'FR', account_number: 'DE89370400440532013000' }));
    assert.equal(country.code, 'account_number_invalid');
    assert.doesNotMatch(checksum.message + length.message + country.message, /370400440532/, 'messages never echo the number');
  });

  it('checks US routing numbers with the ABA checksum and account numbers for 4-17 digits', () => {
    assert.equal(routingChecksumValid('110000000'), true);
    assert.equal(routingChecksumValid('021000021'), true);
    assert.equal(routingChecksumValid('110000001'), false);
    const valid = validateBankAccount({ country: 'US', account_number: '000123456789', routing_number: '110000000' });
    assert.deepEqual(valid, { country: 'US', currency: 'usd', accountNumber: '000123456789', routingNumber: '110000000', last4: '6789' });
    const routing = errorOf(() => validateBankAccount({ country: 'US', account_number: '000123456789', routing_number: '110000001' }));
    assert.equal(routing.code, 'routing_number_invalid');
    assert.equal(routing.param, 'external_account[routing_number]');
    assert.equal(errorOf(() => validateBankAccount({ country: 'US', account_number: '000123456789', routing_number: '11000000' })).code, 'routing_number_invalid');
    assert.equal(errorOf(() => validateBankAccount({ country: 'US', account_number: '000123456789' })).param, 'external_account[routing_number]');
    assert.equal(errorOf(() => validateBankAccount({ country: 'US', account_number: '123', routing_number: '110000000' })).code, 'account_number_invalid');
    assert.equal(errorOf(() => validateBankAccount({ country: 'US', account_number: '1'.repeat(18), routing_number: '110000000' })).code, 'account_number_invalid');
    assert.equal(errorOf(() => validateBankAccount({ country: 'US', account_number: '12345678a', routing_number: '110000000' })).code, 'account_number_invalid');
  });

  it('refuses unsupported countries and currencies a country does not hold', () => {
    const country = errorOf(() => validateBankAccount({ country: 'BR', account_number: '12345678' }));
    assert.equal(country.code, 'country_unsupported');
    assert.equal(country.param, 'external_account[country]');
    const currency = errorOf(() => validateBankAccount({ country: 'US', currency: 'eur', account_number: '000123456789', routing_number: '110000000' }));
    assert.equal(currency.code, 'invalid_currency');
    assert.equal(currency.param, 'external_account[currency]');
  });

  it('has a length for every IBAN country, and catches every single-character change of a valid IBAN', () => {
    for (const [country, length] of Object.entries(ibanLengths)) assert.ok(length >= 15 && length <= 34, country);
    const iban = 'DE89370400440532013000';
    fc.assert(fc.property(fc.integer({ min: 2, max: iban.length - 1 }), fc.integer({ min: 1, max: 9 }), (position, delta) => {
      const digit = (Number(iban[position]) + delta) % 10;
      const changed = iban.slice(0, position) + digit + iban.slice(position + 1);
      return !ibanChecksumValid(changed);
    }));
  });
});
