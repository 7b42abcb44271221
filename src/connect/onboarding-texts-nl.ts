import type { OnboardingTexts } from './onboarding-text-shape.ts';

export const nl: OnboardingTexts = {
  title: 'Betalingen instellen met {platform}', intro: '{platform} werkt samen met Payrail om u uit te betalen. Vertel ons over uzelf en uw bedrijf; we vragen alleen wat de wet en de kaartnetwerken vereisen.',
  testMode: 'Testmodus', testHint: 'Testmodus: er wordt niets gecontroleerd bij een echte bank of identiteitsdienst; de testwaarden van Stripe (docs/connect.md) worden goedgekeurd.',
  correctFields: 'Corrigeer de hieronder gemarkeerde velden.', submit: 'Versturen', continue: 'Doorgaan', required: '(verplicht)',
  businessTypeSection: 'Bedrijfsvorm', businessType: 'Soort bedrijf',
  businessTypes: { individual: 'Particulier of eenmanszaak', company: 'Vennootschap', non_profit: 'Organisatie zonder winstoogmerk', government_entity: 'Overheidsinstantie' },
  profileSection: 'Uw bedrijf', mcc: 'Branche', mccChoose: 'Kies een branche', website: 'Website van het bedrijf', websiteHint: 'Geen website? Beschrijf hieronder wat u verkoopt.',
  productDescription: 'Productomschrijving', businessName: 'Bedrijfsnaam',
  personSection: 'Persoonlijke gegevens', firstName: 'Voornaam', lastName: 'Achternaam', email: 'E-mail', phone: 'Telefoonnummer', dob: 'Geboortedatum', day: 'Dag', month: 'Maand', year: 'Jaar',
  addressSection: 'Woonadres', line1: 'Adresregel 1', line2: 'Adresregel 2 (optioneel)', city: 'Plaats', postalCode: 'Postcode', state: 'Staat',
  ssn: 'Amerikaans burgerservicenummer (SSN)', ssnHint: 'Alle negen cijfers, of alleen de laatste vier. Het wordt versleuteld en nooit meer getoond.',
  idNumber: 'Nummer van het identiteitsbewijs', idNumberHint: 'Het wordt versleuteld en nooit meer getoond.',
  companySection: 'Gegevens van de vennootschap', companyName: 'Statutaire naam', companyPhone: 'Telefoonnummer van de vennootschap', taxId: 'Fiscaal nummer (btw-nummer, EIN of KvK-nummer)',
  taxIdHint: 'Het wordt versleuteld en nooit meer getoond.', companyAddressSection: 'Statutair adres',
  ownersProvided: 'Ik heb iedereen opgegeven die 25% of meer van de vennootschap bezit.', directorsProvided: 'Ik heb de bestuurders van de vennootschap opgegeven.',
  executivesProvided: 'Ik heb de leidinggevenden van de vennootschap opgegeven.',
  bankSection: 'Bankrekening voor uitbetalingen', routingNumber: 'Routingnummer', accountNumber: 'Rekeningnummer', iban: 'IBAN', bankHint: 'Uitbetalingen gaan naar deze rekening. Het nummer wordt versleuteld en nooit meer getoond.',
  termsSection: 'Voorwaarden', terms: 'Ik ga akkoord met de Payrail-dienstenovereenkomst en dat {platform} mijn gegevens met Payrail deelt.',
  unknownLinkTitle: 'Link ongeldig', unknownLinkText: 'Deze aanmeldlink is ongeldig. Vraag {platform} om een nieuwe.', forbiddenTitle: 'Link ongeldig',
  errors: {
    required: 'Dit veld is verplicht.', email: 'Voer een geldig e-mailadres in.', url: 'Voer een geldig webadres in, zoals https://example.com.',
    urlOrDescription: 'Geef de website van uw bedrijf op of beschrijf wat u verkoopt.', phone: 'Voer een geldig telefoonnummer in.', dob: 'Voer een geldige geboortedatum in.',
    dobFuture: 'De geboortedatum moet in het verleden liggen.', ssn: 'Voer de laatste 4 cijfers of alle 9 cijfers van het burgerservicenummer in.', idNumber: 'Voer een geldig identiteitsnummer in (letters en cijfers).',
    postalCode: 'Voer een geldige postcode in.', routingNumber: 'Het routingnummer is ongeldig.', accountNumber: 'Het rekeningnummer is ongeldig.', iban: 'De IBAN is ongeldig.',
    terms: 'U moet de voorwaarden accepteren om door te gaan.', choose: 'Kies een van de opties.', tooLong: 'Deze waarde is te lang.',
  },
  mccs: {
    5734: 'Software', 5817: 'Apps en digitale goederen', 5815: 'Digitale media (boeken, muziek, films)', 7372: 'IT-diensten en programmeren', 5399: 'Warenhuis, algemeen assortiment',
    5651: 'Kleding', 5942: 'Boeken', 5945: 'Speelgoed en spellen', 5992: 'Bloemisten', 5411: 'Levensmiddelen', 5812: 'Restaurants', 7011: 'Hotels en logies', 4121: 'Taxi\'s en ritdiensten',
    7299: 'Persoonlijke dienstverlening', 7392: 'Advies', 7997: 'Clubs en fitness', 8299: 'Onderwijs', 8398: 'Goede doelen', 8999: 'Zakelijke dienstverlening',
  },
};
