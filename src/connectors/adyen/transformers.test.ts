import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { AuthorizeInput } from '../connector.ts';
import {
  adyenExponentOf,
  adyenResultCodes,
  AmountNotRepresentable,
  declineOf,
  fromAdyenAmount,
  fromModificationResponse,
  fromPaymentResponse,
  idempotencyKey,
  idempotencyKeyLengthMax,
  resultKinds,
  toAdyenAmount,
  toPaymentRequest,
} from './transformers.ts';
import { adyenRefusalReasons, refusalDeclines, refusalReasonCodeOf, type AdyenRefusalReasonCode } from './declines.ts';

const spec = JSON.parse(readFileSync(new URL('../../../specs/adyen/CheckoutService-v71.json', import.meta.url), 'utf8'));

/** Stripe's documented decline codes (docs.stripe.com/declines/codes). */
const stripeDeclineCodes = new Set([
  'approve_with_id', 'call_issuer', 'card_not_supported', 'card_velocity_exceeded', 'currency_not_supported', 'do_not_honor',
  'do_not_try_again', 'duplicate_transaction', 'expired_card', 'fraudulent', 'generic_decline', 'incorrect_number',
  'incorrect_cvc', 'incorrect_pin', 'incorrect_zip', 'insufficient_funds', 'invalid_account', 'invalid_amount', 'invalid_cvc',
  'invalid_expiry_month', 'invalid_expiry_year', 'invalid_number', 'invalid_pin', 'issuer_not_available', 'lost_card',
  'merchant_blacklist', 'new_account_information_available', 'no_action_taken', 'not_permitted', 'offline_pin_required',
  'online_or_offline_pin_required', 'pickup_card', 'pin_try_exceeded', 'processing_error', 'reenter_transaction',
  'restricted_card', 'revocation_of_all_authorizations', 'revocation_of_authorization', 'security_violation',
  'service_not_allowed', 'stolen_card', 'stop_payment_order', 'testmode_decline', 'transaction_not_allowed', 'try_again_later',
  'withdrawal_count_limit_exceeded', 'authentication_required',
]);

/** Stripe error codes a card decline may carry. */
const stripeCardErrorCodes = new Set(['card_declined', 'expired_card', 'incorrect_cvc', 'incorrect_number', 'processing_error', 'authentication_required']);

function card(overrides: Partial<AuthorizeInput> = {}): AuthorizeInput {
  return {
    attemptId: 'ch_0123456789abcdefghijklmn',
    amount: 1050,
    currency: 'usd',
    capture: true,
    card: { number: '4111111145551142', expMonth: 3, expYear: 2030, brand: 'visa' },
    ...overrides,
  };
}

