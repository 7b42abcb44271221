import type { Dependencies } from '../dependencies.ts';
import { recordEvent, renderEvent, type EventRow } from '../events/service.ts';
import { inTransaction } from '../platform/db.ts';
import { randomBase62 } from '../platform/ids.ts';
import { findDelivery, findEndpointById, secretAssociatedData, type WebhookDeliveryRow, type WebhookEndpointRow } from './repository.ts';
import { addressPolicyFor } from './address-guard.ts';
import { renderWebhookEndpoint } from './render.ts';
import { sendWebhook, type SendResult } from './sender.ts';
import { retryDelaySeconds, type WebhookSettings } from './settings.ts';
import { signatureHeader } from './signing.ts';

/** What one run of a delivery job did. */
export type DeliveryOutcome = 'succeeded' | 'retry_scheduled' | 'failed' | 'endpoint_disabled' | 'canceled' | 'already_done';

interface DeliveryContext {
  delivery: WebhookDeliveryRow;
  endpoint: WebhookEndpointRow;
  event: EventRow;
}

async function loadContext(deps: Dependencies, deliveryId: string): Promise<DeliveryContext | undefined> {
  const delivery = await findDelivery(deps.db, deliveryId);
  if (!delivery) return undefined;
  const endpoint = await findEndpointById(deps.db, delivery.endpoint_id);
  const event = (await deps.db.query<EventRow>('SELECT * FROM events WHERE id = $1', [delivery.event_id])).rows[0];
  return endpoint && event ? { delivery, endpoint, event } : undefined;
}

/** The secrets that sign a delivery now: the current one, and the previous one during a rotation's overlap. */
function signingSecrets(deps: Dependencies, endpoint: WebhookEndpointRow): string[] {
  const secrets = [deps.secretBox.decrypt(endpoint.secret_encrypted, secretAssociatedData(endpoint.id, 'current'))];
  if (endpoint.previous_secret_encrypted && (endpoint.previous_secret_expires_at ?? 0) > deps.clock.nowSeconds()) {
    secrets.push(deps.secretBox.decrypt(endpoint.previous_secret_encrypted, secretAssociatedData(endpoint.id, 'previous')));
  }
  return secrets;
}

/**
 * One run of a delivery job: sends the event (outside any transaction), then records the attempt and decides, in one
 * transaction with the delivery locked: done, retry later (a new job at the backoff delay, queued in the same
 * transaction), given up after the retry window, or the endpoint disabled for failing too long. A delivery that
 * another run already finished (a duplicate run after a worker crash) only gets its attempt recorded.
 */
export async function performDelivery(deps: Dependencies, settings: WebhookSettings, deliveryId: string): Promise<DeliveryOutcome> {
  const context = await loadContext(deps, deliveryId);
  if (!context || context.delivery.status !== 'pending') return 'already_done';
  const { endpoint, event } = context;
  if (endpoint.deleted || endpoint.status !== 'enabled') {
    await deps.db.query(`UPDATE webhook_deliveries SET status = 'canceled', completed_at = $2 WHERE id = $1 AND status = 'pending'`, [deliveryId, deps.clock.nowMilliseconds()]);
    return 'canceled';
  }
  const payload = JSON.stringify(renderEvent(event));
  const timestamp = deps.clock.nowSeconds();
  const attemptedAt = deps.clock.nowMilliseconds();
  const result: SendResult = await sendWebhook({
    url: endpoint.url,
    body: payload,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Payrail/1.0 (+webhooks)',
      'stripe-signature': signatureHeader(payload, signingSecrets(deps, endpoint), timestamp),
    },
    timeoutMs: settings.timeoutMs,
    responseBytesMax: settings.responseBytesMax,
    policy: addressPolicyFor(endpoint.livemode, settings.allowPrivateAddresses),
  });

  return inTransaction(deps.db, async (client) => {
    await client.query(
      `INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, event_id, account_id, livemode, attempted_at, latency_ms, status_code, succeeded, response_excerpt, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [`wha_${randomBase62(24)}`, deliveryId, endpoint.id, event.id, endpoint.account_id, endpoint.livemode, attemptedAt, result.latencyMs,
        result.statusCode, result.succeeded, result.excerpt, result.error],
    );
    const delivery = await findDelivery(client, deliveryId, { forUpdate: true });
    if (!delivery || delivery.status !== 'pending') return 'already_done';
    const current = (await client.query<WebhookEndpointRow>('SELECT * FROM webhook_endpoints WHERE id = $1 FOR UPDATE', [endpoint.id])).rows[0];
    const nowMs = deps.clock.nowMilliseconds();
    const firstAttemptAt = delivery.first_attempt_at ?? attemptedAt;
    const finish = (status: WebhookDeliveryRow['status']) => client.query(
      'UPDATE webhook_deliveries SET status = $2, attempt_count = attempt_count + 1, first_attempt_at = $3, completed_at = $4 WHERE id = $1',
      [deliveryId, status, firstAttemptAt, nowMs],
    );
    if (result.succeeded) {
      await finish('succeeded');
      if (current.failing_since !== null) await client.query('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1', [endpoint.id]);
      return 'succeeded';
    }
    const nowSeconds = deps.clock.nowSeconds();
    const failingSince = current.failing_since ?? nowSeconds;
    if (current.failing_since === null) await client.query('UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1', [endpoint.id, failingSince]);
    if (current.status === 'enabled' && !current.deleted && nowSeconds - failingSince >= settings.disableAfterSeconds) {
      await client.query(`UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'failing' WHERE id = $1`, [endpoint.id]);
      await finish('failed');
      await recordEvent(client, { accountId: endpoint.account_id, livemode: endpoint.livemode }, undefined, 'webhook_endpoint.disabled', renderWebhookEndpoint({ ...current, status: 'disabled', disabled_reason: 'failing' }), { status: 'enabled' });
      return 'endpoint_disabled';
    }
    if (nowMs - firstAttemptAt >= settings.retryWindowSeconds * 1000) {
      await finish('failed');
      return 'failed';
    }
    const failures = delivery.attempt_count + 1;
    await client.query('UPDATE webhook_deliveries SET attempt_count = $2, first_attempt_at = $3 WHERE id = $1', [deliveryId, failures, firstAttemptAt]);
    await client.query(
      `SELECT graphile_worker.add_job('webhook_delivery', json_build_object('delivery', $1::text), queue_name := webhook_queue_name($2, $1),
         run_at := now() + make_interval(secs => $3), job_key := $1::text)`,
      [deliveryId, endpoint.id, retryDelaySeconds(settings, failures)],
    );
    return 'retry_scheduled';
  });
}
