import type { Scope } from '../platform/scope.ts';
import type { CustomerRow } from '../customers/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { listLimitDefault } from '../platform/pagination.ts';
import type { ChargeRow, PaymentIntentRow } from '../payments/repository.ts';
import type { PriceRow } from '../prices/repository.ts';
import type { ProductRow } from '../products/repository.ts';
import type { SearchResource } from './fields.ts';
import { decodePageToken, encodePageToken } from './page-token.ts';
import { parseQuery } from './query-parser.ts';
import { countMatches, findMatches } from './repository.ts';
import { resolveQuery } from './resolve.ts';

export interface SearchRequest {
  query: string;
  limit?: number;
  page?: string;
}

export interface SearchPage<Row> {
  rows: Row[];
  hasMore: boolean;
  /** The cursor of the next page; null on the last page. */
  nextPage: string | null;
  /** Counts every match (up to the counting limit); run only when the caller expands `total_count`. */
  countTotal(): Promise<number>;
}

interface SearchRows {
  customer: CustomerRow;
  payment_intent: PaymentIntentRow;
  charge: ChargeRow;
  product: ProductRow;
  price: PriceRow;
}

/**
 * Runs a Search Query Language query over one resource of the caller's account and mode. Unlike Stripe's search,
 * which indexes asynchronously (up to a minute behind), this reads the tables themselves: a write is found at once.
 */
export async function search<R extends SearchResource>(db: Queryable, scope: Scope, resource: R, request: SearchRequest): Promise<SearchPage<SearchRows[R]>> {
  const plan = resolveQuery(resource, parseQuery(request.query));
  const afterSequence = request.page === undefined ? undefined : decodePageToken(resource, request.query, request.page);
  const limit = request.limit ?? listLimitDefault;
  const matches = await findMatches<SearchRows[R]>(db, scope, plan, { limit, afterSequence });
  const rows = matches.slice(0, limit);
  const hasMore = matches.length > limit;
  return {
    rows,
    hasMore,
    nextPage: hasMore ? encodePageToken(resource, request.query, rows[rows.length - 1].seq) : null,
    countTotal: () => countMatches(db, scope, plan),
  };
}
