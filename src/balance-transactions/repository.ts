import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import { jsonRowsInsert, type PartOptions, type Statement } from '../platform/statements.ts';

export const balanceTransactionTypes = [
  'charge', 'payment', 'refund', 'refund_failure', 'payout', 'payout_cancel', 'payout_failure', 'adjustment',
  // Connect: a transfer and its reversal (platform), the payment it made and its refund (destination), application fees.
  'transfer', 'transfer_refund', 'payment_refund', 'application_fee', 'application_fee_refund',
  // Connect reserves: funds a platform holds or releases against its accounts' negative balances, and a negative
  // balance it clears after 180 days (both sides).
  'reserve_transaction', 'connect_collection_transfer',
] as const;
export type BalanceTransactionType = (typeof balanceTransactionTypes)[number];

export interface FeeDetail {
  amount: number;
  application: string | null;
  currency: string;
  description: string;
  type: 'stripe_fee' | 'application_fee' | 'tax';
}

export interface BalanceTransactionRow {
  id: string;
  account_id: string;
  livemode: boolean;
  type: BalanceTransactionType;
  reporting_category: string;
  source_id: string | null;
  amount: number;
  fee: number;
  fee_details: FeeDetail[];
  net: number;
  currency: string;
  /** Decimal text as Postgres returns numeric (e.g. '1.0857'); null when no conversion happened. */
  exchange_rate: string | null;
  status: 'pending' | 'available';
  available_on: number;
  description: string | null;
  payout_id: string | null;
  created: number;
}

const columns = ['id', 'account_id', 'livemode', 'type', 'reporting_category', 'source_id', 'amount', 'fee', 'fee_details', 'net', 'currency',
  'exchange_rate', 'status', 'available_on', 'description', 'payout_id', 'created'] as const satisfies readonly (keyof BalanceTransactionRow)[];

/** The INSERT of balance transactions; with `onlyIfRowsIn`, only when that earlier part of the statement returned a row. */
export function balanceTransactionsInsertStatement(rows: readonly BalanceTransactionRow[], options: PartOptions = {}): Statement {
  return jsonRowsInsert('balance_transactions', columns, rows.map((row) => ({ ...row })), options);
}

export async function findBalanceTransaction(db: Queryable, scope: Scope, id: string): Promise<BalanceTransactionRow | undefined> {
  const result = await db.query<BalanceTransactionRow>('SELECT * FROM balance_transactions WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
  return result.rows[0];
}

export interface BalanceTransactionFilters {
  type?: string;
  source?: string;
  payout?: string;
  currency?: string;
}

export async function listBalanceTransactions(db: Queryable, scope: Scope, page: PageRequest, filters: BalanceTransactionFilters): Promise<Page<BalanceTransactionRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.type !== undefined) conditions.push({ sql: 'type = $?', value: filters.type });
  if (filters.source !== undefined) conditions.push({ sql: 'source_id = $?', value: filters.source });
  if (filters.payout !== undefined) conditions.push({ sql: 'payout_id = $?', value: filters.payout });
  if (filters.currency !== undefined) conditions.push({ sql: 'currency = $?', value: filters.currency });
  return listPage<BalanceTransactionRow>(db, { table: 'balance_transactions', objectName: 'balance_transaction', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}
