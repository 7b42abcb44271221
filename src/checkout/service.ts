import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { listLimitDefault, listLimitMax, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import { findPrice, type PriceRow } from '../prices/repository.ts';
import { findCheckoutSession, lineItemsOf, listCheckoutSessions, type CheckoutSessionListFilters, type CheckoutSessionRow, type LineItemRow } from './repository.ts';

export async function retrieveCheckoutSession(db: Queryable, scope: Scope, id: string): Promise<CheckoutSessionRow> {
  const session = await findCheckoutSession(db, scope, id);
  if (!session) throw missing('checkout.session', id);
  return session;
}

export function listCheckoutSessionPage(db: Queryable, scope: Scope, page: PageRequest, filters: CheckoutSessionListFilters): Promise<Page<CheckoutSessionRow>> {
  return listCheckoutSessions(db, scope, page, filters);
}

/** A line item with its price, as the session sold it. */
export interface LineItemWithPrice {
  row: LineItemRow;
  price: PriceRow;
}

/**
 * A page of a session's line items, in the order they were given (at most 100, so paged in memory); cursors are
 * line item ids of this session.
 */
export async function listLineItemPage(db: Queryable, scope: Scope, sessionId: string, page: PageRequest): Promise<Page<LineItemWithPrice>> {
  await retrieveCheckoutSession(db, scope, sessionId);
  const limit = page.limit ?? listLimitDefault;
  if (!Number.isInteger(limit) || limit < 1 || limit > listLimitMax) throw new ApiError('invalid_limit', `Invalid limit: must be between 1 and ${listLimitMax}`, { param: 'limit' });
  if (page.starting_after !== undefined && page.ending_before !== undefined) {
    throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: starting_after, ending_before.', { param: 'ending_before' });
  }
  const items = await lineItemsOf(db, sessionId);
  const cursor = page.starting_after ?? page.ending_before;
  let start = 0;
  let end = items.length;
  if (cursor !== undefined) {
    const at = items.findIndex((item) => item.id === cursor);
    if (at < 0) throw new ApiError('resource_missing', `No such line item: '${cursor}'`, { param: page.starting_after !== undefined ? 'starting_after' : 'ending_before' });
    if (page.starting_after !== undefined) start = at + 1;
    else end = at;
  }
  const slice = page.ending_before !== undefined ? items.slice(Math.max(start, end - limit), end) : items.slice(start, start + limit);
  const hasMore = page.ending_before !== undefined ? end - limit > start : start + limit < end;
  const rows: LineItemWithPrice[] = [];
  for (const row of slice) {
    const price = await findPrice(db, scope, row.price_id);
    if (!price) throw new Error(`invariant violated: line item ${row.id} has no price ${row.price_id}`);
    rows.push({ row, price });
  }
  return { rows, hasMore };
}
