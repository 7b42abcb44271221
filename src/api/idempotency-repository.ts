import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { jsonRows, jsonRowsFrom, jsonRowsGate, queryOf, type PartOptions, type Statement } from '../platform/statements.ts';

// The `idempotency_keys` table: one row per key of an account and mode, locked by the request holding it (its
// `lock_token`) until the response is stored. The rules of who may take or reuse a key are in idempotency.ts.

/** What a request that sent a key asked for: a later request with the same key must ask the same. */
export interface IdempotentRequest {
  method: string;
  path: string;
  fingerprint: string;
}

/** A stored key as its next request sees it; `stale` when no live request holds its lock. */
export interface IdempotencyKeyRow {
  request_method: string;
  request_path: string;
  request_fingerprint: string;
  response_status: number | null;
  response_body: unknown;
  response_encrypted: Buffer | null;
  stale: boolean;
}

/**
 * The writes of a request holding a key are JSON rows statements answering the holder's `lock_token` as `id`, so the
 * group commit merges those of concurrent requests into one statement (platform/group-commit.ts): the rows of one
 * request are reached by the primary key and its token, and one key's row is changed by at most one of them.
 */
function keyWrite(text: string, row: Record<string, unknown>, token: string): Statement {
  return { text, values: [jsonRows([row])], merge: { key: token } };
}

const keyOfRow = 'k.account_id = r.account_id AND k.livemode = r.livemode AND k.key = r.key AND k.lock_token = r.lock_token AND k.response_status IS NULL';

/** Inserts the key locked by `token`; false when the key already exists. */
export async function insertLockedKey(db: Queryable, scope: Scope, key: string, request: IdempotentRequest, token: string): Promise<boolean> {
  const inserted = await db.query(queryOf(lockedKeyStatement(scope, key, request, token, null)));
  return inserted.rowCount === 1;
}

/** The stored key; its lock counts as stale when it is older than `lockExpirySeconds` (or there is none). */
export async function findKey(db: Queryable, scope: Scope, key: string, lockExpirySeconds: number): Promise<IdempotencyKeyRow | undefined> {
  const result = await db.query<IdempotencyKeyRow>(
    `SELECT request_method, request_path, request_fingerprint, response_status, response_body, response_encrypted,
            (locked_at IS NULL OR locked_at < now() - make_interval(secs => $4)) AS stale
       FROM idempotency_keys WHERE account_id = $1 AND livemode = $2 AND key = $3`,
    [scope.accountId, scope.livemode, key, lockExpirySeconds],
  );
  return result.rows[0];
}

/**
 * Locks an unanswered key with `token` if its lock is still stale (compare-and-set: of two requests taking over the
 * same key, one wins). Answers the key's recovery point when taken, undefined when not.
 */
export async function takeOverStaleKey(db: Queryable, scope: Scope, key: string, lockExpirySeconds: number, token: string): Promise<{ recoveryResource: string | null } | undefined> {
  const taken = await db.query<{ recovery_resource: string | null }>(
    `UPDATE idempotency_keys SET locked_at = now(), lock_token = $5
      WHERE account_id = $1 AND livemode = $2 AND key = $3 AND response_status IS NULL
        AND (locked_at IS NULL OR locked_at < now() - make_interval(secs => $4))
      RETURNING recovery_resource`,
    [scope.accountId, scope.livemode, key, lockExpirySeconds, token],
  );
  return taken.rowCount === 1 ? { recoveryResource: taken.rows[0].recovery_resource } : undefined;
}

/** Stores the (encrypted) response and unlocks the key, if `token` still holds it; false when it does not. */
export async function storeResponse(db: Queryable, scope: Scope, key: string, token: string, status: number, encryptedBody: Buffer): Promise<boolean> {
  const result = await db.query(queryOf(storeResponseStatement(scope, key, token, status, encryptedBody)));
  return result.rowCount === 1;
}

/**
 * The statement that stores the response while `token` holds the key, answering the token as `id`; as a part, with
 * `gate`, it writes only when the part that decides the response returned its row (the intent's compare-and-set).
 */
