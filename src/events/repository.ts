import { prepared, type Queryable } from '../platform/db.ts';
import { assert } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import { rowsIn, type Statement } from '../platform/statements.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { apiVersion, type EventRow, type NewEvent } from './types.ts';

/** The request an event is recorded under (Stripe's `request.id` and `request.idempotency_key`), if any. */
export type EventRequest = Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;

export interface EventsInsertOptions {
  /**
   * For a part of a `combine`d statement: the name of an earlier part, and the events are inserted only when that
   * part returned a row (so they exist exactly when its compare-and-set matched).
   */
  onlyIfRowsIn?: string;
}

/** An event's `data` column: the object, and what changed when the event says so. */
function eventData(event: NewEvent): string {
  const data: EventRow['data'] = { object: event.object };
  if (event.previousAttributes) data.previous_attributes = event.previousAttributes;
  return JSON.stringify(data);
}

/** The INSERT of events, each row with typed parameters, in order. */
export function eventsInsertStatement(scope: Scope, request: EventRequest, events: NewEvent[], options: EventsInsertOptions = {}): Statement {
  const created = nowSeconds();
  const values: unknown[] = [scope.accountId, scope.livemode, apiVersion, request?.requestId ?? null, request?.idempotencyKey ?? null, created];
  const rows: string[] = [];
  for (const event of events) {
    values.push(newId('evt'), event.type, eventData(event));
    const base = values.length - 3;
    rows.push(`($${base + 1}::text, $1::text, $2::boolean, $${base + 2}::text, $3::text, $${base + 3}::json, $4::text, $5::text, $6::bigint)`);
  }
  const columns = '(id, account_id, livemode, type, api_version, data, request_id, idempotency_key, created)';
  const part = options.onlyIfRowsIn;
  if (part === undefined) return { text: `INSERT INTO events ${columns} VALUES ${rows.join(', ')}`, values };
  return { text: `INSERT INTO events ${columns} SELECT * FROM (VALUES ${rows.join(', ')}) AS new_events WHERE ${rowsIn(part)}`, values };
}

/** The events of one change in a batch: inserted only when the part `onlyIfRowsIn` returned a row. */
export interface BatchEvents {
  scope: Scope;
  request: EventRequest;
  events: NewEvent[];
  onlyIfRowsIn: string;
}

/**
 * The INSERT of several changes' events as one statement, so their `seq` follows the order given across the whole
 * batch (separate INSERTs in one statement run in an unspecified order); each change's rows only when its part
 * returned a row.
 */
export function eventsBatchInsertStatement(groups: readonly BatchEvents[]): Statement {
  const values: unknown[] = [apiVersion, nowSeconds()];
  const rows: string[] = [];
  for (const { scope, request, events, onlyIfRowsIn } of groups) {
    for (const event of events) {
      values.push(newId('evt'), scope.accountId, scope.livemode, event.type, eventData(event), request?.requestId ?? null, request?.idempotencyKey ?? null);
      const base = values.length - 7;
      rows.push(`($${base + 1}::text, $${base + 2}::text, $${base + 3}::boolean, $${base + 4}::text, $1::text, $${base + 5}::json, $${base + 6}::text, $${base + 7}::text, $2::bigint, ${rowsIn(onlyIfRowsIn)})`);
    }
  }
  assert(rows.length > 0, 'an events insert has events');
  const columns = 'id, account_id, livemode, type, api_version, data, request_id, idempotency_key, created';
  return {
    text: `INSERT INTO events (${columns}) SELECT ${columns} FROM (VALUES ${rows.join(', ')}) AS new_events (${columns}, applies) WHERE applies`,
    values,
  };
}

/** Inserts events (at least one) in the caller's connection or transaction, in one statement, in order. */
export async function insertEvents(db: Queryable, scope: Scope, request: EventRequest, events: NewEvent[]): Promise<void> {
  const statement = eventsInsertStatement(scope, request, events);
  await db.query(prepared(statement.text, statement.values));
}

/** The caller's event with this id, if any. */
export async function findEvent(db: Queryable, scope: Scope, id: string): Promise<EventRow | undefined> {
  const result = await db.query<EventRow>('SELECT * FROM events WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
  return result.rows[0];
}

/** The caller's events, newest first; `type` takes Stripe's `*` wildcard (`payment_intent.*`), `types` exact names. */
export function listEvents(db: Queryable, scope: Scope, page: PageRequest, filters: { type?: string; types?: string[] }): Promise<Page<EventRow>> {
  const conditions: { sql: string; value: unknown }[] = [];
  if (filters.type !== undefined) conditions.push({ sql: "type LIKE $? ESCAPE '\\'", value: filters.type.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%') });
  if (filters.types !== undefined) conditions.push({ sql: 'type = ANY($?)', value: filters.types });
  return listPage<EventRow>(db, { table: 'events', objectName: 'event', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}
