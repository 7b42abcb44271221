import type { BusinessType, CapabilityName } from './types.ts';
import type { RequirementField } from './requirement-fields.ts';

// Which fields each capability needs, per country and business type: the table the requirements engine reads.
//
// Sources (read 2024; API 2024-04-10):
//   - docs.stripe.com/connect/required-verification-information: per country, business type and capability, what
//     enables charges (card_payments) or transfers, and what enables payouts (external_account only);
//     business_profile.url or, for a business without a website, business_profile.product_description.
//   - docs.stripe.com/api/country_specs (the US spec's verification_fields, minimum): US individuals give
//     email, phone, ssn_last_4, the address with its state; US companies give name, phone, address with state,
//     tax_id and company.owners_provided.
//   - A new US individual account as Stripe returns it (public fixture): currently_due holds ssn_last_4 and
//     eventually_due adds individual.id_number (the full SSN, asked at thresholds or when verification fails).
//   - docs.stripe.com/connect/testing-verification: a new US company account is asked business_profile.mcc and url,
//     company.address.*, name, phone, tax_id and its persons (relationship.representative / owner, here
//     company.owners_provided, the confirmation Stripe asks once owners are listed).
//   - docs.stripe.com/connect/handling-api-verification and /connect/account-capabilities: requirement semantics.
//
// Where the pages say less than a table needs, this is what Payrail does (and the report lists it):
//   - GB, DE, FR, NL and every other European country: no id number and no state for a person; a company confirms
//     its directors and owners (company.directors_provided, company.owners_provided). An account that only
//     receives transfers (recipient) is not asked business_profile.mcc nor a phone number.
//   - BR (CPF) and IN (PAN): the individual's id number is due from the start, the address has a state; IN
//     companies confirm directors and owners, BR companies owners.
//   - Every other country (AU, CA, HK, JP, MX, NZ, SG, ...): like the US without ssn_last_4: the id number is due
//     eventually, the state where the country's addresses have one, the company confirms its owners.
//   - non_profit and government_entity: like company, without owners (they have none to declare).
//   - Persons and documents are not in Payrail's accounts (see requirement-fields.ts), so never asked.

/** What a requirement enables: a capability, or payouts (which also need an active capability). */
export type Need = CapabilityName | 'payouts';

/** One row of the table: a field, what it enables, and whether it is due now or only after Stripe's thresholds. */
export interface FieldRule {
  field: RequirementField;
  needs: readonly Need[];
  timing: 'now' | 'eventually';
}

/** A country's requirements, by who the business is. */
export interface CountryRequirements {
  /** Whether addresses in this country have a state (region, province) Stripe asks for. */
  addressState: boolean;
  /** Asked of every account whatever its business type (the business type itself included). */
  common: readonly FieldRule[];
  individual: readonly FieldRule[];
  company: readonly FieldRule[];
}

const both: readonly Need[] = ['card_payments', 'transfers'];
const cardPayments: readonly Need[] = ['card_payments'];
const payouts: readonly Need[] = ['payouts'];

function now(needs: readonly Need[], ...fields: RequirementField[]): FieldRule[] {
  return fields.map((field) => ({ field, needs, timing: 'now' }));
}

function eventually(needs: readonly Need[], ...fields: RequirementField[]): FieldRule[] {
  return fields.map((field) => ({ field, needs, timing: 'eventually' }));
}

function addressOf(holder: 'individual' | 'company', withState: boolean): RequirementField[] {
  const fields: RequirementField[] = [`${holder}.address.line1`, `${holder}.address.city`, `${holder}.address.postal_code`];
  if (withState) fields.push(`${holder}.address.state`);
  return fields;
}

/** The fields every account gives: who it is, what it sells and where, the terms, and where payouts go. */
function commonRules(mccNeeds: readonly Need[]): FieldRule[] {
  return [
    ...now(both, 'business_type', 'business_profile.url', 'tos_acceptance.date', 'tos_acceptance.ip'),
    ...now(mccNeeds, 'business_profile.mcc'),
    ...now(payouts, 'external_account'),
  ];
}

const dobFields: RequirementField[] = ['individual.dob.day', 'individual.dob.month', 'individual.dob.year'];

/** US: ssn_last_4 now and the full SSN eventually; state in addresses; companies confirm their owners. */
const unitedStates: CountryRequirements = {
  addressState: true,
  common: commonRules(both),
  individual: [
    ...now(both, 'individual.first_name', 'individual.last_name', ...dobFields, ...addressOf('individual', true), 'individual.email', 'individual.phone', 'individual.ssn_last_4'),
    ...eventually(both, 'individual.id_number'),
  ],
  company: now(both, 'company.name', ...addressOf('company', true), 'company.phone', 'company.tax_id', 'company.owners_provided'),
};

