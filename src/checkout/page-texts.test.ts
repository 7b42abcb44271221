import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkoutLocaleOf, checkoutLocales, checkoutTexts } from './page-texts.ts';

describe('the hosted Checkout page\'s languages', () => {
  it('speaks the session\'s locale, else the browser\'s first language it knows, else English', () => {
    assert.equal(checkoutLocaleOf('de', 'fr-FR,fr;q=0.9'), 'de');
    assert.equal(checkoutLocaleOf('auto', 'fr-FR,fr;q=0.9,en;q=0.8'), 'fr');
    assert.equal(checkoutLocaleOf(null, 'sv-SE, nl;q=0.7, en;q=0.5'), 'nl');
    assert.equal(checkoutLocaleOf(null, 'en;q=0.2, ja;q=0.9'), 'ja');
    assert.equal(checkoutLocaleOf('auto', 'sv-SE'), 'en');
    assert.equal(checkoutLocaleOf('auto', undefined), 'en');
    assert.equal(checkoutLocaleOf(null, 'pt;q=0, it'), 'it');
    assert.equal(checkoutLocaleOf(null, ';;,,q=x'), 'en');
  });

  it('has every text in every language, none left in English by mistake', () => {
    const english = checkoutTexts('en');
    const keys = (texts: object): string[] => Object.entries(texts).flatMap(([key, value]) => (typeof value === 'object' ? keys(value).map((inner) => `${key}.${inner}`) : [key]));
    for (const locale of checkoutLocales) {
      const texts = checkoutTexts(locale);
      assert.deepEqual(keys(texts).sort(), keys(english).sort(), locale);
      if (locale === 'en') continue;
      // A few words are the same in several languages (E-mail, Pagar), but the pay button and the card's label are not English.
      assert.notEqual(texts.cardNumber, english.cardNumber, locale);
      assert.notEqual(texts.errors.number, english.errors.number, locale);
    }
  });
});
