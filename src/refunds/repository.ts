import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { assert } from '../platform/errors.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import { rowsIn, type Statement } from '../platform/statements.ts';
import type { ChargeRow } from '../payments/repository.ts';

export interface RefundRow {
  id: string;
  account_id: string;
  livemode: boolean;
  charge_id: string;
  payment_intent_id: string;
  amount: number;
  currency: string;
  status: 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';
  reason: string | null;
  failure_reason: string | null;
  processor_reference: string | null;
  metadata: Record<string, string>;
  created: number;
  balance_transaction_id: string | null;
  failure_balance_transaction_id: string | null;
  /** The transfer reversal a refund with reverse_transfer made (db/migrations/033); absent or null otherwise. */
  transfer_reversal_id?: string | null;
}

const refundColumns = ['id', 'account_id', 'livemode', 'charge_id', 'payment_intent_id', 'amount', 'currency', 'status', 'reason', 'failure_reason', 'processor_reference',
  'metadata', 'created', 'balance_transaction_id', 'failure_balance_transaction_id', 'transfer_reversal_id'] as const satisfies readonly (keyof RefundRow)[];

/** The columns an outcome or a cancel writes; nothing else of a refund changes with its state. */
const refundStateColumns = ['status', 'failure_reason', 'processor_reference', 'failure_balance_transaction_id'] as const satisfies readonly (keyof RefundRow)[];

/** The INSERT of a new refund, returning it (the gate of a new refund's change: refunds/writer.ts). */
export function refundInsertStatement(row: RefundRow): Statement {
  const placeholders = refundColumns.map((_, index) => `$${index + 1}`);
  return {
    text: `INSERT INTO refunds (${refundColumns.join(', ')}) VALUES (${placeholders.join(', ')}) RETURNING *`,
    values: refundColumns.map((column) => row[column]),
  };
}

/**
 * The UPDATE of a refund's state, only while it still has `expectStatus` (a compare-and-set: a refund is settled or
 * canceled once), returning it as written.
 */
export function refundUpdateStatement(
  current: Pick<RefundRow, 'id' | 'account_id'>,
  changes: Partial<Pick<RefundRow, (typeof refundStateColumns)[number]>>,
  expectStatus: RefundRow['status'],
): Statement {
  const values: unknown[] = [current.id, current.account_id, expectStatus];
  const sets: string[] = [];
  for (const column of refundStateColumns) {
    if (!(column in changes)) continue;
    values.push(changes[column]);
    sets.push(`${column} = $${values.length}`);
  }
  assert(sets.length > 0, 'a refund update changes something');
  return { text: `UPDATE refunds SET ${sets.join(', ')} WHERE id = $1 AND account_id IS NOT DISTINCT FROM $2 AND status = $3 RETURNING *`, values };
}

/**
 * Adds to a charge's `amount_refunded` the changes (negative to take a refund back) whose part `onlyIfRowsIn` returned a row, in one
 * update however many there are (one statement changes a row once), relative to the row as it is when written so
 * changes commute; only within 0..amount_captured (the table's CHECK says the same; here a total that does not fit
 * writes nothing, which the writer checks). Nothing is written when no such part returned a row.
 */
export function chargeAmountRefundedStatement(current: Pick<ChargeRow, 'id' | 'account_id'>, changes: readonly { amount: number; onlyIfRowsIn: string }[]): Statement {
  assert(changes.length > 0, 'a charge update adds something');
  const values: unknown[] = [current.id, current.account_id];
  const rows = changes.map(({ amount, onlyIfRowsIn }) => {
    values.push(amount);
    return `($${values.length}::bigint, ${rowsIn(onlyIfRowsIn)})`;
  });
  return {
    text: `UPDATE charges SET amount_refunded = charges.amount_refunded + change.total
      FROM (SELECT COALESCE(SUM(amount), 0)::bigint AS total, count(*) AS applied FROM (VALUES ${rows.join(', ')}) AS changes (amount, applies) WHERE applies) AS change
      WHERE charges.id = $1 AND charges.account_id IS NOT DISTINCT FROM $2 AND change.applied > 0 AND charges.amount_refunded + change.total BETWEEN 0 AND charges.amount_captured
      RETURNING charges.id`,
    values,
  };
}

export async function findRefund(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<RefundRow | undefined> {
  const result = await db.query<RefundRow>(
    `SELECT * FROM refunds WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

export async function updateRefundMetadata(db: Queryable, row: RefundRow, metadata: Record<string, string>): Promise<RefundRow> {
  const result = await db.query<RefundRow>('UPDATE refunds SET metadata = $3 WHERE id = $1 AND account_id IS NOT DISTINCT FROM $2 RETURNING *', [row.id, row.account_id, metadata]);
  return result.rows[0];
}

export async function listRefunds(db: Queryable, scope: Scope, page: PageRequest, filters: { charge?: string; payment_intent?: string }): Promise<Page<RefundRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.charge !== undefined) conditions.push({ sql: 'charge_id = $?', value: filters.charge });
  if (filters.payment_intent !== undefined) conditions.push({ sql: 'payment_intent_id = $?', value: filters.payment_intent });
  return listPage<RefundRow>(db, { table: 'refunds', objectName: 'refund', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}

/** Refunds the provider accepted as pending, oldest first (their outcome is asked of the provider). */
export async function findPendingRefunds(db: Queryable, limit: number): Promise<RefundRow[]> {
  const result = await db.query<RefundRow>(`SELECT * FROM refunds WHERE status = 'pending' ORDER BY seq LIMIT $1`, [limit]);
  return result.rows;
}
