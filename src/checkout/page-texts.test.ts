import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkoutLocaleOf, checkoutLocales, checkoutTexts, declineText } from './page-texts.ts';

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

  it('says a failed payment in the page\'s language by its decline code, and keeps the message of an unknown one', () => {
    const french = checkoutTexts('fr');
    assert.equal(declineText(french, 'card_declined', 'insufficient_funds', 'Your card has insufficient funds.'), 'Les fonds de votre carte sont insuffisants.');
    assert.equal(declineText(french, 'card_declined', 'generic_decline', 'Your card was declined.'), 'Votre carte a été refusée.');
    assert.equal(declineText(french, 'payment_intent_authentication_failure', undefined, 'x'), french.declines.authenticationFailed);
    assert.equal(declineText(french, 'some_future_code', undefined, 'As the API says it.'), 'As the API says it.');
    for (const locale of checkoutLocales) assert.notEqual(checkoutTexts(locale).declines.generic, '', locale);
  });
});
