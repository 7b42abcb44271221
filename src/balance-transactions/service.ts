import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { missing } from '../platform/errors.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import { findBalanceTransaction, listBalanceTransactions, type BalanceTransactionFilters, type BalanceTransactionRow } from './repository.ts';

/** One balance transaction of the caller's account and mode; `resource_missing` otherwise. */
export async function retrieveBalanceTransaction(db: Queryable, scope: Scope, id: string): Promise<BalanceTransactionRow> {
  const row = await findBalanceTransaction(db, scope, id);
  if (!row) throw missing('balance_transaction', id);
  return row;
}

/** A newest-first page of the caller's balance transactions, narrowed by Stripe's list filters. */
export function listBalanceTransactionPage(db: Queryable, scope: Scope, page: PageRequest, filters: BalanceTransactionFilters): Promise<Page<BalanceTransactionRow>> {
  return listBalanceTransactions(db, scope, page, filters);
}
