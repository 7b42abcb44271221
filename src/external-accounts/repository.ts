import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';

/** A bank account payouts go to. The account number exists only as ciphertext; `last4` and `fingerprint` stand in. */
export interface ExternalAccountRow {
  id: string;
  account_id: string;
  livemode: boolean;
  country: string;
  currency: string;
  account_holder_name: string | null;
  account_holder_type: 'individual' | 'company' | null;
  bank_name: string | null;
  routing_number: string | null;
  last4: string;
  fingerprint: string;
  account_number_encrypted: Buffer;
  default_for_currency: boolean;
  status: 'new' | 'validated' | 'verified' | 'verification_failed' | 'errored';
  metadata: Record<string, string>;
  deleted: boolean;
  created: number;
}

export type NewExternalAccount = Omit<ExternalAccountRow, 'deleted'>;

export async function insertExternalAccount(db: Queryable, row: NewExternalAccount): Promise<ExternalAccountRow> {
  const result = await db.query<ExternalAccountRow>(
    `INSERT INTO external_accounts (id, account_id, livemode, country, currency, account_holder_name, account_holder_type, bank_name, routing_number,
       last4, fingerprint, account_number_encrypted, default_for_currency, status, metadata, created)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING *`,
    [row.id, row.account_id, row.livemode, row.country, row.currency, row.account_holder_name, row.account_holder_type, row.bank_name, row.routing_number,
      row.last4, row.fingerprint, row.account_number_encrypted, row.default_for_currency, row.status, row.metadata, row.created],
  );
  return result.rows[0];
}

export async function findExternalAccount(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean; includeDeleted?: boolean } = {}): Promise<ExternalAccountRow | undefined> {
  const result = await db.query<ExternalAccountRow>(
    `SELECT * FROM external_accounts WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${options.includeDeleted ? '' : 'AND NOT deleted'} ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/** The default bank account for a currency (at most one, by a unique index). */
export async function findDefaultExternalAccount(db: Queryable, scope: Scope, currency: string): Promise<ExternalAccountRow | undefined> {
  const result = await db.query<ExternalAccountRow>(
    'SELECT * FROM external_accounts WHERE account_id = $1 AND livemode = $2 AND currency = $3 AND default_for_currency AND NOT deleted',
    [scope.accountId, scope.livemode, currency],
  );
  return result.rows[0];
}

export async function countExternalAccounts(db: Queryable, scope: Scope, currency: string): Promise<number> {
  const result = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM external_accounts WHERE account_id = $1 AND livemode = $2 AND currency = $3 AND NOT deleted',
    [scope.accountId, scope.livemode, currency],
  );
  return result.rows[0].count;
}

/**
 * Serializes changes to which bank account is a currency's default, per account, mode and currency, until the
 * transaction ends: two concurrent "first account in this currency" requests must not both become the default.
 */
export async function lockCurrencyDefaults(db: Queryable, scope: Scope, currency: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`external_accounts:${scope.accountId}:${scope.livemode}:${currency}`]);
}

/** Clears the default flag of a currency's current default (before another becomes the default). */
export async function clearCurrencyDefault(db: Queryable, scope: Scope, currency: string): Promise<void> {
  await db.query(
    'UPDATE external_accounts SET default_for_currency = false WHERE account_id = $1 AND livemode = $2 AND currency = $3 AND default_for_currency',
    [scope.accountId, scope.livemode, currency],
  );
}

export interface ExternalAccountChanges {
  account_holder_name: string | null;
  account_holder_type: ExternalAccountRow['account_holder_type'];
  default_for_currency: boolean;
  metadata: Record<string, string>;
}

export async function updateExternalAccount(db: Queryable, row: ExternalAccountRow, changes: ExternalAccountChanges): Promise<ExternalAccountRow> {
  const result = await db.query<ExternalAccountRow>(
    `UPDATE external_accounts SET account_holder_name = $3, account_holder_type = $4, default_for_currency = $5, metadata = $6
      WHERE id = $1 AND account_id IS NOT DISTINCT FROM $2 RETURNING *`,
    [row.id, row.account_id, changes.account_holder_name, changes.account_holder_type, changes.default_for_currency, changes.metadata],
  );
  return result.rows[0];
}

/** Marks a bank account deleted: the row stays, because payouts already sent to it still name it. */
export async function markExternalAccountDeleted(db: Queryable, row: ExternalAccountRow): Promise<void> {
  await db.query('UPDATE external_accounts SET deleted = true, default_for_currency = false WHERE id = $1 AND account_id IS NOT DISTINCT FROM $2', [row.id, row.account_id]);
}

/** After a payout to it failed, Stripe shows the bank account as `errored`. */
export async function markExternalAccountErrored(db: Queryable, id: string): Promise<void> {
  await db.query("UPDATE external_accounts SET status = 'errored' WHERE id = $1", [id]);
}

export async function listExternalAccounts(db: Queryable, scope: Scope, page: PageRequest, filters: { object?: 'bank_account' | 'card' }): Promise<Page<ExternalAccountRow>> {
  // Payrail holds bank accounts only: a filter for cards matches nothing.
  const fixedConditions = filters.object === 'card' ? ['NOT deleted', 'false'] : ['NOT deleted'];
  return listPage<ExternalAccountRow>(db, { table: 'external_accounts', objectName: 'external account', accountId: scope.accountId, livemode: scope.livemode, fixedConditions }, page);
}

/** The bank account a payout was sent to, deleted or not (for the payout jobs). */
export async function findExternalAccountById(db: Queryable, id: string): Promise<ExternalAccountRow | undefined> {
  const result = await db.query<ExternalAccountRow>('SELECT * FROM external_accounts WHERE id = $1', [id]);
  return result.rows[0];
}

/**
 * The newest `limit` bank accounts of each of several accounts (one mode), and whether each has more: the embedded
 * `external_accounts` of a page of connected accounts, in one statement.
 */
export async function listExternalAccountsOf(db: Queryable, accountIds: readonly string[], livemode: boolean, limit: number): Promise<Map<string, Page<ExternalAccountRow>>> {
  const result = await db.query<ExternalAccountRow & { position: string }>(
    `SELECT * FROM (
       SELECT e.*, row_number() OVER (PARTITION BY account_id ORDER BY seq DESC) AS position
         FROM external_accounts e WHERE account_id = ANY($1::text[]) AND livemode = $2 AND NOT deleted
     ) ranked WHERE position <= $3 ORDER BY account_id, position`,
    [accountIds, livemode, limit + 1],
  );
  const pages = new Map<string, Page<ExternalAccountRow>>(accountIds.map((id) => [id, { rows: [], hasMore: false }]));
  for (const { position, ...row } of result.rows) {
    const page = pages.get(row.account_id)!;
    if (Number(position) > limit) page.hasMore = true;
    else page.rows.push(row as ExternalAccountRow);
  }
  return pages;
}
