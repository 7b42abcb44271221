import type { Queryable } from '../platform/db.ts';
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

/**
 * Records an event inside the caller's transaction, so the event exists exactly when the state change does.
 * `object` is the API rendering of the changed object, never containing card numbers or secrets.
 */
export async function recordEvent(
  client: Queryable,
  scope: Scope,
  work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined,
  type: string,
  object: Record<string, unknown>,
  previousAttributes?: Record<string, unknown>,
): Promise<void> {
  const data: EventRow['data'] = { object };
  if (previousAttributes) data.previous_attributes = previousAttributes;
  await client.query(
    `INSERT INTO events (id, account_id, livemode, type, api_version, data, request_id, idempotency_key, created)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [newId('evt'), scope.accountId, scope.livemode, type, apiVersion, data, work?.requestId ?? null, work?.idempotencyKey ?? null, nowSeconds()],
  );
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
