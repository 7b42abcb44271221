import type { Dependencies } from '../dependencies.ts';
import { renderBalanceTransaction } from '../balance-transactions/render.ts';
import { findBalanceTransaction } from '../balance-transactions/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { missing } from '../platform/errors.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import { renderDispute } from './render.ts';
import { findDispute, listDisputes, type DisputeFilters, type DisputeRow } from './repository.ts';

/** What disputes use: the database and clock, and what settling the disputed amount needs (the account's settings, pricing). */
export type DisputeDependencies = Pick<Dependencies, 'db' | 'clock' | 'settings' | 'pricing'>;

/** A dispute with the balance transactions it embeds (zero, one or two, as at Stripe). */
export interface DisputeView {
  dispute: DisputeRow;
  balanceTransactions: Record<string, unknown>[];
  now: number;
}

export async function disputeView(db: Queryable, scope: Scope, dispute: DisputeRow, now: number): Promise<DisputeView> {
  const balanceTransactions: Record<string, unknown>[] = [];
  for (const id of [dispute.withdrawal_balance_transaction_id, dispute.reinstatement_balance_transaction_id]) {
    if (id === null) continue;
    const row = await findBalanceTransaction(db, scope, id);
    if (row) balanceTransactions.push(renderBalanceTransaction(row));
  }
  return { dispute, balanceTransactions, now };
}

export function renderDisputeView(view: DisputeView): Record<string, unknown> {
  return renderDispute(view.dispute, view.balanceTransactions, view.now);
}

export async function retrieveDispute(deps: Pick<DisputeDependencies, 'db' | 'clock'>, scope: Scope, id: string): Promise<DisputeView> {
  const dispute = await findDispute(deps.db, scope, id);
  if (!dispute) throw missing('dispute', id);
  return disputeView(deps.db, scope, dispute, deps.clock.nowSeconds());
}

export async function listDisputePage(deps: Pick<DisputeDependencies, 'db' | 'clock'>, scope: Scope, page: PageRequest, filters: DisputeFilters): Promise<Page<DisputeView>> {
  const result = await listDisputes(deps.db, scope, page, filters);
  const now = deps.clock.nowSeconds();
  const rows: DisputeView[] = [];
  for (const row of result.rows) rows.push(await disputeView(deps.db, scope, row, now));
  return { ...result, rows };
}
