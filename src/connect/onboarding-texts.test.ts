import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onboardingLocaleOf, onboardingLocales, onboardingMccs, onboardingTexts } from './onboarding-texts.ts';

describe('the hosted onboarding page\'s languages', () => {
  it('speaks the browser\'s first language it knows (by quality), else English', () => {
    assert.equal(onboardingLocaleOf('fr-CA,fr;q=0.9,en;q=0.8'), 'fr');
    assert.equal(onboardingLocaleOf('sv-SE, pl;q=0.7, en;q=0.5'), 'pl');
    assert.equal(onboardingLocaleOf('en;q=0.2, ja;q=0.9'), 'ja');
    assert.equal(onboardingLocaleOf('es-419'), 'es');
    assert.equal(onboardingLocaleOf('pt;q=0, it'), 'it');
    assert.equal(onboardingLocaleOf('sv-SE'), 'en');
    assert.equal(onboardingLocaleOf(undefined), 'en');
    assert.equal(onboardingLocaleOf(';;,,q=x'), 'en');
  });

  it('has every text and every industry in each of its nine languages, none left in English by mistake', () => {
    const english = onboardingTexts('en');
    const keys = (texts: object): string[] => Object.entries(texts).flatMap(([key, value]) => (typeof value === 'object' ? keys(value).map((inner) => `${key}.${inner}`) : [key]));
    assert.equal(onboardingLocales.length, 9);
    for (const locale of onboardingLocales) {
      const texts = onboardingTexts(locale);
      assert.deepEqual(keys(texts).sort(), keys(english).sort(), locale);
      for (const mcc of onboardingMccs) assert.ok(texts.mccs[mcc], `${locale} names industry ${mcc}`);
      // Every text that names the platform keeps its placeholder.
      for (const key of ['title', 'intro', 'terms', 'unknownLinkText'] as const) assert.match(texts[key], /\{platform\}/, `${locale} ${key}`);
      if (locale === 'en') continue;
      assert.notEqual(texts.submit, english.submit, locale);
      assert.notEqual(texts.errors.required, english.errors.required, locale);
      assert.notEqual(texts.businessTypes.company, english.businessTypes.company, locale);
    }
  });
});
