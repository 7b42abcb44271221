/**
 * What the hosted onboarding page says, in the seller's language (Accept-Language): English and German; any other
 * language falls back to English. Errors the page cannot word itself (an API error it did not foresee) keep the API's
 * English message.
 */
export const onboardingLocales = ['en', 'de'] as const;
export type OnboardingLocale = (typeof onboardingLocales)[number];

export interface OnboardingTexts {
  title: string; intro: string; testMode: string; testHint: string; correctFields: string; submit: string; continue: string; required: string;
  businessTypeSection: string; businessType: string; businessTypes: Record<'individual' | 'company' | 'non_profit' | 'government_entity', string>;
  profileSection: string; mcc: string; mccChoose: string; website: string; websiteHint: string; productDescription: string; businessName: string;
  personSection: string; firstName: string; lastName: string; email: string; phone: string; dob: string; day: string; month: string; year: string;
  addressSection: string; line1: string; line2: string; city: string; postalCode: string; state: string;
  ssn: string; ssnHint: string; idNumber: string; idNumberHint: string;
  companySection: string; companyName: string; companyPhone: string; taxId: string; taxIdHint: string; companyAddressSection: string;
  ownersProvided: string; directorsProvided: string; executivesProvided: string;
  bankSection: string; routingNumber: string; accountNumber: string; iban: string; bankHint: string;
  termsSection: string; terms: string;
  unknownLinkTitle: string; unknownLinkText: string; forbiddenTitle: string;
  errors: {
    required: string; email: string; url: string; urlOrDescription: string; phone: string; dob: string; dobFuture: string; ssn: string; idNumber: string;
    postalCode: string; routingNumber: string; accountNumber: string; iban: string; terms: string; choose: string; tooLong: string;
  };
  mccs: Record<string, string>;
}

/** The merchant category codes the page offers (Stripe's hosted onboarding asks an industry; these are the common ones). */
export const onboardingMccs = ['5734', '5817', '5815', '7372', '5399', '5651', '5942', '5945', '5992', '5411', '5812', '7011', '4121', '7299', '7392', '7997', '8299', '8398', '8999'] as const;

const en: OnboardingTexts = {
  title: 'Set up payments with {platform}', intro: '{platform} works with Payrail to pay you. Tell us about you and your business; what we ask is what the law and the card networks require.',
  testMode: 'Test mode', testHint: 'Test mode: nothing is checked with a real bank or identity provider; Stripe\'s test values (docs/connect.md) verify.',
  correctFields: 'Please correct the fields marked below.', submit: 'Submit', continue: 'Continue', required: '(required)',
  businessTypeSection: 'Business type', businessType: 'Type of business',
  businessTypes: { individual: 'Individual or sole proprietor', company: 'Company', non_profit: 'Non-profit organisation', government_entity: 'Government entity' },
  profileSection: 'Your business', mcc: 'Industry', mccChoose: 'Choose an industry', website: 'Business website', websiteHint: 'No website? Describe what you sell below instead.',
  productDescription: 'Product description', businessName: 'Business name',
  personSection: 'Personal details', firstName: 'First name', lastName: 'Last name', email: 'Email', phone: 'Phone number', dob: 'Date of birth', day: 'Day', month: 'Month', year: 'Year',
  addressSection: 'Home address', line1: 'Address line 1', line2: 'Address line 2 (optional)', city: 'City', postalCode: 'Postal code', state: 'State',
  ssn: 'Social Security number', ssnHint: 'The full nine digits, or only the last four. It is encrypted and never shown again.',
  idNumber: 'Government ID number', idNumberHint: 'It is encrypted and never shown again.',
  companySection: 'Company details', companyName: 'Legal company name', companyPhone: 'Company phone number', taxId: 'Tax ID (EIN, VAT or company number)',
  taxIdHint: 'It is encrypted and never shown again.', companyAddressSection: 'Registered address',
  ownersProvided: 'I have listed everyone who owns 25% or more of the company.', directorsProvided: 'I have listed the company\'s directors.',
  executivesProvided: 'I have listed the company\'s executives.',
  bankSection: 'Bank account for payouts', routingNumber: 'Routing number', accountNumber: 'Account number', iban: 'IBAN', bankHint: 'Payouts go to this account. The number is encrypted and never shown again.',
  termsSection: 'Terms', terms: 'I agree to the Payrail Services Agreement and that {platform} may share my information with Payrail.',
  unknownLinkTitle: 'Link not valid', unknownLinkText: 'This onboarding link is not valid. Ask {platform} for a new one.', forbiddenTitle: 'Link not valid',
  errors: {
    required: 'This field is required.', email: 'Enter a valid email address.', url: 'Enter a valid website address, such as https://example.com.',
    urlOrDescription: 'Enter your business website or describe what you sell.', phone: 'Enter a valid phone number.', dob: 'Enter a valid date of birth.',
    dobFuture: 'The date of birth must be in the past.', ssn: 'Enter the last 4 digits or all 9 digits of the Social Security number.', idNumber: 'Enter a valid ID number (letters and digits).',
    postalCode: 'Enter a valid postal code.', routingNumber: 'The routing number is invalid.', accountNumber: 'The account number is invalid.', iban: 'The IBAN is invalid.',
    terms: 'You must accept the terms to continue.', choose: 'Choose one of the options.', tooLong: 'This value is too long.',
  },
  mccs: {
    5734: 'Software', 5817: 'Apps and digital goods', 5815: 'Digital media (books, music, films)', 7372: 'IT services and programming', 5399: 'General merchandise',
    5651: 'Clothing', 5942: 'Books', 5945: 'Toys and games', 5992: 'Florists', 5411: 'Groceries', 5812: 'Restaurants', 7011: 'Hotels and lodging', 4121: 'Taxis and rides',
    7299: 'Personal services', 7392: 'Consulting', 7997: 'Clubs and fitness', 8299: 'Education', 8398: 'Charities', 8999: 'Professional services',
  },
};

