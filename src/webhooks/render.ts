import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from './repository.ts';

/**
 * The Stripe `webhook_endpoint` object. The signing secret is never read back from storage: `secret` is passed in
 * only by a create or a roll, the two answers that carry it. `payrail_disabled_reason` ('requested' or 'failing')
 * and `payrail_previous_secret_expires_at` (end of a roll's overlap) are Payrail extensions.
 */
export function renderWebhookEndpoint(row: WebhookEndpointRow, secret?: string): Record<string, unknown> {
  if (row.deleted) return { id: row.id, object: 'webhook_endpoint', deleted: true };
  const body: Record<string, unknown> = {
    id: row.id,
    object: 'webhook_endpoint',
    api_version: row.api_version,
    application: null,
    created: row.created,
    description: row.description,
    enabled_events: row.enabled_events,
    livemode: row.livemode,
    metadata: row.metadata,
    status: row.status,
    url: row.url,
    payrail_disabled_reason: row.disabled_reason,
    payrail_previous_secret_expires_at: row.previous_secret_expires_at,
  };
  if (secret !== undefined) body.secret = secret;
  return body;
}

/** One HTTP try of a delivery (a Payrail extension): when, how it ended, and the first bytes of the answer. */
export function renderWebhookAttempt(row: WebhookAttemptRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'webhook_attempt',
    attempted_at: Math.floor(row.attempted_at / 1000),
    attempted_at_ms: row.attempted_at,
    delivery: row.delivery_id,
    endpoint: row.endpoint_id,
    event: row.event_id,
    status_code: row.status_code,
    succeeded: row.succeeded,
    latency_ms: row.latency_ms,
    response_excerpt: row.response_excerpt,
    error: row.error,
    livemode: row.livemode,
  };
}

/** A queued delivery of an event to an endpoint (a Payrail extension, answered by a re-send). */
export function renderWebhookDelivery(row: WebhookDeliveryRow): Record<string, unknown> {
  return { id: row.id, object: 'webhook_delivery', endpoint: row.endpoint_id, event: row.event_id, status: row.status, livemode: row.livemode };
}
