import { ApiError } from '../platform/errors.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { BusinessProfile, BusinessType, CapabilityName, CompanyData, ConnectAddress, ConnectedAccountRow, Controller, Dob, IndividualData, TosAcceptance } from './types.ts';

// What the API gives to create or update a connected account, and how it changes the row. Pure: the caller encrypts
// the id number and tax id, evaluates the requirements and writes.

export interface AddressInput {
  line1?: string;
  line2?: string;
  city?: string;
  state?: string;
  postal_code?: string;
  country?: string;
}

export interface IndividualInput {
  first_name?: string;
  last_name?: string;
  email?: string;
  phone?: string;
  dob?: Dob | null;
  address?: AddressInput;
  /** The full government id number (SSN, tax id of a person): encrypted, never stored here. */
  id_number?: string;
  /** The last four digits of a US SSN: encrypted with the id number. */
  ssn_last_4?: string;
}

export interface CompanyInput {
  name?: string;
  phone?: string;
  address?: AddressInput;
  structure?: string;
  tax_id?: string;
  directors_provided?: boolean;
  executives_provided?: boolean;
  owners_provided?: boolean;
}

export interface ControllerInput {
  fees?: { payer?: Controller['fees']['payer'] };
  losses?: { payments?: Controller['losses']['payments'] };
  requirement_collection?: Controller['requirement_collection'];
  stripe_dashboard?: { type?: Controller['stripe_dashboard']['type'] };
}

/** The Connect fields of an account update (settings, default currency and country are the account's own settings). */
export interface ConnectFieldsInput {
  email?: string;
  business_type?: BusinessType;
  business_profile?: Partial<Record<keyof BusinessProfile, string>>;
  individual?: IndividualInput;
  company?: CompanyInput;
  tos_acceptance?: { date?: number; ip?: string; user_agent?: string; service_agreement?: 'full' | 'recipient' };
  capabilities?: Partial<Record<CapabilityName, { requested?: boolean }>>;
  metadata?: MetadataUpdate;
}

/** The secrets an update brings, in clear until the caller encrypts them. */
export interface SecretsInput {
  idNumber?: string;
  ssnLast4?: string;
  taxId?: string;
}

/** Stripe's controller properties of each legacy account type. */
export function controllerOfType(type: 'custom' | 'express' | 'standard'): Controller {
  switch (type) {
    case 'custom':
      return { fees: { payer: 'application' }, losses: { payments: 'application' }, requirement_collection: 'application', stripe_dashboard: { type: 'none' } };
    case 'express':
      return { fees: { payer: 'application_express' }, losses: { payments: 'application' }, requirement_collection: 'stripe', stripe_dashboard: { type: 'express' } };
    case 'standard':
      return { fees: { payer: 'account' }, losses: { payments: 'stripe' }, requirement_collection: 'stripe', stripe_dashboard: { type: 'full' } };
  }
}

/** Controller properties given at creation, with Stripe's defaults for those left out (the platform collects, pays, bears losses). */
export function controllerOf(input: ControllerInput): Controller {
  const dashboard = input.stripe_dashboard?.type ?? 'none';
  const collection = input.requirement_collection ?? (dashboard === 'none' ? 'application' : 'stripe');
  if (dashboard === 'none' && collection === 'stripe') {
    // Stripe: an account without a dashboard must have its requirements collected by the platform.
    throw new ApiError('invalid_value', 'controller[requirement_collection] must be application when controller[stripe_dashboard][type] is none.', { param: 'controller[requirement_collection]' });
  }
  return {
    fees: { payer: input.fees?.payer ?? (dashboard === 'full' ? 'account' : 'application') },
    losses: { payments: input.losses?.payments ?? (dashboard === 'full' ? 'stripe' : 'application') },
    requirement_collection: collection,
    stripe_dashboard: { type: dashboard },
  };
}

function applyAddress(current: ConnectAddress | null, input: AddressInput | undefined): ConnectAddress | null {
  if (input === undefined) return current;
  const base: ConnectAddress = current ?? { line1: null, line2: null, city: null, state: null, postal_code: null, country: null };
  return {
    line1: input.line1 ?? base.line1,
    line2: input.line2 ?? base.line2,
    city: input.city ?? base.city,
    state: input.state ?? base.state,
    postal_code: input.postal_code ?? base.postal_code,
    country: input.country !== undefined ? input.country.toUpperCase() : base.country,
  };
}

const unverified = { status: 'unverified' as const, details: null, details_code: null };

function applyIndividual(current: IndividualData | null, input: IndividualInput): IndividualData {
  const base: IndividualData = current ?? {
    first_name: null, last_name: null, email: null, phone: null, dob: null, address: null, id_number_provided: false, ssn_last_4_provided: false, verification: unverified,
  };
  return {
    first_name: input.first_name ?? base.first_name,
    last_name: input.last_name ?? base.last_name,
    email: input.email ?? base.email,
    phone: input.phone ?? base.phone,
    dob: input.dob !== undefined ? input.dob : base.dob,
    address: applyAddress(base.address, input.address),
    id_number_provided: base.id_number_provided || input.id_number !== undefined,
    ssn_last_4_provided: base.ssn_last_4_provided || input.ssn_last_4 !== undefined || (input.id_number !== undefined && input.id_number.length >= 4),
    verification: base.verification,
  };
}

