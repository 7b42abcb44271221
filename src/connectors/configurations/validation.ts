import { X509Certificate } from 'node:crypto';
import { ApiError } from '../../platform/errors.ts';
import { maximumAmount, parseCurrency } from '../../platform/money.ts';
import { localMethodTypeNames, methodTypeNames, type MethodTypeName } from '../../payment-methods/method-types.ts';

/**
 * The rules of a connector configuration, per connector: which credentials and settings each connector takes, the
 * shape of each value, the payment method types it can carry, and the fee table. Pure functions (no database), so
 * the same rules serve a create and an update. Errors name the offending field in Stripe's bracket notation
 * (`credentials[hmac_key]`, `fees[usd][percent_bps]`).
 */

export const connectorNames = ['adyen', 'stripe', 'paypal', 'mollie', 'mercadopago', 'razorpay', 'test_processor'] as const;
export type ConnectorName = (typeof connectorNames)[number];

/** Every payment method type of the table (payment-methods/method-types.ts). */
export const paymentMethodTypes: readonly MethodTypeName[] = methodTypeNames;
export type PaymentMethodType = MethodTypeName;

/** Every credential key any connector takes (the union the API accepts under `credentials[...]`). */
export const credentialKeys = ['api_key', 'hmac_key', 'secret_key', 'webhook_secret', 'client_id', 'client_secret', 'webhook_id', 'access_token', 'key_id', 'key_secret'] as const;
export type CredentialKey = (typeof credentialKeys)[number];
/** Every setting key any connector takes. */
export const settingKeys = ['merchant_account', 'base_url', 'ca_certificate'] as const;
export type SettingKey = (typeof settingKeys)[number];

/** Longest credential value accepted (API keys of Adyen are about 200 characters; room to spare). */
export const credentialLengthMax = 1000;
/** Longest base URL accepted. */
export const baseUrlLengthMax = 2048;
export const merchantAccountLengthMax = 255;
/** Longest extra CA certificate (PEM) accepted: one certificate is 1 to 3 KB. */
export const caCertificateLengthMax = 16_384;
/** A fee's percentage in basis points: 10 000 is 100%. */
export const feePercentBasisPointsMax = 10_000;
/** Entries a fee table may have: one per currency plus `*`, bounded well above what a connector charges in. */
export const feeEntriesMax = 200;
/** The fee table key that applies to every currency without its own entry. */
export const anyCurrencyFeeKey = '*';

/** Which credentials a connector takes, and which of them it requires. */
const credentialRules: Record<ConnectorName, { required: readonly CredentialKey[]; optional: readonly CredentialKey[] }> = {
  adyen: { required: ['api_key', 'hmac_key'], optional: [] },
  stripe: { required: ['secret_key'], optional: ['webhook_secret'] },
  paypal: { required: ['client_id', 'client_secret', 'webhook_id'], optional: [] },
  mollie: { required: ['api_key'], optional: [] },
  // The access token calls the API; the webhook secret (Mercado Pago's "secret signature") verifies x-signature.
  mercadopago: { required: ['access_token', 'webhook_secret'], optional: [] },
  // Razorpay: the API key (HTTP Basic: key id and secret) and the secret of the dashboard's webhook (X-Razorpay-Signature).
  razorpay: { required: ['key_id', 'key_secret', 'webhook_secret'], optional: [] },
  test_processor: { required: [], optional: [] },
};

/** Which settings a connector takes, and which it requires (a setting with a default for the mode is not required). */
const settingRules: Record<ConnectorName, { required: readonly SettingKey[]; optional: readonly SettingKey[] }> = {
  adyen: { required: ['merchant_account'], optional: ['base_url'] },
  stripe: { required: [], optional: ['base_url'] },
  paypal: { required: [], optional: ['base_url'] },
  mollie: { required: [], optional: ['base_url', 'ca_certificate'] },
  mercadopago: { required: [], optional: ['base_url'] },
  razorpay: { required: [], optional: ['base_url'] },
  test_processor: { required: [], optional: [] },
};

/**
 * The providers' own endpoints, used when `settings[base_url]` is not given. Adyen's live endpoint carries a
 * merchant-specific prefix (https://{prefix}-checkout-live.adyenpayments.com/checkout), so live Adyen has no default.
 */