export function storeResponseStatement(scope: Scope, key: string, token: string, status: number, encryptedBody: Buffer, gate: PartOptions = {}): Statement {
  const gated = jsonRowsGate(gate);
  const row: Record<string, unknown> = { account_id: scope.accountId, livemode: scope.livemode, key, lock_token: token, response_status: status, response_encrypted: encryptedBody };
  if (gate.gateKey !== undefined) row.gate = gate.gateKey;
  return keyWrite(
    `UPDATE idempotency_keys k SET response_status = r.response_status, response_encrypted = r.response_encrypted, locked_at = NULL
       FROM ${jsonRowsFrom('$1', 'idempotency_keys')}${gated.from} WHERE ${keyOfRow}${gate.onlyIfRowsIn ? ` AND ${gated.condition}` : ''} RETURNING k.lock_token AS id`,
    row,
    token,
  );
}

/**
 * A part that returns the token as `id` while `token` holds the key, and locks the key's row until the statement
 * commits: a step's compare-and-set gated on it writes only while the request holds its key, and no other request
 * can take the key over before the same statement has stored the response (`storeResponseStatement` with a gate).
 */
export function keyHeldStatement(scope: Scope, key: string, token: string): Statement {
  return keyWrite(
    `SELECT k.lock_token AS id FROM idempotency_keys k, ${jsonRowsFrom('$1', 'idempotency_keys')} WHERE ${keyOfRow} FOR UPDATE OF k`,
    { account_id: scope.accountId, livemode: scope.livemode, key, lock_token: token },
    token,
  );
}

/**
 * The statement that records the resource the request holding the key (`token`) has committed work on: it returns
 * the token as `id` when the request still holds the key, and nothing when it does not. A step may run it as a part
 * of its own statement and gate its other parts on it (`recoveryResourceStatement` with `onlyIfRowsIn`).
 */
export function recoveryResourceStatement(scope: Scope, key: string, token: string, resource: string): Statement {
  return keyWrite(
    `UPDATE idempotency_keys k SET recovery_resource = r.recovery_resource
       FROM ${jsonRowsFrom('$1', 'idempotency_keys')} WHERE ${keyOfRow} RETURNING k.lock_token AS id`,
    { account_id: scope.accountId, livemode: scope.livemode, key, lock_token: token, recovery_resource: resource },
    token,
  );
}

/**
 * The key's insert, locked by `token`: the token as `id` when it inserted the key, nothing when the key exists (a
 * replay, another request with the key, a reused key). As the first write of a request that has not taken its key
 * yet (`resource`, its recovery point, already set), the write's other parts are gated on it and write nothing then.
 */
export function lockedKeyStatement(scope: Scope, key: string, request: IdempotentRequest, token: string, resource: string | null): Statement {
  return keyWrite(
    `INSERT INTO idempotency_keys (account_id, livemode, key, request_method, request_path, request_fingerprint, locked_at, lock_token, recovery_resource)
     SELECT r.account_id, r.livemode, r.key, r.request_method, r.request_path, r.request_fingerprint, now(), r.lock_token, r.recovery_resource
       FROM ${jsonRowsFrom('$1', 'idempotency_keys')} ORDER BY rows_in.n
     ON CONFLICT DO NOTHING RETURNING lock_token AS id`,
    {
      account_id: scope.accountId, livemode: scope.livemode, key, request_method: request.method, request_path: request.path,
      request_fingerprint: request.fingerprint, lock_token: token, recovery_resource: resource,
    },
    token,
  );
}

/** Deletes the key if `token` holds it and it has neither a response nor a recovery point. */
export async function deleteUnusedKey(db: Queryable, scope: Scope, key: string, token: string): Promise<void> {
  await db.query(
    'DELETE FROM idempotency_keys WHERE account_id = $1 AND livemode = $2 AND key = $3 AND lock_token = $4 AND response_status IS NULL AND recovery_resource IS NULL',
    [scope.accountId, scope.livemode, key, token],
  );
}

/** Unlocks the key if `token` holds it and it has no response. */
export async function unlockKey(db: Queryable, scope: Scope, key: string, token: string): Promise<void> {
  await db.query(
    'UPDATE idempotency_keys SET locked_at = NULL WHERE account_id = $1 AND livemode = $2 AND key = $3 AND lock_token = $4 AND response_status IS NULL',
    [scope.accountId, scope.livemode, key, token],
  );
}

/** Deletes keys created more than `retentionHours` ago, of every account; answers how many. */
export async function deleteKeysOlderThan(db: Queryable, retentionHours: number): Promise<number> {
  const result = await db.query('DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)', [retentionHours]);
  return result.rowCount ?? 0;
}
