import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import { jsonRowsInsert, type PartOptions, type Statement } from '../platform/statements.ts';

// The `transfers` and `transfer_reversals` tables (db/migrations/029_transfers.sql): the only SQL that touches them.
// Both are owned by the platform (`account_id`), in one mode.

export interface TransferRow {
  id: string;
  account_id: string;
  livemode: boolean;
  amount: number;
  amount_reversed: number;
  currency: string;
  destination_id: string;
  destination_payment_id: string;
  balance_transaction_id: string;
  destination_balance_transaction_id: string;
  source_transaction_id: string | null;
  transfer_group: string | null;
  description: string | null;
  metadata: Record<string, string>;
  created: number;
}

export interface TransferReversalRow {
  id: string;
  account_id: string;
  livemode: boolean;
  transfer_id: string;
  amount: number;
  currency: string;
  balance_transaction_id: string;
  destination_balance_transaction_id: string;
  source_refund_id: string | null;
  metadata: Record<string, string>;
  created: number;
}

/** bigint columns come back as text from node-postgres. */
function transferOf(row: TransferRow): TransferRow {
  return { ...row, amount: Number(row.amount), amount_reversed: Number(row.amount_reversed), created: Number(row.created) };
}

function reversalOf(row: TransferReversalRow): TransferReversalRow {
  return { ...row, amount: Number(row.amount), created: Number(row.created) };
}

const transferColumns = ['id', 'account_id', 'livemode', 'amount', 'amount_reversed', 'currency', 'destination_id', 'destination_payment_id', 'balance_transaction_id',
  'destination_balance_transaction_id', 'source_transaction_id', 'transfer_group', 'description', 'metadata', 'created'] as const satisfies readonly (keyof TransferRow)[];

/** The INSERT of a new transfer as a part of a payment's statement (a destination charge's, gated by its intent). */
export function transferInsertStatement(row: TransferRow, options: PartOptions = {}): Statement {
  return jsonRowsInsert('transfers', transferColumns, [Object.fromEntries(transferColumns.map((column) => [column, row[column]]))], options);
}

export async function insertTransfer(db: Queryable, row: TransferRow): Promise<TransferRow> {
  const result = await db.query<TransferRow>(
    `INSERT INTO transfers (${transferColumns.join(', ')}) VALUES (${transferColumns.map((_, index) => `$${index + 1}`).join(', ')}) RETURNING *`,
    transferColumns.map((column) => column === 'metadata' ? JSON.stringify(row.metadata) : row[column]),
  );
  return transferOf(result.rows[0]);
}