const defaultBaseUrls: Record<ConnectorName, { test: string | null; live: string | null }> = {
  adyen: { test: 'https://checkout-test.adyen.com', live: null },
  stripe: { test: 'https://api.stripe.com', live: 'https://api.stripe.com' },
  paypal: { test: 'https://api-m.sandbox.paypal.com', live: 'https://api-m.paypal.com' },
  // Mollie has one endpoint; the API key's prefix (test_ or live_) chooses the mode.
  mollie: { test: 'https://api.mollie.com', live: 'https://api.mollie.com' },
  // Mercado Pago too: test credentials (TEST-..., or a test user's) choose the mode.
  mercadopago: { test: 'https://api.mercadopago.com', live: 'https://api.mercadopago.com' },
  // Razorpay too: the key id's prefix (rzp_test_ or rzp_live_) chooses the mode.
  razorpay: { test: 'https://api.razorpay.com', live: 'https://api.razorpay.com' },
  test_processor: { test: null, live: null },
};

/** The payment method types each connector can carry: PayPal's wallet only goes through PayPal. */
const allowedPaymentMethodTypes: Record<ConnectorName, readonly PaymentMethodType[]> = {
  // Cards, and the local methods of src/connectors/adyen/local-methods.ts `adyenCarriedTypes`.
  adyen: ['card', 'ideal', 'sepa_debit'],
  stripe: ['card'],
  paypal: ['card', 'paypal'],
  // Mollie's local methods (src/connectors/mollie/transformers.ts `mollieMethods`): the redirect methods, Klarna,
  // BLIK, and SEPA Direct Debit (Mollie's directdebit on a Mollie mandate).
  mollie: ['ideal', 'bancontact', 'eps', 'p24', 'klarna', 'blik', 'sepa_debit'],
  // Mercado Pago's Brazilian methods (src/connectors/mercadopago/transformers.ts `mercadoPagoMethods`), and cards
  // (src/connectors/mercadopago/cards.ts: they need the card's security code, kept until its first authorization).
  mercadopago: ['pix', 'boleto', 'card'],
  // UPI collect and intent through Razorpay's S2S UPI API, cards on Razorpay's hosted checkout (src/connectors/razorpay).
  razorpay: ['upi', 'card'],
  // The built-in test processor carries every local method through its test payment page (connectors/test-processor).
  test_processor: ['card', ...localMethodTypeNames],
};

/** What a configuration carries when `payment_method_types` is not given. */
export function defaultPaymentMethodTypes(connector: ConnectorName): PaymentMethodType[] {
  if (connector === 'mollie') return [...allowedPaymentMethodTypes.mollie];
  // Mercado Pago's cards need the security code, which saved cards lose after their first payment: asked for explicitly.
  if (connector === 'mercadopago') return ['pix', 'boleto'];
  // Razorpay's cards send the payer to its checkout to type the card again: a configuration asks for them explicitly.
  if (connector === 'razorpay') return ['upi'];
  return connector === 'paypal' ? ['paypal'] : ['card'];
}

/** ISO 3166-1 alpha-2 country codes (officially assigned). */
const countryCodes: ReadonlySet<string> = new Set((
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD ' +
  'CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF ' +
  'GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN ' +
  'KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA ' +
  'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI ' +
  'SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI ' +
  'VN VU WF WS YE YT ZA ZM ZW'
).split(' '));

export type Credentials = Partial<Record<CredentialKey, string>>;
export type Settings = Partial<Record<SettingKey, string>>;

export interface FeeEntry {
  /** Percentage of the amount, in basis points. */
  percent_bps: number;
  /** Fixed part, in the currency's minor unit (always 0 for `*`, which spans currencies). */
  fixed: number;
}
export type FeeTable = Record<string, FeeEntry>;

/** A credential or setting input: the keys the API accepts, each possibly absent. */
type Given<K extends string> = Partial<Record<K, string | undefined>>;
export type CredentialsInput = Given<CredentialKey>;
export type SettingsInput = Given<SettingKey>;
export type FeeTableInput = Record<string, { percent_bps?: number; fixed?: number }>;

