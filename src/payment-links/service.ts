import type { Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import { listLimitDefault, listLimitMax, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import { findPrice, type PriceRow } from '../prices/repository.ts';
import { findProduct } from '../products/repository.ts';
import { findPaymentLink, listPaymentLinks, paymentLinkLineItemsOf, type PaymentLinkLineItemRow, type PaymentLinkListFilters, type PaymentLinkRow } from './repository.ts';

export async function retrievePaymentLink(db: Queryable, scope: Scope, id: string): Promise<PaymentLinkRow> {
  const link = await findPaymentLink(db, scope, id);
  if (!link) throw missing('payment_link', id);
  return link;
}

export function listPaymentLinkPage(db: Queryable, scope: Scope, page: PageRequest, filters: PaymentLinkListFilters): Promise<Page<PaymentLinkRow>> {
  return listPaymentLinks(db, scope, page, filters);
}

/** A link's line item as shown: its price whole, the product's name, the link's currency. */
export interface PaymentLinkItemView {
  row: PaymentLinkLineItemRow;
  price: PriceRow;
  description: string;
  currency: string;
}

/** Every line item of a link (at most 20), with its price and product name. */
export async function paymentLinkItems(db: Queryable, scope: Scope, link: PaymentLinkRow): Promise<PaymentLinkItemView[]> {
  const views: PaymentLinkItemView[] = [];
  for (const row of await paymentLinkLineItemsOf(db, link.id)) {
    const price = await findPrice(db, scope, row.price_id);
    if (!price) throw new Error(`invariant violated: line item ${row.id} has no price ${row.price_id}`);
    const product = await findProduct(db, scope, price.product_id);
    views.push({ row, price, description: product?.name ?? '', currency: link.currency });
  }
  return views;
}

/** A page of a link's line items in their order (at most 20, so paged in memory); cursors are line item ids of the link. */
export async function listPaymentLinkLineItemPage(db: Queryable, scope: Scope, linkId: string, page: PageRequest): Promise<Page<PaymentLinkItemView>> {
  const link = await retrievePaymentLink(db, scope, linkId);
  const limit = page.limit ?? listLimitDefault;
  if (!Number.isInteger(limit) || limit < 1 || limit > listLimitMax) throw new ApiError('invalid_limit', `Invalid limit: must be between 1 and ${listLimitMax}`, { param: 'limit' });
  if (page.starting_after !== undefined && page.ending_before !== undefined) {
    throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: starting_after, ending_before.', { param: 'ending_before' });
  }
  const items = await paymentLinkItems(db, scope, link);
  const cursor = page.starting_after ?? page.ending_before;
  let start = 0;
  let end = items.length;
  if (cursor !== undefined) {
    const at = items.findIndex((item) => item.row.id === cursor);
    if (at < 0) throw new ApiError('resource_missing', `No such line item: '${cursor}'`, { param: page.starting_after !== undefined ? 'starting_after' : 'ending_before' });
    if (page.starting_after !== undefined) start = at + 1;
    else end = at;
  }
  const rows = page.ending_before !== undefined ? items.slice(Math.max(start, end - limit), end) : items.slice(start, start + limit);
  const hasMore = page.ending_before !== undefined ? end - limit > start : start + limit < end;
  return { rows, hasMore };
}
