/**
 * What the card fields say, in the shopper's language: labels, placeholders and Stripe's validation messages. A locale
 * is chosen as Stripe.js chooses (`auto` follows the browser); a language Payrail does not speak falls back to English.
 */
import type { CardErrorCode } from './card.ts';

export const supportedLocales = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'ja'] as const;
export type SupportedLocale = (typeof supportedLocales)[number];

export interface FieldTexts {
  cardNumber: string;
  expiry: string;
  expiryPlaceholder: string;
  cvc: string;
  postalCode: string;
  /** The card fields as a group, for screen readers. */
  card: string;
}

/** The Payment Element's choice of payment method (tabs), and what PayPal's panel says. */
export interface MethodTexts {
  /** The tab list, for screen readers. */
  choose: string;
  card: string;
  paypal: string;
  /** Shown in PayPal's panel: what happens on submit. */
  paypalRedirect: string;
}

/** The 3-D Secure dialog payrail.js shows over the merchant's page. */
export interface ChallengeTexts {
  /** The dialog's accessible name. */
  title: string;
  /** The close button's accessible name. */
  close: string;
}

export interface LocaleTexts {
  fields: FieldTexts;
  methods: MethodTexts;
  challenge: ChallengeTexts;
  errors: Record<CardErrorCode, string>;
}

