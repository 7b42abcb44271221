import type { Dependencies } from '../dependencies.ts';
import { recordEvent, renderEvent, type EventRow } from '../events/service.ts';
import { inTransaction } from '../platform/db.ts';
import { assert } from '../platform/errors.ts';
import { randomBase62 } from '../platform/ids.ts';
import { findDelivery, findEndpointById, secretAssociatedData, type WebhookDeliveryRow, type WebhookEndpointRow } from './repository.ts';
import { addressPolicyFor } from './address-guard.ts';
import {
  cancelDelivery, countFailedAttempt, disableFailingEndpoint, finishDelivery, insertWebhookAttempt, scheduleDeliveryRetry, setEndpointFailingSince,
} from './delivery-repository.ts';
import { findEvent } from './endpoint-repository.ts';
import { renderWebhookEndpoint } from './render.ts';
import { sendWebhook, type SendResult } from './sender.ts';
import { retryDelaySeconds, type WebhookSettings } from './settings.ts';
import { signatureHeader } from './signing.ts';

/**
 * What delivering a webhook uses: the database, the clock, and the secret box that opens the signing secrets (the
 * webhook settings come as their own argument).
 */
export type WebhookDeliveryDependencies = Pick<Dependencies, 'db' | 'clock' | 'secretBox'>;

/** What one run of a delivery job did. */
export type DeliveryOutcome = 'succeeded' | 'retry_scheduled' | 'failed' | 'endpoint_disabled' | 'canceled' | 'already_done';

interface DeliveryContext {
  delivery: WebhookDeliveryRow;
  endpoint: WebhookEndpointRow;
  event: EventRow;
}

async function loadContext(deps: WebhookDeliveryDependencies, deliveryId: string): Promise<DeliveryContext | undefined> {
  const delivery = await findDelivery(deps.db, deliveryId);
  if (!delivery) return undefined;
  const endpoint = await findEndpointById(deps.db, delivery.endpoint_id);
  // A delivery is always of its own account's and mode's event.
  const event = await findEvent(deps.db, { accountId: delivery.account_id, livemode: delivery.livemode }, delivery.event_id);
  return endpoint && event ? { delivery, endpoint, event } : undefined;
}

/** The secrets that sign a delivery now: the current one, and the previous one during a rotation's overlap. */
function signingSecrets(deps: WebhookDeliveryDependencies, endpoint: WebhookEndpointRow): string[] {
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
export async function performDelivery(deps: WebhookDeliveryDependencies, settings: WebhookSettings, deliveryId: string): Promise<DeliveryOutcome> {
  const context = await loadContext(deps, deliveryId);
  if (!context || context.delivery.status !== 'pending') return 'already_done';
  const { endpoint, event } = context;
  if (endpoint.deleted || endpoint.status !== 'enabled') {
    await cancelDelivery(deps.db, deliveryId, deps.clock.nowMilliseconds());
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
    await insertWebhookAttempt(client, {
      id: `wha_${randomBase62(24)}`, delivery_id: deliveryId, endpoint_id: endpoint.id, event_id: event.id, account_id: endpoint.account_id,
      livemode: endpoint.livemode, attempted_at: attemptedAt, latency_ms: result.latencyMs, status_code: result.statusCode, succeeded: result.succeeded,
      response_excerpt: result.excerpt, error: result.error,
    });
    const delivery = await findDelivery(client, deliveryId, { forUpdate: true });
    if (!delivery || delivery.status !== 'pending') return 'already_done';
    const current = await findEndpointById(client, endpoint.id, { forUpdate: true });
    assert(current !== undefined, `webhook endpoint ${endpoint.id} exists (endpoints are never removed, only marked deleted)`);
    const nowMs = deps.clock.nowMilliseconds();
    const firstAttemptAt = delivery.first_attempt_at ?? attemptedAt;
    const finish = (status: WebhookDeliveryRow['status']) => finishDelivery(client, deliveryId, status, firstAttemptAt, nowMs);
    if (result.succeeded) {
      await finish('succeeded');
      if (current.failing_since !== null) await setEndpointFailingSince(client, endpoint.id, null);
      return 'succeeded';
    }
    const nowSeconds = deps.clock.nowSeconds();
    const failingSince = current.failing_since ?? nowSeconds;
    if (current.failing_since === null) await setEndpointFailingSince(client, endpoint.id, failingSince);
    if (current.status === 'enabled' && !current.deleted && nowSeconds - failingSince >= settings.disableAfterSeconds) {
      await disableFailingEndpoint(client, endpoint.id);
      await finish('failed');
      await recordEvent(client, { accountId: endpoint.account_id, livemode: endpoint.livemode }, undefined, 'webhook_endpoint.disabled', renderWebhookEndpoint({ ...current, status: 'disabled', disabled_reason: 'failing' }), { status: 'enabled' });
      return 'endpoint_disabled';
    }
    if (nowMs - firstAttemptAt >= settings.retryWindowSeconds * 1000) {
      await finish('failed');
      return 'failed';
    }
    const failures = delivery.attempt_count + 1;
    await countFailedAttempt(client, deliveryId, failures, firstAttemptAt);
    await scheduleDeliveryRetry(client, deliveryId, endpoint.id, retryDelaySeconds(settings, failures));
    return 'retry_scheduled';
  });
}
