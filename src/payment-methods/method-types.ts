/**
 * The one table of payment method types Payrail knows: for each, where and in what it can be paid, what the customer
 * does (the intent's `next_action`), what the PaymentMethod must carry, whether it can be refunded and when its funds
 * become available. Everything type-specific outside card and PayPal reads this table: PaymentMethod creation
 * (`payment-methods/local-methods.ts`), PaymentIntent checks (`payments/checks.ts`), the test processor, settlement
 * (`payments/ledger.ts`), refunds and the generated docs/payment-methods.md (`scripts/generate-payment-methods-doc.ts`).
 *
 * Adding a method type (sepa_debit, pix, boleto, upi, ...) starts with one entry here; see docs/payment-methods.md.
 * Facts come from Stripe's documentation of each method and its API reference (2024-04-10).
 */

import { sepaCountries } from './iban.ts';

/**
 * What the customer does after confirmation, as the intent's `next_action` shows it:
 * - `redirect_to_url`: to the bank's (or the test processor's) page, and back to `return_url`;
 * - `async_approval`: nothing on the page; the customer approves in another app (BLIK's banking app); the intent is
 *   `processing` until the provider reports the outcome;
 * - `display_details`: details to show (a voucher, QR code or bank transfer instructions: boleto, pix, konbini);
 * - `none`: the payment completes without the customer (a card without 3-D Secure, a debit under a mandate).
 */
export type NextActionKind = 'redirect_to_url' | 'async_approval' | 'display_details' | 'none';

/** What a refund of the method's payments may be. */
export type RefundSupport = 'full_and_partial' | 'full_only' | 'none';

/** A billing detail a method requires, by its path in `billing_details`. */
export type RequiredBillingDetail = 'email' | 'name' | 'phone' | 'address.country' | 'address.line1' | 'address.city' | 'address.state' | 'address.postal_code';

/** A field of the PaymentMethod's type hash (`ideal[bank]`, `klarna[dob]`), as POST /v1/payment_methods takes it. */
export type HashField =
  | { kind: 'enum'; values: readonly string[]; required: boolean }
  | { kind: 'date_of_birth'; required: boolean }
  /** A Brazilian tax id: CPF (11 digits) or CNPJ (14 digits), punctuation allowed, check digits validated (boleto). */
  | { kind: 'br_tax_id'; required: boolean }
  /** A UPI virtual payment address, `handle@psp` (Payrail's `upi` extension). */
  | { kind: 'vpa'; required: boolean }
  /** A bank account number (ISO 13616 IBAN): validated, stored encrypted, shown only as its facts (payment-methods/iban.ts). */
  | { kind: 'iban'; required: boolean };

export interface MethodType {
  /** Stripe's `type` of the PaymentMethod. */
  type: string;
  /** What people call it. */
  label: string;
  /** Customer (bank or billing) countries, ISO 3166-1 alpha-2; empty: any. */
  countries: readonly string[];
  /** Presentment currencies, lower case; empty: any Payrail supports. */
  currencies: readonly string[];
  /**
   * Where the customer's country decides the currency (Klarna: a customer in Sweden pays in SEK), the currency of each
   * country; checked at confirmation against `billing_details[address][country]`. Absent: no such pairing.
   */
  countryCurrencies?: Readonly<Record<string, string>>;
  /** Smallest and largest amount per currency, in minor units, where the method has its own (beyond the currency's). */
  amountMin?: Readonly<Record<string, number>>;
  amountMax?: Readonly<Record<string, number>>;
  refunds: RefundSupport;
  /**
   * Days after capture until the funds are available to pay out. The balance transaction's `available_on` is the later
   * of this and the account's own payout delay; null: the account's delay alone (cards).
   */
  settlementDelayDays: number | null;
  nextAction: NextActionKind;
  /** Whether `capture_method=manual` may hold the funds (Klarna, cards); otherwise the payment is captured at once. */
  manualCapture: boolean;
  /** Billing details the PaymentMethod must have (refused at creation without them). */
  requiredBillingDetails: readonly RequiredBillingDetail[];
  /** The fields of the PaymentMethod's own hash (`pm[type]`) that creation takes and retrieval shows. */
  hashFields: Readonly<Record<string, HashField>>;
  /** The connectors that carry it (docs; routing uses each configuration's own list). */
  connectors: readonly string[];
  /** Whether Payrail's local-method framework handles it (false: card and PayPal, handled by their own code). */
  local: boolean;
}

