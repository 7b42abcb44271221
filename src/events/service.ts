import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { insertEvents, type EventRequest } from './repository.ts';
import type { EventRow, NewEvent } from './types.ts';

// The row types and the API version live in types.ts (the repository needs them too); they are exported from here
// as well for the many modules that already import them from the events service.
export { apiVersion, type EventRow, type NewEvent } from './types.ts';

/**
 * Records events inside the caller's transaction, so they exist exactly when the state change does. Several events
 * of one change go in one statement, in order.
 */
export async function recordEvents(client: Queryable, scope: Scope, work: EventRequest, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await insertEvents(client, scope, work, events);
}

/** Records one event; see recordEvents. */
export async function recordEvent(
  client: Queryable,
  scope: Scope,
  work: EventRequest,
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

/**
 * The JSON text of `renderEvent(row)`, with the event's data spliced in as the text it is stored as (the data column
 * is json, written once as JSON.stringify's compact text, so the result is the same text byte for byte). A webhook
 * delivery sends this: parsing the stored data only to stringify it again was a good part of the worker's CPU.
 */
export function renderEventJson(row: Omit<EventRow, 'data'>, dataJson: string): string {
  const json = (value: unknown) => JSON.stringify(value);
  return `{"id":${json(row.id)},"object":"event","account":${json(row.account_id)},"api_version":${json(row.api_version)},"created":${json(row.created)},` +
    `"data":${dataJson},"livemode":${json(row.livemode)},"pending_webhooks":0,"request":{"id":${json(row.request_id)},"idempotency_key":${json(row.idempotency_key)}},` +
    `"type":${json(row.type)}}`;
}
