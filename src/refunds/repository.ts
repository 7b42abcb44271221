import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';

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
}

export async function insertRefund(db: Queryable, row: RefundRow): Promise<RefundRow> {
  const result = await db.query<RefundRow>(
    `INSERT INTO refunds (id, account_id, livemode, charge_id, payment_intent_id, amount, currency, status, reason, failure_reason, processor_reference, metadata, created,
       balance_transaction_id, failure_balance_transaction_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
    [row.id, row.account_id, row.livemode, row.charge_id, row.payment_intent_id, row.amount, row.currency, row.status, row.reason, row.failure_reason, row.processor_reference, row.metadata, row.created,
      row.balance_transaction_id, row.failure_balance_transaction_id],
  );
  return result.rows[0];
}

export async function findRefund(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<RefundRow | undefined> {
  const result = await db.query<RefundRow>(
    `SELECT * FROM refunds WHERE id = $1 AND account_id = $2 AND livemode = $3 ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

export async function updateRefundMetadata(db: Queryable, row: RefundRow, metadata: Record<string, string>): Promise<RefundRow> {
  const result = await db.query<RefundRow>('UPDATE refunds SET metadata = $3 WHERE id = $1 AND account_id = $2 RETURNING *', [row.id, row.account_id, metadata]);
  return result.rows[0];
}

export async function listRefunds(db: Queryable, scope: Scope, page: PageRequest, filters: { charge?: string; payment_intent?: string }): Promise<Page<RefundRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.charge !== undefined) conditions.push({ sql: 'charge_id = $?', value: filters.charge });
  if (filters.payment_intent !== undefined) conditions.push({ sql: 'payment_intent_id = $?', value: filters.payment_intent });
  return listPage<RefundRow>(db, { table: 'refunds', objectName: 'refund', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}

/** Writes a refund's outcome, only while it is still pending (a compare-and-set: one outcome per refund). */
export async function settleRefund(
  db: Queryable,
  row: Pick<RefundRow, 'id' | 'account_id'>,
  outcome: Pick<RefundRow, 'status' | 'failure_reason' | 'processor_reference' | 'failure_balance_transaction_id'>,
): Promise<RefundRow | undefined> {
  const result = await db.query<RefundRow>(
    `UPDATE refunds SET status = $3, failure_reason = $4, processor_reference = $5, failure_balance_transaction_id = $6
      WHERE id = $1 AND account_id = $2 AND status = 'pending' RETURNING *`,
    [row.id, row.account_id, outcome.status, outcome.failure_reason, outcome.processor_reference, outcome.failure_balance_transaction_id],
  );
  return result.rows[0];
}

/** Refunds the provider accepted as pending, oldest first (their outcome is asked of the provider). */
export async function findPendingRefunds(db: Queryable, limit: number): Promise<RefundRow[]> {
  const result = await db.query<RefundRow>(`SELECT * FROM refunds WHERE status = 'pending' ORDER BY seq LIMIT $1`, [limit]);
  return result.rows;
}

/**
 * Cancels a refund that waits for the customer (`requires_action`), recording the balance transaction that returned
 * its money; a compare-and-set, so a refund is canceled (or settled) once.
 */
export async function markRefundCanceled(db: Queryable, row: Pick<RefundRow, 'id' | 'account_id'>, failureBalanceTransactionId: string | null): Promise<RefundRow | undefined> {
  const result = await db.query<RefundRow>(
    `UPDATE refunds SET status = 'canceled', failure_balance_transaction_id = $3
      WHERE id = $1 AND account_id = $2 AND status = 'requires_action' RETURNING *`,
    [row.id, row.account_id, failureBalanceTransactionId],
  );
  return result.rows[0];
}
