import type { OnboardingTexts } from './onboarding-text-shape.ts';

export const de: OnboardingTexts = {
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
