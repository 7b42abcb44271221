import { prepared, type Queryable } from '../platform/db.ts';
import { assert } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import { jsonRowsInsert, RawJson, rowsIn, type PartOptions, type Statement } from '../platform/statements.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { apiVersion, type EventRow, type NewEvent } from './types.ts';

/** The request an event is recorded under (Stripe's `request.id` and `request.idempotency_key`), if any. */
export type EventRequest = Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;

/**
 * For a part of a `combine`d statement: the events are inserted only when the earlier part `onlyIfRowsIn` returned a
 * row (with `gateKey`, that very row), so they exist exactly when its compare-and-set matched.
 */
export type EventsInsertOptions = PartOptions;

/** An event's `data` column: the object, and what changed when the event says so. */
function eventData(event: NewEvent): string {
  const data: EventRow['data'] = { object: event.object };
  if (event.previousAttributes) data.previous_attributes = event.previousAttributes;
  return JSON.stringify(data);
}

const eventColumns = ['id', 'account_id', 'livemode', 'type', 'api_version', 'data', 'request_id', 'idempotency_key', 'created'];

/** The INSERT of events, in order, as one JSON rows parameter (mergeable by the group commit). */
export function eventsInsertStatement(scope: Scope, request: EventRequest, events: NewEvent[], options: EventsInsertOptions = {}): Statement {
  const created = nowSeconds();
  const rows = events.map((event) => ({
    id: newId('evt'),
    account_id: scope.accountId,
    livemode: scope.livemode,
    type: event.type,
    api_version: apiVersion,
    data: new RawJson(eventData(event)),
    request_id: request?.requestId ?? null,
    idempotency_key: request?.idempotencyKey ?? null,
    created,
  }));
  return jsonRowsInsert('events', eventColumns, rows, options);
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
