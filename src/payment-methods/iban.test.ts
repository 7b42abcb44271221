import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../platform/errors.ts';
import { ibanFacts, passesMod97, validIban } from './iban.ts';

describe('IBANs (ISO 13616)', () => {
  it('checks the mod-97 digits and the country length, never echoing the number', () => {
    for (const iban of ['DE89370400440532013000', 'AT611904300234573201', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'GB29NWBK60161331926819']) assert.ok(passesMod97(iban), iban);
    assert.equal(passesMod97('DE89370400440532013001'), false);
    assert.equal(validIban(' de89 3704 0044 0532 0130 00 ', 'sepa_debit[iban]'), 'DE89370400440532013000');
    for (const bad of ['DE89370400440532013001', 'DE893704004405320130', 'US89370400440532013000', 'DE89-3704', 42]) {
      assert.throws(() => validIban(bad, 'sepa_debit[iban]'), (error: unknown) => error instanceof ApiError && error.code === 'invalid_value' && error.param === 'sepa_debit[iban]' && !error.message.includes('0532013'));
    }
  });

  it('shows the country, bank and branch codes and last four digits', () => {
    assert.deepEqual(ibanFacts('DE89370400440532013000'), { country: 'DE', bank_code: '37040044', branch_code: '', last4: '3000' });
    assert.deepEqual(ibanFacts('FR1420041010050500013M02606'), { country: 'FR', bank_code: '20041', branch_code: '01005', last4: '2606' });
    assert.deepEqual(ibanFacts('NL91ABNA0417164300'), { country: 'NL', bank_code: 'ABNA', branch_code: '', last4: '4300' });
  });
});