// Banks as Stripe's API names them (payment_method_ideal.bank, payment_method_eps.bank, payment_method_p24.bank).
const idealBanks = ['abn_amro', 'asn_bank', 'bunq', 'handelsbanken', 'ing', 'knab', 'moneyou', 'n26', 'nn', 'rabobank', 'regiobank', 'revolut', 'sns_bank', 'triodos_bank', 'van_lanschot', 'yoursafe'] as const;
const epsBanks = [
  'arzte_und_apotheker_bank', 'austrian_anadi_bank_ag', 'bank_austria', 'bankhaus_carl_spangler', 'bankhaus_schelhammer_und_schattera_ag', 'bawag_psk_ag', 'bks_bank_ag',
  'brull_kallmus_bank_ag', 'btv_vier_lander_bank', 'capital_bank_grawe_gruppe_ag', 'deutsche_bank_ag', 'dolomitenbank', 'easybank_ag', 'erste_bank_und_sparkassen',
  'hypo_alpeadriabank_international_ag', 'hypo_bank_burgenland_aktiengesellschaft', 'hypo_noe_lb_fur_niederosterreich_u_wien', 'hypo_oberosterreich_salzburg_steiermark',
  'hypo_tirol_bank_ag', 'hypo_vorarlberg_bank_ag', 'marchfelder_bank', 'oberbank_ag', 'raiffeisen_bankengruppe_osterreich', 'schoellerbank_ag', 'sparda_bank_wien',
  'volksbank_gruppe', 'volkskreditbank_ag', 'vr_bank_braunau',
] as const;
const p24Banks = [
  'alior_bank', 'bank_millennium', 'bank_nowy_bfg_sa', 'bank_pekao_sa', 'banki_spbdzielcze', 'blik', 'bnp_paribas', 'boz', 'citi_handlowy', 'credit_agricole', 'envelobank',
  'etransfer_pocztowy24', 'getin_bank', 'ideabank', 'ing', 'inteligo', 'mbank_mtransfer', 'nest_przelew', 'noble_pay', 'pbac_z_ipko', 'plus_bank', 'santander_przelew24',
  'tmobile_usbugi_bankowe', 'toyota_bank', 'velobank', 'volkswagen_bank',
] as const;

/** The BIC of each iDEAL bank (Stripe's `ideal.bic`), as the bank is chosen. */
export const idealBankBics: Readonly<Record<(typeof idealBanks)[number], string>> = {
  abn_amro: 'ABNANL2A', asn_bank: 'ASNBNL21', bunq: 'BUNQNL2A', handelsbanken: 'HANDNL2A', ing: 'INGBNL2A', knab: 'KNABNL2H', moneyou: 'MOYONL21', n26: 'NTSBDEB1',
  nn: 'NNBANL2G', rabobank: 'RABONL2U', regiobank: 'RBRBNL21', revolut: 'REVOLT21', sns_bank: 'SNSBNL2A', triodos_bank: 'TRIONL2U', van_lanschot: 'FVLBNL22', yoursafe: 'BITSNL2A',
};

/** Klarna's markets: the customer's country and the currency they pay in there. */
const klarnaCountryCurrencies: Readonly<Record<string, string>> = {
  AT: 'eur', BE: 'eur', CH: 'chf', CZ: 'czk', DE: 'eur', DK: 'dkk', ES: 'eur', FI: 'eur', FR: 'eur', GB: 'gbp', GR: 'eur', IE: 'eur', IT: 'eur', NL: 'eur', NO: 'nok',
  PL: 'pln', PT: 'eur', SE: 'sek', US: 'usd', AU: 'aud', CA: 'cad', NZ: 'nzd',
};

const allConnectors = ['adyen', 'stripe', 'test_processor'] as const;

