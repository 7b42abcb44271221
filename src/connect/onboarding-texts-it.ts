import type { OnboardingTexts } from './onboarding-text-shape.ts';

export const it: OnboardingTexts = {
  title: 'Configura i pagamenti con {platform}', intro: '{platform} collabora con Payrail per pagarti. Raccontaci di te e della tua attività; chiediamo solo ciò che richiedono la legge e i circuiti delle carte.',
  testMode: 'Modalità di test', testHint: 'Modalità di test: nulla viene verificato presso una banca reale o un servizio di identità; i valori di test di Stripe (docs/connect.md) vengono convalidati.',
  correctFields: 'Correggi i campi segnalati qui sotto.', submit: 'Invia', continue: 'Continua', required: '(obbligatorio)',
  businessTypeSection: 'Tipo di attività', businessType: 'Tipo di attività',
  businessTypes: { individual: 'Persona fisica o ditta individuale', company: 'Società', non_profit: 'Organizzazione senza scopo di lucro', government_entity: 'Ente pubblico' },
  profileSection: 'La tua attività', mcc: 'Settore', mccChoose: 'Scegli un settore', website: 'Sito web dell\'attività', websiteHint: 'Non hai un sito web? Descrivi qui sotto cosa vendi.',
  productDescription: 'Descrizione dei prodotti', businessName: 'Nome dell\'attività',
  personSection: 'Dati personali', firstName: 'Nome', lastName: 'Cognome', email: 'E-mail', phone: 'Numero di telefono', dob: 'Data di nascita', day: 'Giorno', month: 'Mese', year: 'Anno',
  addressSection: 'Indirizzo di residenza', line1: 'Indirizzo, riga 1', line2: 'Indirizzo, riga 2 (facoltativo)', city: 'Città', postalCode: 'CAP', state: 'Stato',
  ssn: 'Numero di previdenza sociale statunitense (SSN)', ssnHint: 'Tutte e nove le cifre, o solo le ultime quattro. Viene cifrato e non sarà più mostrato.',
  idNumber: 'Numero del documento d\'identità', idNumberHint: 'Viene cifrato e non sarà più mostrato.',
  companySection: 'Dati della società', companyName: 'Ragione sociale', companyPhone: 'Telefono della società', taxId: 'Identificativo fiscale (partita IVA, EIN o numero di registro)',
  taxIdHint: 'Viene cifrato e non sarà più mostrato.', companyAddressSection: 'Sede legale',
  ownersProvided: 'Ho indicato tutte le persone che possiedono il 25% o più della società.', directorsProvided: 'Ho indicato gli amministratori della società.',
  executivesProvided: 'Ho indicato i dirigenti della società.',
  bankSection: 'Conto bancario per i bonifici', routingNumber: 'Routing number', accountNumber: 'Numero di conto', iban: 'IBAN', bankHint: 'I bonifici arrivano su questo conto. Il numero viene cifrato e non sarà più mostrato.',
  termsSection: 'Condizioni', terms: 'Accetto il Contratto di servizi Payrail e che {platform} condivida i miei dati con Payrail.',
  unknownLinkTitle: 'Link non valido', unknownLinkText: 'Questo link di registrazione non è valido. Chiedine uno nuovo a {platform}.', forbiddenTitle: 'Link non valido',
  errors: {
    required: 'Questo campo è obbligatorio.', email: 'Inserisci un indirizzo e-mail valido.', url: 'Inserisci un indirizzo web valido, ad esempio https://example.com.',
    urlOrDescription: 'Indica il sito web della tua attività o descrivi cosa vendi.', phone: 'Inserisci un numero di telefono valido.', dob: 'Inserisci una data di nascita valida.',
    dobFuture: 'La data di nascita deve essere nel passato.', ssn: 'Inserisci le ultime 4 cifre o tutte le 9 cifre del numero di previdenza sociale.', idNumber: 'Inserisci un numero di documento valido (lettere e cifre).',
    postalCode: 'Inserisci un CAP valido.', routingNumber: 'Il routing number non è valido.', accountNumber: 'Il numero di conto non è valido.', iban: 'L\'IBAN non è valido.',
    terms: 'Per continuare devi accettare le condizioni.', choose: 'Scegli una delle opzioni.', tooLong: 'Questo valore è troppo lungo.',
  },
  mccs: {
    5734: 'Software', 5817: 'App e beni digitali', 5815: 'Media digitali (libri, musica, film)', 7372: 'Servizi informatici e programmazione', 5399: 'Commercio al dettaglio generico',
    5651: 'Abbigliamento', 5942: 'Libri', 5945: 'Giocattoli e giochi', 5992: 'Fioristi', 5411: 'Alimentari', 5812: 'Ristoranti', 7011: 'Hotel e alloggi', 4121: 'Taxi e NCC',
    7299: 'Servizi alla persona', 7392: 'Consulenza', 7997: 'Club e palestre', 8299: 'Istruzione', 8398: 'Enti di beneficenza', 8999: 'Servizi professionali',
  },
};
