import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import { jsonRowsInsert, type PartOptions, type Statement } from '../platform/statements.ts';

// The `application_fees` and `application_fee_refunds` tables (db/migrations/032_destination_charges.sql): the only
// SQL that touches them. Both are owned by the platform (`account_id`), in one mode.

export interface ApplicationFeeRow {
  id: string;
  account_id: string;
  livemode: boolean;
  /** Stripe's `account`: the connected account that paid the fee. */
  connected_account_id: string;
  charge_id: string;
  amount: number;
  amount_refunded: number;
  currency: string;
  balance_transaction_id: string;
  account_balance_transaction_id: string | null;
  transfer_id: string | null;
  created: number;
}

export interface ApplicationFeeRefundRow {
  id: string;
  account_id: string;
  livemode: boolean;
  fee_id: string;
  amount: number;
  currency: string;
  balance_transaction_id: string;
  metadata: Record<string, string>;
  created: number;
}

function feeOf(row: ApplicationFeeRow): ApplicationFeeRow {
  return { ...row, amount: Number(row.amount), amount_refunded: Number(row.amount_refunded), created: Number(row.created) };
}

function refundOf(row: ApplicationFeeRefundRow): ApplicationFeeRefundRow {
  return { ...row, amount: Number(row.amount), created: Number(row.created) };
}

const feeColumns = ['id', 'account_id', 'livemode', 'connected_account_id', 'charge_id', 'amount', 'amount_refunded', 'currency', 'balance_transaction_id',
  'account_balance_transaction_id', 'transfer_id', 'created'] as const satisfies readonly (keyof ApplicationFeeRow)[];

/** The INSERT of a new fee as a part of a payment's statement (gated by the intent's compare-and-set). */
export function applicationFeeInsertStatement(row: ApplicationFeeRow, options: PartOptions = {}): Statement {
  return jsonRowsInsert('application_fees', feeColumns, [Object.fromEntries(feeColumns.map((column) => [column, row[column]]))], options);
}

export async function findApplicationFee(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<ApplicationFeeRow | undefined> {
  const result = await db.query<ApplicationFeeRow>(
    `SELECT * FROM application_fees WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0] ? feeOf(result.rows[0]) : undefined;
}

/** The fee collected on a charge (whoever owns the charge: the platform, or the connected account of a direct charge). */
export async function findApplicationFeeOfCharge(db: Queryable, chargeId: string, options: { forUpdate?: boolean } = {}): Promise<ApplicationFeeRow | undefined> {
  const result = await db.query<ApplicationFeeRow>(`SELECT * FROM application_fees WHERE charge_id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [chargeId]);
  return result.rows[0] ? feeOf(result.rows[0]) : undefined;
}

export interface ApplicationFeeFilters {
  charge?: string;
}

export async function listApplicationFees(db: Queryable, scope: Scope, page: PageRequest, filters: ApplicationFeeFilters): Promise<Page<ApplicationFeeRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.charge !== undefined) conditions.push({ sql: 'charge_id = $?', value: filters.charge });
  const found = await listPage<ApplicationFeeRow>(db, { table: 'application_fees', objectName: 'application_fee', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
  return { rows: found.rows.map(feeOf), hasMore: found.hasMore };
}

/**
 * Adds a refund to a fee's `amount_refunded` only while it stays within the fee (a compare-and-set the table's CHECK
 * backs up); undefined when it would not fit.
 */
export async function addAmountRefunded(db: Queryable, row: Pick<ApplicationFeeRow, 'id'>, amount: number): Promise<ApplicationFeeRow | undefined> {
  const result = await db.query<ApplicationFeeRow>(
    'UPDATE application_fees SET amount_refunded = amount_refunded + $2 WHERE id = $1 AND amount_refunded + $2 <= amount RETURNING *',
    [row.id, amount],
  );
  return result.rows[0] ? feeOf(result.rows[0]) : undefined;
}

const refundColumns = ['id', 'account_id', 'livemode', 'fee_id', 'amount', 'currency', 'balance_transaction_id', 'metadata', 'created'] as const satisfies readonly (keyof ApplicationFeeRefundRow)[];

export async function insertFeeRefund(db: Queryable, row: ApplicationFeeRefundRow): Promise<ApplicationFeeRefundRow> {
  const result = await db.query<ApplicationFeeRefundRow>(
    `INSERT INTO application_fee_refunds (${refundColumns.join(', ')}) VALUES (${refundColumns.map((_, index) => `$${index + 1}`).join(', ')}) RETURNING *`,
    refundColumns.map((column) => column === 'metadata' ? JSON.stringify(row.metadata) : row[column]),
  );
  return refundOf(result.rows[0]);
}

export async function findFeeRefund(db: Queryable, scope: Scope, feeId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<ApplicationFeeRefundRow | undefined> {
  const result = await db.query<ApplicationFeeRefundRow>(
    `SELECT * FROM application_fee_refunds WHERE id = $1 AND fee_id = $2 AND (account_id, livemode) IS NOT DISTINCT FROM ($3, $4)${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id, feeId, scope.accountId, scope.livemode],
  );
  return result.rows[0] ? refundOf(result.rows[0]) : undefined;
}

export async function updateFeeRefundMetadata(db: Queryable, row: ApplicationFeeRefundRow, metadata: Record<string, string>): Promise<ApplicationFeeRefundRow> {
  const result = await db.query<ApplicationFeeRefundRow>('UPDATE application_fee_refunds SET metadata = $2 WHERE id = $1 RETURNING *', [row.id, JSON.stringify(metadata)]);
  return refundOf(result.rows[0]);
}

export async function listFeeRefunds(db: Queryable, scope: Scope, feeId: string, page: PageRequest): Promise<Page<ApplicationFeeRefundRow>> {
  const found = await listPage<ApplicationFeeRefundRow>(db, {
    table: 'application_fee_refunds', objectName: 'fee_refund', accountId: scope.accountId, livemode: scope.livemode, conditions: [{ sql: 'fee_id = $?', value: feeId }],
  }, page);
  return { rows: found.rows.map(refundOf), hasMore: found.hasMore };
}

/** A fee refund by its id alone (a balance transaction's source, expanded). */
export async function findFeeRefundById(db: Queryable, scope: Scope, id: string): Promise<ApplicationFeeRefundRow | undefined> {
  const result = await db.query<ApplicationFeeRefundRow>('SELECT * FROM application_fee_refunds WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
  return result.rows[0] ? refundOf(result.rows[0]) : undefined;
}

/** The fee a destination charge's transfer paid (locked: the caller reverses the transfer under its lock). */
export async function findApplicationFeeOfTransfer(db: Queryable, scope: Scope, transferId: string): Promise<ApplicationFeeRow | undefined> {
  const result = await db.query<ApplicationFeeRow>('SELECT * FROM application_fees WHERE transfer_id = $1 AND account_id = $2 AND livemode = $3 FOR UPDATE', [transferId, scope.accountId, scope.livemode]);
  return result.rows[0] ? feeOf(result.rows[0]) : undefined;
}