/** Europe (EEA, CH, GB): no id number for a person, no state; companies confirm directors and owners. */
const european: CountryRequirements = {
  addressState: false,
  common: commonRules(cardPayments),
  individual: [
    ...now(both, 'individual.first_name', 'individual.last_name', ...dobFields, ...addressOf('individual', false), 'individual.email'),
    ...now(cardPayments, 'individual.phone'),
  ],
  company: [
    ...now(both, 'company.name', ...addressOf('company', false), 'company.tax_id', 'company.directors_provided', 'company.owners_provided'),
    ...now(cardPayments, 'company.phone'),
  ],
};

/** Brazil: the CPF (individual.id_number) and CNPJ (company.tax_id) from the start; state in addresses. */
const brazil: CountryRequirements = {
  addressState: true,
  common: commonRules(both),
  individual: now(both, 'individual.first_name', 'individual.last_name', ...dobFields, ...addressOf('individual', true), 'individual.email', 'individual.phone', 'individual.id_number'),
  company: now(both, 'company.name', ...addressOf('company', true), 'company.phone', 'company.tax_id', 'company.owners_provided'),
};

/** India: the PAN (individual.id_number, company.tax_id) from the start; state in addresses; directors and owners. */
const india: CountryRequirements = {
  addressState: true,
  common: commonRules(both),
  individual: now(both, 'individual.first_name', 'individual.last_name', ...dobFields, ...addressOf('individual', true), 'individual.email', 'individual.phone', 'individual.id_number'),
  company: now(both, 'company.name', ...addressOf('company', true), 'company.phone', 'company.tax_id', 'company.directors_provided', 'company.owners_provided'),
};

/** Any other country: the US's fields without ssn_last_4, the id number eventually, the state where addresses have one. */
function international(addressState: boolean): CountryRequirements {
  return {
    addressState,
    common: commonRules(both),
    individual: [
      ...now(both, 'individual.first_name', 'individual.last_name', ...dobFields, ...addressOf('individual', addressState), 'individual.email', 'individual.phone'),
      ...eventually(both, 'individual.id_number'),
    ],
    company: now(both, 'company.name', ...addressOf('company', addressState), 'company.phone', 'company.tax_id', 'company.owners_provided'),
  };
}

/** The countries with their own row in the table. */
export const countryTable: Readonly<Record<string, CountryRequirements>> = {
  US: unitedStates,
  GB: european,
  DE: european,
  FR: european,
  NL: european,
  BR: brazil,
  IN: india,
};

/** European countries that follow the European row (EEA, Switzerland, Gibraltar). */
export const europeanCountries: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'CH', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GB', 'GI', 'GR', 'HR', 'HU', 'IE', 'IS', 'IT',
  'LI', 'LT', 'LU', 'LV', 'MT', 'NL', 'NO', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
]);

/** Countries outside the table whose addresses carry a state, province or prefecture Stripe asks for. */
export const addressStateCountries: ReadonlySet<string> = new Set(['AU', 'CA', 'JP', 'MX', 'MY']);

/** The requirements of an account's country (ISO 3166-1 alpha-2, any case): its own row, else its region's. */
export function requirementsOfCountry(country: string): CountryRequirements {
  const code = country.toUpperCase();
  return countryTable[code] ?? (europeanCountries.has(code) ? european : international(addressStateCountries.has(code)));
}

/** Whether a business type is treated as a company (Stripe: non-profits and government entities are). */
export function isCompanyLike(businessType: BusinessType): boolean {
  return businessType !== 'individual';
}

/**
 * The rules that apply to an account of this country and business type, before anything is filled in. Without a
 * business type only the common rules apply (the business type is among them); non-profits and government entities
 * follow the company rules without owners.
 */
export function rulesFor(country: string, businessType: BusinessType | null): FieldRule[] {
  const table = requirementsOfCountry(country);
  if (businessType === null) return [...table.common];
  if (businessType === 'individual') return [...table.common, ...table.individual];
  const company = businessType === 'company' ? table.company : table.company.filter((rule) => rule.field !== 'company.owners_provided');
  return [...table.common, ...company];
}

/** The fields a capability (or payouts) needs, due now or eventually: for tests and for a country-spec listing. */
export function fieldsNeededFor(country: string, businessType: BusinessType | null, need: Need): RequirementField[] {
  return rulesFor(country, businessType).filter((rule) => rule.needs.includes(need)).map((rule) => rule.field).sort();
}
