/**
 * Where the PSD2 mandate applies: the European Economic Area (the 27 EU states, Iceland, Liechtenstein, Norway) and
 * the United Kingdom, whose regulations kept the same rules. Monaco, San Marino, Andorra and the Vatican are not in
 * the list: they are outside the EEA even where their cards go through SEPA.
 */
const mandateCountries: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL',
  'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
  'IS', 'LI', 'NO',
  'GB',
]);

/** Whether a country (ISO 3166-1 alpha-2, any case) is in the EEA or the UK. */
export function inMandateRegion(country: string): boolean {
  return mandateCountries.has(country.toUpperCase());
}
