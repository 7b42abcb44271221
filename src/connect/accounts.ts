import type { Dependencies } from '../dependencies.ts';
import { insertAccount } from '../accounts/repository.ts';
import { applySettingsUpdate, checkAccountSettingsUpdate, type AccountSettingsUpdate } from '../accounts/settings-service.ts';
import { defaultSettings } from '../accounts/settings.ts';
import { findAccountSettings, saveAccountSettings } from '../accounts/settings-repository.ts';
import { addExternalAccount, type ExternalAccountInput } from '../external-accounts/service.ts';
import { validateBankAccount } from '../external-accounts/validation.ts';
import { ownerBalances } from '../ledger/repository.ts';
import { ApiError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { recordEvents } from '../events/service.ts';
import { accountInvalid, accountTarget } from './access.ts';
import { connectCountryCurrencies, isConnectCountry } from './countries.ts';
import { applyConnectFields, controllerOf, controllerOfType, secretsOf, type ConnectFieldsInput, type ControllerInput } from './input.ts';
import { deleteConnectedAccount, findConnectedAccountSecrets, insertConnectedAccount, isConnectedAccount, listConnectedAccounts, saveConnectedAccount } from './repository.ts';
import { accountContext, accountContexts, changeEvents, renderWith, scopeOf, withDerivedFields, type ReviewDependencies } from './review.ts';
import { decryptSecrets, encryptSecrets, type ClearSecrets } from './secrets.ts';
import type { AccountType, ConnectedAccountRow, Requirements } from './types.ts';

// A platform's connected accounts: create, retrieve, update, list, delete, reject (Stripe's /v1/accounts). Every
// change runs the requirements engine in the same transaction and records what changed as events of the connected
// account (account.updated, capability.updated, account.external_account.created).

export type ConnectDependencies = Pick<Dependencies, 'db' | 'secretBox' | 'pricing' | 'clock' | 'settings'> & ReviewDependencies;

export interface CreateConnectedAccountInput extends ConnectFieldsInput {
  type?: Exclude<AccountType, 'none'>;
  controller?: ControllerInput;
  country?: string;
  default_currency?: string;
  external_account?: ExternalAccountInput['external_account'];
  settings?: Pick<AccountSettingsUpdate, 'branding' | 'payouts'>;
}

export interface UpdateConnectedAccountInput extends ConnectFieldsInput {
  default_currency?: string;
  settings?: Pick<AccountSettingsUpdate, 'branding' | 'payouts'>;
  /** A bank account to add in the same transaction (the hosted onboarding page's form; Stripe's update takes it too). */
  external_account?: ExternalAccountInput['external_account'];
}

/** A connected account as the API answers it. */
export interface ConnectedAccountView {
  rendered: Record<string, unknown>;
}

function noRequirements(): Requirements {
  return { alternatives: [], current_deadline: null, currently_due: [], disabled_reason: null, errors: [], eventually_due: [], past_due: [], pending_verification: [] };
}

/** The clear secrets a creation brings (for Stripe's test values that verify at once). */
function clearSecretsOf(input: ConnectFieldsInput): ClearSecrets {
  const idNumber = input.individual?.id_number ?? null;
  return { idNumber, ssnLast4: input.individual?.ssn_last_4 ?? (idNumber && idNumber.length >= 4 ? idNumber.slice(-4) : null), taxId: input.company?.tax_id ?? null };
}

/** Stripe: a platform's connected accounts cannot have connected accounts of their own. */
async function checkPlatform(deps: ConnectDependencies, scope: Scope): Promise<void> {
  if (await isConnectedAccount(deps.db, scope.accountId)) {
    throw new ApiError('platform_account_required', 'Only Connect platforms can create connected accounts: this account is itself a connected account.');
  }
}

/** Checks that need no database, before anything is written. */
function checkCreateInput(input: CreateConnectedAccountInput): void {
  if (input.type !== undefined && input.controller !== undefined) {
    throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: type, controller.', { param: 'controller' });
  }
  if (input.country !== undefined && !isConnectCountry(input.country.toUpperCase())) {
    throw new ApiError('invalid_value', `Connected accounts cannot be created in ${input.country} with Payrail: supported countries are ${Object.keys(connectCountryCurrencies).join(', ')}.`, { param: 'country' });
  }
  const requested = input.capabilities ?? {};
  if (requested.card_payments?.requested === true && requested.transfers?.requested !== true && input.type !== 'standard' && input.controller?.stripe_dashboard?.type !== 'full') {
    throw new ApiError('invalid_value', 'In order to request the card_payments capability, you must also request the transfers capability.', { param: 'capabilities[transfers][requested]' });
  }
  checkAccountSettingsUpdate({ ...input.settings, default_currency: input.default_currency });
  if (input.external_account) validateBankAccount(input.external_account);
}

/**
 * Creates a connected account of the platform in `scope` (POST /v1/accounts): its `accounts` row and settings (country,
 * default currency, payout schedule, branding), its Connect row (the id number and tax id encrypted), an external
 * account if given, and its derived fields, in one transaction.
 */
export async function createConnectedAccount(work: UnitOfWork, deps: ConnectDependencies, scope: Scope, input: CreateConnectedAccountInput): Promise<ConnectedAccountView> {
  checkCreateInput(input);
  await checkPlatform(deps, scope);
  const platformSettings = await findAccountSettings(deps.db, scope.accountId);
  const country = (input.country ?? platformSettings.country).toUpperCase();
  if (!isConnectCountry(country)) throw new ApiError('invalid_value', `Connected accounts cannot be created in ${country} with Payrail.`, { param: 'country' });
  const type: AccountType = input.type ?? (input.controller !== undefined ? 'none' : 'custom');
  const controller = input.controller !== undefined ? controllerOf(input.controller) : controllerOfType(type === 'none' ? 'custom' : type);
  const now = deps.clock.nowSeconds();
  const id = newId('acct');
  // Standard accounts (Stripe's full dashboard) get both capabilities; the others only what the platform requests.
  const everything = controller.stripe_dashboard.type === 'full';
  const capability = (name: 'card_payments' | 'transfers') => (everything || input.capabilities?.[name]?.requested === true
    ? { requested: true, requested_at: now, status: 'inactive' as const }
    : { requested: false, requested_at: null, status: 'unrequested' as const });
  const blank: ConnectedAccountRow = {
    id, account_id: scope.accountId, livemode: scope.livemode, type, controller, email: null, business_type: null,
    business_profile: { mcc: null, name: null, product_description: null, support_email: null, support_phone: null, support_url: null, url: null },
    individual: null, company: null, tos_acceptance: { date: null, ip: null, user_agent: null, service_agreement: null },
    capabilities: { card_payments: capability('card_payments'), transfers: capability('transfers') },
    requirements: noRequirements(), future_requirements: noRequirements(), charges_enabled: false, payouts_enabled: false, details_submitted: false,
    metadata: {}, rejected_reason: null, next_review_at: null, created: now,
  };
  const { row: filled } = applyConnectFields(blank, { ...input, capabilities: undefined }, now);
  const secrets = encryptSecrets(deps, id, { id_number_encrypted: null, tax_id_encrypted: null }, secretsOf(input));
  const settings = applySettingsUpdate(
    { ...defaultSettings(id), country, default_currency: connectCountryCurrencies[country] },
    { ...input.settings, default_currency: input.default_currency?.toLowerCase() },
  );
  return work.finalTransaction(async (client) => {
    await insertAccount(client, { id, name: filled.business_profile.name ?? filled.email ?? '', isDemo: false, created: now });
    await saveAccountSettings(client, { ...settings, updated: now });
    const inserted = await insertConnectedAccount(client, filled, secrets);
    const connectedScope = scopeOf(inserted);
    if (input.external_account) await addExternalAccount(client, deps, connectedScope, work, { external_account: input.external_account });
    const context = await accountContext(client, inserted);
    const derived = withDerivedFields(inserted, context, now, clearSecretsOf(input));
    const saved = await saveConnectedAccount(client, derived);
    const rendered = renderWith(deps, saved, context);
    // What the engine derived on creation shows as the capabilities' first statuses (Stripe sends capability.updated).
    const events = changeEvents({ row: inserted, rendered }, { row: saved, rendered }).filter((event) => event.type === 'capability.updated');
    await recordEvents(client, connectedScope, work, events);
    return { rendered };
  });
}

/** A connected account of the caller's platform, or the caller's own Connect account (through Stripe-Account). */
export async function retrieveConnectedAccount(deps: ConnectDependencies, row: ConnectedAccountRow): Promise<ConnectedAccountView> {
  return { rendered: renderWith(deps, row, await accountContext(deps.db, row)) };
}

/**
 * Updates a connected account (POST /v1/accounts/:account): Connect fields, default currency and settings, under its
 * row lock; the engine runs again and `account.updated` / `capability.updated` record what changed. An update that
 * changes nothing records nothing.
 */
export async function updateConnectedAccount(work: UnitOfWork, deps: ConnectDependencies, scope: Scope, accountId: string, input: UpdateConnectedAccountInput): Promise<ConnectedAccountView> {
  checkAccountSettingsUpdate({ ...input.settings, default_currency: input.default_currency });
  if (input.external_account) validateBankAccount(input.external_account);
  const view = await work.finalTransaction(async (client) => {
    const target = await accountTarget(client, scope, accountId, { forUpdate: true });
    const row = target.connected;
    if (!row) throw accountInvalid(accountId, 'account');
    if (input.capabilities?.card_payments?.requested === true && !row.capabilities.transfers.requested && input.capabilities.transfers?.requested !== true && row.controller.stripe_dashboard.type !== 'full') {
      throw new ApiError('invalid_value', 'In order to request the card_payments capability, you must also request the transfers capability.', { param: 'capabilities[transfers][requested]' });
    }
    const now = deps.clock.nowSeconds();
    const context = await accountContext(client, row);
    const before = renderWith(deps, row, context);
    const { row: changed } = applyConnectFields(row, input, now);
    const secretsInput = secretsOf(input);
    const secrets = Object.keys(secretsInput).length > 0 ? encryptSecrets(deps, row.id, await findConnectedAccountSecrets(client, row.id), secretsInput) : undefined;
    const settings = applySettingsUpdate(context.settings, { ...input.settings, default_currency: input.default_currency?.toLowerCase() });
    const added = input.external_account ? await addExternalAccount(client, deps, scopeOf(row), work, { external_account: input.external_account }) : undefined;
    const nextContext = { ...context, settings, externalAccounts: added ? (await accountContext(client, row)).externalAccounts : context.externalAccounts };
    const derived = withDerivedFields(changed, nextContext, now, decryptSecrets(deps, row.id, secrets ?? await findConnectedAccountSecrets(client, row.id)));
    const after = renderWith(deps, derived, nextContext);
    const events = changeEvents({ row, rendered: before }, { row: derived, rendered: after });
    if (events.length === 0 && secrets === undefined && added === undefined && derived.next_review_at?.getTime() === row.next_review_at?.getTime()) return { rendered: before };
    if (JSON.stringify(settings) !== JSON.stringify(context.settings)) await saveAccountSettings(client, { ...settings, updated: now });
    await saveConnectedAccount(client, derived, secrets);
    await recordEvents(client, scopeOf(derived), work, events);
    return { rendered: after };
  });
  deps.settings.forget(accountId);
  return view;
}

export async function listConnectedAccountPage(deps: ConnectDependencies, scope: Scope, page: PageRequest): Promise<Page<Record<string, unknown>>> {
  const found = await listConnectedAccounts(deps.db, scope, page);
  // One statement per kind of context for the whole page, not three per account.
  const contexts = await accountContexts(deps.db, found.rows);
  return { rows: found.rows.map((row, index) => renderWith(deps, row, contexts[index])), hasMore: found.hasMore };
}

/**
 * Deletes a connected account (DELETE /v1/accounts/:account), as Stripe allows: a test-mode account at any time, a
 * live-mode one only with nothing in its balances. Its data stays under its id, unreachable. The platform's own
 * account cannot be deleted through the API.
 */
export async function deleteConnectedAccountOf(work: UnitOfWork, scope: Scope, accountId: string): Promise<{ id: string }> {
  return work.finalTransaction(async (client) => {
    const target = await accountTarget(client, scope, accountId, { forUpdate: true });
    if (target.kind !== 'connected') {
      throw new ApiError('invalid_value', 'An account cannot delete itself through the API; only its platform can delete a connected account.', { param: 'account' });
    }
    if (target.connected.livemode) {
      const balances = await ownerBalances(client, target.connected.id, true);
      if (balances.some((balance) => balance.balance !== 0)) {
        throw new ApiError('invalid_value', 'This account cannot be deleted: its balance is not zero. Pay it out or transfer it back first.', { param: 'account' });
      }
    }
    await deleteConnectedAccount(client, target.connected.id);
    return { id: target.connected.id };
  });
}

export const rejectReasons = ['fraud', 'terms_of_service', 'other'] as const;

/**
 * Rejects a connected account (POST /v1/accounts/:account/reject): only one whose losses the platform bears (Custom
 * and Express, `controller.losses.payments=application`), as at Stripe. Its capabilities become inactive and charges
 * and payouts are disabled, with `requirements.disabled_reason` `rejected.<reason>`. Final: a rejected account stays so.
 */
export async function rejectConnectedAccount(work: UnitOfWork, deps: ConnectDependencies, scope: Scope, accountId: string, reason: (typeof rejectReasons)[number]): Promise<ConnectedAccountView> {
  return work.finalTransaction(async (client) => {
    const target = await accountTarget(client, scope, accountId, { forUpdate: true });
    if (target.kind !== 'connected') throw accountInvalid(accountId, 'account');
    const row = target.connected;
    if (row.controller.losses.payments !== 'application') {
      throw new ApiError('invalid_value', 'Only accounts whose negative balances the platform is liable for (controller[losses][payments]=application: Custom and Express accounts) can be rejected.', { param: 'account' });
    }
    if (row.rejected_reason !== null) {
      throw new ApiError('invalid_value', `This account was already rejected (${row.rejected_reason}).`, { param: 'account' });
    }
    const context = await accountContext(client, row);
    const before = renderWith(deps, row, context);
    const derived = withDerivedFields({ ...row, rejected_reason: reason }, context, deps.clock.nowSeconds());
    const after = renderWith(deps, derived, context);
    await saveConnectedAccount(client, derived);
    await recordEvents(client, scopeOf(derived), work, changeEvents({ row, rendered: before }, { row: derived, rendered: after }));
    return { rendered: after };
  });
}
