import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  authorizationOutcomes,
  authorizationStatuses,
  captureOutcomes,
  captureStatuses,
  fromCompletedOrder,
  orderKinds,
  orderStatuses,
  refundOutcomes,
  refundStatuses,
  requestId,
  requestIdLengthMax,
  toOrderRequest,
} from './transformers.ts';
import { fromPayPalMoney, paypalCurrencies, PayPalAmountError, toPayPalMoney } from './amounts.ts';
import { exponentOf } from '../../platform/money.ts';

describe('PayPal transformers', () => {
  it('writes amounts as PayPal decimal strings with exact integer arithmetic', () => {
    assert.deepEqual(toPayPalMoney(1999, 'usd'), { currency_code: 'USD', value: '19.99' });
    assert.deepEqual(toPayPalMoney(5, 'eur'), { currency_code: 'EUR', value: '0.05' });
    assert.deepEqual(toPayPalMoney(1500, 'jpy'), { currency_code: 'JPY', value: '1500' });
    // HUF and TWD have two decimals in ISO 4217 (Payrail's unit) but none at PayPal.
    assert.deepEqual(toPayPalMoney(150_000, 'huf'), { currency_code: 'HUF', value: '1500' });
    assert.deepEqual(toPayPalMoney(30_000, 'twd'), { currency_code: 'TWD', value: '300' });
    assert.throws(() => toPayPalMoney(150_050, 'huf'), PayPalAmountError);
    assert.throws(() => toPayPalMoney(1000, 'kwd'), PayPalAmountError);
    assert.throws(() => toPayPalMoney(0, 'usd'), PayPalAmountError);
    assert.deepEqual(fromPayPalMoney({ currency_code: 'HUF', value: '1500' }), { amount: 150_000, currency: 'huf' });
    assert.deepEqual(fromPayPalMoney({ currency_code: 'USD', value: '19.9' }), { amount: 1990, currency: 'usd' });
    assert.throws(() => fromPayPalMoney({ currency_code: 'JPY', value: '10.5' }), PayPalAmountError);
  });

  it('round-trips every representable amount in every PayPal currency (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paypalCurrencies), fc.integer({ min: 1, max: 99_999_999 }), (currency, units) => {
        // Amounts PayPal can take: multiples of the unit PayPal drops (100 for HUF and TWD).
        const amount = currency === 'huf' || currency === 'twd' ? units * 100 : units;
        const money = toPayPalMoney(amount, currency);
        assert.match(money.value, exponentOf(currency) === 0 || currency === 'huf' || currency === 'twd' ? /^[0-9]+$/ : /^[0-9]+\.[0-9]{2}$/);
        assert.deepEqual(fromPayPalMoney(money), { amount, currency });
      }),
    );
  });

  it('derives PayPal-Request-Ids per operation and Payrail id, within PayPal\'s 108 characters', () => {
    assert.equal(requestId('create-order', 'ch_123'), 'payrail-ch_123-create-order');
    assert.notEqual(requestId('capture-order', 'ch_123'), requestId('create-order', 'ch_123'));
    const long = requestId('refund', 'x'.repeat(200));
    assert.ok(long.length <= requestIdLengthMax);
    assert.equal(long, requestId('refund', 'x'.repeat(200)));
  });

  it('maps every PayPal status exhaustively', () => {
    assert.deepEqual(Object.keys(orderKinds).sort(), [...orderStatuses].sort());
    assert.deepEqual(Object.keys(captureOutcomes).sort(), [...captureStatuses].sort());
    assert.deepEqual(Object.keys(authorizationOutcomes).sort(), [...authorizationStatuses].sort());
    assert.deepEqual(Object.keys(refundOutcomes).sort(), [...refundStatuses].sort());
    const order = (intent: string, payments: object) => ({ id: 'ORDER1', intent, status: 'COMPLETED', purchase_units: [{ payments }] });
    assert.deepEqual(fromCompletedOrder(order('CAPTURE', { captures: [{ status: 'PENDING' }] })), { status: 'pending' });
    assert.equal(fromCompletedOrder(order('CAPTURE', { captures: [{ status: 'DECLINED' }] })).status, 'declined');
    assert.deepEqual(fromCompletedOrder(order('AUTHORIZE', { authorizations: [{ status: 'CREATED' }] })), { status: 'authorized', captured: false, processorReference: 'ORDER1', riskScore: 0 });
    // Unknown statuses are never final.
    assert.deepEqual(fromCompletedOrder(order('CAPTURE', { captures: [{ status: 'SOMETHING_NEW' }] })), { status: 'pending' });
  });

  it('builds the create-order body: intent from capture, custom_id = attempt, payer experience', () => {
    const body = toOrderRequest({ attemptId: 'ch_1', amount: 1050, currency: 'gbp', capture: false }, { returnUrl: 'https://a.example/r', cancelUrl: 'https://a.example/c' });
    assert.equal(body.intent, 'AUTHORIZE');
    assert.deepEqual(body.purchase_units, [{ reference_id: 'default', custom_id: 'ch_1', amount: { currency_code: 'GBP', value: '10.50' } }]);
    assert.deepEqual(body.payment_source.paypal.experience_context, { return_url: 'https://a.example/r', cancel_url: 'https://a.example/c', user_action: 'PAY_NOW', shipping_preference: 'NO_SHIPPING' });
  });
});
