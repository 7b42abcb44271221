import { randomUUID } from 'node:crypto';
import type { Caller } from '../api-keys/resolver.ts';
import type { SecretBox } from '../platform/crypto.ts';
import type { Queryable } from '../platform/db.ts';
import type { PartOptions, Statement } from '../platform/statements.ts';
import { ApiError } from '../platform/errors.ts';
import { deleteKeysOlderThan, deleteUnusedKey, findKey, insertLockedKey, keyHeldStatement, lockedKeyStatement, recoveryResourceStatement, storeResponse, storeResponseStatement, takeOverStaleKey, unlockKey, type IdempotentRequest } from './idempotency-repository.ts';
import { isStorableText } from './text.ts';

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

/**
 * `proceed`: this request now holds the key (`token`); `resumeResource` is set when an earlier holder died after
 * committing its first step, and the request must resume that resource instead of running again.
 */
export type BeginResult = { kind: 'proceed'; token: string; resumeResource: string | null } | { kind: 'replay'; response: StoredResponse };

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A keyed digest of the request parameters (key order does not matter, values do). Keyed because the parameters
 * of a PaymentMethod creation include a card number and CVC: a plain hash of those could be brute-forced.
 */
export function fingerprint(secretBox: SecretBox, params: unknown): string {
  return secretBox.digest('idempotency', stableStringify(params));
}

export function checkKey(key: string): void {
  if (key.length === 0 || key.length > idempotencyKeyLengthMax) {
    throw new ApiError('idempotency_key_invalid', `Invalid Idempotency-Key: it must be 1 to ${idempotencyKeyLengthMax} characters long.`);
  }
  // The key is stored as text: a NUL or an unpaired surrogate would reach PostgreSQL as a 500.
  if (!isStorableText(key)) throw new ApiError('idempotency_key_invalid', 'Invalid Idempotency-Key: it may not contain NUL characters or unpaired surrogates.');
}

/**
 * Stored responses can hold secrets shown once (a webhook endpoint's signing secret, a PaymentIntent's client
 * secret), so they are kept encrypted, bound to their account, mode and key.
 */
function responseAssociatedData(caller: Caller, key: string): string {
  return `idempotency:${caller.accountId}:${caller.livemode}:${key}`;
}

export async function beginIdempotent(
  db: Queryable, secretBox: SecretBox, caller: Caller, key: string, method: string, path: string, requestFingerprint: string, token: string = randomUUID(),
): Promise<BeginResult> {
  if (await insertLockedKey(db, caller, key, { method, path, fingerprint: requestFingerprint }, token)) return { kind: 'proceed', token, resumeResource: null };
  const existing = await findKey(db, caller, key, idempotencyLockExpirySeconds);
  if (!existing) return beginIdempotent(db, secretBox, caller, key, method, path, requestFingerprint, token);
  if (existing.request_method !== method || existing.request_path !== path || existing.request_fingerprint !== requestFingerprint) {
    throw new ApiError(
      'idempotency_key_reused',
      `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    );
  }
  if (existing.response_status !== null) {
    const body = existing.response_encrypted ? JSON.parse(secretBox.decrypt(existing.response_encrypted, responseAssociatedData(caller, key))) : existing.response_body;
    return { kind: 'replay', response: { status: existing.response_status, body } };
  }
  if (existing.stale) {
    const taken = await takeOverStaleKey(db, caller, key, idempotencyLockExpirySeconds, token);
    if (taken) return { kind: 'proceed', token, resumeResource: taken.recoveryResource };
  }
  throw new ApiError('idempotency_key_in_use', `There is currently another in-progress request using this Idempotent Key (probably because of a concurrent request). Please try again later.`);
}

/**
 * Stores the response if this request (its `token`) still holds the key; called inside the request's final
 * transaction, or alone when there was no state change. Returns false when the key was taken over meanwhile.
 */
export async function completeIdempotent(db: Queryable, secretBox: SecretBox, caller: Caller, key: string, token: string, response: StoredResponse): Promise<boolean> {
  return storeResponse(db, caller, key, token, response.status, secretBox.encrypt(JSON.stringify(response.body), responseAssociatedData(caller, key)));
}

/**
 * The recovery point: records the resource a multi-step request has committed work on, returning a row (the token as
 * `id`) only while the request still holds the key. A step runs it in its transaction (`UnitOfWork.checkpoint`) or as
 * a part of its own statement (`UnitOfWork.checkpointPart`).
 */
export function checkpointStatement(caller: Caller, key: string, token: string, resource: string): Statement {
  return recoveryResourceStatement(caller, key, token, resource);
}

/**
 * The parts of a final statement that stores the response itself (`UnitOfWork.finalAnswer`): `held` returns the token
 * while the request holds the key (and locks it); `store` stores `response`, gated as the caller says.
 */
export function answerParts(secretBox: SecretBox, caller: Caller, key: string, token: string, response: StoredResponse): { held: Statement; store: (gate: PartOptions) => Statement } {
  const encrypted = secretBox.encrypt(JSON.stringify(response.body), responseAssociatedData(caller, key));
  return {
    held: keyHeldStatement(caller, key, token),
    store: (gate) => storeResponseStatement(caller, key, token, response.status, encrypted, gate),
  };
}

/**
 * The recovery point of a request that has not taken its key yet, as the first write's part: it inserts the key
 * locked by `token`, with the recovery point, and returns a row only when the key did not exist (idempotency-repository.ts).
 */
export function firstCheckpointStatement(caller: Caller, key: string, request: IdempotentRequest, token: string, resource: string): Statement {
  return lockedKeyStatement(caller, key, request, token, resource);
}


/**
 * Lets go of a key whose request failed without a storable answer (a conflict or a server error), so the client may
 * retry with it: a key with no committed work is forgotten; one with a recovery point is unlocked, and the retry
 * resumes that resource.
 */
export async function releaseIdempotent(db: Queryable, caller: Caller, key: string, token: string): Promise<void> {
  await deleteUnusedKey(db, caller, key, token);
  await unlockKey(db, caller, key, token);
}

export async function purgeExpiredKeys(db: Queryable): Promise<number> {
  return deleteKeysOlderThan(db, idempotencyRetentionHours);
}
