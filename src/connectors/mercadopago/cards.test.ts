import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cardMethodId, cardRejection, isCardPayment, toCardPaymentRequest, toCardTokenRequest } from './cards.ts';
import { fromPayment } from './transformers.ts';

const imageUrl = () => 'http://payrail.test/qr.png';

describe('Mercado Pago cards (pure mapping)', () => {
  it("names Mercado Pago's payment_method_id from the brand, Elo from its BIN first", () => {
    assert.equal(cardMethodId({ number: '4235647728025682', brand: 'visa' }), 'visa');
    assert.equal(cardMethodId({ number: '5555555555554444', brand: 'mastercard' }), 'master');
    assert.equal(cardMethodId({ number: '378282246310005', brand: 'amex' }), 'amex');
    assert.equal(cardMethodId({ number: '5067224275805500', brand: 'mastercard' }), 'elo');
    assert.equal(cardMethodId({ number: '6011111111111117', brand: 'discover' }), null);
  });

  it('builds the token and payment requests: installments from the plan (1 without), capture false for manual capture', () => {
    const token = toCardTokenRequest({ number: '4235647728025682', expMonth: 11, expYear: 2030, brand: 'visa', securityCode: '123', holderName: 'APRO Maria' });
    assert.deepEqual(token, { card_number: '4235647728025682', expiration_month: 11, expiration_year: 2030, security_code: '123', cardholder: { name: 'APRO Maria' } });
    const input = { attemptId: 'pa_1', amount: 30000, currency: 'brl', capture: false, installments: { count: 6 } };
    const request = toCardPaymentRequest(input, { decimalAmount: 300, token: 'tok', methodId: 'visa', email: 'a@b.co', notificationUrl: null });
    assert.equal(request.installments, 6);
    assert.equal(request.capture, false);
    assert.equal(request.transaction_amount, 300);
    assert.equal(request.external_reference, 'pa_1');
    assert.ok(!('security_code' in request));
    assert.equal(toCardPaymentRequest({ ...input, installments: undefined, capture: true }, { decimalAmount: 300, token: 'tok', methodId: 'visa', email: 'a@b.co', notificationUrl: null }).installments, 1);
  });

  it("maps rejected status_detail to Stripe's codes; authorized is held, approved captured", () => {
    assert.deepEqual([cardRejection({ status_detail: 'cc_rejected_insufficient_amount' }).code, cardRejection({ status_detail: 'cc_rejected_insufficient_amount' }).declineCode], ['card_declined', 'insufficient_funds']);
    assert.equal(cardRejection({ status_detail: 'cc_rejected_bad_filled_security_code' }).code, 'incorrect_cvc');
    assert.equal(cardRejection({ status_detail: 'something_new' }).declineCode, 'generic_decline');
    assert.ok(isCardPayment({ payment_type_id: 'credit_card' }) && !isCardPayment({ payment_type_id: 'bank_transfer' }));
    const base = { id: 7, payment_method_id: 'visa', payment_type_id: 'credit_card', external_reference: 'pa_1' };
    assert.deepEqual(fromPayment({ ...base, status: 'authorized', status_detail: 'pending_capture' }, imageUrl), { status: 'authorized', captured: false, processorReference: '7', riskScore: 0 });
    const approved = fromPayment({ ...base, status: 'approved', status_detail: 'accredited' }, imageUrl);
    assert.equal(approved.status === 'authorized' && approved.captured, true);
    const rejected = fromPayment({ ...base, status: 'rejected', status_detail: 'cc_rejected_call_for_authorize' }, imageUrl);
    assert.equal(rejected.status === 'declined' && rejected.decline.declineCode, 'call_issuer');
    assert.equal(fromPayment({ ...base, status: 'in_process', status_detail: 'pending_contingency' }, imageUrl).status, 'processing');
  });
});
