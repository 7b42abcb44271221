// The countries a connected account may be created in, each with the currency it settles in by default (Stripe's
// default_currency for an account of that country). Stripe's Connect country list, as far as Payrail's currencies
// and requirements go; an account's own country decides its requirements (requirements.ts).

export const connectCountryCurrencies: Readonly<Record<string, string>> = {
  AT: 'eur', AU: 'aud', BE: 'eur', BG: 'bgn', BR: 'brl', CA: 'cad', CH: 'chf', CY: 'eur', CZ: 'czk', DE: 'eur', DK: 'dkk',
  EE: 'eur', ES: 'eur', FI: 'eur', FR: 'eur', GB: 'gbp', GR: 'eur', HK: 'hkd', HR: 'eur', HU: 'huf', IE: 'eur', IN: 'inr',
  IT: 'eur', JP: 'jpy', LT: 'eur', LU: 'eur', LV: 'eur', MT: 'eur', MX: 'mxn', NL: 'eur', NO: 'nok', NZ: 'nzd', PL: 'pln',
  PT: 'eur', RO: 'ron', SE: 'sek', SG: 'sgd', SI: 'eur', SK: 'eur', US: 'usd',
};

export function isConnectCountry(country: string): boolean {
  return Object.hasOwn(connectCountryCurrencies, country);
}
