import type { Dependencies } from '../dependencies.ts';
import type { EventRequest } from '../events/repository.ts';
import { changedAttributes, recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderBankAccount } from './render.ts';
import {
  clearCurrencyDefault, countExternalAccounts, findDefaultExternalAccount, findExternalAccount, insertExternalAccount, listExternalAccounts,
  lockCurrencyDefaults, markExternalAccountDeleted, updateExternalAccount, type ExternalAccountRow,
} from './repository.ts';
import { accountHolderTypes, validateBankAccount, type BankAccountDetails } from './validation.ts';

/** What bank accounts need of the process: the secret box, the clock and account settings (the payout currency). */
export type ExternalAccountDependencies = Pick<Dependencies, 'secretBox' | 'clock' | 'settings'>;

/** The bank name Stripe shows for its test routing numbers; in test mode every account is a test account. */
const testBankName = 'STRIPE TEST BANK';

export interface ExternalAccountInput {
  external_account: BankAccountDetails & {
    object: 'bank_account';
    account_holder_name?: string;
    account_holder_type?: (typeof accountHolderTypes)[number];
  };
  default_for_currency?: boolean;
  metadata?: MetadataUpdate;
}

export interface ExternalAccountUpdate {
  account_holder_name?: string;
  account_holder_type?: (typeof accountHolderTypes)[number] | null;
  default_for_currency?: boolean;
  metadata?: MetadataUpdate;
}

/**
 * The `:account` of `/v1/accounts/:account/external_accounts` must be the account `scope` works in: the caller's own,
 * or (the routes resolve it first: connect/access.ts) the platform's connected account. Any other id gets Stripe's
 * answer for an account the key cannot reach (403 `account_invalid`, as `GET /v1/accounts/:account` does), whether
 * or not it exists, so ids cannot be probed.
 */
export function checkOwnAccount(scope: Scope, accountId: string): void {
  if (accountId !== scope.accountId) {
    throw new ApiError('account_invalid', `The provided key does not have access to account '${accountId}' (or that account does not exist). Application access may have been revoked.`, { param: 'account' });
  }
}

/** The associated data of an account number's ciphertext: a ciphertext moved to another row does not decrypt. */
function associatedData(id: string): string {
  return id;
}

/** Decrypts the account number (or IBAN) of a bank account, for the payout provider only. */
export function accountNumberOf(deps: Pick<Dependencies, 'secretBox'>, row: ExternalAccountRow): string {
  return deps.secretBox.decrypt(row.account_number_encrypted, associatedData(row.id));
}

/**
 * Adds a bank account. The number is checked (IBAN check digits and length, or the US routing checksum), stored only
 * encrypted, and the first account of a currency becomes its default.
 */
export async function createExternalAccount(
  work: UnitOfWork,
  deps: ExternalAccountDependencies,
  scope: Scope,
  accountId: string,
  input: ExternalAccountInput,
  afterChange?: (client: Queryable) => Promise<unknown>,
): Promise<ExternalAccountRow> {
  checkOwnAccount(scope, accountId);
  validateBankAccount(input.external_account);
  return work.finalTransaction(async (client) => {
    const row = await addExternalAccount(client, deps, scope, work, input);
    await afterChange?.(client);
    return row;
  });
}

/**
 * Adds a bank account inside the caller's transaction (account creation with `external_account` does it in its own),
 * with its `account.external_account.created` event.
 */
export async function addExternalAccount(client: Queryable, deps: ExternalAccountDependencies, scope: Scope, work: EventRequest, input: ExternalAccountInput): Promise<ExternalAccountRow> {
  const valid = validateBankAccount(input.external_account);
  const id = newId('ba');
  const encrypted = deps.secretBox.encrypt(valid.accountNumber, associatedData(id));
  // Keyed on country and routing number too: the same account number at two banks is two accounts.
  const fingerprint = deps.secretBox.fingerprint(`bank_account:${valid.country}:${valid.routingNumber ?? ''}:${valid.accountNumber}`);
  await lockCurrencyDefaults(client, scope, valid.currency);
  const current = await findDefaultExternalAccount(client, scope, valid.currency);
  const makeDefault = current === undefined || input.default_for_currency === true;
  if (current && makeDefault) await clearCurrencyDefault(client, scope, valid.currency);
  const row = await insertExternalAccount(client, {
    id,
    account_id: scope.accountId,
    livemode: scope.livemode,
    country: valid.country,
    currency: valid.currency,
    account_holder_name: input.external_account.account_holder_name ?? null,
    account_holder_type: input.external_account.account_holder_type ?? null,
    bank_name: scope.livemode ? null : testBankName,
    routing_number: valid.routingNumber,
    last4: valid.last4,
    fingerprint,
    account_number_encrypted: encrypted,
    default_for_currency: makeDefault,
    status: 'new',
    metadata: mergeMetadata({}, input.metadata),
    created: deps.clock.nowSeconds(),
  });
  await recordEvent(client, scope, work, 'account.external_account.created', renderBankAccount(row));
  return row;
}

