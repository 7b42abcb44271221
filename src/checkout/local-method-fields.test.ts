import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localMethodTypeNames } from '../payment-methods/method-types.ts';
import { isSecretField, localMethodFields, readLocalMethod } from './local-method-fields.ts';
import { localMethodTexts } from './local-method-texts.ts';

const t = localMethodTexts('en');

describe('the hosted page\'s fields of each local method (from the method table)', () => {
  it('asks each method for what its table entry requires', () => {
    const names = (type: (typeof localMethodTypeNames)[number], currency: string) => localMethodFields(type, currency, t).map((field) => field.name);
    assert.deepEqual(names('ideal', 'eur'), ['ideal_bank']);
    assert.deepEqual(names('bancontact', 'eur'), ['bancontact_name']);
    assert.deepEqual(names('eps', 'eur'), ['eps_name', 'eps_bank']);
    assert.deepEqual(names('p24', 'pln'), ['p24_bank']);
    assert.deepEqual(names('blik', 'pln'), ['blik_code']);
    assert.deepEqual(names('sepa_debit', 'eur'), ['sepa_debit_name', 'sepa_debit_iban']);
    assert.deepEqual(names('boleto', 'brl'), ['boleto_name', 'boleto_tax_id', 'boleto_line1', 'boleto_city', 'boleto_state', 'boleto_postal_code']);
    assert.deepEqual(names('pix', 'brl'), []);
    assert.deepEqual(names('upi', 'inr'), ['upi_vpa']);
    // Klarna: the countries whose shoppers pay in the session's currency; one such country needs no question.
    const klarnaCountry = localMethodFields('klarna', 'eur', t).find((field) => field.name === 'klarna_country');
    assert.deepEqual(klarnaCountry?.kind === 'select' ? klarnaCountry.options.map((option) => option.value) : [], ['AT', 'BE', 'DE', 'ES', 'FI', 'FR', 'GR', 'IE', 'IT', 'NL', 'PT']);
    assert.deepEqual(names('klarna', 'sek'), []);
    const swede = readLocalMethod('klarna', 'sek', {}, 'k@example.com', t);
    assert.ok('payment' in swede);
    assert.equal(swede.payment.data.billing_details?.address?.country, 'SE');
    assert.ok(isSecretField('sepa_debit_iban') && isSecretField('blik_code') && !isSecretField('boleto_tax_id'));
  });

  it('reads what the shopper typed into payment_method_data, and names the field of a mistake', () => {
    const boleto = readLocalMethod('boleto', 'brl', {
      boleto_name: 'Maria Silva', boleto_tax_id: '529.982.247-25', boleto_line1: 'Av. Paulista, 1000', boleto_city: 'São Paulo', boleto_state: 'SP', boleto_postal_code: '01310-100',
    }, 'maria@example.com', t);
    assert.ok('payment' in boleto);
    assert.deepEqual(boleto.payment.data, {
      type: 'boleto', details: { tax_id: '529.982.247-25' },
      billing_details: { email: 'maria@example.com', name: 'Maria Silva', address: { line1: 'Av. Paulista, 1000', line2: null, city: 'São Paulo', state: 'SP', postal_code: '01310-100', country: 'BR' } },
    });
    const blik = readLocalMethod('blik', 'pln', { blik_code: '777123' }, 'b@example.com', t);
    assert.ok('payment' in blik);
    assert.deepEqual(blik.payment.options, { blik: { code: '777123' } });
    assert.deepEqual(readLocalMethod('blik', 'pln', { blik_code: '12a456' }, 'b@example.com', t), { errors: [{ field: 'blik_code', message: t.blikCodeInvalid }] });
    assert.deepEqual(readLocalMethod('sepa_debit', 'eur', { sepa_debit_name: 'J', sepa_debit_iban: 'DE89370400440532013009' }, 'j@example.com', t), { errors: [{ field: 'sepa_debit_iban', message: t.ibanInvalid }] });
    assert.deepEqual(readLocalMethod('ideal', 'eur', { ideal_bank: 'no_such_bank' }, null, t), { errors: [{ field: 'ideal_bank', message: t.choose }] });
    assert.deepEqual(readLocalMethod('p24', 'pln', {}, null, t), { errors: [{ field: 'email', message: t.emailRequired }] });
    assert.deepEqual(readLocalMethod('card', 'eur', {}, null, t), { errors: [{ field: 'payment_method_type', message: t.chooseMethod }] });
  });
});
