import type { OnboardingTexts } from './onboarding-text-shape.ts';

export const fr: OnboardingTexts = {
  title: 'Configurer les paiements avec {platform}', intro: '{platform} travaille avec Payrail pour vous payer. Parlez-nous de vous et de votre entreprise ; nous ne demandons que ce qu\'exigent la loi et les réseaux de cartes.',
  testMode: 'Mode test', testHint: 'Mode test : rien n\'est vérifié auprès d\'une vraie banque ni d\'un service d\'identité ; les valeurs de test de Stripe (docs/connect.md) sont validées.',
  correctFields: 'Veuillez corriger les champs signalés ci-dessous.', submit: 'Envoyer', continue: 'Continuer', required: '(obligatoire)',
  businessTypeSection: 'Type d\'entreprise', businessType: 'Type d\'entreprise',
  businessTypes: { individual: 'Particulier ou entrepreneur individuel', company: 'Société', non_profit: 'Organisation à but non lucratif', government_entity: 'Organisme public' },
  profileSection: 'Votre entreprise', mcc: 'Secteur d\'activité', mccChoose: 'Choisissez un secteur', website: 'Site web de l\'entreprise', websiteHint: 'Pas de site web ? Décrivez plutôt ci-dessous ce que vous vendez.',
  productDescription: 'Description des produits', businessName: 'Nom de l\'entreprise',
  personSection: 'Informations personnelles', firstName: 'Prénom', lastName: 'Nom', email: 'E-mail', phone: 'Numéro de téléphone', dob: 'Date de naissance', day: 'Jour', month: 'Mois', year: 'Année',
  addressSection: 'Adresse personnelle', line1: 'Adresse, ligne 1', line2: 'Adresse, ligne 2 (facultatif)', city: 'Ville', postalCode: 'Code postal', state: 'État',
  ssn: 'Numéro de sécurité sociale américain (SSN)', ssnHint: 'Les neuf chiffres, ou seulement les quatre derniers. Il est chiffré et ne sera plus jamais affiché.',
  idNumber: 'Numéro de pièce d\'identité', idNumberHint: 'Il est chiffré et ne sera plus jamais affiché.',
  companySection: 'Informations sur la société', companyName: 'Raison sociale', companyPhone: 'Numéro de téléphone de la société', taxId: 'Identifiant fiscal (TVA, EIN ou numéro d\'immatriculation)',
  taxIdHint: 'Il est chiffré et ne sera plus jamais affiché.', companyAddressSection: 'Adresse du siège',
  ownersProvided: 'J\'ai indiqué toutes les personnes qui détiennent 25 % ou plus de la société.', directorsProvided: 'J\'ai indiqué les dirigeants de la société.',
  executivesProvided: 'J\'ai indiqué les cadres dirigeants de la société.',
  bankSection: 'Compte bancaire pour les virements', routingNumber: 'Numéro de routage (routing number)', accountNumber: 'Numéro de compte', iban: 'IBAN', bankHint: 'Les virements sont envoyés sur ce compte. Le numéro est chiffré et ne sera plus jamais affiché.',
  termsSection: 'Conditions', terms: 'J\'accepte le Contrat de services Payrail et j\'autorise {platform} à transmettre mes informations à Payrail.',
  unknownLinkTitle: 'Lien non valide', unknownLinkText: 'Ce lien d\'inscription n\'est pas valide. Demandez-en un nouveau à {platform}.', forbiddenTitle: 'Lien non valide',
  errors: {
    required: 'Ce champ est obligatoire.', email: 'Saisissez une adresse e-mail valide.', url: 'Saisissez une adresse de site web valide, par exemple https://example.com.',
    urlOrDescription: 'Indiquez le site web de votre entreprise ou décrivez ce que vous vendez.', phone: 'Saisissez un numéro de téléphone valide.', dob: 'Saisissez une date de naissance valide.',
    dobFuture: 'La date de naissance doit être dans le passé.', ssn: 'Saisissez les 4 derniers chiffres ou les 9 chiffres du numéro de sécurité sociale.', idNumber: 'Saisissez un numéro de pièce d\'identité valide (lettres et chiffres).',
    postalCode: 'Saisissez un code postal valide.', routingNumber: 'Le numéro de routage n\'est pas valide.', accountNumber: 'Le numéro de compte n\'est pas valide.', iban: 'L\'IBAN n\'est pas valide.',
    terms: 'Vous devez accepter les conditions pour continuer.', choose: 'Choisissez l\'une des options.', tooLong: 'Cette valeur est trop longue.',
  },
  mccs: {
    5734: 'Logiciels', 5817: 'Applications et biens numériques', 5815: 'Médias numériques (livres, musique, films)', 7372: 'Services informatiques et programmation', 5399: 'Commerce de détail généraliste',
    5651: 'Vêtements', 5942: 'Livres', 5945: 'Jouets et jeux', 5992: 'Fleuristes', 5411: 'Alimentation', 5812: 'Restaurants', 7011: 'Hôtels et hébergement', 4121: 'Taxis et VTC',
    7299: 'Services à la personne', 7392: 'Conseil', 7997: 'Clubs et salles de sport', 8299: 'Enseignement', 8398: 'Associations caritatives', 8999: 'Services professionnels',
  },
};
