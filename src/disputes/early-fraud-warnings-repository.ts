import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';

// The `early_fraud_warnings` table (db/migrations/051_disputes.sql): the only SQL that touches it.

export interface EarlyFraudWarningRow {
  id: string;
  account_id: string;
  livemode: boolean;
  charge_id: string;
  payment_intent_id: string | null;
  fraud_type: string;
  created: number;
}

function warningOf(row: EarlyFraudWarningRow): EarlyFraudWarningRow {
  return { ...row, created: Number(row.created) };
}

/** Inserts a warning; undefined when the charge already has one. */
export async function insertEarlyFraudWarning(db: Queryable, row: EarlyFraudWarningRow): Promise<EarlyFraudWarningRow | undefined> {
  const result = await db.query<EarlyFraudWarningRow>(
    `INSERT INTO early_fraud_warnings (id, account_id, livemode, charge_id, payment_intent_id, fraud_type, created) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (charge_id) DO NOTHING RETURNING *`,
    [row.id, row.account_id, row.livemode, row.charge_id, row.payment_intent_id, row.fraud_type, row.created],
  );
  return result.rows[0] && warningOf(result.rows[0]);
}

export async function findEarlyFraudWarning(db: Queryable, scope: Scope, id: string): Promise<EarlyFraudWarningRow | undefined> {
  const result = await db.query<EarlyFraudWarningRow>('SELECT * FROM early_fraud_warnings WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
  return result.rows[0] && warningOf(result.rows[0]);
}

export async function listEarlyFraudWarnings(db: Queryable, scope: Scope, page: PageRequest, filters: { charge?: string; payment_intent?: string }): Promise<Page<EarlyFraudWarningRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.charge !== undefined) conditions.push({ sql: 'charge_id = $?', value: filters.charge });
  if (filters.payment_intent !== undefined) conditions.push({ sql: 'payment_intent_id = $?', value: filters.payment_intent });
  const result = await listPage<EarlyFraudWarningRow>(db, { table: 'early_fraud_warnings', objectName: 'early_fraud_warning', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
  return { ...result, rows: result.rows.map(warningOf) };
}
