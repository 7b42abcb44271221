import type { Queryable } from '../platform/db.ts';
import type { WebhookAttemptRow, WebhookDeliveryRow } from './repository.ts';

/**
 * The SQL of delivering webhooks: a delivery's attempts and outcome, its endpoint's failure state, its retry job,
 * and the release of jobs left locked by a worker that died (graphile-worker's tables).
 */

/** Cancels a delivery still pending (its endpoint was disabled or deleted before it was sent). */
export async function cancelDelivery(db: Queryable, deliveryId: string, nowMs: number): Promise<void> {
  await db.query(`UPDATE webhook_deliveries SET status = 'canceled', completed_at = $2 WHERE id = $1 AND status = 'pending'`, [deliveryId, nowMs]);
}

export async function insertWebhookAttempt(db: Queryable, attempt: WebhookAttemptRow): Promise<void> {
  await db.query(
    `INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, event_id, account_id, livemode, attempted_at, latency_ms, status_code, succeeded, response_excerpt, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [attempt.id, attempt.delivery_id, attempt.endpoint_id, attempt.event_id, attempt.account_id, attempt.livemode, attempt.attempted_at, attempt.latency_ms,
      attempt.status_code, attempt.succeeded, attempt.response_excerpt, attempt.error],
  );
}

/** Ends a delivery with its last attempt counted. */
export async function finishDelivery(db: Queryable, deliveryId: string, status: WebhookDeliveryRow['status'], firstAttemptAt: number, completedAt: number): Promise<void> {
  await db.query(
    'UPDATE webhook_deliveries SET status = $2, attempt_count = attempt_count + 1, first_attempt_at = $3, completed_at = $4 WHERE id = $1',
    [deliveryId, status, firstAttemptAt, completedAt],
  );
}

/** Records a failed attempt of a delivery that stays pending (a retry follows). */
export async function countFailedAttempt(db: Queryable, deliveryId: string, attemptCount: number, firstAttemptAt: number): Promise<void> {
  await db.query('UPDATE webhook_deliveries SET attempt_count = $2, first_attempt_at = $3 WHERE id = $1', [deliveryId, attemptCount, firstAttemptAt]);
}

/** Since when an endpoint has failed continuously (seconds), or null once it succeeds again. */
export async function setEndpointFailingSince(db: Queryable, endpointId: string, failingSince: number | null): Promise<void> {
  if (failingSince === null) await db.query('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1', [endpointId]);
  else await db.query('UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1', [endpointId, failingSince]);
}

/** Disables an endpoint that has failed for too long. */
export async function disableFailingEndpoint(db: Queryable, endpointId: string): Promise<void> {
  await db.query(`UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'failing' WHERE id = $1`, [endpointId]);
}

/**
 * Queues the next run of a delivery after `delaySeconds`, in the endpoint's named queue and under the delivery's job
 * key (so a delivery never has two jobs waiting), inside the caller's transaction.
 */
export async function scheduleDeliveryRetry(db: Queryable, deliveryId: string, endpointId: string, delaySeconds: number): Promise<void> {
  await db.query(
    `SELECT graphile_worker.add_job('webhook_delivery', json_build_object('delivery', $1::text), queue_name := webhook_queue_name($2, $1),
       run_at := now() + make_interval(secs => $3), job_key := $1::text)`,
    [deliveryId, endpointId, delaySeconds],
  );
}

/** The graphile-worker ids of workers holding a delivery job locked for longer than `lockedSeconds`. */
export async function workersWithStaleDeliveries(db: Queryable, lockedSeconds: number): Promise<string[]> {
  const result = await db.query<{ workers: string[] | null }>(
    `SELECT array_agg(DISTINCT locked_by) AS workers FROM graphile_worker.jobs
      WHERE task_identifier = 'webhook_delivery' AND locked_at < now() - make_interval(secs => $1)`,
    [lockedSeconds],
  );
  return result.rows[0].workers ?? [];
}

/** Releases every job and named queue these (dead) workers hold locked, so the jobs run again. */
export async function forceUnlockWorkers(db: Queryable, workers: readonly string[]): Promise<void> {
  await db.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [workers]);
}