describe('Adyen result codes', () => {
  it('maps every resultCode of the v71 spec, and nothing else', () => {
    const specCodes: string[] = spec.components.schemas.PaymentResponse.properties.resultCode.enum;
    assert.deepEqual([...adyenResultCodes].sort(), [...specCodes].sort());
    assert.deepEqual(Object.keys(resultKinds).sort(), [...specCodes].sort());
    const detailsCodes: string[] = spec.components.schemas.PaymentDetailsResponse.properties.resultCode.enum;
    assert.deepEqual([...detailsCodes].sort(), [...specCodes].sort());
  });

  it('treats only Authorised as success and only Refused/Error/Cancelled as final failures', () => {
    const final = adyenResultCodes.filter((code) => resultKinds[code] === 'authorized' || resultKinds[code] === 'declined');
    assert.deepEqual(final.sort(), ['Authorised', 'Cancelled', 'Error', 'Refused']);
    for (const code of ['Pending', 'Received', 'AuthenticationFinished', 'AuthenticationNotRequired', 'Success'] as const) {
      assert.deepEqual(fromPaymentResponse({ resultCode: code, pspReference: 'PSP1' }, true), { status: 'pending' }, code);
    }
  });

  it('reports Authorised with the pspReference, the requested capture, and a bounded risk score', () => {
    assert.deepEqual(fromPaymentResponse({ resultCode: 'Authorised', pspReference: 'PSP1', fraudResult: { accountScore: 12 } }, true), {
      status: 'authorized',
      captured: true,
      processorReference: 'PSP1',
      riskScore: 12,
    });
    const manual = fromPaymentResponse({ resultCode: 'Authorised', pspReference: 'PSP2', fraudResult: { accountScore: 250 } }, false);
    assert.deepEqual(manual, { status: 'authorized', captured: false, processorReference: 'PSP2', riskScore: 100 });
    assert.equal((fromPaymentResponse({ resultCode: 'Authorised', pspReference: 'PSP3', fraudResult: { accountScore: -40 } }, true) as { riskScore: number }).riskScore, 0);
  });

  it('treats an Authorised answer without a reference, or an unknown resultCode, as pending', () => {
    assert.deepEqual(fromPaymentResponse({ resultCode: 'Authorised' }, true), { status: 'pending' });
    assert.deepEqual(fromPaymentResponse({ resultCode: 'SomethingNew', pspReference: 'PSP1' }, true), { status: 'pending' });
    assert.deepEqual(fromPaymentResponse({}, true), { status: 'pending' });
  });

  it('turns RedirectShopper into requires_authentication with the redirect to follow', () => {
    const output = fromPaymentResponse(
      { resultCode: 'RedirectShopper', pspReference: 'PSP9', action: { type: 'redirect', url: 'https://sandbox.example/3ds?x=1', method: 'GET', paymentMethodType: 'scheme' } },
      true,
    );
    assert.deepEqual(output, { status: 'requires_authentication', processorReference: 'PSP9', nextAction: { type: 'redirect_to_url', url: 'https://sandbox.example/3ds?x=1', method: 'GET', data: {} } });
    const post = fromPaymentResponse({ resultCode: 'ChallengeShopper', action: { type: 'redirect', url: 'https://acs.example/', method: 'POST', data: { PaReq: 'abc', MD: 'def' } } }, true);
    assert.deepEqual(post, { status: 'requires_authentication', processorReference: null, nextAction: { type: 'redirect_to_url', url: 'https://acs.example/', method: 'POST', data: { PaReq: 'abc', MD: 'def' } } });
    // A native 3-D Secure action is not a redirect Payrail can send a shopper to.
    const native = fromPaymentResponse({ resultCode: 'IdentifyShopper', action: { type: 'threeDS2', token: 'xyz' } }, true);
    assert.deepEqual(native, { status: 'requires_authentication', processorReference: null, nextAction: null });
  });

  it('reports PartiallyAuthorised for the connector to release', () => {
    assert.deepEqual(fromPaymentResponse({ resultCode: 'PartiallyAuthorised', pspReference: 'PSP4' }, true), { status: 'partially_authorized', processorReference: 'PSP4' });
  });
});

