import type { OnboardingTexts } from './onboarding-text-shape.ts';

export const pl: OnboardingTexts = {
  title: 'Skonfiguruj płatności z {platform}', intro: '{platform} współpracuje z Payrail, aby Ci płacić. Opowiedz nam o sobie i swojej firmie; pytamy tylko o to, czego wymagają przepisy i organizacje kartowe.',
  testMode: 'Tryb testowy', testHint: 'Tryb testowy: nic nie jest sprawdzane w prawdziwym banku ani usłudze weryfikacji tożsamości; wartości testowe Stripe (docs/connect.md) zostają zweryfikowane.',
  correctFields: 'Popraw pola oznaczone poniżej.', submit: 'Wyślij', continue: 'Dalej', required: '(wymagane)',
  businessTypeSection: 'Rodzaj działalności', businessType: 'Rodzaj działalności',
  businessTypes: { individual: 'Osoba fizyczna lub jednoosobowa działalność', company: 'Spółka', non_profit: 'Organizacja non-profit', government_entity: 'Instytucja publiczna' },
  profileSection: 'Twoja firma', mcc: 'Branża', mccChoose: 'Wybierz branżę', website: 'Strona internetowa firmy', websiteHint: 'Nie masz strony? Opisz poniżej, co sprzedajesz.',
  productDescription: 'Opis produktów', businessName: 'Nazwa firmy',
  personSection: 'Dane osobowe', firstName: 'Imię', lastName: 'Nazwisko', email: 'E-mail', phone: 'Numer telefonu', dob: 'Data urodzenia', day: 'Dzień', month: 'Miesiąc', year: 'Rok',
  addressSection: 'Adres zamieszkania', line1: 'Adres, wiersz 1', line2: 'Adres, wiersz 2 (opcjonalnie)', city: 'Miejscowość', postalCode: 'Kod pocztowy', state: 'Stan',
  ssn: 'Amerykański numer ubezpieczenia społecznego (SSN)', ssnHint: 'Wszystkie dziewięć cyfr albo tylko cztery ostatnie. Jest szyfrowany i nigdy więcej nie zostanie pokazany.',
  idNumber: 'Numer dokumentu tożsamości', idNumberHint: 'Jest szyfrowany i nigdy więcej nie zostanie pokazany.',
  companySection: 'Dane spółki', companyName: 'Pełna nazwa spółki', companyPhone: 'Telefon spółki', taxId: 'Identyfikator podatkowy (NIP, VAT, EIN lub numer KRS)',
  taxIdHint: 'Jest szyfrowany i nigdy więcej nie zostanie pokazany.', companyAddressSection: 'Adres siedziby',
  ownersProvided: 'Podałem(-am) wszystkie osoby, które posiadają 25% lub więcej spółki.', directorsProvided: 'Podałem(-am) członków zarządu spółki.',
  executivesProvided: 'Podałem(-am) kadrę kierowniczą spółki.',
  bankSection: 'Konto bankowe do wypłat', routingNumber: 'Numer rozliczeniowy (routing number)', accountNumber: 'Numer konta', iban: 'IBAN', bankHint: 'Wypłaty trafiają na to konto. Numer jest szyfrowany i nigdy więcej nie zostanie pokazany.',
  termsSection: 'Warunki', terms: 'Akceptuję Umowę o świadczenie usług Payrail i zgadzam się, aby {platform} przekazywał moje dane do Payrail.',
  unknownLinkTitle: 'Nieprawidłowy link', unknownLinkText: 'Ten link rejestracyjny jest nieprawidłowy. Poproś {platform} o nowy.', forbiddenTitle: 'Nieprawidłowy link',
  errors: {
    required: 'To pole jest wymagane.', email: 'Wpisz prawidłowy adres e-mail.', url: 'Wpisz prawidłowy adres strony, np. https://example.com.',
    urlOrDescription: 'Podaj stronę internetową firmy lub opisz, co sprzedajesz.', phone: 'Wpisz prawidłowy numer telefonu.', dob: 'Wpisz prawidłową datę urodzenia.',
    dobFuture: 'Data urodzenia musi być w przeszłości.', ssn: 'Wpisz 4 ostatnie cyfry albo wszystkie 9 cyfr numeru ubezpieczenia społecznego.', idNumber: 'Wpisz prawidłowy numer dokumentu (litery i cyfry).',
    postalCode: 'Wpisz prawidłowy kod pocztowy.', routingNumber: 'Numer rozliczeniowy jest nieprawidłowy.', accountNumber: 'Numer konta jest nieprawidłowy.', iban: 'Numer IBAN jest nieprawidłowy.',
    terms: 'Aby kontynuować, musisz zaakceptować warunki.', choose: 'Wybierz jedną z opcji.', tooLong: 'Ta wartość jest za długa.',
  },
  mccs: {
    5734: 'Oprogramowanie', 5817: 'Aplikacje i towary cyfrowe', 5815: 'Media cyfrowe (książki, muzyka, filmy)', 7372: 'Usługi IT i programowanie', 5399: 'Handel ogólny',
    5651: 'Odzież', 5942: 'Książki', 5945: 'Zabawki i gry', 5992: 'Kwiaciarnie', 5411: 'Artykuły spożywcze', 5812: 'Restauracje', 7011: 'Hotele i noclegi', 4121: 'Taksówki i przewozy',
    7299: 'Usługi osobiste', 7392: 'Doradztwo', 7997: 'Kluby i fitness', 8299: 'Edukacja', 8398: 'Organizacje charytatywne', 8999: 'Usługi profesjonalne',
  },
};
