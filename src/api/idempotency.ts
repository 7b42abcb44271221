import { createHash } from 'node:crypto';
import type { Caller } from '../accounts/service.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError } from '../platform/errors.ts';

/**
 * Stripe's idempotency semantics, after "Implementing Stripe-like Idempotency Keys in Postgres":
 * - the first request with a key inserts it, locked; its final transaction stores the response with the state
 *   change, so after a crash either both exist or neither does;
 * - a replay with the same parameters gets the stored status and body;
 * - the same key with other parameters or another endpoint gets 400 `idempotency_error`;
 * - a request while the first is still running gets 409; a lock older than `idempotencyLockExpirySeconds`
 *   belongs to a process that died, and the new request takes it over (its work had rolled back).
 */
export const idempotencyKeyLengthMax = 255;
export const idempotencyLockExpirySeconds = 60;
/** Keys are kept at least this long (Stripe: 24 hours). */
export const idempotencyRetentionHours = 24;

export interface StoredResponse {
  status: number;
  body: unknown;
}

export type BeginResult = { kind: 'proceed' } | { kind: 'replay'; response: StoredResponse };

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A digest of the request parameters; key order does not matter, values do. */
export function fingerprint(params: unknown): string {
  return createHash('sha256').update(stableStringify(params)).digest('hex');
}

export function checkKey(key: string): void {
  if (key.length === 0 || key.length > idempotencyKeyLengthMax) {
    throw new ApiError('idempotency_key_invalid', `Invalid Idempotency-Key: it must be 1 to ${idempotencyKeyLengthMax} characters long.`);
  }
}

export async function beginIdempotent(db: Queryable, caller: Caller, key: string, method: string, path: string, requestFingerprint: string): Promise<BeginResult> {
  const inserted = await db.query(
    `INSERT INTO idempotency_keys (account_id, livemode, key, request_method, request_path, request_fingerprint, locked_at)
     VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT DO NOTHING`,
    [caller.accountId, caller.livemode, key, method, path, requestFingerprint],
  );
  if (inserted.rowCount === 1) return { kind: 'proceed' };
  const existing = (await db.query<{ request_method: string; request_path: string; request_fingerprint: string; response_status: number | null; response_body: unknown; stale: boolean }>(
    `SELECT request_method, request_path, request_fingerprint, response_status, response_body,
            (locked_at IS NULL OR locked_at < now() - make_interval(secs => $4)) AS stale
       FROM idempotency_keys WHERE account_id = $1 AND livemode = $2 AND key = $3`,
    [caller.accountId, caller.livemode, key, idempotencyLockExpirySeconds],
  )).rows[0];
  if (!existing) return beginIdempotent(db, caller, key, method, path, requestFingerprint);
  if (existing.request_method !== method || existing.request_path !== path || existing.request_fingerprint !== requestFingerprint) {
    throw new ApiError(
      'idempotency_key_reused',
      `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    );
  }
  if (existing.response_status !== null) return { kind: 'replay', response: { status: existing.response_status, body: existing.response_body } };
  if (existing.stale) {
    const taken = await db.query(
      `UPDATE idempotency_keys SET locked_at = now()
        WHERE account_id = $1 AND livemode = $2 AND key = $3 AND response_status IS NULL
          AND (locked_at IS NULL OR locked_at < now() - make_interval(secs => $4))`,
      [caller.accountId, caller.livemode, key, idempotencyLockExpirySeconds],
    );
    if (taken.rowCount === 1) return { kind: 'proceed' };
  }
  throw new ApiError('idempotency_key_in_use', `There is currently another in-progress request using this Idempotent Key (probably because of a concurrent request). Please try again later.`);
}

/** Stores the response; called inside the request's final transaction, or alone when there was no state change. */
export async function completeIdempotent(db: Queryable, caller: Caller, key: string, response: StoredResponse): Promise<void> {
  await db.query(
    `UPDATE idempotency_keys SET response_status = $4, response_body = $5, locked_at = NULL
      WHERE account_id = $1 AND livemode = $2 AND key = $3`,
    [caller.accountId, caller.livemode, key, response.status, JSON.stringify(response.body)],
  );
}

/** Forgets a key whose request failed before doing anything, so the client may retry with it. */
export async function releaseIdempotent(db: Queryable, caller: Caller, key: string): Promise<void> {
  await db.query('DELETE FROM idempotency_keys WHERE account_id = $1 AND livemode = $2 AND key = $3 AND response_status IS NULL', [caller.accountId, caller.livemode, key]);
}

export async function purgeExpiredKeys(db: Queryable): Promise<number> {
  const result = await db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [idempotencyRetentionHours]);
  return result.rowCount ?? 0;
}