describe('Adyen refusal reasons -> Stripe decline codes', () => {
  it('maps every documented refusal reason code to a Stripe decline code and card error code', () => {
    assert.deepEqual(Object.keys(refusalDeclines).sort(), Object.keys(adyenRefusalReasons).sort());
    for (const [code, decline] of Object.entries(refusalDeclines)) {
      assert.ok(stripeDeclineCodes.has(decline.declineCode), `${code} -> ${decline.declineCode}`);
      assert.ok(stripeCardErrorCodes.has(decline.code), `${code} -> ${decline.code}`);
      assert.ok(decline.message.length > 0);
    }
  });

  const cases: [AdyenRefusalReasonCode, string, string, string][] = [
    ['2', 'Refused', 'card_declined', 'generic_decline'],
    ['5', 'Blocked Card', 'card_declined', 'restricted_card'],
    ['6', 'Expired Card', 'expired_card', 'expired_card'],
    ['8', 'Invalid Card Number', 'incorrect_number', 'incorrect_number'],
    ['11', '3D Not Authenticated', 'authentication_required', 'authentication_required'],
    ['12', 'Not enough balance', 'card_declined', 'insufficient_funds'],
    ['14', 'Acquirer Fraud', 'card_declined', 'fraudulent'],
    ['20', 'FRAUD', 'card_declined', 'fraudulent'],
    ['24', 'CVC Declined', 'incorrect_cvc', 'incorrect_cvc'],
    ['25', 'Restricted Card', 'card_declined', 'restricted_card'],
    ['28', 'Withdrawal amount exceeded', 'card_declined', 'card_velocity_exceeded'],
    ['29', 'Withdrawal count exceeded', 'card_declined', 'withdrawal_count_limit_exceeded'],
    ['31', 'Issuer Suspected Fraud', 'card_declined', 'fraudulent'],
  ];
  for (const [code, reason, errorCode, declineCode] of cases) {
    it(`${code} ${reason} -> ${errorCode}/${declineCode}, by code or by documented reason`, () => {
      assert.equal(adyenRefusalReasons[code], reason);
      for (const decline of [declineOf('Refused', code, reason), declineOf('Refused', undefined, reason), declineOf('Refused', code, undefined)]) {
        assert.equal(decline.code, errorCode);
        assert.equal(decline.declineCode, declineCode);
      }
    });
  }

  it("marks Adyen's own risk refusals as blocked before the network, and issuer refusals as network declines", () => {
    assert.deepEqual({ blocked: refusalDeclines['20'].blocked, network: refusalDeclines['20'].networkStatus }, { blocked: true, network: 'not_sent_to_network' });
    assert.deepEqual({ blocked: refusalDeclines['46'].blocked, network: refusalDeclines['46'].networkStatus }, { blocked: true, network: 'not_sent_to_network' });
    assert.deepEqual({ blocked: refusalDeclines['31'].blocked, network: refusalDeclines['31'].networkStatus }, { blocked: false, network: 'declined_by_network' });
    assert.deepEqual({ blocked: refusalDeclines['12'].blocked, network: refusalDeclines['12'].networkStatus }, { blocked: false, network: 'declined_by_network' });
  });

  it('falls back to generic_decline for Refused/Cancelled and processing_error for Error when the reason is unknown', () => {
    assert.equal(declineOf('Refused', '999', 'Something new').declineCode, 'generic_decline');
    assert.equal(declineOf('Cancelled', undefined, undefined).declineCode, 'generic_decline');
    const error = declineOf('Error', undefined, 'Unable to communicate');
    assert.deepEqual([error.code, error.declineCode, error.networkStatus], ['processing_error', 'processing_error', 'not_sent_to_network']);
    // An Error that carries a documented reason uses it.
    assert.equal(declineOf('Error', '9', 'Issuer Unavailable').declineCode, 'issuer_not_available');
  });

  it('prefers the code over the text and matches documented text case-insensitively', () => {
    assert.equal(refusalReasonCodeOf('12', 'Refused'), '12');
    assert.equal(refusalReasonCodeOf(undefined, 'not ENOUGH balance'), '12');
    assert.equal(refusalReasonCodeOf('0', undefined), null);
    assert.equal(refusalReasonCodeOf(undefined, undefined), null);
  });

  it('maps a refused payment response with its reference and risk score', () => {
    const output = fromPaymentResponse({ resultCode: 'Refused', pspReference: 'PSP7', refusalReason: 'Not enough balance', refusalReasonCode: '12', fraudResult: { accountScore: 5 } }, true);
    assert.equal(output.status, 'declined');
    if (output.status !== 'declined') return;
    assert.equal(output.processorReference, 'PSP7');
    assert.equal(output.decline.declineCode, 'insufficient_funds');
    assert.equal(output.riskScore, 5);
  });
});

