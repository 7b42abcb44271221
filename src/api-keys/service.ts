import type { Scope } from '../platform/scope.ts';
import type { Database, Queryable } from '../platform/db.ts';
import { ApiError, missing } from '../platform/errors.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { Permissions } from './permissions.ts';
import { countActiveKeys, endKey, findKey, insertKey, listKeys, lockKeyCreation, type ApiKeyRow, type KeyKind } from './repository.ts';

/** Keys that work at once in one account and mode (rolled keys in their overlap count). */
export const activeKeysPerAccountMax = 100;
/** Longest overlap a roll may give the old key: a week, as Stripe's dashboard offers. */
export const rollOverlapSecondsMax = 7 * 24 * 60 * 60;
export const keyNameLengthMax = 100;

/** A key just made: the row, and the key itself, shown this once. */
export interface IssuedKey {
  row: ApiKeyRow;
  secret: string;
}

export interface KeyCreation {
  type: KeyKind;
  name?: string | null;
  /** Required for, and only for, restricted keys. */
  permissions?: Permissions;
}

function isActive(row: ApiKeyRow, now: number): boolean {
  return row.revoked_at === null && (row.expires_at === null || row.expires_at > now);
}

function checkCreation(input: KeyCreation): void {
  if (input.type === 'restricted' && input.permissions === undefined) {
    throw new ApiError('parameter_missing', 'Missing required param: permissions (a restricted key needs at least one resource with read or write access).', { param: 'permissions' });
  }
  if (input.type !== 'restricted' && input.permissions !== undefined) {
    throw new ApiError('parameter_unknown', `permissions can only be given for a restricted key, not a ${input.type} key.`, { param: 'permissions' });
  }
  if (input.type === 'restricted' && Object.keys(input.permissions ?? {}).length === 0) {
    throw new ApiError('invalid_value', 'Invalid permissions: give at least one resource read or write access.', { param: 'permissions' });
  }
}

/** Issues a key in a transaction the caller provides (the CLI and account creation use it directly). */
export async function issueKey(client: Queryable, scope: Scope, input: KeyCreation, now: number): Promise<IssuedKey> {
  checkCreation(input);
  await lockKeyCreation(client, scope);
  if ((await countActiveKeys(client, scope, now)) >= activeKeysPerAccountMax) {
    throw new ApiError('api_key_limit_reached', `You have reached the maximum of ${activeKeysPerAccountMax} active ${scope.livemode ? 'live' : 'test'} API keys. Revoke one before creating another.`);
  }
  return insertKey(client, scope, { kind: input.type, name: input.name ?? null, permissions: input.type === 'restricted' ? (input.permissions ?? {}) : null }, now);
}

export async function createApiKey(work: UnitOfWork, scope: Scope, input: KeyCreation, now: number): Promise<IssuedKey> {
  return work.finalTransaction((client) => issueKey(client, scope, input, now));
}

export async function retrieveApiKey(db: Queryable, scope: Scope, id: string): Promise<ApiKeyRow> {
  const row = await findKey(db, scope, id);
  if (!row) throw missing('API key', id);
  return row;
}

export function listApiKeys(db: Database, scope: Scope, page: PageRequest & { include_inactive?: boolean }, now: number): Promise<Page<ApiKeyRow>> {
  return listKeys(db, scope, page, { includeInactive: page.include_inactive === true, now });
}

/**
 * Rolls a key: a new key of the same type, name and permissions, and the old one ends at once (`overlapSeconds` 0) or
 * after the overlap, during which both work so that deployments can switch without downtime.
 */
export async function rollKeyIn(client: Queryable, scope: Scope, id: string, overlapSeconds: number, now: number): Promise<IssuedKey> {
  if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > rollOverlapSecondsMax) {
    throw new ApiError('invalid_value', `Invalid expires_in: must be 0 to ${rollOverlapSecondsMax} seconds.`, { param: 'expires_in' });
  }
  const current = await findKey(client, scope, id, { forUpdate: true });
  if (!current) throw missing('API key', id);
  if (!isActive(current, now) || current.rolled_to !== null) {
    throw new ApiError('api_key_unexpected_state', `The API key ${id} was already ${current.rolled_to !== null ? 'rolled' : 'revoked'}; roll a key that is still active.`, { param: 'id' });
  }
  const issued = await insertKey(client, scope, { kind: current.kind, name: current.name, permissions: current.permissions }, now);
  const ended = overlapSeconds === 0
    ? await endKey(client, id, { revokedAt: now, rolledTo: issued.row.id })
    : await endKey(client, id, { expiresAt: now + overlapSeconds, rolledTo: issued.row.id });
  if (!ended) throw new Error('invariant violated: a locked key vanished');
  return issued;
}

export async function rollApiKey(work: UnitOfWork, scope: Scope, id: string, overlapSeconds: number, now: number): Promise<IssuedKey> {
  return work.finalTransaction((client) => rollKeyIn(client, scope, id, overlapSeconds, now));
}

export async function revokeKeyIn(client: Queryable, scope: Scope, id: string, now: number, options: { callerKeyId?: string } = {}): Promise<ApiKeyRow> {
  const current = await findKey(client, scope, id, { forUpdate: true });
  if (!current) throw missing('API key', id);
  if (current.id === options.callerKeyId) {
    throw new ApiError('api_key_unexpected_state', 'A key cannot revoke itself: roll it instead, or revoke it with another secret key (or `payrail keys revoke`).', { param: 'id' });
  }
  if (current.revoked_at !== null) return current;
  return endKey(client, id, { revokedAt: now });
}

export async function revokeApiKey(work: UnitOfWork, scope: Scope, id: string, now: number, callerKeyId: string): Promise<ApiKeyRow> {
  return work.finalTransaction((client) => revokeKeyIn(client, scope, id, now, { callerKeyId }));
}
