import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveAppearance } from '../client/payrail-js/appearance.ts';
import {
  brandOf, caretAfterDigits, checkCard, checkCvc, checkExpiry, checkNumber, cvcLength, formatExpiry, formatNumber, numberFinished, passesLuhn,
} from '../client/payrail-js/card.ts';
import { resolveLocale, supportedLocales, textsFor } from '../client/payrail-js/messages.ts';
import { intentIdOf, setupIntentIdOf } from '../client/payrail-js/protocol.ts';
import { billingValueLengthMax, cleanBillingDetails, formEncode } from '../client/payrail-js/requests.ts';

/** payrail.js's card logic (client/payrail-js/card.ts) runs in the frame as the shopper types; here it runs in Node. */
describe('payrail.js card fields: brand, Luhn, formatting, expiry', () => {
  const now = new Date(2026, 11, 7); // 7 December 2026 (months count from 0)

  it('detects the brand from the leading digits', () => {
    const cases: Record<string, string> = {
      '4242424242424242': 'visa',
      '5555555555554444': 'mastercard',
      '2223003122003222': 'mastercard',
      '378282246310005': 'amex',
      '371449635398431': 'amex',
      '6011111111111117': 'discover',
      '6221260000000000': 'discover',
      '3056930009020004': 'diners',
      '36227206271667': 'diners',
      '3566002020360505': 'jcb',
      '6200000000000005': 'unionpay',
      '9999': 'unknown',
      '': 'unknown',
    };
    for (const [number, brand] of Object.entries(cases)) assert.equal(brandOf(number), brand, number);
  });

  it('runs the Luhn check', () => {
    assert.equal(passesLuhn('4242424242424242'), true);
    assert.equal(passesLuhn('4242424242424241'), false);
    assert.equal(passesLuhn('378282246310005'), true);
    assert.equal(passesLuhn(''), false);
    assert.equal(passesLuhn('4242 4242'), false, 'digits only');
  });

  it('groups the number as the card shows it: 4-4-4-4, Amex 4-6-5, Diners 14 4-6-4', () => {
    assert.equal(formatNumber('4242424242424242'), '4242 4242 4242 4242');
    assert.equal(formatNumber('42424'), '4242 4');
    assert.equal(formatNumber('4242-4242 4242x4242'), '4242 4242 4242 4242', 'pasted with separators');
    assert.equal(formatNumber('378282246310005'), '3782 822463 10005');
    assert.equal(formatNumber('3782822463100051234'), '3782 822463 10005', 'cut at the brand\'s length');
    assert.equal(formatNumber('36227206271667'), '3622 720627 1667');
    assert.equal(formatNumber('4000000000000000002'), '4000 0000 0000 0000 002', 'a 19-digit Visa');
    assert.equal(caretAfterDigits('4242 4242 4', 5), 6);
    assert.equal(caretAfterDigits('4242 4242 4', 4), 4);
  });

  it('calls a number complete, incomplete or invalid (Luhn, at the brand\'s longest length)', () => {
    assert.deepEqual(checkNumber(''), { state: 'empty' });
    assert.deepEqual(checkNumber('424242'), { state: 'incomplete', failsLuhn: false });
    assert.deepEqual(checkNumber('4242424242424242'), { state: 'complete' });
    assert.deepEqual(checkNumber('4242424242424241'), { state: 'incomplete', failsLuhn: true }, 'a Visa may still grow to 19 digits');
    assert.deepEqual(checkNumber('5555555555554443'), { state: 'invalid', code: 'invalid_number' });
    assert.deepEqual(checkNumber('378282246310006'), { state: 'invalid', code: 'invalid_number' });
    assert.deepEqual(checkNumber('378282246310005'), { state: 'complete' });
  });

  it('moves on from the number only at its brand\'s usual length, not at a shorter one that passes Luhn', () => {
    // The first 13 digits of Stripe's 3-D Secure test card pass Luhn: a 13-digit Visa is complete, but not finished.
    assert.deepEqual(checkNumber('4000002760003'), { state: 'complete' });
    assert.equal(numberFinished('4000002760003'), false);
    assert.equal(numberFinished('4000002760003184'), true);
    assert.equal(numberFinished('378282246310005'), true);
    assert.equal(numberFinished('36227206271667'), true);
    assert.equal(numberFinished('3056930009020004'), true);
    assert.equal(numberFinished('30569300090200'), false);
  });

  it('formats and checks the expiry as MM / YY, never in the past', () => {
    assert.equal(formatExpiry('1'), '1');
    assert.equal(formatExpiry('4'), '04 / ');
    assert.equal(formatExpiry('12'), '12 / ');
    assert.equal(formatExpiry('12', true), '12', 'backspace over the separator');
    assert.equal(formatExpiry('1234'), '12 / 34');
    assert.equal(formatExpiry('12/2034'), '12 / 34', 'autofill with a four-digit year');
    assert.equal(formatExpiry('12 / 345'), '12 / 34');
    assert.deepEqual(checkExpiry('', now), { state: 'empty' });
    assert.deepEqual(checkExpiry('12 / 3', now), { state: 'incomplete' });
    assert.deepEqual(checkExpiry('12 / 34', now), { state: 'complete', expiry: { month: 12, year: 2034 } });
    assert.deepEqual(checkExpiry('12 / 26', now), { state: 'complete', expiry: { month: 12, year: 2026 } }, 'valid through the end of its month');
    assert.deepEqual(checkExpiry('11 / 26', now), { state: 'invalid', code: 'invalid_expiry_month_past' });
    assert.deepEqual(checkExpiry('12 / 20', now), { state: 'invalid', code: 'invalid_expiry_year_past' });
    assert.deepEqual(checkExpiry('13 / 30', now), { state: 'invalid', code: 'invalid_expiry_month' });
    assert.deepEqual(checkExpiry('00', now), { state: 'invalid', code: 'invalid_expiry_month' });
    assert.deepEqual(checkExpiry('01 / 99', now), { state: 'invalid', code: 'invalid_expiry_year' });
  });

  it('wants four CVC digits for Amex, three for the others', () => {
    assert.equal(cvcLength('amex'), 4);
    assert.equal(cvcLength('visa'), 3);
    assert.deepEqual(checkCvc('123', 'visa'), { state: 'complete' });
    assert.deepEqual(checkCvc('123', 'amex'), { state: 'incomplete' });
    assert.deepEqual(checkCvc('1234', 'amex'), { state: 'complete' });
  });

  it('checks the whole card, field by field, in Stripe\'s codes', () => {
    const complete = checkCard({ number: '4242 4242 4242 4242', expiry: '12 / 34', cvc: '123', postalCode: '' }, { postalCode: false }, now);
    assert.equal(complete.complete, true);
    assert.equal(complete.brand, 'visa');
    assert.deepEqual(complete.expiry, { month: 12, year: 2034 });
    const withZip = checkCard({ number: '4242 4242 4242 4242', expiry: '12 / 34', cvc: '123', postalCode: '1' }, { postalCode: true }, now);
    assert.deepEqual(withZip.problems, { postalCode: 'incomplete_zip' });
    const empty = checkCard({ number: '', expiry: '', cvc: '', postalCode: '' }, { postalCode: true }, now);
    assert.equal(empty.empty, true);
    assert.deepEqual(empty.problems, { number: 'incomplete_number', expiry: 'incomplete_expiry', cvc: 'incomplete_cvc', postalCode: 'incomplete_zip' });
    const wrong = checkCard({ number: '5555 5555 5555 4443', expiry: '01 / 20', cvc: '1', postalCode: '' }, { postalCode: false }, now);
    assert.deepEqual(wrong.problems, { number: 'invalid_number', expiry: 'invalid_expiry_year_past', cvc: 'incomplete_cvc' });
    assert.deepEqual(wrong.incomplete, { cvc: true });
    const luhn = checkCard({ number: '4242 4242 4242 4241', expiry: '12 / 34', cvc: '123', postalCode: '' }, { postalCode: false }, now);
    assert.deepEqual(luhn.problems, { number: 'invalid_number' }, 'once the shopper leaves the field, a Luhn failure is invalid');
    assert.deepEqual(luhn.incomplete, { number: true });
  });

  it('speaks nine languages, every message of every code, and falls back to English', () => {
    const english = textsFor('en');
    for (const locale of supportedLocales) {
      const texts = textsFor(locale);
      assert.deepEqual(Object.keys(texts.errors).sort(), Object.keys(english.errors).sort(), locale);
      for (const message of [...Object.values(texts.errors), ...Object.values(texts.fields)]) assert.ok(message.length > 0, locale);
    }
    assert.equal(resolveLocale('de', ['fr']), 'de');
    assert.equal(resolveLocale('pt-BR', []), 'pt');
    assert.equal(resolveLocale('auto', ['sv-SE', 'nl-BE']), 'nl');
    assert.equal(resolveLocale(undefined, ['ja']), 'ja');
    assert.equal(resolveLocale('xx', ['de']), 'en');
    assert.equal(textsFor('de').errors.invalid_number, 'Ihre Kartennummer ist ungültig.');
  });

  it('takes appearance values that fit their grammar and drops the rest (no CSS injection)', () => {
    const resolved = resolveAppearance({
      theme: 'night',
      variables: {
        colorPrimary: '#ff0000', colorText: 'rgb(10, 20, 30)', fontFamily: '"Helvetica Neue", Arial, sans-serif', borderRadius: '8px', spacingUnit: '0.25rem',
        colorBackground: 'red;} body{background:url(https://evil.example/x)}', colorDanger: 'url(https://evil.example)', fontSizeBase: 'calc(1px + expression(alert(1)))', unknownThing: 'x',
      },
    });
    assert.equal(resolved.theme, 'night');
    assert.equal(resolved.properties['--payrail-color-primary'], '#ff0000');
    assert.equal(resolved.properties['--payrail-color-text'], 'rgb(10, 20, 30)');
    assert.equal(resolved.properties['--payrail-font-family'], '"Helvetica Neue", Arial, sans-serif');
    assert.equal(resolved.properties['--payrail-border-radius'], '8px');
    assert.equal(resolved.properties['--payrail-spacing-unit'], '0.25rem');
    assert.equal(resolved.properties['--payrail-color-background'], '#30313d', 'the theme\'s value stays');
    assert.equal(resolved.properties['--payrail-color-danger'], '#fe87a1');
    assert.equal(resolved.properties['--payrail-font-size-base'], '16px');
    assert.deepEqual(resolved.refused.sort(), ['variables.colorBackground', 'variables.colorDanger', 'variables.fontSizeBase', 'variables.unknownThing']);
    for (const value of Object.values(resolved.properties)) assert.doesNotMatch(value, /[;{}\\]|url\(/i);
    assert.deepEqual(resolveAppearance({ theme: 'hacker' }).refused, ['theme']);
    assert.equal(resolveAppearance(undefined).theme, 'stripe');
  });

  it('reads the intent id from a client secret as Stripe.js does', () => {
    assert.equal(intentIdOf('pi_0abc123_secret_XYZ987'), 'pi_0abc123');
    assert.equal(intentIdOf('seti_123_secret_abc'), undefined);
    assert.equal(intentIdOf('pi_123'), undefined);
    assert.equal(intentIdOf('pi_1/../x_secret_a'), undefined);
    assert.equal(setupIntentIdOf('seti_0abc123_secret_XYZ987'), 'seti_0abc123');
    assert.equal(setupIntentIdOf('pi_123_secret_abc'), undefined);
    assert.equal(setupIntentIdOf('seti_1/../x_secret_a'), undefined);
  });
  it('encodes requests as Stripe\'s forms and passes on only Stripe\'s billing fields, as short strings', () => {
    assert.equal(
      formEncode({ type: 'card', card: { number: '4242424242424242', exp_month: 12 }, billing_details: { address: { city: 'São Paulo & Co' } }, skipped: undefined }),
      'type=card&card%5Bnumber%5D=4242424242424242&card%5Bexp_month%5D=12&billing_details%5Baddress%5D%5Bcity%5D=S%C3%A3o%20Paulo%20%26%20Co',
    );
    const cleaned = cleanBillingDetails({
      name: 'Jenny Rosen', email: 'jenny@example.com', phone: 42, metadata: { a: 'b' }, address: { city: 'Berlin', country: 'DE', evil: 'x', line1: 'x'.repeat(10_000) },
    }, '10115');
    assert.deepEqual(cleaned, { name: 'Jenny Rosen', email: 'jenny@example.com', address: { line1: 'x'.repeat(billingValueLengthMax), city: 'Berlin', postal_code: '10115', country: 'DE' } });
    assert.deepEqual(cleanBillingDetails({ address: { postal_code: '75001' } }, '10115'), { address: { postal_code: '75001' } }, 'the merchant\'s postal code wins');
    assert.equal(cleanBillingDetails('not an object', undefined), undefined);
    assert.equal(cleanBillingDetails(undefined, undefined), undefined);
  });
});
