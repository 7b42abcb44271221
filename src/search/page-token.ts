import { createHash } from 'node:crypto';
import { ApiError } from '../platform/errors.ts';
import type { SearchResource } from './fields.ts';

/**
 * The opaque `page` cursor of a search: where the previous page stopped (the table's `seq`, as list cursors use)
 * and a digest of the resource and query it belongs to, so a cursor is refused with another query instead of
 * silently skipping results. A cursor grants nothing: the search it continues is still scoped to the caller's
 * account and mode, so a cursor from another account only positions within the caller's own objects.
 */

const tokenVersion = 1;
/** seq values stay within JavaScript's safe integers (the driver reads int8 as a number, src/platform/db.ts). */
const sequencePattern = /^[0-9]{1,15}$/;

function digest(resource: SearchResource, query: string): string {
  return createHash('sha256').update(`${resource}\n${query}`).digest('base64url').slice(0, 16);
}

export function encodePageToken(resource: SearchResource, query: string, afterSequence: number): string {
  // The cursor holds the digits of seq (a bigint the driver hands over as a number, src/platform/db.ts).
  return Buffer.from(JSON.stringify({ v: tokenVersion, after: String(afterSequence), query: digest(resource, query) })).toString('base64url');
}

function invalidPage(message: string): ApiError {
  return new ApiError('invalid_value', `Invalid page: ${message}. Pass the next_page value of the previous search with the same query.`, { param: 'page' });
}

/** The `seq` the page continues after; a 400 on `page` for anything not made by encodePageToken for this query. */
export function decodePageToken(resource: SearchResource, query: string, token: string): number {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidPage('not a page cursor');
  }
  const fields = decoded as { v?: unknown; after?: unknown; query?: unknown } | null;
  if (typeof fields !== 'object' || fields === null || fields.v !== tokenVersion || typeof fields.after !== 'string' || !sequencePattern.test(fields.after)) {
    throw invalidPage('not a page cursor');
  }
  if (fields.query !== digest(resource, query)) throw invalidPage('the cursor belongs to a different query');
  return Number(fields.after);
}
