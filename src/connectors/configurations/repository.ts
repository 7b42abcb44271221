import type { Scope } from '../../platform/scope.ts';
import type { Queryable } from '../../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../../platform/pagination.ts';
import type { ConnectorName, Credentials, FeeTable, PaymentMethodType, Settings } from './validation.ts';

/**
 * The SQL of connector configurations. Every query is scoped to the caller's account and mode, so another account's
 * configuration is simply not found.
 */

export interface ConnectorConfigurationRow {
  id: string;
  account_id: string;
  livemode: boolean;
  connector: ConnectorName;
  /** AES-256-GCM ciphertext of the credentials' JSON, bound to the id (see `credentialsAssociatedData`). */
  credentials_encrypted: Buffer;
  /** The credentials' keys with masked values: all that reads and events ever show. */
  credentials_masked: Credentials;
  credentials_updated: number;
  settings: Settings;
  enabled: boolean;
  supported_currencies: string[];
  supported_countries: string[];
  payment_method_types: PaymentMethodType[];
  priority: number;
  fees: FeeTable;
  metadata: Record<string, string>;
  deleted: boolean;
  created: number;
  updated: number;
}

export type NewConnectorConfiguration = Omit<ConnectorConfigurationRow, 'deleted'>;

/** What an update may change (everything but the identity, the connector and the creation time). */
export type ConnectorConfigurationChanges = Omit<ConnectorConfigurationRow, 'id' | 'account_id' | 'livemode' | 'connector' | 'deleted' | 'created'>;

export async function insertConnectorConfiguration(db: Queryable, row: NewConnectorConfiguration): Promise<ConnectorConfigurationRow> {
  const result = await db.query<ConnectorConfigurationRow>(
    `INSERT INTO connector_configurations (id, account_id, livemode, connector, credentials_encrypted, credentials_masked, credentials_updated, settings, enabled,
       supported_currencies, supported_countries, payment_method_types, priority, fees, metadata, created, updated)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING *`,
    [row.id, row.account_id, row.livemode, row.connector, row.credentials_encrypted, JSON.stringify(row.credentials_masked), row.credentials_updated,
      JSON.stringify(row.settings), row.enabled, row.supported_currencies, row.supported_countries, row.payment_method_types, row.priority,
      JSON.stringify(row.fees), JSON.stringify(row.metadata), row.created, row.updated],
  );
  return result.rows[0];
}

/**
 * The caller's configuration, unless deleted (a deleted configuration is gone for the API). `includeDeleted`: deleted
 * ones too (a payment in flight finishes through the configuration it started with, even once that is deleted).
 */
export async function findConnectorConfiguration(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean; includeDeleted?: boolean } = {}): Promise<ConnectorConfigurationRow | undefined> {
  const result = await db.query<ConnectorConfigurationRow>(
    `SELECT * FROM connector_configurations WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${options.includeDeleted ? '' : 'AND NOT deleted'} ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/**
 * Serializes configuration creation per account and mode until the transaction ends, so two concurrent creations
 * cannot both pass the per-account limit.
 */
export async function lockConfigurationCreation(db: Queryable, scope: Scope): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`connector_configurations:${scope.accountId}:${scope.livemode}`]);
}

export async function countConnectorConfigurations(db: Queryable, scope: Scope): Promise<number> {
  const result = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM connector_configurations WHERE account_id = $1 AND livemode = $2 AND NOT deleted',
    [scope.accountId, scope.livemode],
  );
  return result.rows[0].count;
}

export async function updateConnectorConfiguration(db: Queryable, row: ConnectorConfigurationRow, changes: ConnectorConfigurationChanges): Promise<ConnectorConfigurationRow> {
  const result = await db.query<ConnectorConfigurationRow>(
    `UPDATE connector_configurations SET credentials_encrypted = $3, credentials_masked = $4, credentials_updated = $5, settings = $6, enabled = $7,
       supported_currencies = $8, supported_countries = $9, payment_method_types = $10, priority = $11, fees = $12, metadata = $13, updated = $14
      WHERE id = $1 AND account_id IS NOT DISTINCT FROM $2 RETURNING *`,
    [row.id, row.account_id, changes.credentials_encrypted, JSON.stringify(changes.credentials_masked), changes.credentials_updated, JSON.stringify(changes.settings),
      changes.enabled, changes.supported_currencies, changes.supported_countries, changes.payment_method_types, changes.priority, JSON.stringify(changes.fees),
      JSON.stringify(changes.metadata), changes.updated],
  );
  return result.rows[0];
}

/** Marks a configuration deleted: the row stays, because payment attempts routed through it will name it. */
export async function markConnectorConfigurationDeleted(db: Queryable, row: ConnectorConfigurationRow, updated: number): Promise<void> {
  await db.query('UPDATE connector_configurations SET deleted = true, updated = $3 WHERE id = $1 AND account_id IS NOT DISTINCT FROM $2', [row.id, row.account_id, updated]);
}

export function listConnectorConfigurations(db: Queryable, scope: Scope, page: PageRequest, filters: { connector?: ConnectorName; enabled?: boolean }): Promise<Page<ConnectorConfigurationRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.connector !== undefined) conditions.push({ sql: 'connector = $?', value: filters.connector });
  if (filters.enabled !== undefined) conditions.push({ sql: 'enabled = $?', value: filters.enabled });
  return listPage<ConnectorConfigurationRow>(db, {
    table: 'connector_configurations', objectName: 'connector configuration', accountId: scope.accountId, livemode: scope.livemode, conditions, fixedConditions: ['NOT deleted'],
  }, page);
}

/** The caller's enabled configurations in routing order: lowest priority first, then oldest first. */
export async function findEnabledConnectorConfigurations(db: Queryable, scope: Scope): Promise<ConnectorConfigurationRow[]> {
  const result = await db.query<ConnectorConfigurationRow>(
    'SELECT * FROM connector_configurations WHERE account_id = $1 AND livemode = $2 AND enabled AND NOT deleted ORDER BY priority, seq',
    [scope.accountId, scope.livemode],
  );
  return result.rows;
}
