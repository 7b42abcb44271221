import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mollieNotifications } from './notifications.ts';
import { directDebitDecline, fromMollieAmount, fromPayment, idempotencyKey, methodDetailsOf, payrailTypeOf, toMandateRequest, toMollieAmount, toPaymentRequest } from './transformers.ts';
import { webhookPaymentId } from './webhook.ts';

describe('Mollie transformers', () => {
  it('writes amounts with exactly the currency decimals, and reads them back', () => {
    assert.deepEqual(toMollieAmount(1000, 'eur'), { currency: 'EUR', value: '10.00' });
    assert.deepEqual(toMollieAmount(5, 'eur'), { currency: 'EUR', value: '0.05' });
    assert.deepEqual(toMollieAmount(1234, 'jpy'), { currency: 'JPY', value: '1234' });
    assert.deepEqual(toMollieAmount(1234, 'kwd'), { currency: 'KWD', value: '1.234' });
    assert.deepEqual(fromMollieAmount({ currency: 'PLN', value: '31.50' }), { amount: 3150, currency: 'pln' });
    assert.throws(() => fromMollieAmount({ currency: 'EUR', value: '31.5' }));
    assert.throws(() => toMollieAmount(1.5, 'eur'));
  });

  it('builds a deterministic payment request with the Mollie method and the attempt in metadata', () => {
    const input = { attemptId: 'pa_1', amount: 2599, currency: 'eur', capture: true, localMethod: { type: 'p24', details: {}, billingDetails: { email: 'a@b.pl', name: null, phone: null, country: 'PL' }, options: {} } };
    const request = toPaymentRequest(input, { redirectUrl: 'https://payrail.example/payrail/return/pa_1', webhookUrl: null });
    assert.deepEqual(request, { amount: { currency: 'EUR', value: '25.99' }, description: 'Payment pa_1', redirectUrl: 'https://payrail.example/payrail/return/pa_1', method: 'przelewy24', metadata: { payrail_attempt: 'pa_1' } });
    assert.deepEqual(toPaymentRequest(input, { redirectUrl: 'https://payrail.example/payrail/return/pa_1', webhookUrl: null }), request);
    assert.equal(idempotencyKey('create-payment', 'pa_1'), 'payrail-create-payment-pa_1');
    assert.equal(payrailTypeOf('przelewy24'), 'p24');
    assert.equal(payrailTypeOf('creditcard'), null);
    assert.throws(() => toPaymentRequest({ ...input, localMethod: { ...input.localMethod, type: 'pix' } }, { redirectUrl: 'https://x.example', webhookUrl: null }));
    // A SEPA debit: a recurring payment on the mandate made for it, without a redirect.
    const sepa = { ...input, amount: 1000, localMethod: { ...input.localMethod, type: 'sepa_debit', bankAccount: { iban: 'DE89370400440532013000' } } };
    assert.deepEqual(toPaymentRequest(sepa, { redirectUrl: 'https://x.example', webhookUrl: 'https://payrail.example/payrail/webhooks/pmc_1' }, { customerId: 'cst_1', mandateId: 'mdt_1' }), {
      amount: { currency: 'EUR', value: '10.00' }, description: 'Payment pa_1', method: 'directdebit', metadata: { payrail_attempt: 'pa_1' },
      sequenceType: 'recurring', customerId: 'cst_1', mandateId: 'mdt_1', webhookUrl: 'https://payrail.example/payrail/webhooks/pmc_1',
    });
    assert.deepEqual(toMandateRequest(sepa), { method: 'directdebit', consumerName: '', consumerAccount: 'DE89370400440532013000' });
    assert.throws(() => toMandateRequest(input));
    assert.equal(payrailTypeOf('directdebit'), 'sepa_debit');
  });

  it("maps a failed direct debit's SEPA return reason to Stripe's failure code", () => {
    const failed = (bankReasonCode?: string) => directDebitDecline({ id: 'tr_1', status: 'failed', method: 'directdebit', details: bankReasonCode ? { bankReasonCode, bankReason: 'x' } : {} }).declineCode;
    assert.equal(failed('AC04'), 'account_closed');
    assert.equal(failed('AC06'), 'bank_account_restricted');
    assert.equal(failed('MD01'), 'debit_not_authorized');
    assert.equal(failed('AM04'), 'insufficient_funds');
    assert.equal(failed('MS03'), 'generic_could_not_process');
    assert.equal(failed(), 'generic_could_not_process');
    const local = { localMethod: { type: 'sepa_debit', details: {}, billingDetails: { email: null, name: null, phone: null, country: null }, options: {} } };
    const output = fromPayment({ id: 'tr_1', status: 'failed', method: 'directdebit', details: { bankReasonCode: 'AC04' } }, local, true);
    assert.equal(output.status === 'declined' && output.decline.declineCode, 'account_closed');
    // Authorized but not captured (Klarna): the webhook leaves it to the connector's read, which captures first.
    assert.equal(mollieNotifications({ id: 'tr_3', status: 'authorized', method: 'klarna', metadata: { payrail_attempt: 'pa_3' } }, [])[0].kind, 'other');
  });

  it('maps every Mollie status; open goes to the checkout before the return and is processing after it', () => {
    const local = { localMethod: { type: 'ideal', details: {}, billingDetails: { email: null, name: null, phone: null, country: null }, options: {} } };
    const open = { id: 'tr_1', status: 'open', _links: { checkout: { href: 'https://mollie.example/checkout/tr_1' } } };
    assert.deepEqual(fromPayment(open, local, false), { status: 'requires_authentication', processorReference: 'tr_1', nextAction: { type: 'redirect_to_url', url: 'https://mollie.example/checkout/tr_1', method: 'GET', data: {} } });
    assert.deepEqual(fromPayment(open, local, true), { status: 'processing', processorReference: 'tr_1' });
    assert.deepEqual(fromPayment({ id: 'tr_1', status: 'pending' }, local, false), { status: 'processing', processorReference: 'tr_1' });
    const paid = fromPayment({ id: 'tr_1', status: 'paid', details: { consumerName: 'T. TEST', consumerAccount: 'NL55INGB0000000000', consumerBic: 'INGBNL2A' } }, local, true);
    assert.deepEqual(paid, { status: 'authorized', captured: true, processorReference: 'tr_1', riskScore: 0, methodDetails: { verified_name: 'T. TEST', iban_last4: '0000', bic: 'INGBNL2A' } });
    for (const status of ['canceled', 'expired', 'failed']) assert.equal(fromPayment({ id: 'tr_1', status }, local, true).status, 'declined');
    assert.deepEqual(fromPayment({ id: 'tr_1', status: 'something_new' }, local, true), { status: 'pending' });
    assert.deepEqual(methodDetailsOf('eps', { details: { consumerName: 'A' } }), { verified_name: 'A' });
  });

  it('reads the webhook body (only id=tr_...) and turns a fetched payment into notifications', () => {
    assert.equal(webhookPaymentId(Buffer.from('id=tr_WDqYK6vllg')), 'tr_WDqYK6vllg');
    assert.throws(() => webhookPaymentId(Buffer.from('id=re_1')));
    assert.throws(() => webhookPaymentId(Buffer.from('')));
    assert.throws(() => webhookPaymentId(Buffer.alloc(2048, 'a')));
    const notifications = mollieNotifications(
      { id: 'tr_1', status: 'paid', method: 'ideal', metadata: { payrail_attempt: 'pa_1' }, details: { consumerName: 'T. TEST' } },
      [{ id: 're_1', status: 'refunded', metadata: { payrail_refund: 're_payrail' } }, { id: 're_2', status: 'pending' }],
    );
    assert.deepEqual(notifications, [
      { kind: 'authorization', eventKey: 'tr_1:paid', attemptId: 'pa_1', processorReference: 'tr_1', result: { status: 'authorized', methodDetails: { verified_name: 'T. TEST', iban_last4: null } } },
      { kind: 'refund', eventKey: 're_1:refunded', refundId: 're_payrail', processorReference: 're_1', status: 'succeeded', reason: null },
      { kind: 'refund', eventKey: 're_2:pending', refundId: null, processorReference: 're_2', status: 'pending', reason: null },
    ]);
    assert.equal(mollieNotifications({ id: 'tr_2', status: 'open' }, [])[0].kind, 'other');
  });
});
