import type { Dependencies } from '../dependencies.ts';
import { recordEvent, renderEventJson } from '../events/service.ts';
import { Batcher } from '../platform/batcher.ts';
import { inTransaction } from '../platform/db.ts';
import { assert } from '../platform/errors.ts';
import { randomBase62 } from '../platform/ids.ts';
import { findDelivery, findEndpointById, secretAssociatedData, type WebhookAttemptRow, type WebhookDeliveryRow, type WebhookEndpointRow } from './repository.ts';
import { addressPolicyFor } from './address-guard.ts';
import {
  cancelDelivery, countFailedAttempt, disableFailingEndpoint, findDeliveryContexts, finishDelivery, insertWebhookAttempt, recordSucceededAttempts,
  scheduleDeliveryRetry, setEndpointFailingSince, type DeliveryContextRow, type SucceededAttempt,
} from './delivery-repository.ts';
import type { EndpointClients } from './endpoint-clients.ts';
import { renderWebhookEndpoint } from './render.ts';
import { sendWebhook, type SendResult } from './sender.ts';
import { retryDelaySeconds, type WebhookSettings } from './settings.ts';
import { signatureHeader } from './signing.ts';

/**
 * What delivering a webhook uses: the database, the clock, and the secret box that opens the signing secrets (the
 * webhook settings come as their own argument).
 */
export type WebhookDeliveryDependencies = Pick<Dependencies, 'db' | 'clock' | 'secretBox'>;

/** What one run of a delivery job did. `deferred`: its endpoint's connections stayed busy; it runs again soon. */
export type DeliveryOutcome = 'succeeded' | 'retry_scheduled' | 'failed' | 'endpoint_disabled' | 'canceled' | 'already_done' | 'deferred';

/** Deliveries loaded, or successes recorded, in one statement at most. */
export const deliveryBatchSizeMax = 200;
/**
 * Batches of one kind (loads, or recorded successes) running at once; more items wait and go in the next batch. One:
 * under load the batches then grow to whatever arrived during the last one, which costs the database (and this
 * process's socket writes, a good part of its CPU) far less than more, smaller statements.
 */
const batchesInFlightMax = 1;
/** A deferred delivery runs again after between this and twice this (jitter). */
const deferSeconds = 1;
/** How long a delivery waits for a connection to its endpoint before it is deferred. */
const connectionWaitMaxMs = 1_000;

/** The secrets that sign a delivery now: the current one, and the previous one during a rotation's overlap. */
function signingSecrets(deps: WebhookDeliveryDependencies, endpoint: WebhookEndpointRow): string[] {
  const secrets = [deps.secretBox.decrypt(endpoint.secret_encrypted, secretAssociatedData(endpoint.id, 'current'))];
  if (endpoint.previous_secret_encrypted && (endpoint.previous_secret_expires_at ?? 0) > deps.clock.nowSeconds()) {
    secrets.push(deps.secretBox.decrypt(endpoint.previous_secret_encrypted, secretAssociatedData(endpoint.id, 'previous')));
  }
  return secrets;
}

/**
 * Runs delivery jobs: loads the delivery with its endpoint and event, sends the event (outside any transaction) over
 * the endpoint's kept-alive connections, and records the attempt and its consequence.
 *
 * Many jobs run at once, and what they ask of the database is gathered: the loads of the jobs starting together are
 * one statement, and so are the successes finishing together (attempt, delivery ended, endpoint's failure run ended).
 * A failure still decides alone, in one transaction with the delivery and its endpoint locked: done, retry later (a
 * new job at the backoff delay, queued in the same transaction), given up after the retry window, or the endpoint
 * disabled for failing too long. A delivery that another run already finished (a duplicate run after a worker crash)
 * only gets its attempt recorded.
 */
export class WebhookDeliverer {
  private readonly loads: Batcher<string, DeliveryContextRow | undefined>;
  private readonly successes: Batcher<SucceededAttempt, boolean>;

  constructor(
    private readonly deps: WebhookDeliveryDependencies,
    private readonly settings: WebhookSettings,
    private readonly clients: EndpointClients,
  ) {
    const batching = { sizeMax: deliveryBatchSizeMax, delayMs: 0, inFlightMax: batchesInFlightMax };
    this.loads = new Batcher(async (ids) => {
      const found = new Map((await findDeliveryContexts(deps.db, ids)).map((row) => [row.delivery_id, row]));
      return ids.map((id) => found.get(id));
    }, batching);
    this.successes = new Batcher(async (attempts) => {
      const ended = await recordSucceededAttempts(deps.db, attempts);
      return attempts.map((entry) => ended.has(entry.attempt.delivery_id));
    }, batching);
  }

