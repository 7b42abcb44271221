import type { Scope } from '../platform/scope.ts';
import { prepared, type Queryable } from '../platform/db.ts';
import type { Statement } from '../platform/statements.ts';
import { assert } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';

/** The API version Payrail's objects follow; events record it as Stripe's do. */
export const apiVersion = '2025-10-29.clover';

export interface EventRow {
  id: string;
  account_id: string;
  livemode: boolean;
  type: string;
  api_version: string | null;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  request_id: string | null;
  idempotency_key: string | null;
  created: number;
}

export interface NewEvent {
  type: string;
  /** The API rendering of the changed object, never containing card numbers or secrets. */
  object: Record<string, unknown>;
  previousAttributes?: Record<string, unknown>;
}

/**
 * The INSERT of events, each row with typed parameters; with `guard`, rows are only inserted when that SQL
 * condition holds (for combining with a compare-and-set in one statement).
 */
export function eventsInsertStatement(scope: Scope, work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined, events: NewEvent[], guard?: string): Statement {
  const created = nowSeconds();
  const values: unknown[] = [scope.accountId, scope.livemode, apiVersion, work?.requestId ?? null, work?.idempotencyKey ?? null, created];
  const rows: string[] = [];
  for (const event of events) {
    const data: EventRow['data'] = { object: event.object };
    if (event.previousAttributes) data.previous_attributes = event.previousAttributes;
    values.push(newId('evt'), event.type, JSON.stringify(data));
    const base = values.length - 3;
    rows.push(`($${base + 1}::text, $1::text, $2::boolean, $${base + 2}::text, $3::text, $${base + 3}::json, $4::text, $5::text, $6::bigint)`);
  }
  const columns = '(id, account_id, livemode, type, api_version, data, request_id, idempotency_key, created)';
  const text = guard
    ? `INSERT INTO events ${columns} SELECT * FROM (VALUES ${rows.join(', ')}) AS new_events WHERE ${guard}`
    : `INSERT INTO events ${columns} VALUES ${rows.join(', ')}`;
  return { text, values };
}

/** The events of one change in a batch, inserted only when `guard` (an SQL condition) holds. */
export interface GuardedEvents {
  scope: Scope;
  work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined;
  events: NewEvent[];
  guard: string;
}

/**
 * The INSERT of several changes' events as one statement, so their `seq` follows the order given across the whole
 * batch (separate INSERTs in one statement run in an unspecified order); each change's rows only when its guard holds.
 */
export function guardedEventsInsertStatement(groups: readonly GuardedEvents[]): Statement {
  const values: unknown[] = [apiVersion, nowSeconds()];
  const rows: string[] = [];
  for (const { scope, work, events, guard } of groups) {
    for (const event of events) {
      const data: EventRow['data'] = { object: event.object };
      if (event.previousAttributes) data.previous_attributes = event.previousAttributes;
      values.push(newId('evt'), scope.accountId, scope.livemode, event.type, JSON.stringify(data), work?.requestId ?? null, work?.idempotencyKey ?? null);
      const base = values.length - 7;
      rows.push(`($${base + 1}::text, $${base + 2}::text, $${base + 3}::boolean, $${base + 4}::text, $1::text, $${base + 5}::json, $${base + 6}::text, $${base + 7}::text, $2::bigint, ${guard})`);
    }
  }
  assert(rows.length > 0, 'an events insert has events');
  const columns = 'id, account_id, livemode, type, api_version, data, request_id, idempotency_key, created';
  return {
    text: `INSERT INTO events (${columns}) SELECT ${columns} FROM (VALUES ${rows.join(', ')}) AS new_events (${columns}, applies) WHERE applies`,
    values,
  };
}

/**
 * Records events inside the caller's transaction, so they exist exactly when the state change does. Several events
 * of one change go in one statement, in order.
 */
export async function recordEvents(client: Queryable, scope: Scope, work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const statement = eventsInsertStatement(scope, work, events);
  await client.query(prepared(statement.text, statement.values));
}

/** Records one event; see recordEvents. */
export async function recordEvent(
  client: Queryable,
  scope: Scope,
  work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined,
  type: string,
  object: Record<string, unknown>,
  previousAttributes?: Record<string, unknown>,
): Promise<void> {
  await recordEvents(client, scope, work, [{ type, object, previousAttributes }]);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What `before` was where it differs from `after`, Stripe-style: within objects only the changed keys, with a key
 * that did not exist before given as null; anything else (scalars, arrays) whole. Undefined when equal.
 */
function previousValue(before: unknown, after: unknown): unknown {
  if (JSON.stringify(before) === JSON.stringify(after)) return undefined;
  if (!isPlainObject(before) || !isPlainObject(after)) return before;
  const previous: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!Object.hasOwn(before, key)) {
      previous[key] = null;
      continue;
    }
    const changed = previousValue(before[key], after[key]);
    if (changed !== undefined) previous[key] = changed;
  }
  return previous;
}

/**
 * Stripe's `previous_attributes`: for the fields of an object's rendering that an update changed, their values before
 * it (nested objects list only their changed keys). Empty when nothing changed (and then no event is recorded).
 */
export function changedAttributes(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  return (previousValue(before, after) as Record<string, unknown> | undefined) ?? {};
}

export function renderEvent(row: EventRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'event',
    account: row.account_id,
    api_version: row.api_version,
    created: row.created,
    data: row.data,
    livemode: row.livemode,
    pending_webhooks: 0,
    request: { id: row.request_id, idempotency_key: row.idempotency_key },
    type: row.type,
  };
}
