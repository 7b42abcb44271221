import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { EventRow } from './service.ts';

/** The caller's event with this id, if any. */
export async function findEvent(db: Queryable, scope: Scope, id: string): Promise<EventRow | undefined> {
  const result = await db.query<EventRow>('SELECT * FROM events WHERE id = $1 AND account_id = $2 AND livemode = $3', [id, scope.accountId, scope.livemode]);
  return result.rows[0];
}

/** The caller's events, newest first; `type` takes Stripe's `*` wildcard (`payment_intent.*`), `types` exact names. */
export function listEvents(db: Queryable, scope: Scope, page: PageRequest, filters: { type?: string; types?: string[] }): Promise<Page<EventRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.type !== undefined) conditions.push({ sql: "type LIKE $? ESCAPE '\\'", value: filters.type.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%') });
  if (filters.types !== undefined) conditions.push({ sql: 'type = ANY($?)', value: filters.types });
  return listPage<EventRow>(db, { table: 'events', objectName: 'event', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}