describe('Adyen amounts', () => {
  it('keeps ISO minor units for USD (2), JPY (0) and KWD (3)', () => {
    assert.deepEqual(toAdyenAmount(1050, 'usd'), { currency: 'USD', value: 1050 });
    assert.deepEqual(toAdyenAmount(500, 'jpy'), { currency: 'JPY', value: 500 });
    assert.deepEqual(toAdyenAmount(1234, 'kwd'), { currency: 'KWD', value: 1234 });
    for (const [amount, currency] of [[1050, 'usd'], [500, 'jpy'], [1234, 'kwd']] as const) {
      assert.deepEqual(fromAdyenAmount(toAdyenAmount(amount, currency)), { amount, currency });
    }
  });

  it("converts where Adyen's decimals differ from ISO/Stripe: ISK, CLP, MGA up; IDR, CVE down", () => {
    assert.deepEqual([adyenExponentOf('isk'), adyenExponentOf('clp'), adyenExponentOf('idr'), adyenExponentOf('cve'), adyenExponentOf('mga')], [2, 2, 0, 0, 2]);
    assert.deepEqual(toAdyenAmount(1500, 'isk'), { currency: 'ISK', value: 150000 });
    assert.deepEqual(toAdyenAmount(990, 'clp'), { currency: 'CLP', value: 99000 });
    assert.deepEqual(toAdyenAmount(2000, 'mga'), { currency: 'MGA', value: 200000 });
    assert.deepEqual(toAdyenAmount(1500000, 'idr'), { currency: 'IDR', value: 15000 });
    assert.deepEqual(toAdyenAmount(12300, 'cve'), { currency: 'CVE', value: 123 });
    assert.deepEqual(fromAdyenAmount({ currency: 'ISK', value: 150000 }), { amount: 1500, currency: 'isk' });
    assert.deepEqual(fromAdyenAmount({ currency: 'IDR', value: 15000 }), { amount: 1500000, currency: 'idr' });
  });

  it('refuses amounts that Adyen cannot express exactly instead of rounding them', () => {
    assert.throws(() => toAdyenAmount(1500050, 'idr'), AmountNotRepresentable);
    assert.throws(() => fromAdyenAmount({ currency: 'ISK', value: 150050 }), AmountNotRepresentable);
    assert.throws(() => toAdyenAmount(10.5, 'usd'), AmountNotRepresentable);
    assert.throws(() => toAdyenAmount(Number.MAX_SAFE_INTEGER, 'isk'), AmountNotRepresentable);
  });
});

describe('Adyen requests', () => {
  const context = { merchantAccount: 'PayrailECOM', returnUrl: 'https://payrail.example/return' };

  it('builds a card PaymentRequest with the attempt as reference and explicit capture behaviour', () => {
    const automatic = toPaymentRequest(card(), context);
    assert.deepEqual(automatic, {
      amount: { currency: 'USD', value: 1050 },
      merchantAccount: 'PayrailECOM',
      reference: 'ch_0123456789abcdefghijklmn',
      returnUrl: 'https://payrail.example/return',
      paymentMethod: { type: 'scheme', number: '4111111145551142', expiryMonth: '03', expiryYear: '2030' },
      shopperInteraction: 'Ecommerce',
      channel: 'Web',
      captureDelayHours: 0,
    });
    const manual = toPaymentRequest(card({ capture: false, amount: 700, currency: 'jpy' }), context);
    assert.deepEqual(manual.additionalData, { manualCapture: 'true' });
    assert.equal(manual.captureDelayHours, undefined);
    assert.deepEqual(manual.amount, { currency: 'JPY', value: 700 });
    for (const field of spec.components.schemas.PaymentRequest.required as string[]) assert.ok(field in automatic, field);
    // Deterministic: a replay sends the same body.
    assert.deepEqual(toPaymentRequest(card(), context), automatic);
  });

  it('derives one stable Idempotency-Key per operation, within Adyen\'s 64 characters', () => {
    const id = 'ch_0123456789abcdefghijklmn';
    const keys = (['authorize', 'details', 'capture', 'cancel', 'refund'] as const).map((operation) => idempotencyKey(operation, id));
    assert.equal(new Set(keys).size, keys.length);
    assert.deepEqual(keys, (['authorize', 'details', 'capture', 'cancel', 'refund'] as const).map((operation) => idempotencyKey(operation, id)));
    assert.equal(keys[0], 'payrail.ch_0123456789abcdefghijklmn.authorize');
    const long = idempotencyKey('authorize', 'x'.repeat(200));
    assert.equal(long.length, idempotencyKeyLengthMax);
    assert.notEqual(long, idempotencyKey('authorize', 'x'.repeat(201)));
    for (const key of keys) assert.ok(key.length <= idempotencyKeyLengthMax);
  });

  it("maps Adyen's `received` modification responses", () => {
    const received = { pspReference: 'MOD1', paymentPspReference: 'PSP1', status: 'received' };
    assert.deepEqual(fromModificationResponse('capture', received), { status: 'succeeded', processorReference: 'MOD1' });
    assert.deepEqual(fromModificationResponse('cancel', received), { status: 'succeeded', processorReference: 'MOD1' });
    assert.deepEqual(fromModificationResponse('refund', received), { status: 'pending', processorReference: 'MOD1' });
    assert.deepEqual(fromModificationResponse('capture', { status: 'something' }), { status: 'pending' });
  });
});
