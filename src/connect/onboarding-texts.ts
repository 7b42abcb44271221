import { preferredLanguage } from '../platform/accept-language.ts';
import type { OnboardingTexts } from './onboarding-text-shape.ts';
import { de } from './onboarding-texts-de.ts';
import { en } from './onboarding-texts-en.ts';
import { es } from './onboarding-texts-es.ts';
import { fr } from './onboarding-texts-fr.ts';
import { it } from './onboarding-texts-it.ts';
import { ja } from './onboarding-texts-ja.ts';
import { nl } from './onboarding-texts-nl.ts';
import { pl } from './onboarding-texts-pl.ts';
import { pt } from './onboarding-texts-pt.ts';

export { onboardingMccs, type OnboardingTexts } from './onboarding-text-shape.ts';

/**
 * What the hosted onboarding page says, in the seller's language (Accept-Language): the nine languages the hosted
 * Checkout page speaks; any other language falls back to English. Errors the page cannot word itself (an API error it
 * did not foresee) keep the API's English message.
 */
export const onboardingLocales = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'ja'] as const;
export type OnboardingLocale = (typeof onboardingLocales)[number];

const texts: Record<OnboardingLocale, OnboardingTexts> = { en, de, fr, es, it, nl, pt, pl, ja };

export function onboardingTexts(locale: OnboardingLocale): OnboardingTexts {
  return texts[locale];
}

/** The seller's language from Accept-Language (by quality), among the page's languages; English otherwise. */
export function onboardingLocaleOf(acceptLanguage: string | undefined): OnboardingLocale {
  return preferredLanguage(acceptLanguage, onboardingLocales) ?? 'en';
}
