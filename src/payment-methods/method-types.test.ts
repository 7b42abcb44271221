import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { withCurrentTable } from './method-types-doc.ts';
import { methodTypes } from './method-types.ts';
import { isCurrency } from '../platform/money.ts';

describe('the payment method types table', () => {
  it('docs/payment-methods.md holds the table as the code renders it (run scripts/generate-payment-methods-doc.ts)', () => {
    const doc = fs.readFileSync(new URL('../../docs/payment-methods.md', import.meta.url), 'utf8');
    assert.equal(doc, withCurrentTable(doc), 'docs/payment-methods.md is stale: node --import tsx scripts/generate-payment-methods-doc.ts');
  });

  it('names only currencies Payrail knows, upper-case countries, and pairs countries with listed currencies', () => {
    for (const method of methodTypes) {
      for (const currency of method.currencies) assert.ok(isCurrency(currency), `${method.type}: ${currency}`);
      for (const country of method.countries) assert.match(country, /^[A-Z]{2}$/);
      const pairs: Record<string, string> = 'countryCurrencies' in method ? method.countryCurrencies : {};
      for (const [country, currency] of Object.entries(pairs)) {
        assert.ok((method.countries as readonly string[]).includes(country), `${method.type}: ${country}`);
        assert.ok((method.currencies as readonly string[]).includes(currency), `${method.type}: ${currency}`);
      }
    }
  });
});