const texts: Record<SupportedLocale, LocaleTexts> = {
  en: {
    fields: { cardNumber: 'Card number', expiry: 'Expiration date', expiryPlaceholder: 'MM / YY', cvc: 'Security code', postalCode: 'Postal code', card: 'Card details' },
    methods: { choose: 'Payment method', card: 'Card', paypal: 'PayPal', paypalRedirect: 'After you submit, you will be redirected to PayPal to complete your payment.' },
    challenge: { title: 'Confirm your payment', close: 'Close' },
    errors: {
      incomplete_number: 'Your card number is incomplete.',
      invalid_number: 'Your card number is invalid.',
      incomplete_expiry: "Your card's expiration date is incomplete.",
      invalid_expiry_month: "Your card's expiration month is invalid.",
      invalid_expiry_month_past: "Your card's expiration date is in the past.",
      invalid_expiry_year: "Your card's expiration year is invalid.",
      invalid_expiry_year_past: "Your card's expiration year is in the past.",
      incomplete_cvc: "Your card's security code is incomplete.",
      incomplete_zip: 'Your postal code is incomplete.',
    },
  },
  de: {
    fields: { cardNumber: 'Kartennummer', expiry: 'Ablaufdatum', expiryPlaceholder: 'MM / JJ', cvc: 'Sicherheitscode', postalCode: 'Postleitzahl', card: 'Kartendaten' },
    methods: { choose: 'Zahlungsmethode', card: 'Karte', paypal: 'PayPal', paypalRedirect: 'Nach dem Absenden werden Sie zu PayPal weitergeleitet, um Ihre Zahlung abzuschließen.' },
    challenge: { title: 'Zahlung bestätigen', close: 'Schließen' },
    errors: {
      incomplete_number: 'Ihre Kartennummer ist unvollständig.',
      invalid_number: 'Ihre Kartennummer ist ungültig.',
      incomplete_expiry: 'Das Ablaufdatum Ihrer Karte ist unvollständig.',
      invalid_expiry_month: 'Der Ablaufmonat Ihrer Karte ist ungültig.',
      invalid_expiry_month_past: 'Das Ablaufdatum Ihrer Karte liegt in der Vergangenheit.',
      invalid_expiry_year: 'Das Ablaufjahr Ihrer Karte ist ungültig.',
      invalid_expiry_year_past: 'Das Ablaufjahr Ihrer Karte liegt in der Vergangenheit.',
      incomplete_cvc: 'Der Sicherheitscode Ihrer Karte ist unvollständig.',
      incomplete_zip: 'Ihre Postleitzahl ist unvollständig.',
    },
  },
  fr: {
    fields: { cardNumber: 'Numéro de carte', expiry: "Date d'expiration", expiryPlaceholder: 'MM / AA', cvc: 'Code de sécurité', postalCode: 'Code postal', card: 'Informations de carte' },
    methods: { choose: 'Moyen de paiement', card: 'Carte', paypal: 'PayPal', paypalRedirect: 'Après validation, vous serez redirigé vers PayPal pour finaliser votre paiement.' },
    challenge: { title: 'Confirmez votre paiement', close: 'Fermer' },
    errors: {
      incomplete_number: 'Le numéro de votre carte est incomplet.',
      invalid_number: 'Le numéro de votre carte est invalide.',
      incomplete_expiry: "La date d'expiration de votre carte est incomplète.",
      invalid_expiry_month: "Le mois d'expiration de votre carte n'est pas valide.",
      invalid_expiry_month_past: "La date d'expiration de votre carte est dépassée.",
      invalid_expiry_year: "L'année d'expiration de votre carte n'est pas valide.",
      invalid_expiry_year_past: "L'année d'expiration de votre carte est dépassée.",
      incomplete_cvc: 'Le code de sécurité de votre carte est incomplet.',
      incomplete_zip: 'Votre code postal est incomplet.',
    },
  },
  es: {
    fields: { cardNumber: 'Número de tarjeta', expiry: 'Fecha de caducidad', expiryPlaceholder: 'MM / AA', cvc: 'Código de seguridad', postalCode: 'Código postal', card: 'Datos de la tarjeta' },
    methods: { choose: 'Método de pago', card: 'Tarjeta', paypal: 'PayPal', paypalRedirect: 'Después de enviar, se te redirigirá a PayPal para completar el pago.' },
    challenge: { title: 'Confirma tu pago', close: 'Cerrar' },
    errors: {
      incomplete_number: 'El número de tu tarjeta está incompleto.',
      invalid_number: 'El número de tu tarjeta no es válido.',
      incomplete_expiry: 'La fecha de caducidad de tu tarjeta está incompleta.',
      invalid_expiry_month: 'El mes de caducidad de tu tarjeta no es válido.',
      invalid_expiry_month_past: 'La fecha de caducidad de tu tarjeta ya ha pasado.',
      invalid_expiry_year: 'El año de caducidad de tu tarjeta no es válido.',
      invalid_expiry_year_past: 'El año de caducidad de tu tarjeta ya ha pasado.',
      incomplete_cvc: 'El código de seguridad de tu tarjeta está incompleto.',
      incomplete_zip: 'Tu código postal está incompleto.',
    },
  },
  it: {
    fields: { cardNumber: 'Numero della carta', expiry: 'Data di scadenza', expiryPlaceholder: 'MM / AA', cvc: 'Codice di sicurezza', postalCode: 'CAP', card: 'Dati della carta' },
    methods: { choose: 'Metodo di pagamento', card: 'Carta', paypal: 'PayPal', paypalRedirect: "Dopo l'invio verrai reindirizzato a PayPal per completare il pagamento." },
    challenge: { title: 'Conferma il pagamento', close: 'Chiudi' },
    errors: {
      incomplete_number: 'Il numero della carta è incompleto.',
      invalid_number: 'Il numero della carta non è valido.',
      incomplete_expiry: 'La data di scadenza della carta è incompleta.',
      invalid_expiry_month: 'Il mese di scadenza della carta non è valido.',
      invalid_expiry_month_past: 'La data di scadenza della carta è già passata.',
      invalid_expiry_year: "L'anno di scadenza della carta non è valido.",
      invalid_expiry_year_past: "L'anno di scadenza della carta è già passato.",
      incomplete_cvc: 'Il codice di sicurezza della carta è incompleto.',
      incomplete_zip: 'Il CAP è incompleto.',
    },
  },
  nl: {
    fields: { cardNumber: 'Kaartnummer', expiry: 'Vervaldatum', expiryPlaceholder: 'MM / JJ', cvc: 'Beveiligingscode', postalCode: 'Postcode', card: 'Kaartgegevens' },
    methods: { choose: 'Betaalmethode', card: 'Kaart', paypal: 'PayPal', paypalRedirect: 'Na het verzenden word je doorgestuurd naar PayPal om je betaling te voltooien.' },
    challenge: { title: 'Bevestig je betaling', close: 'Sluiten' },
    errors: {
      incomplete_number: 'Je kaartnummer is onvolledig.',
      invalid_number: 'Je kaartnummer is ongeldig.',
      incomplete_expiry: 'De vervaldatum van je kaart is onvolledig.',
      invalid_expiry_month: 'De vervalmaand van je kaart is ongeldig.',
      invalid_expiry_month_past: 'De vervaldatum van je kaart ligt in het verleden.',
      invalid_expiry_year: 'Het vervaljaar van je kaart is ongeldig.',
      invalid_expiry_year_past: 'Het vervaljaar van je kaart ligt in het verleden.',
      incomplete_cvc: 'De beveiligingscode van je kaart is onvolledig.',
      incomplete_zip: 'Je postcode is onvolledig.',
    },
  },
  pt: {
    fields: { cardNumber: 'Número do cartão', expiry: 'Data de validade', expiryPlaceholder: 'MM / AA', cvc: 'Código de segurança', postalCode: 'Código postal', card: 'Dados do cartão' },
    methods: { choose: 'Método de pagamento', card: 'Cartão', paypal: 'PayPal', paypalRedirect: 'Depois de enviar, será redirecionado para o PayPal para concluir o pagamento.' },
    challenge: { title: 'Confirme o seu pagamento', close: 'Fechar' },
    errors: {
      incomplete_number: 'O número do seu cartão está incompleto.',
      invalid_number: 'O número do seu cartão é inválido.',
      incomplete_expiry: 'A data de validade do seu cartão está incompleta.',
      invalid_expiry_month: 'O mês de validade do seu cartão é inválido.',
      invalid_expiry_month_past: 'A data de validade do seu cartão já passou.',
      invalid_expiry_year: 'O ano de validade do seu cartão é inválido.',
      invalid_expiry_year_past: 'O ano de validade do seu cartão já passou.',
      incomplete_cvc: 'O código de segurança do seu cartão está incompleto.',
      incomplete_zip: 'O seu código postal está incompleto.',
    },
  },
  pl: {
    fields: { cardNumber: 'Numer karty', expiry: 'Data ważności', expiryPlaceholder: 'MM / RR', cvc: 'Kod zabezpieczający', postalCode: 'Kod pocztowy', card: 'Dane karty' },
    methods: { choose: 'Metoda płatności', card: 'Karta', paypal: 'PayPal', paypalRedirect: 'Po wysłaniu nastąpi przekierowanie do PayPal w celu dokończenia płatności.' },
    challenge: { title: 'Potwierdź płatność', close: 'Zamknij' },
    errors: {
      incomplete_number: 'Numer karty jest niekompletny.',
      invalid_number: 'Numer karty jest nieprawidłowy.',
      incomplete_expiry: 'Data ważności karty jest niekompletna.',
      invalid_expiry_month: 'Miesiąc ważności karty jest nieprawidłowy.',
      invalid_expiry_month_past: 'Data ważności karty już minęła.',
      invalid_expiry_year: 'Rok ważności karty jest nieprawidłowy.',
      invalid_expiry_year_past: 'Rok ważności karty już minął.',
      incomplete_cvc: 'Kod zabezpieczający karty jest niekompletny.',
      incomplete_zip: 'Kod pocztowy jest niekompletny.',
    },
  },
  ja: {
    fields: { cardNumber: 'カード番号', expiry: '有効期限', expiryPlaceholder: 'MM / YY', cvc: 'セキュリティコード', postalCode: '郵便番号', card: 'カード情報' },
    methods: { choose: 'お支払い方法', card: 'カード', paypal: 'PayPal', paypalRedirect: '送信後、お支払いを完了するために PayPal へ移動します。' },
    challenge: { title: 'お支払いの確認', close: '閉じる' },
    errors: {
      incomplete_number: 'カード番号に不足があります。',
      invalid_number: 'カード番号が無効です。',
      incomplete_expiry: 'カードの有効期限に不足があります。',
      invalid_expiry_month: 'カードの有効期限の月が無効です。',
      invalid_expiry_month_past: 'カードの有効期限が過ぎています。',
      invalid_expiry_year: 'カードの有効期限の年が無効です。',
      invalid_expiry_year_past: 'カードの有効期限の年が過ぎています。',
      incomplete_cvc: 'カードのセキュリティコードに不足があります。',
      incomplete_zip: '郵便番号に不足があります。',
    },
  },
};

function isSupported(language: string): language is SupportedLocale {
  return (supportedLocales as readonly string[]).includes(language);
}

/**
 * The locale to speak: the one asked for (`de`, `de-AT`, `pt-BR` by its language), or with `auto` or nothing the
 * first of the browser's languages Payrail speaks; English otherwise.
 */
export function resolveLocale(requested: string | undefined, browserLanguages: readonly string[]): SupportedLocale {
  const candidates = requested && requested !== 'auto' ? [requested] : browserLanguages;
  for (const candidate of candidates) {
    const language = candidate.toLowerCase().split('-')[0];
    if (isSupported(language)) return language;
  }
  return 'en';
}

export function textsFor(locale: SupportedLocale): LocaleTexts {
  return texts[locale];
}
