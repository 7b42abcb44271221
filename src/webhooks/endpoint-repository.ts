import type { EventRow } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { WebhookAttemptRow, WebhookEndpointRow } from './repository.ts';

/**
 * The SQL of the WebhookEndpoints API: every query is scoped to the caller's account and mode, so another account's
 * endpoint is simply not found.
 */

export type NewWebhookEndpoint = Omit<WebhookEndpointRow, 'deleted' | 'failing_since' | 'previous_secret_encrypted' | 'previous_secret_expires_at'>;

export async function insertWebhookEndpoint(db: Queryable, row: NewWebhookEndpoint): Promise<WebhookEndpointRow> {
  const result = await db.query<WebhookEndpointRow>(
    `INSERT INTO webhook_endpoints (id, account_id, livemode, url, description, enabled_events, status, disabled_reason, api_version, secret_encrypted, metadata, created, connect)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *`,
    [row.id, row.account_id, row.livemode, row.url, row.description, row.enabled_events, row.status, row.disabled_reason, row.api_version, row.secret_encrypted, row.metadata, row.created, row.connect],
  );
  return result.rows[0];
}

/** The caller's endpoint, unless deleted (a deleted endpoint is gone for the API, as at Stripe). */
export async function findWebhookEndpoint(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<WebhookEndpointRow | undefined> {
  const result = await db.query<WebhookEndpointRow>(
    `SELECT * FROM webhook_endpoints WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3) AND NOT deleted ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/**
 * Serializes endpoint creation per account and mode until the transaction ends, so two concurrent creations cannot
 * both pass the per-account limit.
 */
export async function lockEndpointCreation(db: Queryable, scope: Scope): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`webhook_endpoints:${scope.accountId}:${scope.livemode}`]);
}

export async function countWebhookEndpoints(db: Queryable, scope: Scope): Promise<number> {
  const result = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM webhook_endpoints WHERE account_id = $1 AND livemode = $2 AND NOT deleted',
    [scope.accountId, scope.livemode],
  );
  return result.rows[0].count;
}

export interface WebhookEndpointChanges {
  url: string;
  description: string | null;
  enabled_events: string[];
  status: WebhookEndpointRow['status'];
  disabled_reason: WebhookEndpointRow['disabled_reason'];
  failing_since: number | null;
  metadata: Record<string, string>;
}

export async function updateWebhookEndpoint(db: Queryable, row: WebhookEndpointRow, changes: WebhookEndpointChanges): Promise<WebhookEndpointRow> {
  const result = await db.query<WebhookEndpointRow>(
    `UPDATE webhook_endpoints SET url = $3, description = $4, enabled_events = $5, status = $6, disabled_reason = $7, failing_since = $8, metadata = $9
      WHERE id = $1 AND account_id IS NOT DISTINCT FROM $2 RETURNING *`,
    [row.id, row.account_id, changes.url, changes.description, changes.enabled_events, changes.status, changes.disabled_reason, changes.failing_since, changes.metadata],
  );
  return result.rows[0];
}

export interface SecretChange {
  secret_encrypted: Buffer;
  previous_secret_encrypted: Buffer | null;
  previous_secret_expires_at: number | null;
}

export async function replaceWebhookSecrets(db: Queryable, row: WebhookEndpointRow, change: SecretChange): Promise<WebhookEndpointRow> {
  const result = await db.query<WebhookEndpointRow>(
    `UPDATE webhook_endpoints SET secret_encrypted = $3, previous_secret_encrypted = $4, previous_secret_expires_at = $5
      WHERE id = $1 AND account_id IS NOT DISTINCT FROM $2 RETURNING *`,
    [row.id, row.account_id, change.secret_encrypted, change.previous_secret_encrypted, change.previous_secret_expires_at],
  );
  return result.rows[0];
}

/** Marks an endpoint deleted: the row stays, because its deliveries and attempts still name it. */
export async function markWebhookEndpointDeleted(db: Queryable, row: WebhookEndpointRow): Promise<void> {
  await db.query('UPDATE webhook_endpoints SET deleted = true WHERE id = $1 AND account_id IS NOT DISTINCT FROM $2', [row.id, row.account_id]);
}

/**
 * Cancels an endpoint's deliveries still waiting to be sent (the endpoint was deleted). Their jobs may still run;
 * the worker finds the delivery no longer pending and sends nothing.
 */
export async function cancelPendingDeliveries(db: Queryable, endpointId: string, nowMs: number): Promise<number> {
  const result = await db.query("UPDATE webhook_deliveries SET status = 'canceled', completed_at = $2 WHERE endpoint_id = $1 AND status = 'pending'", [endpointId, nowMs]);
  return result.rowCount ?? 0;
}

export function listWebhookEndpoints(db: Queryable, scope: Scope, page: PageRequest): Promise<Page<WebhookEndpointRow>> {
  return listPage<WebhookEndpointRow>(db, { table: 'webhook_endpoints', objectName: 'webhook endpoint', accountId: scope.accountId, livemode: scope.livemode, fixedConditions: ['NOT deleted'] }, page);
}

/** An endpoint's attempts, newest first, optionally only those of one event. */
export function listWebhookAttempts(db: Queryable, scope: Scope, endpointId: string, page: PageRequest, filters: { event?: string }): Promise<Page<WebhookAttemptRow>> {
  const conditions = [{ sql: 'endpoint_id = $?', value: endpointId }];
  if (filters.event !== undefined) conditions.push({ sql: 'event_id = $?', value: filters.event });
  return listPage<WebhookAttemptRow>(db, { table: 'webhook_attempts', objectName: 'webhook attempt', accountId: scope.accountId, livemode: scope.livemode, conditions }, page);
}

/** The enabled endpoints of the caller that receive events of `type`, oldest first (the events trigger's rule). */
export async function findSubscribedEndpoints(db: Queryable, scope: Scope, type: string): Promise<WebhookEndpointRow[]> {
  const result = await db.query<WebhookEndpointRow>(
    `SELECT * FROM webhook_endpoints
      WHERE account_id = $1 AND livemode = $2 AND status = 'enabled' AND NOT deleted AND ('*' = ANY (enabled_events) OR $3 = ANY (enabled_events))
      ORDER BY seq`,
    [scope.accountId, scope.livemode, type],
  );
  return result.rows;
}

/** One of the caller's events (for a re-send). */
export async function findEvent(db: Queryable, scope: Scope, id: string): Promise<EventRow | undefined> {
  const result = await db.query<EventRow>('SELECT * FROM events WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)', [id, scope.accountId, scope.livemode]);
  return result.rows[0];
}
