import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChargeCard } from './render.ts';

describe('renderChargeCard', () => {
  it("turns a card stored as a copy of the PaymentMethod's card into the charge's card hash", () => {
    // How charges stored before the fix kept their card: the PaymentMethod's hash plus the charge fields.
    const stored = {
      brand: 'amex', checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' }, country: 'US',
      display_brand: 'american_express', exp_month: 12, exp_year: 2034, fingerprint: 'fp', funding: 'credit', generated_from: null,
      last4: '8431', networks: { available: ['amex'], preferred: null }, regulated_status: 'unregulated', three_d_secure_usage: { supported: true },
      wallet: null, amount_authorized: 900, network: 'amex', three_d_secure: null,
    };
    const card = renderChargeCard(stored)!;
    for (const field of ['display_brand', 'generated_from', 'networks', 'three_d_secure_usage']) assert.equal(field in card, false, `${field} is the PaymentMethod's only`);
    assert.equal(card.brand, 'amex');
    assert.equal(card.network, 'amex');
    assert.equal(card.amount_authorized, 900);
    assert.deepEqual(card.checks, stored.checks);
    // Charge fields the old copy lacked get Stripe's values for a plain card payment.
    assert.deepEqual(card.extended_authorization, { status: 'disabled' });
    assert.deepEqual(card.incremental_authorization, { status: 'unavailable' });
    assert.deepEqual(card.network_token, { used: false });
    assert.equal(card.installments, null);
    assert.equal(card.mandate, null);
  });

  it('keeps the network a newer charge recorded, and renders nothing for a charge without card details', () => {
    assert.equal(renderChargeCard({ brand: 'visa', network: 'cartes_bancaires', exp_month: 1, exp_year: 2030 })!.network, 'cartes_bancaires');
    assert.equal(renderChargeCard(undefined), null);
  });
});