  /** One run of a delivery job. Throws only when the database does (the job is then retried by graphile-worker). */
  async deliver(deliveryId: string): Promise<DeliveryOutcome> {
    const context = await this.loads.add(deliveryId);
    if (!context || context.delivery_status !== 'pending') return 'already_done';
    const { event } = context;
    const endpoint: WebhookEndpointRow = context;
    if (endpoint.deleted || endpoint.status !== 'enabled') {
      await cancelDelivery(this.deps.db, deliveryId, this.deps.clock.nowMilliseconds());
      return 'canceled';
    }
    const payload = renderEventJson(event, context.event_data);
    // When the request starts: after any wait for a connection.
    let attemptedAt = this.deps.clock.nowMilliseconds();
    let target: URL | undefined;
    try {
      target = new URL(endpoint.url);
    } catch {
      target = undefined;
    }
    let result: SendResult;
    if (!target) {
      result = { statusCode: null, latencyMs: 0, succeeded: false, excerpt: null, error: 'invalid URL' };
    } else {
      const policy = addressPolicyFor(endpoint.livemode, this.settings.allowPrivateAddresses);
      // A delivery waits only briefly for one of its endpoint's connections. Behind a slow or dead receiver it goes
      // back to the database to run a little later instead, so that one endpoint's backlog cannot hold every job slot
      // of this worker while other endpoints' deliveries wait.
      const slot = await this.clients.acquire(endpoint.id, target.origin, policy, connectionWaitMaxMs);
      if (!slot) {
        await scheduleDeliveryRetry(this.deps.db, deliveryId, deferSeconds * (1 + Math.random()));
        return 'deferred';
      }
      attemptedAt = this.deps.clock.nowMilliseconds();
      try {
        result = await sendWebhook({
          pool: slot.pool,
          path: `${target.pathname}${target.search}`,
          body: payload,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'Payrail/1.0 (+webhooks)',
            'stripe-signature': signatureHeader(payload, signingSecrets(this.deps, endpoint), this.deps.clock.nowSeconds()),
          },
          timeoutMs: this.settings.timeoutMs,
          responseBytesMax: this.settings.responseBytesMax,
        });
      } finally {
        slot.release();
      }
    }
    const attempt: WebhookAttemptRow = {
      id: `wha_${randomBase62(24)}`, delivery_id: deliveryId, endpoint_id: endpoint.id, event_id: event.id, account_id: endpoint.account_id,
      livemode: endpoint.livemode, attempted_at: attemptedAt, latency_ms: result.latencyMs, status_code: result.statusCode, succeeded: result.succeeded,
      response_excerpt: result.excerpt, error: result.error,
    };
    if (result.succeeded) {
      const ended = await this.successes.add({ attempt, completedAt: this.deps.clock.nowMilliseconds() });
      return ended ? 'succeeded' : 'already_done';
    }
    return recordFailedAttempt(this.deps, this.settings, attempt);
  }

  /** Resolves once every load and every recorded success under way has reached the database. */
  drained(): Promise<void> {
    return Promise.all([this.loads.drained(), this.successes.drained()]).then(() => undefined);
  }
}

/**
 * Records a failed attempt and decides, in one transaction with the delivery and its endpoint locked: retry later,
 * give up after the retry window, or disable the endpoint once it has failed continuously for too long.
 */
async function recordFailedAttempt(deps: WebhookDeliveryDependencies, settings: WebhookSettings, attempt: WebhookAttemptRow): Promise<DeliveryOutcome> {
  return inTransaction(deps.db, async (client) => {
    await insertWebhookAttempt(client, attempt);
    const delivery = await findDelivery(client, attempt.delivery_id, { forUpdate: true });
    if (!delivery || delivery.status !== 'pending') return 'already_done';
    const current = await findEndpointById(client, attempt.endpoint_id, { forUpdate: true });
    assert(current !== undefined, `webhook endpoint ${attempt.endpoint_id} exists (endpoints are never removed, only marked deleted)`);
    const nowMs = deps.clock.nowMilliseconds();
    const firstAttemptAt = delivery.first_attempt_at ?? attempt.attempted_at;
    const finish = (status: WebhookDeliveryRow['status']) => finishDelivery(client, delivery.id, status, firstAttemptAt, nowMs);
    const nowSeconds = deps.clock.nowSeconds();
    const failingSince = current.failing_since ?? nowSeconds;
    if (current.failing_since === null) await setEndpointFailingSince(client, current.id, failingSince);
    if (current.status === 'enabled' && !current.deleted && nowSeconds - failingSince >= settings.disableAfterSeconds) {
      await disableFailingEndpoint(client, current.id);
      await finish('failed');
      await recordEvent(client, { accountId: current.account_id, livemode: current.livemode }, undefined, 'webhook_endpoint.disabled', renderWebhookEndpoint({ ...current, status: 'disabled', disabled_reason: 'failing' }), { status: 'enabled' });
      return 'endpoint_disabled';
    }
    if (nowMs - firstAttemptAt >= settings.retryWindowSeconds * 1000) {
      await finish('failed');
      return 'failed';
    }
    const failures = delivery.attempt_count + 1;
    await countFailedAttempt(client, delivery.id, failures, firstAttemptAt);
    await scheduleDeliveryRetry(client, delivery.id, retryDelaySeconds(settings, failures));
    return 'retry_scheduled';
  });
}
