import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { StoredPreferences } from './preferences.ts';

/** A `payment_method_configurations` row. */
export interface PaymentMethodConfigurationRow {
  seq: number;
  id: string;
  account_id: string;
  livemode: boolean;
  name: string;
  active: boolean;
  is_default: boolean;
  preferences: StoredPreferences;
  created: number;
}

export async function insertConfiguration(
  db: Queryable, scope: Scope, row: Pick<PaymentMethodConfigurationRow, 'id' | 'name' | 'preferences' | 'created'>,
): Promise<PaymentMethodConfigurationRow> {
  const result = await db.query<PaymentMethodConfigurationRow>(
    `INSERT INTO payment_method_configurations (id, account_id, livemode, name, preferences, created)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [row.id, scope.accountId, scope.livemode, row.name, JSON.stringify(row.preferences), row.created],
  );
  return result.rows[0];
}

/**
 * The account's default configuration, made on first use: concurrent first uses make one row (the unique partial
 * index), and each reads it back.
 */
export async function ensureDefaultConfiguration(db: Queryable, scope: Scope, id: string, created: number): Promise<PaymentMethodConfigurationRow> {
  const statement = await db.query<PaymentMethodConfigurationRow>(
    `WITH made AS (
       INSERT INTO payment_method_configurations (id, account_id, livemode, name, is_default, created)
       VALUES ($1, $2, $3, 'Default', true, $4)
       ON CONFLICT (account_id, livemode) WHERE is_default DO NOTHING RETURNING *
     )
     SELECT * FROM made
     UNION ALL
     SELECT * FROM payment_method_configurations WHERE (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) AND is_default`,
    [id, scope.accountId, scope.livemode, created],
  );
  // The statement's own insert is not visible to its SELECT: a fresh row comes from `made`, an old one from the table.
  if (statement.rows[0]) return statement.rows[0];
  // A concurrent first use inserted it after this statement's snapshot (the insert waited for it, then did nothing):
  // a new statement sees it committed.
  const again = await db.query<PaymentMethodConfigurationRow>(
    'SELECT * FROM payment_method_configurations WHERE (account_id, livemode) IS NOT DISTINCT FROM ($1, $2) AND is_default',
    [scope.accountId, scope.livemode],
  );
  return again.rows[0];
}

/** The default configuration's stored preferences, or undefined when the account has never had one made. */
export async function findDefaultPreferences(db: Queryable, scope: Scope): Promise<StoredPreferences | undefined> {
  const result = await db.query<{ preferences: StoredPreferences }>(
    'SELECT preferences FROM payment_method_configurations WHERE (account_id, livemode) IS NOT DISTINCT FROM ($1, $2) AND is_default',
    [scope.accountId, scope.livemode],
  );
  return result.rows[0]?.preferences;
}

export async function findConfiguration(db: Queryable, scope: Scope, id: string, options: { lock?: boolean } = {}): Promise<PaymentMethodConfigurationRow | undefined> {
  const result = await db.query<PaymentMethodConfigurationRow>(
    `SELECT * FROM payment_method_configurations WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)${options.lock ? ' FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

export async function updateConfiguration(
  db: Queryable, scope: Scope, id: string, fields: Pick<PaymentMethodConfigurationRow, 'name' | 'active' | 'preferences'>,
): Promise<PaymentMethodConfigurationRow> {
  const result = await db.query<PaymentMethodConfigurationRow>(
    `UPDATE payment_method_configurations SET name = $4, active = $5, preferences = $6
     WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) RETURNING *`,
    [id, scope.accountId, scope.livemode, fields.name, fields.active, JSON.stringify(fields.preferences)],
  );
  return result.rows[0];
}

export function listConfigurations(db: Queryable, scope: Scope, page: PageRequest): Promise<Page<PaymentMethodConfigurationRow>> {
  return listPage<PaymentMethodConfigurationRow>(db, { table: 'payment_method_configurations', objectName: 'payment_method_configuration', accountId: scope.accountId, livemode: scope.livemode }, page);
}
