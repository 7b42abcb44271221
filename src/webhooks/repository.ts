import type { Queryable } from '../platform/db.ts';

/** A webhook endpoint as stored (the signing secrets only as ciphertext). */
export interface WebhookEndpointRow {
  id: string;
  account_id: string;
  livemode: boolean;
  url: string;
  description: string | null;
  enabled_events: string[];
  status: 'enabled' | 'disabled';
  disabled_reason: 'requested' | 'failing' | null;
  api_version: string | null;
  secret_encrypted: Buffer;
  previous_secret_encrypted: Buffer | null;
  previous_secret_expires_at: number | null;
  failing_since: number | null;
  metadata: Record<string, string>;
  /** A Connect endpoint: it receives the events of the account's connected accounts instead of its own. */
  connect: boolean;
  deleted: boolean;
  created: number;
}

export interface WebhookDeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  account_id: string;
  livemode: boolean;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  attempt_count: number;
  queued_at: number;
  first_attempt_at: number | null;
  completed_at: number | null;
}

export interface WebhookAttemptRow {
  id: string;
  delivery_id: string;
  endpoint_id: string;
  event_id: string;
  account_id: string;
  livemode: boolean;
  attempted_at: number;
  latency_ms: number;
  status_code: number | null;
  succeeded: boolean;
  response_excerpt: string | null;
  error: string | null;
}

/** The associated data of an endpoint's secret ciphertext: a ciphertext only opens for its own endpoint and slot. */
export function secretAssociatedData(endpointId: string, slot: 'current' | 'previous'): string {
  return `webhook_endpoint:${endpointId}:${slot}`;
}

export async function findEndpointById(db: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<WebhookEndpointRow | undefined> {
  const result = await db.query<WebhookEndpointRow>(`SELECT * FROM webhook_endpoints WHERE id = $1 ${options.forUpdate ? 'FOR UPDATE' : ''}`, [id]);
  return result.rows[0];
}

export async function findDelivery(db: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<WebhookDeliveryRow | undefined> {
  const result = await db.query<WebhookDeliveryRow>(`SELECT * FROM webhook_deliveries WHERE id = $1 ${options.forUpdate ? 'FOR UPDATE' : ''}`, [id]);
  return result.rows[0];
}

/**
 * Queues a delivery of an event to an endpoint (a re-send on demand; deliveries of new events are queued by the
 * events trigger), with its job, inside the caller's transaction.
 */
export async function queueDelivery(db: Queryable, endpoint: Pick<WebhookEndpointRow, 'id' | 'account_id' | 'livemode'>, eventId: string, nowMs: number): Promise<WebhookDeliveryRow> {
  const result = await db.query<WebhookDeliveryRow>(
    `WITH queued AS (
       INSERT INTO webhook_deliveries (id, endpoint_id, event_id, account_id, livemode, status, queued_at)
       VALUES ('whd_' || replace(gen_random_uuid()::text, '-', ''), $1, $2, $3, $4, 'pending', $5) RETURNING *
     ), job AS (
       SELECT graphile_worker.add_job('webhook_delivery', json_build_object('delivery', queued.id), job_key := queued.id)
         FROM queued
     )
     SELECT queued.* FROM queued, job`,
    [endpoint.id, eventId, endpoint.account_id, endpoint.livemode, nowMs],
  );
  return result.rows[0];
}