function presentKeys<K extends string>(input: Given<K>): K[] {
  return (Object.keys(input) as K[]).filter((key) => input[key] !== undefined);
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Checks a provider base URL: https, with no user info, query or fragment. Plain http is accepted only for a
 * loopback host in test mode (a sandbox on this machine): credentials must never travel in clear to a network.
 */
export function checkBaseUrl(value: string, livemode: boolean, param = 'settings[base_url]'): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ApiError('url_invalid', `Invalid ${param}: must be an absolute URL such as https://checkout-test.adyen.com.`, { param });
  }
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') {
    throw new ApiError('url_invalid', `Invalid ${param}: must not carry credentials, a query string or a fragment.`, { param });
  }
  if (parsed.protocol === 'https:') return value.replace(/\/+$/, '');
  if (parsed.protocol === 'http:' && !livemode && isLoopbackHost(parsed.hostname)) return value.replace(/\/+$/, '');
  const reason = parsed.protocol === 'http:'
    ? livemode
      ? 'live-mode configurations must use https.'
      : 'plain http is accepted only for a loopback host (localhost, 127.0.0.1, ::1) in test mode; use https.'
    : `the scheme must be https, not ${parsed.protocol.slice(0, -1)}.`;
  throw new ApiError('url_invalid', `Invalid ${param}: ${reason}`, { param });
}

/**
 * Checks `settings[ca_certificate]`: one PEM certificate that the connector trusts besides the public roots (a test
 * sandbox's own certificate). Test mode only: a live-mode configuration talks to the provider through the public roots.
 */
export function checkCaCertificate(value: string, livemode: boolean, param = 'settings[ca_certificate]'): string {
  if (livemode) throw new ApiError('invalid_value', `Invalid ${param}: only test-mode configurations may trust an extra certificate authority.`, { param });
  if (value.length > caCertificateLengthMax) throw new ApiError('invalid_value', `Invalid ${param}: at most ${caCertificateLengthMax} characters.`, { param });
  const pem = value.trim();
  if (!/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/.test(pem)) throw new ApiError('invalid_value', `Invalid ${param}: expected one PEM certificate (-----BEGIN CERTIFICATE----- ...).`, { param });
  try {
    new X509Certificate(pem);
  } catch {
    throw new ApiError('invalid_value', `Invalid ${param}: the certificate could not be read.`, { param });
  }
  return `${pem}\n`;
}

function refuseForeignKeys(connector: ConnectorName, given: string[], allowed: readonly string[], group: 'credentials' | 'settings'): void {
  for (const key of given) {
    if (!allowed.includes(key)) {
      const param = `${group}[${key}]`;
      const expected = allowed.length === 0 ? `the ${connector} connector takes no ${group}` : `the ${connector} connector takes ${allowed.join(', ')}`;
      throw new ApiError('parameter_unknown', `Received unknown parameter: ${param} (${expected}).`, { param });
    }
  }
}