/** Every payment method type Payrail takes, in the order the docs list them. */
export const methodTypes = [
  {
    type: 'card', label: 'Cards', countries: [], currencies: [], refunds: 'full_and_partial', settlementDelayDays: null, nextAction: 'none', manualCapture: true,
    requiredBillingDetails: [], hashFields: {}, connectors: [...allConnectors, 'paypal', 'mercadopago'], local: false,
  },
  {
    type: 'paypal', label: 'PayPal', countries: [], currencies: [], refunds: 'full_and_partial', settlementDelayDays: null, nextAction: 'redirect_to_url', manualCapture: true,
    requiredBillingDetails: [], hashFields: {}, connectors: ['paypal'], local: false,
  },
  {
    type: 'ideal', label: 'iDEAL', countries: ['NL'], currencies: ['eur'], refunds: 'full_and_partial', settlementDelayDays: 2, nextAction: 'redirect_to_url', manualCapture: false,
    requiredBillingDetails: [], hashFields: { bank: { kind: 'enum', values: idealBanks, required: false } }, connectors: ['test_processor', 'mollie', 'adyen'], local: true,
  },
  {
    type: 'bancontact', label: 'Bancontact', countries: ['BE'], currencies: ['eur'], refunds: 'full_and_partial', settlementDelayDays: 2, nextAction: 'redirect_to_url', manualCapture: false,
    requiredBillingDetails: ['name'], hashFields: {}, connectors: ['test_processor', 'mollie'], local: true,
  },
  {
    type: 'eps', label: 'EPS', countries: ['AT'], currencies: ['eur'], refunds: 'full_and_partial', settlementDelayDays: 2, nextAction: 'redirect_to_url', manualCapture: false,
    requiredBillingDetails: ['name'], hashFields: { bank: { kind: 'enum', values: epsBanks, required: false } }, connectors: ['test_processor', 'mollie'], local: true,
  },
  {
    type: 'p24', label: 'Przelewy24', countries: ['PL'], currencies: ['eur', 'pln'], refunds: 'full_and_partial', settlementDelayDays: 2, nextAction: 'redirect_to_url', manualCapture: false,
    requiredBillingDetails: ['email'], hashFields: { bank: { kind: 'enum', values: p24Banks, required: false } }, connectors: ['test_processor', 'mollie'], local: true,
  },
  {
    type: 'blik', label: 'BLIK', countries: ['PL'], currencies: ['pln'], refunds: 'full_and_partial', settlementDelayDays: 2, nextAction: 'async_approval', manualCapture: false,
    requiredBillingDetails: [], hashFields: {}, connectors: ['test_processor', 'mollie'], local: true,
  },
  {
    type: 'klarna', label: 'Klarna', countries: Object.keys(klarnaCountryCurrencies).sort(), currencies: [...new Set(Object.values(klarnaCountryCurrencies))].sort(),
    countryCurrencies: klarnaCountryCurrencies, refunds: 'full_and_partial', settlementDelayDays: 3, nextAction: 'redirect_to_url', manualCapture: true,
    requiredBillingDetails: ['email', 'address.country'], hashFields: { dob: { kind: 'date_of_birth', required: false } }, connectors: ['test_processor', 'mollie'], local: true,
  },
  // Brazil: boleto is a voucher paid within days at a bank or in a banking app (Stripe: no refunds); Pix an instant
  // transfer from a QR code or its "copia e cola" text (refundable). Both wait for the customer as `requires_action`.
  {
    type: 'boleto', label: 'Boleto', countries: ['BR'], currencies: ['brl'], amountMin: { brl: 500 }, amountMax: { brl: 4_999_999 }, refunds: 'none', settlementDelayDays: 2,
    nextAction: 'display_details', manualCapture: false, requiredBillingDetails: ['name', 'email', 'address.line1', 'address.city', 'address.state', 'address.postal_code', 'address.country'],
    hashFields: { tax_id: { kind: 'br_tax_id', required: true } }, connectors: ['test_processor', 'mercadopago'], local: true,
  },
  {
    type: 'pix', label: 'Pix', countries: ['BR'], currencies: ['brl'], refunds: 'full_and_partial', settlementDelayDays: 2, nextAction: 'display_details', manualCapture: false,
    requiredBillingDetails: [], hashFields: {}, connectors: ['test_processor', 'mercadopago'], local: true,
  },
  // India's UPI: a type Stripe added after API 2024-04-10 (the stripe package declares `upi: { vpa }`): a collect request
  // to the payer's VPA, approved in the payer's UPI app, so the payment is `processing` until the provider reports it.
  {
    type: 'upi', label: 'UPI', countries: ['IN'], currencies: ['inr'], refunds: 'full_and_partial', settlementDelayDays: 3, nextAction: 'async_approval', manualCapture: false,
    requiredBillingDetails: [], hashFields: { vpa: { kind: 'vpa', required: true } }, connectors: ['test_processor', 'razorpay'], local: true,
  },
  {
    // Funds: Stripe makes a SEPA debit's funds available about 7 business days after it succeeds; Payrail counts 9
    // calendar days (7 business days and a weekend). The debit is `processing` until the bank answers (the janitor's sync).
    type: 'sepa_debit', label: 'SEPA Direct Debit', countries: sepaCountries, currencies: ['eur'], refunds: 'full_and_partial', settlementDelayDays: 9, nextAction: 'none',
    manualCapture: false, requiredBillingDetails: ['name', 'email'], hashFields: { iban: { kind: 'iban', required: true } }, connectors: ['test_processor', 'mollie', 'adyen'], local: true,
  },
] as const satisfies readonly MethodType[];

/** A payment method type's name. */
export type MethodTypeName = (typeof methodTypes)[number]['type'];

/** The local (non-card, non-PayPal) types: handled by the framework in local-methods.ts. */
export type LocalMethodTypeName = Extract<(typeof methodTypes)[number], { local: true }>['type'];

export const methodTypeNames: readonly MethodTypeName[] = methodTypes.map((method) => method.type);
export const localMethodTypeNames: readonly LocalMethodTypeName[] = methodTypes.filter((method) => method.local).map((method) => method.type as LocalMethodTypeName);

const byName: ReadonlyMap<string, MethodType> = new Map(methodTypes.map((method) => [method.type, method as MethodType]));

/** The table's entry of a type; undefined for a type Payrail does not take. */
export function methodTypeOf(type: string): MethodType | undefined {
  return byName.get(type);
}

export function isLocalMethodType(type: string): type is LocalMethodTypeName {
  return byName.get(type)?.local === true;
}