export async function findTransfer(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<TransferRow | undefined> {
  const result = await db.query<TransferRow>(
    `SELECT * FROM transfers WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0] ? transferOf(result.rows[0]) : undefined;
}

/** The transfers a charge funds (source_transaction), locked: the caller holds the charge's PaymentIntent lock too. */
export async function findTransfersOfSource(db: Queryable, scope: Scope, chargeId: string): Promise<TransferRow[]> {
  const result = await db.query<TransferRow>(
    'SELECT * FROM transfers WHERE source_transaction_id = $1 AND account_id = $2 AND livemode = $3 ORDER BY seq FOR UPDATE',
    [chargeId, scope.accountId, scope.livemode],
  );
  return result.rows.map(transferOf);
}

export async function updateTransferMetadata(db: Queryable, row: TransferRow, changes: { metadata: Record<string, string>; description: string | null }): Promise<TransferRow> {
  const result = await db.query<TransferRow>('UPDATE transfers SET metadata = $2, description = $3 WHERE id = $1 RETURNING *', [row.id, JSON.stringify(changes.metadata), changes.description]);
  return transferOf(result.rows[0]);
}

/**
 * Adds a reversal to a transfer's `amount_reversed` only while it stays within the amount (a compare-and-set the
 * table's CHECK backs up); undefined when it would not fit.
 */
export async function addAmountReversed(db: Queryable, row: Pick<TransferRow, 'id'>, amount: number): Promise<TransferRow | undefined> {
  const result = await db.query<TransferRow>(
    'UPDATE transfers SET amount_reversed = amount_reversed + $2 WHERE id = $1 AND amount_reversed + $2 <= amount RETURNING *',
    [row.id, amount],
  );
  return result.rows[0] ? transferOf(result.rows[0]) : undefined;
}

export interface TransferFilters {
  destination?: string;
  transfer_group?: string;
}

export async function listTransfers(db: Queryable, scope: Scope, page: PageRequest, filters: TransferFilters): Promise<Page<TransferRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.destination !== undefined) conditions.push({ sql: 'destination_id = $?', value: filters.destination });
  if (filters.transfer_group !== undefined) conditions.push({ sql: 'transfer_group = $?', value: filters.transfer_group });
  const found = await listPage<TransferRow>(db, { table: 'transfers', objectName: 'transfer', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
  return { rows: found.rows.map(transferOf), hasMore: found.hasMore };
}

const reversalColumns = ['id', 'account_id', 'livemode', 'transfer_id', 'amount', 'currency', 'balance_transaction_id', 'destination_balance_transaction_id', 'source_refund_id',
  'metadata', 'created'] as const satisfies readonly (keyof TransferReversalRow)[];

export async function insertReversal(db: Queryable, row: TransferReversalRow): Promise<TransferReversalRow> {
  const result = await db.query<TransferReversalRow>(
    `INSERT INTO transfer_reversals (${reversalColumns.join(', ')}) VALUES (${reversalColumns.map((_, index) => `$${index + 1}`).join(', ')}) RETURNING *`,
    reversalColumns.map((column) => column === 'metadata' ? JSON.stringify(row.metadata) : row[column]),
  );
  return reversalOf(result.rows[0]);
}

export async function findReversal(db: Queryable, scope: Scope, transferId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<TransferReversalRow | undefined> {
  const result = await db.query<TransferReversalRow>(
    `SELECT * FROM transfer_reversals WHERE id = $1 AND transfer_id = $2 AND account_id = $3 AND livemode = $4${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id, transferId, scope.accountId, scope.livemode],
  );
  return result.rows[0] ? reversalOf(result.rows[0]) : undefined;
}

export async function updateReversalMetadata(db: Queryable, row: TransferReversalRow, metadata: Record<string, string>): Promise<TransferReversalRow> {
  const result = await db.query<TransferReversalRow>('UPDATE transfer_reversals SET metadata = $2 WHERE id = $1 RETURNING *', [row.id, JSON.stringify(metadata)]);
  return reversalOf(result.rows[0]);
}

export async function listReversals(db: Queryable, scope: Scope, transferId: string, page: PageRequest): Promise<Page<TransferReversalRow>> {
  const found = await listPage<TransferReversalRow>(db, {
    table: 'transfer_reversals', objectName: 'transfer_reversal', accountId: scope.accountId, livemode: scope.livemode, conditions: [{ sql: 'transfer_id = $?', value: transferId }],
  }, page);
  return { rows: found.rows.map(reversalOf), hasMore: found.hasMore };
}

/** The newest `limit` reversals of each transfer (and whether it has more), for the `reversals` list a transfer embeds. */
export async function reversalsOf(db: Queryable, transferIds: readonly string[], limit: number): Promise<Map<string, { rows: TransferReversalRow[]; hasMore: boolean }>> {
  const found = new Map<string, { rows: TransferReversalRow[]; hasMore: boolean }>(transferIds.map((id) => [id, { rows: [], hasMore: false }]));
  if (transferIds.length === 0) return found;
  const result = await db.query<TransferReversalRow & { position: string }>(
    `SELECT * FROM (SELECT r.*, row_number() OVER (PARTITION BY transfer_id ORDER BY seq DESC) AS position FROM transfer_reversals r WHERE transfer_id = ANY($1::text[])) ranked
      WHERE position <= $2 ORDER BY transfer_id, seq DESC`,
    [transferIds, limit + 1],
  );
  for (const { position, ...row } of result.rows) {
    const list = found.get(row.transfer_id)!;
    if (Number(position) > limit) list.hasMore = true;
    else list.rows.push(reversalOf(row as TransferReversalRow));
  }
  return found;
}

/** A reversal by its id alone (a balance transaction's source, expanded). */
export async function findReversalById(db: Queryable, scope: Scope, id: string): Promise<TransferReversalRow | undefined> {
  const result = await db.query<TransferReversalRow>('SELECT * FROM transfer_reversals WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
  return result.rows[0] ? reversalOf(result.rows[0]) : undefined;
}