function checkCredentialValue(connector: ConnectorName, key: CredentialKey, value: string, livemode: boolean): void {
  const param = `credentials[${key}]`;
  if (value.length === 0) throw new ApiError('parameter_invalid_empty', `Invalid ${param}: must not be empty.`, { param });
  if (/\s/.test(value)) throw new ApiError('invalid_value', `Invalid ${param}: must not contain whitespace (was it copied with a line break?).`, { param });
  if (key === 'hmac_key' && (!/^[0-9a-fA-F]+$/.test(value) || value.length % 2 !== 0)) {
    throw new ApiError('invalid_value', `Invalid ${param}: Adyen's HMAC key is hexadecimal, with an even number of digits (two per byte), as shown in the Customer Area.`, { param });
  }
  if (connector === 'stripe' && key === 'secret_key') {
    const match = /^(sk|rk)_(test|live)_/.exec(value);
    if (!match) throw new ApiError('invalid_value', `Invalid ${param}: expected a Stripe secret key (sk_test_..., sk_live_...) or restricted key (rk_...).`, { param });
    // A key of the other mode is a mistake either way: test payments would move real money, or live ones would not.
    if ((match[2] === 'live') !== livemode) {
      throw new ApiError('invalid_value', `Invalid ${param}: a ${livemode ? 'live-mode' : 'test-mode'} configuration needs a ${livemode ? 'live' : 'test'} key (${match[1]}_${livemode ? 'live' : 'test'}_...).`, { param });
    }
  }
  if (connector === 'mollie' && key === 'api_key') {
    const match = /^(test|live)_[A-Za-z0-9]{30,}$/.exec(value);
    if (!match) throw new ApiError('invalid_value', `Invalid ${param}: expected a Mollie API key (test_... or live_..., as shown in the Mollie dashboard).`, { param });
    if ((match[1] === 'live') !== livemode) {
      throw new ApiError('invalid_value', `Invalid ${param}: a ${livemode ? 'live-mode' : 'test-mode'} configuration needs a ${livemode ? 'live' : 'test'} key (${livemode ? 'live' : 'test'}_...).`, { param });
    }
  }
  if (connector === 'mercadopago' && key === 'access_token') {
    // Test credentials start TEST-; a test user's and production credentials start APP_USR-.
    const match = /^(TEST|APP_USR)-[A-Za-z0-9-]{16,}$/.exec(value);
    if (!match) throw new ApiError('invalid_value', `Invalid ${param}: expected a Mercado Pago access token (TEST-... or APP_USR-..., as shown under the application's credentials).`, { param });
    if (livemode && match[1] === 'TEST') throw new ApiError('invalid_value', `Invalid ${param}: a live-mode configuration needs production credentials (APP_USR-...).`, { param });
  }
  if (connector === 'razorpay' && key === 'key_id') {
    const match = /^rzp_(test|live)_[A-Za-z0-9]{14}$/.exec(value);
    if (!match) throw new ApiError('invalid_value', `Invalid ${param}: expected a Razorpay key id (rzp_test_... or rzp_live_..., as shown in the Razorpay dashboard).`, { param });
    if ((match[1] === 'live') !== livemode) {
      throw new ApiError('invalid_value', `Invalid ${param}: a ${livemode ? 'live-mode' : 'test-mode'} configuration needs a ${livemode ? 'live' : 'test'} key id (rzp_${livemode ? 'live' : 'test'}_...).`, { param });
    }
  }
  // Razorpay's webhook secret is whatever the merchant typed in its dashboard, Mercado Pago's is its application's
  // secret signature; Stripe's always starts with whsec_.
  if (key === 'webhook_secret' && connector !== 'razorpay' && connector !== 'mercadopago' && !value.startsWith('whsec_')) {
    throw new ApiError('invalid_value', `Invalid ${param}: expected a webhook signing secret (whsec_...).`, { param });
  }
}

/**
 * Checks the credentials given for a connector: exactly its keys (required ones present, no other connector's), each
 * well-formed. Returns them without absent keys, ready to be encrypted.
 */
export function validateCredentials(connector: ConnectorName, input: Given<CredentialKey> | undefined, livemode: boolean): Credentials {
  const rules = credentialRules[connector];
  const given = input === undefined ? [] : presentKeys(input);
  refuseForeignKeys(connector, given, [...rules.required, ...rules.optional], 'credentials');
  if (input === undefined && rules.required.length > 0) {
    throw new ApiError('parameter_missing', `Missing required param: credentials (the ${connector} connector needs ${rules.required.join(', ')}).`, { param: 'credentials' });
  }
  const credentials: Credentials = {};
  for (const key of [...rules.required, ...rules.optional]) {
    const value = input?.[key];
    if (value === undefined) {
      if (rules.required.includes(key)) throw new ApiError('parameter_missing', `Missing required param: credentials[${key}].`, { param: `credentials[${key}]` });
      continue;
    }
    checkCredentialValue(connector, key, value, livemode);
    credentials[key] = value;
  }
  return credentials;
}

/**
 * Checks the settings of a connector (the complete set: on an update, the stored settings with the given ones laid
 * over them) and fills in the mode's default base URL.
 */