const de: OnboardingTexts = {
  title: 'Zahlungen mit {platform} einrichten', intro: '{platform} arbeitet mit Payrail zusammen, um Sie auszuzahlen. Erzählen Sie uns von sich und Ihrem Unternehmen; wir fragen nur, was Gesetz und Kartennetzwerke verlangen.',
  testMode: 'Testmodus', testHint: 'Testmodus: Nichts wird bei einer echten Bank oder einem Identitätsdienst geprüft; die Testwerte von Stripe (docs/connect.md) werden bestätigt.',
  correctFields: 'Bitte korrigieren Sie die markierten Felder.', submit: 'Absenden', continue: 'Weiter', required: '(Pflichtfeld)',
  businessTypeSection: 'Unternehmensform', businessType: 'Art des Unternehmens',
  businessTypes: { individual: 'Einzelperson oder Einzelunternehmen', company: 'Gesellschaft', non_profit: 'Gemeinnützige Organisation', government_entity: 'Behörde' },
  profileSection: 'Ihr Unternehmen', mcc: 'Branche', mccChoose: 'Wählen Sie eine Branche', website: 'Website des Unternehmens', websiteHint: 'Keine Website? Beschreiben Sie stattdessen unten, was Sie verkaufen.',
  productDescription: 'Produktbeschreibung', businessName: 'Name des Unternehmens',
  personSection: 'Persönliche Angaben', firstName: 'Vorname', lastName: 'Nachname', email: 'E-Mail', phone: 'Telefonnummer', dob: 'Geburtsdatum', day: 'Tag', month: 'Monat', year: 'Jahr',
  addressSection: 'Wohnadresse', line1: 'Adresszeile 1', line2: 'Adresszeile 2 (optional)', city: 'Ort', postalCode: 'Postleitzahl', state: 'Bundesstaat',
  ssn: 'Sozialversicherungsnummer (SSN)', ssnHint: 'Alle neun Ziffern oder nur die letzten vier. Sie wird verschlüsselt und nie wieder angezeigt.',
  idNumber: 'Ausweisnummer', idNumberHint: 'Sie wird verschlüsselt und nie wieder angezeigt.',
  companySection: 'Angaben zur Gesellschaft', companyName: 'Rechtlicher Name der Gesellschaft', companyPhone: 'Telefonnummer der Gesellschaft', taxId: 'Steuernummer (USt-IdNr., EIN oder Handelsregisternummer)',
  taxIdHint: 'Sie wird verschlüsselt und nie wieder angezeigt.', companyAddressSection: 'Eingetragene Adresse',
  ownersProvided: 'Ich habe alle Personen angegeben, denen 25 % oder mehr der Gesellschaft gehören.', directorsProvided: 'Ich habe die Geschäftsführer der Gesellschaft angegeben.',
  executivesProvided: 'Ich habe die leitenden Angestellten der Gesellschaft angegeben.',
  bankSection: 'Bankkonto für Auszahlungen', routingNumber: 'Bankleitzahl (Routing Number)', accountNumber: 'Kontonummer', iban: 'IBAN', bankHint: 'Auszahlungen gehen auf dieses Konto. Die Nummer wird verschlüsselt und nie wieder angezeigt.',
  termsSection: 'Bedingungen', terms: 'Ich stimme dem Payrail-Dienstleistungsvertrag zu und dass {platform} meine Angaben an Payrail weitergeben darf.',
  unknownLinkTitle: 'Link ungültig', unknownLinkText: 'Dieser Einrichtungslink ist ungültig. Bitten Sie {platform} um einen neuen.', forbiddenTitle: 'Link ungültig',
  errors: {
    required: 'Dieses Feld ist erforderlich.', email: 'Geben Sie eine gültige E-Mail-Adresse ein.', url: 'Geben Sie eine gültige Website-Adresse ein, z. B. https://example.com.',
    urlOrDescription: 'Geben Sie die Website Ihres Unternehmens an oder beschreiben Sie, was Sie verkaufen.', phone: 'Geben Sie eine gültige Telefonnummer ein.', dob: 'Geben Sie ein gültiges Geburtsdatum ein.',
    dobFuture: 'Das Geburtsdatum muss in der Vergangenheit liegen.', ssn: 'Geben Sie die letzten 4 oder alle 9 Ziffern der Sozialversicherungsnummer ein.', idNumber: 'Geben Sie eine gültige Ausweisnummer ein (Buchstaben und Ziffern).',
    postalCode: 'Geben Sie eine gültige Postleitzahl ein.', routingNumber: 'Die Bankleitzahl ist ungültig.', accountNumber: 'Die Kontonummer ist ungültig.', iban: 'Die IBAN ist ungültig.',
    terms: 'Sie müssen den Bedingungen zustimmen, um fortzufahren.', choose: 'Wählen Sie eine der Optionen.', tooLong: 'Dieser Wert ist zu lang.',
  },
  mccs: {
    5734: 'Software', 5817: 'Apps und digitale Güter', 5815: 'Digitale Medien (Bücher, Musik, Filme)', 7372: 'IT-Dienstleistungen und Programmierung', 5399: 'Warenhaus, gemischtes Sortiment',
    5651: 'Bekleidung', 5942: 'Bücher', 5945: 'Spielwaren', 5992: 'Blumen', 5411: 'Lebensmittel', 5812: 'Restaurants', 7011: 'Hotels und Unterkünfte', 4121: 'Taxis und Fahrdienste',
    7299: 'Persönliche Dienstleistungen', 7392: 'Beratung', 7997: 'Vereine und Fitness', 8299: 'Bildung', 8398: 'Wohltätigkeit', 8999: 'Freiberufliche Dienstleistungen',
  },
};

const texts: Record<OnboardingLocale, OnboardingTexts> = { en, de };

export function onboardingTexts(locale: OnboardingLocale): OnboardingTexts {
  return texts[locale];
}

/** The seller's language from Accept-Language (by quality), among the page's languages; English otherwise. */
export function onboardingLocaleOf(acceptLanguage: string | undefined): OnboardingLocale {
  const preferred = (acceptLanguage ?? '').slice(0, 1000).split(',')
    .map((part) => {
      const [tag, ...parameters] = part.trim().split(';');
      const quality = parameters.map((parameter) => /^q=([0-9.]+)$/.exec(parameter.trim())?.[1]).find((value) => value !== undefined);
      return { language: tag.toLowerCase().split('-')[0], quality: quality === undefined ? 1 : Number(quality) };
    })
    .filter((entry) => entry.language !== '' && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality);
  for (const { language } of preferred) if ((onboardingLocales as readonly string[]).includes(language)) return language as OnboardingLocale;
  return 'en';
}
