import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { ConnectedAccountRow } from './types.ts';

// The `connected_accounts` table (db/migrations/028_connected_accounts.sql): the only SQL that touches it. A row is
// owned by its platform (`account_id`), in one mode; the connected account's own data lives under its id like any
// account's.

/** The encrypted government id number and tax id, kept beside the row and never rendered. */
export interface ConnectedAccountSecrets {
  id_number_encrypted: Buffer | null;
  tax_id_encrypted: Buffer | null;
}

const jsonColumns = ['controller', 'business_profile', 'individual', 'company', 'tos_acceptance', 'capabilities', 'requirements', 'future_requirements', 'metadata'] as const;
const plainColumns = ['type', 'email', 'business_type', 'charges_enabled', 'payouts_enabled', 'details_submitted', 'rejected_reason', 'next_review_at'] as const;
/** Every column but the secrets: what the API paths read. */
const rowColumns = `seq, id, account_id, livemode, ${[...plainColumns, ...jsonColumns].join(', ')}, created`;

function jsonValue(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

export async function insertConnectedAccount(db: Queryable, row: ConnectedAccountRow, secrets: ConnectedAccountSecrets): Promise<ConnectedAccountRow> {
  const result = await db.query<ConnectedAccountRow>(
    `INSERT INTO connected_accounts (id, account_id, livemode, type, controller, email, business_type, business_profile, individual, company,
       id_number_encrypted, tax_id_encrypted, tos_acceptance, capabilities, requirements, future_requirements, charges_enabled, payouts_enabled,
       details_submitted, metadata, rejected_reason, next_review_at, created)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
     RETURNING ${rowColumns}`,
    [row.id, row.account_id, row.livemode, row.type, jsonValue(row.controller), row.email, row.business_type, jsonValue(row.business_profile), jsonValue(row.individual),
      jsonValue(row.company), secrets.id_number_encrypted, secrets.tax_id_encrypted, jsonValue(row.tos_acceptance), jsonValue(row.capabilities), jsonValue(row.requirements),
      jsonValue(row.future_requirements), row.charges_enabled, row.payouts_enabled, row.details_submitted, jsonValue(row.metadata), row.rejected_reason, row.next_review_at,
      row.created],
  );
  return normalized(result.rows[0]);
}

/** bigint columns come back as strings from node-postgres; the secrets never travel with the row (a list reads `*`). */
function normalized(row: ConnectedAccountRow & Partial<ConnectedAccountSecrets>): ConnectedAccountRow {
  const { id_number_encrypted: _idNumber, tax_id_encrypted: _taxId, ...rest } = row;
  return { ...rest, created: Number(row.created) };
}

/**
 * A connected account of the platform in `scope` (the platform's id and mode), or undefined: another platform's
 * account, an account of the other mode and an unknown id are all the same "no such account".
 */
export async function findConnectedAccount(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<ConnectedAccountRow | undefined> {
  const result = await db.query<ConnectedAccountRow>(
    `SELECT ${rowColumns} FROM connected_accounts WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)${options.forUpdate ? ' FOR NO KEY UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0] ? normalized(result.rows[0]) : undefined;
}

/**
 * Whether `id` is a connected account of the platform in `scope` (the Stripe-Account check of every such request):
 * the primary key alone, without reading the row's documents.
 */
export async function isConnectedAccountOf(db: Queryable, scope: Scope, id: string): Promise<boolean> {
  const result = await db.query('SELECT 1 FROM connected_accounts WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
  return (result.rowCount ?? 0) > 0;
}

/**
 * The capabilities of `id`, a connected account of the platform in `scope`, or undefined (as findConnectedAccount):
 * the one column a charge's capability check reads, without the row's other documents.
 */
export async function findConnectedAccountCapabilities(db: Queryable, scope: Scope, id: string): Promise<Pick<ConnectedAccountRow, 'id' | 'capabilities'> | undefined> {
  const result = await db.query<Pick<ConnectedAccountRow, 'id' | 'capabilities'>>(
    'SELECT id, capabilities FROM connected_accounts WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)',
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/**
 * The platform of the account in `scope` when it is a connected account (in the mode it was made in), else null: a
 * primary-key probe. The tie never changes once made, so callers may keep the answer.
 */
export async function findPlatformOf(db: Queryable, scope: Scope): Promise<string | null> {
  const result = await db.query<{ account_id: string }>('SELECT account_id FROM connected_accounts WHERE id = $1 AND livemode = $2', [scope.accountId, scope.livemode]);
  return result.rows[0]?.account_id ?? null;
}

/**
 * Which of the platform's connected accounts (in `scope`: the platform and mode) have an enabled connector
 * configuration of their own: they route through their own, every other one through its platform's (docs/connect.md,
 * "Processing"). Driven by whichever side is smaller: the planner either walks the mode's enabled configurations and
 * probes this table by primary key, or walks the platform's accounts and probes configurations by account.
 */
export async function findConnectedAccountsWithOwnConfigurations(db: Queryable, scope: Scope): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `SELECT ca.id FROM connected_accounts ca
      WHERE (ca.account_id, ca.livemode) IS NOT DISTINCT FROM ($1, $2)
        AND EXISTS (SELECT 1 FROM connector_configurations c WHERE c.account_id = ca.id AND c.livemode = ca.livemode AND c.enabled AND NOT c.deleted)`,
    [scope.accountId, scope.livemode],
  );
  return result.rows.map((row) => row.id);
}

/** The connected account with this id, whoever its platform is (the account's own view of itself, the sweep). */
export async function findConnectedAccountById(db: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<ConnectedAccountRow | undefined> {
  const result = await db.query<ConnectedAccountRow>(`SELECT ${rowColumns} FROM connected_accounts WHERE id = $1${options.forUpdate ? ' FOR NO KEY UPDATE' : ''}`, [id]);
  return result.rows[0] ? normalized(result.rows[0]) : undefined;
}

export async function findConnectedAccountSecrets(db: Queryable, id: string): Promise<ConnectedAccountSecrets> {
  const result = await db.query<ConnectedAccountSecrets>('SELECT id_number_encrypted, tax_id_encrypted FROM connected_accounts WHERE id = $1', [id]);
  return result.rows[0] ?? { id_number_encrypted: null, tax_id_encrypted: null };
}

/** Writes the row's every column (and the secrets when given); the caller holds the row's lock. */
export async function saveConnectedAccount(db: Queryable, row: ConnectedAccountRow, secrets?: ConnectedAccountSecrets): Promise<ConnectedAccountRow> {
  const values: unknown[] = [row.id, row.type, jsonValue(row.controller), row.email, row.business_type, jsonValue(row.business_profile), jsonValue(row.individual),
    jsonValue(row.company), jsonValue(row.tos_acceptance), jsonValue(row.capabilities), jsonValue(row.requirements), jsonValue(row.future_requirements),
    row.charges_enabled, row.payouts_enabled, row.details_submitted, jsonValue(row.metadata), row.rejected_reason, row.next_review_at];
  let secretsSql = '';
  if (secrets) {
    values.push(secrets.id_number_encrypted, secrets.tax_id_encrypted);
    secretsSql = `, id_number_encrypted = $${values.length - 1}, tax_id_encrypted = $${values.length}`;
  }
  const result = await db.query<ConnectedAccountRow>(
    `UPDATE connected_accounts SET type = $2, controller = $3, email = $4, business_type = $5, business_profile = $6, individual = $7, company = $8,
       tos_acceptance = $9, capabilities = $10, requirements = $11, future_requirements = $12, charges_enabled = $13, payouts_enabled = $14,
       details_submitted = $15, metadata = $16, rejected_reason = $17, next_review_at = $18${secretsSql}
     WHERE id = $1 RETURNING ${rowColumns}`,
    values,
  );
  return normalized(result.rows[0]);
}

/** A platform's connected accounts in one mode, newest first. */
export async function listConnectedAccounts(db: Queryable, scope: Scope, page: PageRequest): Promise<Page<ConnectedAccountRow>> {
  const found = await listPage<ConnectedAccountRow>(db, { table: 'connected_accounts', objectName: 'account', accountId: scope.accountId, livemode: scope.livemode }, page);
  return { rows: found.rows.map(normalized), hasMore: found.hasMore };
}

/** Whether `accountId` is itself some platform's connected account (such an account cannot have connected accounts). */
export async function isConnectedAccount(db: Queryable, accountId: string): Promise<boolean> {
  const result = await db.query('SELECT 1 FROM connected_accounts WHERE id = $1', [accountId]);
  return (result.rowCount ?? 0) > 0;
}

/** Accounts whose review is due (a verification in progress), for the connect sweep. */
export async function findAccountsDueForReview(db: Queryable, limit: number): Promise<{ id: string }[]> {
  const result = await db.query<{ id: string }>('SELECT id FROM connected_accounts WHERE next_review_at <= now() ORDER BY next_review_at LIMIT $1', [limit]);
  return result.rows;
}

/** Deletes a connected account's row (its `accounts` row and data stay, unreachable: keys are never issued to it). */
export async function deleteConnectedAccount(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM connected_accounts WHERE id = $1', [id]);
}
