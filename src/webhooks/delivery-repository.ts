import type { EventRow } from '../events/types.ts';
import { prepared, type Queryable } from '../platform/db.ts';
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from './repository.ts';

/**
 * The SQL of delivering webhooks: a delivery's attempts and outcome, its endpoint's failure state, its retry job,
 * and the release of jobs left locked by a worker that died (graphile-worker's tables).
 */

/**
 * What sending one delivery needs: its endpoint (as a whole row) and its event (its data as the stored JSON text), with
 * the delivery's id and status.
 */
export type DeliveryContextRow = WebhookEndpointRow & {
  delivery_id: string;
  delivery_status: WebhookDeliveryRow['status'];
  event: Omit<EventRow, 'data'>;
  event_data: string;
};

/**
 * The deliveries, each with its endpoint and its event, in one statement (a delivery is always of its own account's
 * and mode's event). Deliveries that do not exist are missing from the answer.
 */
export async function findDeliveryContexts(db: Queryable, deliveryIds: readonly string[]): Promise<DeliveryContextRow[]> {
  const result = await db.query<DeliveryContextRow>(prepared(
    `SELECT d.id AS delivery_id, d.status AS delivery_status, w.*,
            json_build_object('id', e.id, 'account_id', e.account_id, 'livemode', e.livemode, 'type', e.type, 'api_version', e.api_version,
              'request_id', e.request_id, 'idempotency_key', e.idempotency_key, 'created', e.created) AS event,
            e.data::text AS event_data
       FROM unnest($1::text[]) AS wanted(id)
       JOIN webhook_deliveries d ON d.id = wanted.id
       JOIN webhook_endpoints w ON w.id = d.endpoint_id
       JOIN events e ON e.id = d.event_id AND e.account_id = d.account_id AND e.livemode = d.livemode`,
    [deliveryIds],
  ));
  return result.rows;
}

/** A successful attempt to record, with the moment its delivery ended. */
export interface SucceededAttempt {
  attempt: WebhookAttemptRow;
  completedAt: number;
}

/**
 * Records many successful attempts in one statement: each attempt, its delivery ended as succeeded (when it is still
 * pending: a duplicate run after a crash only adds its attempt), and the failure run of each endpoint that had one
 * ended. Returns the ids of the deliveries this call ended.
 *
 * A success needs none of the decisions a failure does (retry, give up, disable), so it does not take the delivery
 * and endpoint locks one by one: the UPDATE's own row locks and its status condition keep a delivery from being
 * ended twice.
 */
export async function recordSucceededAttempts(db: Queryable, succeeded: readonly SucceededAttempt[]): Promise<Set<string>> {
  const column = <T>(pick: (entry: SucceededAttempt) => T) => succeeded.map(pick);
  const result = await db.query<{ id: string }>(prepared(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::bigint[], $8::int[], $9::int[], $10::text[], $11::bigint[])
         AS t(attempt_id, delivery_id, endpoint_id, event_id, account_id, livemode, attempted_at, latency_ms, status_code, response_excerpt, completed_at)
     ), attempts AS (
       INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, event_id, account_id, livemode, attempted_at, latency_ms, status_code, succeeded, response_excerpt, error)
       SELECT attempt_id, delivery_id, endpoint_id, event_id, account_id, livemode, attempted_at, latency_ms, status_code, true, response_excerpt, NULL FROM input
     ), ended AS (
       UPDATE webhook_deliveries d
          SET status = 'succeeded', attempt_count = d.attempt_count + 1, first_attempt_at = COALESCE(d.first_attempt_at, input.attempted_at), completed_at = input.completed_at
         FROM input
        WHERE d.id = input.delivery_id AND d.status = 'pending'
       RETURNING d.id, d.endpoint_id
     ), recovered AS (
       UPDATE webhook_endpoints w SET failing_since = NULL WHERE w.id IN (SELECT endpoint_id FROM ended) AND w.failing_since IS NOT NULL
     )
     SELECT id FROM ended`,
    [
      column((entry) => entry.attempt.id), column((entry) => entry.attempt.delivery_id), column((entry) => entry.attempt.endpoint_id),
      column((entry) => entry.attempt.event_id), column((entry) => entry.attempt.account_id), column((entry) => entry.attempt.livemode),
      column((entry) => entry.attempt.attempted_at), column((entry) => entry.attempt.latency_ms), column((entry) => entry.attempt.status_code),
      column((entry) => entry.attempt.response_excerpt), column((entry) => entry.completedAt),
    ],
  ));
  return new Set(result.rows.map((row) => row.id));
}

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
 * Queues the next run of a delivery after `delaySeconds` under the delivery's job key (so a delivery never has two
 * jobs waiting), inside the caller's transaction when there is one. Also puts off a delivery whose endpoint is busy,
 * without counting an attempt.
 */
export async function scheduleDeliveryRetry(db: Queryable, deliveryId: string, delaySeconds: number): Promise<void> {
  await db.query(
    `SELECT graphile_worker.add_job('webhook_delivery', json_build_object('delivery', $1::text), run_at := now() + make_interval(secs => $2), job_key := $1::text)`,
    [deliveryId, delaySeconds],
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
