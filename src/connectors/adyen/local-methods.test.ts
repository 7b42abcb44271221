import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectorRequestError, type AuthorizeInput, type LocalMethodData } from '../connector.ts';
import { adyenNotification } from './notifications.ts';
import { fromPaymentResponse, toPaymentRequest } from './transformers.ts';
import { idealFailed, localMethodDecline, sepaDecline } from './local-methods.ts';
import type { AdyenWebhookEvent } from './webhook.ts';

const context = { merchantAccount: 'PayrailECOM', returnUrl: 'https://payrail.example/payrail/return/pa_1' };

function method(type: string, extra: Partial<LocalMethodData> = {}): LocalMethodData {
  return { type, details: {}, billingDetails: { email: 'jenny@example.com', name: 'Jenny Rosen', phone: null, country: 'NL' }, options: {}, ...extra };
}

function input(localMethod: LocalMethodData): AuthorizeInput {
  return { attemptId: 'pa_local1', amount: 2599, currency: 'eur', capture: true, localMethod };
}

describe('Adyen local methods (pure mapping)', () => {
  it('builds the /payments body of iDEAL and of a SEPA debit, captured at once, with no card fields', () => {
    const ideal = toPaymentRequest(input(method('ideal', { details: { bank: 'ing' } })), context);
    assert.deepEqual(ideal, {
      amount: { currency: 'EUR', value: 2599 }, merchantAccount: 'PayrailECOM', reference: 'pa_local1', returnUrl: context.returnUrl,
      paymentMethod: { type: 'ideal' }, shopperInteraction: 'Ecommerce', channel: 'Web', captureDelayHours: 0,
    });
    const sepa = toPaymentRequest(input(method('sepa_debit', { bankAccount: { iban: 'DE87123456781234567890' } })), context);
    assert.deepEqual(sepa.paymentMethod, { type: 'sepadirectdebit', iban: 'DE87123456781234567890', ownerName: 'Jenny Rosen' });
  });

  it('refuses, without naming the IBAN, a SEPA debit without its account or holder, and a method Adyen is not configured for', () => {
    const noName = method('sepa_debit', { bankAccount: { iban: 'DE87123456781234567890' }, billingDetails: { email: null, name: null, phone: null, country: null } });
    assert.throws(() => toPaymentRequest(input(noName), context), (error: Error) => error instanceof ConnectorRequestError && !error.message.includes('DE8712'));
    assert.throws(() => toPaymentRequest(input(method('sepa_debit')), context), ConnectorRequestError);
    assert.throws(() => toPaymentRequest(input(method('bancontact')), context), ConnectorRequestError);
  });

  it('maps answers: Received is processing (with a reference), RedirectShopper the bank page, Authorised captured, Refused the method\'s decline', () => {
    assert.deepEqual(fromPaymentResponse({ resultCode: 'Received', pspReference: 'PSP1' }, true, 'sepadirectdebit'), { status: 'processing', processorReference: 'PSP1' });
    assert.deepEqual(fromPaymentResponse({ resultCode: 'Received' }, true, 'sepadirectdebit'), { status: 'pending' }, 'no reference: unknown');
    assert.deepEqual(fromPaymentResponse({ resultCode: 'RedirectShopper', action: { type: 'redirect', url: 'https://bank.example/ideal', method: 'GET' } }, true, 'ideal'), {
      status: 'requires_authentication', processorReference: null, nextAction: { type: 'redirect_to_url', url: 'https://bank.example/ideal', method: 'GET', data: {} },
    });
    assert.deepEqual(fromPaymentResponse({ resultCode: 'Authorised', pspReference: 'PSP2' }, false, 'ideal'), { status: 'authorized', captured: true, processorReference: 'PSP2', riskScore: 0 });
    const refused = fromPaymentResponse({ resultCode: 'Refused', pspReference: 'PSP3', refusalReason: 'Refused', refusalReasonCode: '2' }, true, 'ideal');
    assert.equal(refused.status, 'declined');
    assert.equal(refused.status === 'declined' && refused.decline.code, 'payment_intent_authentication_failure');
    // A card's Received stays ambiguous, as before.
    assert.deepEqual(fromPaymentResponse({ resultCode: 'Received', pspReference: 'PSP4' }, true), { status: 'pending' });
  });

  it('gives a returned SEPA debit Stripe\'s payment_method_provider_decline, and a refused iDEAL payment an authentication failure', () => {
    assert.deepEqual([sepaDecline(undefined, 'Not enough balance').code, sepaDecline(undefined, 'Not enough balance').declineCode], ['payment_method_provider_decline', 'insufficient_funds']);
    assert.equal(sepaDecline(undefined, 'Refused').declineCode, 'generic_decline');
    assert.equal(localMethodDecline('ideal', undefined, 'Refused'), idealFailed);
    assert.equal(localMethodDecline('visa', undefined, 'Refused'), null);
    const event: AdyenWebhookEvent = {
      kind: 'authorisation', eventCode: 'AUTHORISATION', pspReference: 'PSP5', originalReference: null, merchantReference: 'pa_local2', merchantAccount: 'PayrailECOM',
      success: false, amount: { amount: 3000, currency: 'eur' }, reason: 'Not enough balance', declineCode: 'insufficient_funds', eventDate: null, paymentMethod: 'sepadirectdebit',
    };
    const notification = adyenNotification(event);
    assert.equal(notification.kind, 'authorization');
    if (notification.kind !== 'authorization' || notification.result.status !== 'declined') assert.fail('a declined authorization');
    assert.equal(notification.result.decline.code, 'payment_method_provider_decline');
    assert.equal(notification.result.decline.declineCode, 'insufficient_funds');
    const card = adyenNotification({ ...event, paymentMethod: 'visa' });
    assert.ok(card.kind === 'authorization' && card.result.status === 'declined' && card.result.decline.code === 'card_declined');
  });
});