export function validateSettings(connector: ConnectorName, input: Given<SettingKey>, livemode: boolean): Settings {
  const rules = settingRules[connector];
  refuseForeignKeys(connector, presentKeys(input), [...rules.required, ...rules.optional], 'settings');
  const settings: Settings = {};
  for (const key of rules.required) {
    const value = input[key];
    if (value === undefined) throw new ApiError('parameter_missing', `Missing required param: settings[${key}].`, { param: `settings[${key}]` });
    if (value.trim().length === 0) throw new ApiError('parameter_invalid_empty', `Invalid settings[${key}]: must not be empty.`, { param: `settings[${key}]` });
    settings[key] = value;
  }
  if ([...rules.required, ...rules.optional].includes('base_url')) {
    const fallback = livemode ? defaultBaseUrls[connector].live : defaultBaseUrls[connector].test;
    const baseUrl = input.base_url ?? fallback;
    if (baseUrl === null) {
      throw new ApiError('parameter_missing', `Missing required param: settings[base_url] (a live-mode ${connector} configuration has no default endpoint).`, { param: 'settings[base_url]' });
    }
    settings.base_url = checkBaseUrl(baseUrl, livemode);
  }
  if (input.ca_certificate !== undefined) settings.ca_certificate = checkCaCertificate(input.ca_certificate, livemode);
  return settings;
}

/** Checks `payment_method_types` against what the connector can carry; returns it without duplicates. */
export function validatePaymentMethodTypes(connector: ConnectorName, types: readonly PaymentMethodType[]): PaymentMethodType[] {
  if (types.length === 0) throw new ApiError('parameter_invalid_empty', 'Invalid payment_method_types: a configuration carries at least one payment method type.', { param: 'payment_method_types' });
  const allowed = allowedPaymentMethodTypes[connector];
  types.forEach((type, index) => {
    if (!allowed.includes(type)) {
      throw new ApiError('invalid_value', `Invalid payment_method_types[${index}]: the ${connector} connector does not carry ${type} payments (it carries ${allowed.join(', ')}).`, { param: `payment_method_types[${index}]` });
    }
  });
  return [...new Set(types)];
}

/** Normalises currency codes to Stripe's lower case and checks them against ISO 4217; returns them without duplicates. */
export function validateCurrencies(currencies: readonly string[], param = 'supported_currencies'): string[] {
  return [...new Set(currencies.map((currency, index) => parseCurrency(currency, `${param}[${index}]`)))];
}

/** Normalises country codes to upper case and checks them against ISO 3166-1 alpha-2; returns them without duplicates. */
export function validateCountries(countries: readonly string[], param = 'supported_countries'): string[] {
  return [...new Set(countries.map((country, index) => {
    const code = country.toUpperCase();
    if (!countryCodes.has(code)) {
      throw new ApiError('invalid_value', `Invalid ${param}[${index}]: '${country}' is not an ISO 3166-1 alpha-2 country code (such as US, DE, GB).`, { param: `${param}[${index}]` });
    }
    return code;
  }))];
}

/**
 * Checks a fee table: keys are currency codes (normalised to lower case) or `*`, each entry a percentage in basis
 * points and a fixed part in the currency's minor unit. `*` spans currencies whose minor units differ, so its fixed
 * part must be 0.
 */
export function validateFees(input: FeeTableInput, param = 'fees'): FeeTable {
  const entries = Object.entries(input);
  if (entries.length > feeEntriesMax) throw new ApiError('invalid_value', `Invalid ${param}: at most ${feeEntriesMax} entries are allowed.`, { param });
  const table: FeeTable = {};
  for (const [key, entry] of entries) {
    const entryParam = `${param}[${key}]`;
    const currency = key === anyCurrencyFeeKey ? anyCurrencyFeeKey : parseCurrency(key, entryParam);
    if (Object.hasOwn(table, currency)) throw new ApiError('invalid_value', `Invalid ${entryParam}: the fees of ${currency} are given twice.`, { param: entryParam });
    const percent = entry.percent_bps ?? 0;
    const fixed = entry.fixed ?? 0;
    if (entry.percent_bps === undefined && entry.fixed === undefined) {
      throw new ApiError('parameter_missing', `Missing required param: ${entryParam}[percent_bps] (or ${entryParam}[fixed]).`, { param: `${entryParam}[percent_bps]` });
    }
    if (currency === anyCurrencyFeeKey && fixed !== 0) {
      throw new ApiError('invalid_value', `Invalid ${entryParam}[fixed]: the '*' entry applies across currencies with different minor units, so it takes a percentage only; give fixed fees per currency.`, { param: `${entryParam}[fixed]` });
    }
    table[currency] = { percent_bps: percent, fixed };
  }
  return table;
}

/** Bounds of the fee parameters, for the request schema. */
export const feeBounds = { percentBasisPointsMax: feePercentBasisPointsMax, fixedMax: maximumAmount };
