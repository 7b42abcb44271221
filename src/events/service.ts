import { prepared, type Queryable } from '../platform/db.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';

/** The API version Payrail's objects follow; events record it as Stripe's do. */
export const apiVersion = '2025-10-29.clover';

export interface Scope {
  accountId: string;
  livemode: boolean;
}

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
 * Records events inside the caller's transaction, so they exist exactly when the state change does. Several events
 * of one change go in one statement, in order.
 */
export async function recordEvents(client: Queryable, scope: Scope, work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const created = nowSeconds();
  const values: unknown[] = [scope.accountId, scope.livemode, apiVersion, work?.requestId ?? null, work?.idempotencyKey ?? null, created];
  const rows: string[] = [];
  for (const event of events) {
    const data: EventRow['data'] = { object: event.object };
    if (event.previousAttributes) data.previous_attributes = event.previousAttributes;
    values.push(newId('evt'), event.type, JSON.stringify(data));
    const base = values.length - 3;
    rows.push(`($${base + 1}, $1, $2, $${base + 2}, $3, $${base + 3}, $4, $5, $6)`);
  }
  await client.query(prepared(
    `INSERT INTO events (id, account_id, livemode, type, api_version, data, request_id, idempotency_key, created) VALUES ${rows.join(', ')}`,
    values,
  ));
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
