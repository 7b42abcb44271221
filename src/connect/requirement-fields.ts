import type { ConnectAddress, ConnectedAccountRow } from './types.ts';

// The requirement names the engine uses (Stripe's own names, as they appear in `requirements.currently_due`), and
// for each, when an account has provided it. Only what a connected account row can hold is here: Stripe also asks
// for persons (`representative.*`, `owners.*`, `relationship.*`) and documents (`*.verification.document`), which
// Payrail's accounts do not take; a company's persons are stood for by its `*_provided` confirmations.

export const requirementFields = [
  'business_type',
  'business_profile.mcc',
  'business_profile.name',
  'business_profile.url',
  'external_account',
  'tos_acceptance.date',
  'tos_acceptance.ip',
  'individual.first_name',
  'individual.last_name',
  'individual.dob.day',
  'individual.dob.month',
  'individual.dob.year',
  'individual.address.line1',
  'individual.address.city',
  'individual.address.postal_code',
  'individual.address.state',
  'individual.email',
  'individual.phone',
  'individual.id_number',
  'individual.ssn_last_4',
  'company.name',
  'company.phone',
  'company.tax_id',
  'company.address.line1',
  'company.address.city',
  'company.address.postal_code',
  'company.address.state',
  'company.owners_provided',
  'company.directors_provided',
  'company.executives_provided',
] as const;
export type RequirementField = (typeof requirementFields)[number];

/** The alternative Stripe accepts for a missing `business_profile.url` (`requirements.alternatives`). */
export const urlAlternative = 'business_profile.product_description';

/** What the predicates look at: the row, and whether it has a bank account or card to pay out to. */
export interface ProvidedContext {
  account: ConnectedAccountRow;
  hasExternalAccount: boolean;
}

function given(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && value.trim() !== '';
}

function addressField(address: ConnectAddress | null | undefined, field: 'line1' | 'city' | 'postal_code' | 'state'): boolean {
  return given(address?.[field]);
}

/**
 * For each requirement, whether the account has provided it. A full id number also stands for the SSN's last four
 * digits (Stripe derives them), and a product description for a missing URL (Stripe's alternative).
 */
export const isProvided: Readonly<Record<RequirementField, (context: ProvidedContext) => boolean>> = {
  business_type: ({ account }) => account.business_type !== null,
  'business_profile.mcc': ({ account }) => given(account.business_profile.mcc),
  'business_profile.name': ({ account }) => given(account.business_profile.name),
  'business_profile.url': ({ account }) => given(account.business_profile.url) || given(account.business_profile.product_description),
  external_account: ({ hasExternalAccount }) => hasExternalAccount,
  'tos_acceptance.date': ({ account }) => account.tos_acceptance.date !== null,
  'tos_acceptance.ip': ({ account }) => given(account.tos_acceptance.ip),
  'individual.first_name': ({ account }) => given(account.individual?.first_name),
  'individual.last_name': ({ account }) => given(account.individual?.last_name),
  'individual.dob.day': ({ account }) => (account.individual?.dob ?? null) !== null,
  'individual.dob.month': ({ account }) => (account.individual?.dob ?? null) !== null,
  'individual.dob.year': ({ account }) => (account.individual?.dob ?? null) !== null,
  'individual.address.line1': ({ account }) => addressField(account.individual?.address, 'line1'),
  'individual.address.city': ({ account }) => addressField(account.individual?.address, 'city'),
  'individual.address.postal_code': ({ account }) => addressField(account.individual?.address, 'postal_code'),
  'individual.address.state': ({ account }) => addressField(account.individual?.address, 'state'),
  'individual.email': ({ account }) => given(account.individual?.email),
  'individual.phone': ({ account }) => given(account.individual?.phone),
  'individual.id_number': ({ account }) => account.individual?.id_number_provided === true,
  'individual.ssn_last_4': ({ account }) => account.individual?.ssn_last_4_provided === true || account.individual?.id_number_provided === true,
  'company.name': ({ account }) => given(account.company?.name),
  'company.phone': ({ account }) => given(account.company?.phone),
  'company.tax_id': ({ account }) => account.company?.tax_id_provided === true,
  'company.address.line1': ({ account }) => addressField(account.company?.address, 'line1'),
  'company.address.city': ({ account }) => addressField(account.company?.address, 'city'),
  'company.address.postal_code': ({ account }) => addressField(account.company?.address, 'postal_code'),
  'company.address.state': ({ account }) => addressField(account.company?.address, 'state'),
  'company.owners_provided': ({ account }) => account.company?.owners_provided === true,
  'company.directors_provided': ({ account }) => account.company?.directors_provided === true,
  'company.executives_provided': ({ account }) => account.company?.executives_provided === true,
};

/** The fields identity verification looks at, for the individual and for the company (`pending_verification`). */
export const individualVerifiedFields: ReadonlySet<RequirementField> = new Set<RequirementField>([
  'individual.first_name', 'individual.last_name', 'individual.dob.day', 'individual.dob.month', 'individual.dob.year',
  'individual.address.line1', 'individual.address.city', 'individual.address.postal_code', 'individual.address.state',
  'individual.id_number', 'individual.ssn_last_4',
]);
export const companyVerifiedFields: ReadonlySet<RequirementField> = new Set<RequirementField>([
  'company.name', 'company.tax_id', 'company.address.line1', 'company.address.city', 'company.address.postal_code', 'company.address.state',
]);
