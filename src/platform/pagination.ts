import type { Queryable } from './db.ts';
import { ApiError } from './errors.ts';

/** Page size bounds of every list endpoint (Stripe's). */
export const listLimitDefault = 10;
export const listLimitMax = 100;

export interface RangeBounds {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export interface PageRequest {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
  created?: RangeBounds;
}

export interface Page<T> {
  rows: T[];
  hasMore: boolean;
}

export interface ListQuery {
  /** A table of ours with id, seq, account_id, livemode and created columns (a constant, never user input). */
  table: string;
  /** Stripe's object name, for "No such ..." errors on a bad cursor. */
  objectName: string;
  accountId: string;
  livemode: boolean;
  /** Extra conditions, each with `$?` where its value goes. */
  conditions?: { sql: string; value: unknown }[];
  /** Extra conditions without a value (e.g. `NOT deleted`). */
  fixedConditions?: string[];
}

/**
 * Newest-first keyset pagination on the per-table `seq`. Cursors are object ids; a row inserted while a client
 * pages lands at the head, so pages already handed out never shift.
 */
export async function listPage<T>(db: Queryable, query: ListQuery, page: PageRequest): Promise<Page<T>> {
  const limit = page.limit ?? listLimitDefault;
  if (!Number.isInteger(limit) || limit < 1 || limit > listLimitMax) {
    throw new ApiError('invalid_limit', `Invalid limit: must be between 1 and ${listLimitMax}`, { param: 'limit' });
  }
  if (page.starting_after !== undefined && page.ending_before !== undefined) {
    throw new ApiError('parameters_exclusive', 'You may only specify one of these parameters: starting_after, ending_before.', { param: 'ending_before' });
  }
  const values: unknown[] = [query.accountId, query.livemode];
  const where = ['account_id = $1', 'livemode = $2', ...(query.fixedConditions ?? [])];
  for (const condition of query.conditions ?? []) {
    values.push(condition.value);
    where.push(condition.sql.replace('$?', `$${values.length}`));
  }
  const created = page.created ?? {};
  for (const [operator, key] of [['>', 'gt'], ['>=', 'gte'], ['<', 'lt'], ['<=', 'lte']] as const) {
    const bound = created[key];
    if (bound !== undefined) {
      values.push(bound);
      where.push(`created ${operator} $${values.length}`);
    }
  }
  const cursorId = page.starting_after ?? page.ending_before;
  const ascending = page.ending_before !== undefined;
  if (cursorId !== undefined) {
    const cursor = await db.query<{ seq: number }>(`SELECT seq FROM ${query.table} WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)`, [cursorId, query.accountId, query.livemode]);
    if (cursor.rows.length === 0) {
      throw new ApiError('resource_missing', `No such ${query.objectName}: '${cursorId}'`, { param: ascending ? 'ending_before' : 'starting_after' });
    }
    values.push(cursor.rows[0].seq);
    where.push(`seq ${ascending ? '>' : '<'} $${values.length}`);
  }
  values.push(limit + 1);
  const sql = `SELECT * FROM ${query.table} WHERE ${where.join(' AND ')} ORDER BY seq ${ascending ? 'ASC' : 'DESC'} LIMIT $${values.length}`;
  const result = await db.query(sql, values);
  const rows = result.rows.slice(0, limit) as T[];
  if (ascending) rows.reverse();
  return { rows, hasMore: result.rows.length > limit };
}