export async function retrieveExternalAccount(db: Queryable, scope: Scope, accountId: string, id: string): Promise<ExternalAccountRow> {
  checkOwnAccount(scope, accountId);
  const row = await findExternalAccount(db, scope, id);
  if (!row) throw missing('external account', id);
  return row;
}

export async function modifyExternalAccount(work: UnitOfWork, scope: Scope, accountId: string, id: string, input: ExternalAccountUpdate): Promise<ExternalAccountRow> {
  checkOwnAccount(scope, accountId);
  return work.finalTransaction(async (client) => {
    const existing = await findExternalAccount(client, scope, id);
    if (!existing) throw missing('external account', id);
    await lockCurrencyDefaults(client, scope, existing.currency);
    const current = (await findExternalAccount(client, scope, id, { forUpdate: true }))!;
    if (input.default_for_currency === false && current.default_for_currency) {
      throw new ApiError('invalid_value', 'A currency always has a default bank account: to change it, set default_for_currency=true on another bank account of the currency.', { param: 'default_for_currency' });
    }
    const becomesDefault = input.default_for_currency === true && !current.default_for_currency;
    if (becomesDefault) await clearCurrencyDefault(client, scope, current.currency);
    const updated = await updateExternalAccount(client, current, {
      account_holder_name: input.account_holder_name ?? current.account_holder_name,
      account_holder_type: input.account_holder_type === undefined ? current.account_holder_type : input.account_holder_type,
      default_for_currency: current.default_for_currency || becomesDefault,
      metadata: mergeMetadata(current.metadata, input.metadata),
    });
    const after = renderBankAccount(updated);
    const previous = changedAttributes(renderBankAccount(current), after);
    if (Object.keys(previous).length > 0) await recordEvent(client, scope, work, 'account.external_account.updated', after, previous);
    return updated;
  });
}

/**
 * Deletes a bank account. As at Stripe, a currency's default can be deleted only when it is the currency's only bank
 * account and the currency is not the account's default currency; otherwise another account must become the default
 * first.
 */
export async function deleteExternalAccount(
  work: UnitOfWork,
  deps: ExternalAccountDependencies,
  scope: Scope,
  accountId: string,
  id: string,
  afterChange?: (client: Queryable) => Promise<unknown>,
): Promise<ExternalAccountRow> {
  checkOwnAccount(scope, accountId);
  const settings = await deps.settings.get(scope.accountId);
  return work.finalTransaction(async (client) => {
    const existing = await findExternalAccount(client, scope, id);
    if (!existing) throw missing('external account', id);
    await lockCurrencyDefaults(client, scope, existing.currency);
    const current = await findExternalAccount(client, scope, id, { forUpdate: true });
    if (!current) throw missing('external account', id);
    if (current.default_for_currency && (current.currency === settings.default_currency || (await countExternalAccounts(client, scope, current.currency)) > 1)) {
      throw new ApiError(
        'default_external_account_deletion',
        `You cannot delete the default external account for ${current.currency.toUpperCase()}. Make another external account the default using the default_for_currency param, and then delete this one.`,
        { param: 'id' },
      );
    }
    await markExternalAccountDeleted(client, current);
    const deleted = { ...current, deleted: true, default_for_currency: false };
    await recordEvent(client, scope, work, 'account.external_account.deleted', renderBankAccount({ ...current, default_for_currency: false }));
    await afterChange?.(client);
    return deleted;
  });
}

export function listExternalAccountPage(db: Queryable, scope: Scope, accountId: string, page: PageRequest, filters: { object?: 'bank_account' | 'card' }): Promise<Page<ExternalAccountRow>> {
  checkOwnAccount(scope, accountId);
  return listExternalAccounts(db, scope, page, filters);
}
