import { renderAccount } from '../accounts/render.ts';
import type { AccountRecord } from '../accounts/repository.ts';
import type { AccountSettings } from '../accounts/settings.ts';
import type { Pricing } from '../fees/pricing.ts';
import type { ExternalAccountRow } from '../external-accounts/repository.ts';
import { renderBankAccount } from '../external-accounts/render.ts';
import { capabilityNames, type ConnectAddress, type ConnectedAccountRow, type Controller, type Requirements } from './types.ts';

// Stripe's `account` object for a connected account: what the platform (and the account itself, through the
// Stripe-Account header) sees. Built on the merchant account's own rendering (settings, Payrail's extension), with
// Connect's fields from the connected_accounts row.

/** How many of its bank accounts a rendered account embeds (`external_accounts`, as Stripe's list: has_more beyond). */
export const embeddedExternalAccountsMax = 10;

export function renderAddress(address: ConnectAddress | null): Record<string, unknown> {
  return {
    city: address?.city ?? null,
    country: address?.country ?? null,
    line1: address?.line1 ?? null,
    line2: address?.line2 ?? null,
    postal_code: address?.postal_code ?? null,
    state: address?.state ?? null,
  };
}

function renderRequirements(requirements: Requirements): Record<string, unknown> {
  return {
    alternatives: requirements.alternatives,
    current_deadline: requirements.current_deadline,
    currently_due: requirements.currently_due,
    disabled_reason: requirements.disabled_reason,
    errors: requirements.errors,
    eventually_due: requirements.eventually_due,
    past_due: requirements.past_due,
    pending_verification: requirements.pending_verification,
  };
}

/** The person requirements: the account's requirements about `individual.*`, renamed as Stripe names them on a person. */
function personRequirements(requirements: Requirements): Record<string, unknown> {
  const mine = (fields: string[]) => fields.filter((field) => field.startsWith('individual.')).map((field) => field.slice('individual.'.length));
  return {
    alternatives: [],
    currently_due: mine(requirements.currently_due),
    errors: requirements.errors.filter((error) => error.requirement.startsWith('individual.')).map((error) => ({ ...error, requirement: error.requirement.slice('individual.'.length) })),
    eventually_due: mine(requirements.eventually_due),
    past_due: mine(requirements.past_due),
    pending_verification: mine(requirements.pending_verification),
  };
}

/** The stable id of an individual account's representative (Stripe's person object). */
export function personIdOf(accountId: string): string {
  return `person_${accountId.slice('acct_'.length)}`;
}

/** Stripe's `person` object of an `individual` account's representative. The id number itself is never shown. */
function renderIndividual(row: ConnectedAccountRow): Record<string, unknown> | undefined {
  const individual = row.individual;
  if (row.business_type !== 'individual' || !individual) return undefined;
  return {
    id: personIdOf(row.id),
    object: 'person',
    account: row.id,
    address: renderAddress(individual.address),
    created: row.created,
    dob: { day: individual.dob?.day ?? null, month: individual.dob?.month ?? null, year: individual.dob?.year ?? null },
    email: individual.email,
    first_name: individual.first_name,
    future_requirements: personRequirements(row.future_requirements),
    id_number_provided: individual.id_number_provided,
    last_name: individual.last_name,
    metadata: {},
    phone: individual.phone,
    relationship: { director: false, executive: false, owner: false, percent_ownership: null, representative: true, title: null },
    requirements: personRequirements(row.requirements),
    ssn_last_4_provided: individual.ssn_last_4_provided,
    verification: {
      additional_document: { back: null, details: null, details_code: null, front: null },
      details: individual.verification.details,
      details_code: individual.verification.details_code,
      document: { back: null, details: null, details_code: null, front: null },
      status: individual.verification.status,
    },
  };
}

function renderCompany(row: ConnectedAccountRow): Record<string, unknown> | undefined {
  const company = row.company;
  if (row.business_type === null || row.business_type === 'individual' || !company) return undefined;
  return {
    address: renderAddress(company.address),
    directors_provided: company.directors_provided,
    executives_provided: company.executives_provided,
    name: company.name,
    owners_provided: company.owners_provided,
    phone: company.phone,
    // Stripe leaves `structure` out until it is set (its schema has no null for it).
    ...(company.structure !== null ? { structure: company.structure } : {}),
    tax_id_provided: company.tax_id_provided,
    // Stripe's company verification shows only a document; the outcome of the tax id check is in requirements.errors.
    verification: { document: { back: null, details: null, details_code: null, front: null } },
  };
}

/** Stripe's rendered `controller`: the stored properties, with the platform as the controller. */
function renderController(controller: Controller): Record<string, unknown> {
  return {
    fees: controller.fees,
    is_controller: true,
    losses: controller.losses,
    requirement_collection: controller.requirement_collection,
    stripe_dashboard: controller.stripe_dashboard,
    type: 'application',
  };
}

/**
 * A connected account as Stripe renders it: Connect's fields from its row over the merchant account's own rendering
 * (settings, country, default currency, Payrail's `payrail_settings`). Capabilities never requested are not shown.
 */
export function renderConnectedAccount(
  account: AccountRecord,
  settings: AccountSettings,
  row: ConnectedAccountRow,
  externalAccounts: { rows: ExternalAccountRow[]; hasMore: boolean },
  pricing: Pricing,
): Record<string, unknown> {
  const base = renderAccount(account, settings, pricing);
  const capabilities: Record<string, string> = {};
  for (const name of capabilityNames) {
    const capability = row.capabilities[name];
    if (capability.status !== 'unrequested') capabilities[name] = capability.status;
  }
  const rendered: Record<string, unknown> = {
    ...base,
    business_profile: {
      annual_revenue: null,
      estimated_worker_count: null,
      mcc: row.business_profile.mcc,
      monthly_estimated_revenue: { amount: 0, currency: settings.default_currency },
      name: row.business_profile.name,
      product_description: row.business_profile.product_description,
      support_address: null,
      support_email: row.business_profile.support_email,
      support_phone: row.business_profile.support_phone,
      support_url: row.business_profile.support_url,
      url: row.business_profile.url,
    },
    business_type: row.business_type,
    capabilities,
    charges_enabled: row.charges_enabled,
    controller: renderController(row.controller),
    details_submitted: row.details_submitted,
    email: row.email,
    external_accounts: {
      object: 'list',
      data: externalAccounts.rows.map(renderBankAccount),
      has_more: externalAccounts.hasMore,
      url: `/v1/accounts/${row.id}/external_accounts`,
    },
    future_requirements: renderRequirements(row.future_requirements),
    metadata: row.metadata,
    payouts_enabled: row.payouts_enabled,
    requirements: renderRequirements(row.requirements),
    tos_acceptance: { date: row.tos_acceptance.date, ip: row.tos_acceptance.ip, service_agreement: row.tos_acceptance.service_agreement ?? 'full', user_agent: row.tos_acceptance.user_agent },
    type: row.type,
  };
  const individual = renderIndividual(row);
  if (individual) rendered.individual = individual;
  const company = renderCompany(row);
  if (company) rendered.company = company;
  return rendered;
}

/** Stripe's answer to deleting an account. */
export function renderDeletedAccount(id: string): Record<string, unknown> {
  return { id, object: 'account', deleted: true };
}
