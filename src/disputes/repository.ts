import type { ChargeRow } from '../payments/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';

// The `disputes` table (db/migrations/051_disputes.sql) and the charge columns disputes own (`disputed`): the only
// SQL that touches them.

export const disputeStatuses = ['warning_needs_response', 'warning_under_review', 'warning_closed', 'needs_response', 'under_review', 'won', 'lost'] as const;
export type DisputeStatus = (typeof disputeStatuses)[number];

export interface DisputeRow {
  id: string;
  account_id: string;
  livemode: boolean;
  charge_id: string;
  payment_intent_id: string | null;
  amount: number;
  currency: string;
  status: DisputeStatus;
  reason: string;
  evidence: Record<string, string>;
  due_by: number | null;
  submission_count: number;
  is_charge_refundable: boolean;
  withdrawal_balance_transaction_id: string | null;
  reinstatement_balance_transaction_id: string | null;
  metadata: Record<string, string>;
  created: number;
}

/** bigint columns come back as text from node-postgres. */
function disputeOf(row: DisputeRow): DisputeRow {
  return { ...row, amount: Number(row.amount), due_by: row.due_by === null ? null : Number(row.due_by), created: Number(row.created) };
}

const columns = ['id', 'account_id', 'livemode', 'charge_id', 'payment_intent_id', 'amount', 'currency', 'status', 'reason', 'evidence', 'due_by', 'submission_count',
  'is_charge_refundable', 'withdrawal_balance_transaction_id', 'reinstatement_balance_transaction_id', 'metadata', 'created'] as const satisfies readonly (keyof DisputeRow)[];

/** Inserts a dispute; undefined when the charge already has one (at most one per charge, never opened twice). */
export async function insertDispute(db: Queryable, row: DisputeRow): Promise<DisputeRow | undefined> {
  const values = columns.map((column) => (column === 'evidence' || column === 'metadata') ? JSON.stringify(row[column]) : row[column]);
  const result = await db.query<DisputeRow>(
    `INSERT INTO disputes (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')}) ON CONFLICT (charge_id) DO NOTHING RETURNING *`,
    values,
  );
  return result.rows[0] && disputeOf(result.rows[0]);
}

export async function findDispute(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<DisputeRow | undefined> {
  const result = await db.query<DisputeRow>(
    `SELECT * FROM disputes WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0] && disputeOf(result.rows[0]);
}

export async function findDisputeOfCharge(db: Queryable, scope: Scope, chargeId: string): Promise<DisputeRow | undefined> {
  const result = await db.query<DisputeRow>('SELECT * FROM disputes WHERE charge_id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [chargeId, scope.accountId, scope.livemode]);
  return result.rows[0] && disputeOf(result.rows[0]);
}

/** The fields a dispute's update may change. */
export type DisputeChanges = Partial<Pick<DisputeRow, 'status' | 'evidence' | 'submission_count' | 'is_charge_refundable' | 'reinstatement_balance_transaction_id' | 'metadata'>>;

/** Writes `changes` to a dispute the caller holds locked, only while it is still in `expectStatus` (a compare-and-set). */
export async function updateDispute(db: Queryable, dispute: DisputeRow, changes: DisputeChanges, expectStatus: DisputeStatus): Promise<DisputeRow | undefined> {
  const entries = Object.entries(changes);
  const values: unknown[] = [dispute.id, dispute.account_id, dispute.livemode, expectStatus];
  const sets = entries.map(([column, value]) => {
    values.push(column === 'evidence' || column === 'metadata' ? JSON.stringify(value) : value);
    return `${column} = $${values.length}`;
  });
  if (sets.length === 0) return dispute;
  const result = await db.query<DisputeRow>(
    `UPDATE disputes SET ${sets.join(', ')} WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) AND status = $4 RETURNING *`,
    values,
  );
  return result.rows[0] && disputeOf(result.rows[0]);
}

export interface DisputeFilters {
  charge?: string;
  payment_intent?: string;
}

export async function listDisputes(db: Queryable, scope: Scope, page: PageRequest, filters: DisputeFilters): Promise<Page<DisputeRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.charge !== undefined) conditions.push({ sql: 'charge_id = $?', value: filters.charge });
  if (filters.payment_intent !== undefined) conditions.push({ sql: 'payment_intent_id = $?', value: filters.payment_intent });
  const result = await listPage<DisputeRow>(db, { table: 'disputes', objectName: 'dispute', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
  return { ...result, rows: result.rows.map(disputeOf) };
}

/**
 * Captured charges of the test processor that its dispute test cards mark (a `.dispute_` suffix on the processor
 * reference) and that have no dispute (nor early fraud warning) yet, oldest first, across accounts (the sweep's work list).
 */
export async function findChargesToDispute(db: Queryable, limit: number): Promise<ChargeRow[]> {
  const result = await db.query<ChargeRow>(
    `SELECT * FROM charges WHERE processor_reference LIKE '%.dispute_%' AND NOT disputed AND status = 'succeeded' AND captured AND amount_refunded < amount_captured
       AND NOT EXISTS (SELECT 1 FROM early_fraud_warnings w WHERE w.charge_id = charges.id)
     ORDER BY seq LIMIT $1`,
    [limit],
  );
  return result.rows;
}

/** Re-reads a charge under the caller's lock of its PaymentIntent, to check it is still undisputed. */
export async function findChargeForDispute(db: Queryable, scope: Scope, chargeId: string): Promise<ChargeRow | undefined> {
  const result = await db.query<ChargeRow>('SELECT * FROM charges WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) FOR UPDATE', [chargeId, scope.accountId, scope.livemode]);
  return result.rows[0];
}

export async function markChargeDisputed(db: Queryable, charge: Pick<ChargeRow, 'id'>): Promise<void> {
  await db.query('UPDATE charges SET disputed = true WHERE id = $1', [charge.id]);
}

/** Disputes waiting for an answer whose `due_by` has passed, across accounts (the deadline sweep's work list). */
export async function findPastDueDisputes(db: Queryable, now: number, limit: number): Promise<DisputeRow[]> {
  const result = await db.query<DisputeRow>(
    `SELECT * FROM disputes WHERE status IN ('needs_response', 'warning_needs_response') AND due_by < $1 ORDER BY due_by LIMIT $2`,
    [now, limit],
  );
  return result.rows.map(disputeOf);
}
