// Connected accounts (Stripe Connect): the shapes shared by the repository, the requirements engine and the renderer.
// A connected account is an `accounts` row like any merchant's (its own customers, payments, balance and payouts),
// plus a `connected_accounts` row that ties it to its platform and holds what Connect knows of the business.

export const accountTypes = ['custom', 'express', 'standard', 'none'] as const;
/** Stripe's `type`; `none` when the account was created with `controller` properties instead of a type. */
export type AccountType = (typeof accountTypes)[number];

export const businessTypes = ['individual', 'company', 'non_profit', 'government_entity'] as const;
export type BusinessType = (typeof businessTypes)[number];

/** The capabilities Payrail grants today. */
export const capabilityNames = ['card_payments', 'transfers'] as const;
export type CapabilityName = (typeof capabilityNames)[number];

/** Stripe's capability statuses (`unrequested` is a capability never asked for: it is not rendered). */
export type CapabilityStatus = 'active' | 'inactive' | 'pending' | 'unrequested';

export interface CapabilityState {
  requested: boolean;
  requested_at: number | null;
  status: CapabilityStatus;
}

/** Stripe's `controller` as stored (the `type` and `is_controller` of the rendered object are derived). */
export interface Controller {
  fees: { payer: 'account' | 'application' | 'application_custom' | 'application_express' };
  losses: { payments: 'application' | 'stripe' };
  requirement_collection: 'application' | 'stripe';
  stripe_dashboard: { type: 'express' | 'full' | 'none' };
}

export interface ConnectAddress {
  line1: string | null;
  line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string | null;
}

export interface Dob {
  day: number;
  month: number;
  year: number;
}

/** Stripe's verification of a person or company: `unverified` until checked, `pending` while checking. */
export interface Verification {
  status: 'unverified' | 'pending' | 'verified';
  /** A human-readable reason the check failed, and Stripe's code for it (e.g. `failed_keyed_identity`). */
  details: string | null;
  details_code: string | null;
}

/**
 * The representative of an `individual` account. The government id number is never stored here: it is encrypted
 * in its own column (`id_number_encrypted`) and shown only as `id_number_provided` (and `ssn_last_4_provided`).
 */
export interface IndividualData {
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  dob: Dob | null;
  address: ConnectAddress | null;
  id_number_provided: boolean;
  ssn_last_4_provided: boolean;
  verification: Verification;
}

/** Stripe's `company.structure` values (API 2024-04-10). */
export const companyStructures = [
  'free_zone_establishment', 'free_zone_llc', 'government_instrumentality', 'governmental_unit', 'incorporated_non_profit', 'incorporated_partnership',
  'limited_liability_partnership', 'llc', 'multi_member_llc', 'private_company', 'private_corporation', 'private_partnership', 'public_company',
  'public_corporation', 'public_partnership', 'registered_charity', 'single_member_llc', 'sole_establishment', 'sole_proprietorship',
  'tax_exempt_government_instrumentality', 'unincorporated_association', 'unincorporated_non_profit', 'unincorporated_partnership',
] as const;

/** A `company` (or non-profit, government entity) account's business. Its tax id is encrypted like an id number. */
export interface CompanyData {
  name: string | null;
  phone: string | null;
  address: ConnectAddress | null;
  structure: string | null;
  tax_id_provided: boolean;
  directors_provided: boolean;
  executives_provided: boolean;
  owners_provided: boolean;
  verification: Verification;
}

export interface BusinessProfile {
  mcc: string | null;
  name: string | null;
  product_description: string | null;
  support_email: string | null;
  support_phone: string | null;
  support_url: string | null;
  url: string | null;
}

export interface TosAcceptance {
  date: number | null;
  ip: string | null;
  user_agent: string | null;
  service_agreement: 'full' | 'recipient' | null;
}

export interface RequirementError {
  code: string;
  reason: string;
  requirement: string;
}

/** Stripe's `requirements` (and `future_requirements`) hash. */
export interface Requirements {
  alternatives: { alternative_fields_due: string[]; original_fields_due: string[] }[];
  current_deadline: number | null;
  currently_due: string[];
  disabled_reason: string | null;
  errors: RequirementError[];
  eventually_due: string[];
  past_due: string[];
  pending_verification: string[];
}

/** A `connected_accounts` row (db/migrations/028_connected_accounts.sql). */
export interface ConnectedAccountRow {
  id: string;
  /** The platform: the tenant that owns this row (as every object's account_id names its owner). */
  account_id: string;
  livemode: boolean;
  type: AccountType;
  controller: Controller;
  email: string | null;
  business_type: BusinessType | null;
  business_profile: BusinessProfile;
  individual: IndividualData | null;
  company: CompanyData | null;
  tos_acceptance: TosAcceptance;
  capabilities: Record<CapabilityName, CapabilityState>;
  requirements: Requirements;
  future_requirements: Requirements;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
  metadata: Record<string, string>;
  /** Set by `POST /v1/accounts/:id/reject`: `fraud`, `terms_of_service` or `other`. */
  rejected_reason: string | null;
  /** When the requirements engine should look at the account again (verification in progress, a deadline). */
  next_review_at: Date | null;
  created: number;
}

/**
 * What the requirements engine (requirements.ts) decides from: the account, its country and default currency (from
 * its settings), whether it has a bank account to pay out to, and the clock.
 */
export interface AccountFacts {
  account: ConnectedAccountRow;
  country: string;
  defaultCurrency: string;
  hasExternalAccount: boolean;
  now: number;
  /**
   * What is due for each of the account's persons (the Persons API; person-requirements.ts): a company's persons'
   * missing fields are the account's too, named `person_....<field>` as Stripe names them. Absent: no persons.
   */
  personsDue?: readonly { id: string; currently_due: readonly string[]; eventually_due: readonly string[] }[];
}

/** What the engine concludes: the fields Stripe derives, to store and render. */
export interface AccountEvaluation {
  capabilities: Record<CapabilityName, CapabilityState>;
  requirements: Requirements;
  future_requirements: Requirements;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
}
