import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { brandOf, hasValidLength, passesLuhn, testPaymentMethodNumbers } from './card-numbers.ts';
import { validateCard } from './service.ts';
import { ApiError } from '../platform/errors.ts';

function luhnComplete(partial: string): string {
  for (let digit = 0; digit <= 9; digit += 1) if (passesLuhn(partial + digit)) return partial + digit;
  throw new Error('unreachable');
}

describe('card numbers', () => {
  it('runs the Luhn check', () => {
    assert.equal(passesLuhn('4242424242424242'), true);
    assert.equal(passesLuhn('4242424242424241'), false);
    assert.equal(passesLuhn('378282246310005'), true);
  });

  it('detects exactly one check digit per prefix (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{11,18}$/), (prefix) => {
        const valid = [...'0123456789'].filter((digit) => passesLuhn(prefix + digit));
        assert.equal(valid.length, 1);
      }),
    );
  });

  it('derives the brand from the number', () => {
    const cases: Record<string, string> = {
      '4242424242424242': 'visa', '5555555555554444': 'mastercard', '2223003122003222': 'mastercard', '378282246310005': 'amex',
      '6011111111111117': 'discover', '3056930009020004': 'diners', '36227206271667': 'diners', '3566002020360505': 'jcb',
      '6200000000000005': 'unionpay', '9999999999999995': 'unknown',
    };
    for (const [number, brand] of Object.entries(cases)) assert.equal(brandOf(number), brand, number);
  });

  it('every Stripe test payment method id maps to a valid number', () => {
    for (const [id, number] of Object.entries(testPaymentMethodNumbers)) {
      assert.ok(passesLuhn(number), id);
      assert.ok(hasValidLength(number, brandOf(number)), id);
    }
  });

  it('validates raw card data with Stripe card error codes', () => {
    const now = new Date('2026-06-15T00:00:00Z');
    const code = (input: Parameters<typeof validateCard>[0]) => {
      try {
        validateCard(input, now);
        return 'ok';
      } catch (error) {
        assert.ok(error instanceof ApiError);
        return `${error.code}:${error.param}`;
      }
    };
    assert.equal(code({ number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2030, cvc: '123' }), 'ok');
    assert.equal(code({ number: '4242424242424241', exp_month: 12, exp_year: 2030 }), 'incorrect_number:card[number]');
    assert.equal(code({ number: '4242abc', exp_month: 12, exp_year: 2030 }), 'invalid_number:card[number]');
    assert.equal(code({ number: luhnComplete('42424242424'), exp_month: 12, exp_year: 2030 }), 'invalid_number:card[number]');
    assert.equal(code({ number: '4242424242424242', exp_month: 13, exp_year: 2030 }), 'invalid_expiry_month:card[exp_month]');
    assert.equal(code({ number: '4242424242424242', exp_month: 5, exp_year: 2026 }), 'invalid_expiry_month:card[exp_month]');
    assert.equal(code({ number: '4242424242424242', exp_month: 6, exp_year: 2026 }), 'ok');
    assert.equal(code({ number: '4242424242424242', exp_month: 1, exp_year: 2025 }), 'invalid_expiry_year:card[exp_year]');
    assert.equal(code({ number: '4242424242424242', exp_month: 1, exp_year: 30 }), 'ok');
    assert.equal(code({ number: '4242424242424242', exp_month: 1, exp_year: 2030, cvc: '12a' }), 'invalid_cvc:card[cvc]');
    assert.equal(code({ exp_month: 1, exp_year: 2030 }), 'parameter_missing:card[number]');
  });
});