function applyCompany(current: CompanyData | null, input: CompanyInput): CompanyData {
  const base: CompanyData = current ?? {
    name: null, phone: null, address: null, structure: null, tax_id_provided: false, directors_provided: false, executives_provided: false, owners_provided: false, verification: unverified,
  };
  return {
    name: input.name ?? base.name,
    phone: input.phone ?? base.phone,
    address: applyAddress(base.address, input.address),
    structure: input.structure ?? base.structure,
    tax_id_provided: base.tax_id_provided || input.tax_id !== undefined,
    directors_provided: input.directors_provided ?? base.directors_provided,
    executives_provided: input.executives_provided ?? base.executives_provided,
    owners_provided: input.owners_provided ?? base.owners_provided,
    verification: base.verification,
  };
}

/** Whether an update changes what identity verification looks at (so it must run again). */
function identityChanged(before: IndividualData | CompanyData | null, after: IndividualData | CompanyData | null, secretsGiven: boolean): boolean {
  if (after === null) return false;
  if (secretsGiven) return true;
  const { verification: _before, ...restBefore } = before ?? ({} as IndividualData);
  const { verification: _after, ...restAfter } = after;
  return JSON.stringify(restBefore) !== JSON.stringify(restAfter);
}

/**
 * The row with an update's Connect fields applied (nothing evaluated yet). The representative's or company's
 * verification goes back to `unverified` when what it checked changed; the caller starts a new one.
 */
export function applyConnectFields(row: ConnectedAccountRow, input: ConnectFieldsInput, now: number): { row: ConnectedAccountRow; identityChanged: boolean } {
  const businessType = input.business_type ?? row.business_type;
  if (input.individual !== undefined && businessType !== null && businessType !== 'individual') {
    throw new ApiError('invalid_value', `You cannot provide individual information when business_type is ${businessType}.`, { param: 'individual' });
  }
  if (input.company !== undefined && businessType === 'individual') {
    throw new ApiError('invalid_value', 'You cannot provide company information when business_type is individual.', { param: 'company' });
  }
  const individual = input.individual !== undefined ? applyIndividual(row.individual, input.individual) : row.individual;
  const company = input.company !== undefined ? applyCompany(row.company, input.company) : row.company;
  const individualSecrets = input.individual?.id_number !== undefined || input.individual?.ssn_last_4 !== undefined;
  const companySecrets = input.company?.tax_id !== undefined;
  const individualChanged = input.individual !== undefined && identityChanged(row.individual, individual, individualSecrets);
  const companyChanged = input.company !== undefined && identityChanged(row.company, company, companySecrets);
  const profile = input.business_profile ?? {};
  const tos = input.tos_acceptance;
  const capabilities = { ...row.capabilities };
  for (const [name, wanted] of Object.entries(input.capabilities ?? {}) as [CapabilityName, { requested?: boolean }][]) {
    if (wanted.requested === undefined) continue;
    const current = capabilities[name];
    capabilities[name] = wanted.requested
      ? { requested: true, requested_at: current.requested ? current.requested_at : now, status: current.status === 'unrequested' ? 'inactive' : current.status }
      : { requested: false, requested_at: null, status: 'unrequested' };
  }
  const tosAcceptance: TosAcceptance = tos === undefined ? row.tos_acceptance : {
    date: tos.date ?? row.tos_acceptance.date,
    ip: tos.ip ?? row.tos_acceptance.ip,
    user_agent: tos.user_agent ?? row.tos_acceptance.user_agent,
    service_agreement: tos.service_agreement ?? row.tos_acceptance.service_agreement,
  };
  return {
    row: {
      ...row,
      email: input.email ?? row.email,
      business_type: businessType,
      business_profile: {
        mcc: profile.mcc ?? row.business_profile.mcc,
        name: profile.name ?? row.business_profile.name,
        product_description: profile.product_description ?? row.business_profile.product_description,
        support_email: profile.support_email ?? row.business_profile.support_email,
        support_phone: profile.support_phone ?? row.business_profile.support_phone,
        support_url: profile.support_url ?? row.business_profile.support_url,
        url: profile.url ?? row.business_profile.url,
      },
      individual: individualChanged && individual ? { ...individual, verification: unverified } : individual,
      company: companyChanged && company ? { ...company, verification: unverified } : company,
      tos_acceptance: tosAcceptance,
      capabilities,
      metadata: input.metadata !== undefined ? mergeMetadata(row.metadata, input.metadata) : row.metadata,
    },
    identityChanged: individualChanged || companyChanged,
  };
}

/** The secrets of an update, as the caller encrypts them. */
export function secretsOf(input: ConnectFieldsInput): SecretsInput {
  return {
    ...(input.individual?.id_number !== undefined ? { idNumber: input.individual.id_number } : {}),
    ...(input.individual?.ssn_last_4 !== undefined ? { ssnLast4: input.individual.ssn_last_4 } : {}),
    ...(input.company?.tax_id !== undefined ? { taxId: input.company.tax_id } : {}),
  };
}
