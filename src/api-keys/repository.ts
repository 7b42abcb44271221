import type { Scope } from '../platform/scope.ts';
import { sha256 } from '../platform/crypto.ts';
import type { Queryable } from '../platform/db.ts';
import { newId, randomBase62 } from '../platform/ids.ts';
import { listPage, type Page, type PageRequest } from '../platform/pagination.ts';
import type { Permissions } from './permissions.ts';

export type KeyKind = 'secret' | 'publishable' | 'restricted';

/** An `api_keys` row: the key itself is never stored, only its SHA-256 and a few characters for display. */
export interface ApiKeyRow {
  id: string;
  account_id: string;
  kind: KeyKind;
  livemode: boolean;
  key_hash: Buffer;
  display_prefix: string;
  display_suffix: string | null;
  name: string | null;
  permissions: Permissions | null;
  created: number;
  expires_at: number | null;
  revoked_at: number | null;
  rolled_to: string | null;
}

/** Random base62 characters in a key after its prefix (Stripe keys carry 99). */
const keyRandomLength = 99;
/** Characters of a key kept in clear for display: the prefix ("sk_test_4eC3") and the last four. */
const keyDisplayLength = 12;
const keyDisplaySuffixLength = 4;

const kindPrefixes: Record<KeyKind, string> = { secret: 'sk', publishable: 'pk', restricted: 'rk' };

export function keyPrefix(kind: KeyKind, livemode: boolean): string {
  return `${kindPrefixes[kind]}_${livemode ? 'live' : 'test'}_`;
}

/** The condition of a key that works at `$n` (seconds): not revoked, not past the end of a roll's overlap. */
function usableAt(placeholder: string): string {
  return `revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${placeholder})`;
}

/** A key's shape: anything else is refused before the database is asked. */
export const keyShape = /^(sk|pk|rk)_(test|live)_[0-9A-Za-z]{16,200}$/;

export interface NewKey {
  kind: KeyKind;
  name?: string | null;
  permissions?: Permissions | null;
}

/** Makes and stores a key; the key is returned once and only its hash is kept. */
export async function insertKey(db: Queryable, scope: Scope, key: NewKey, created: number): Promise<{ row: ApiKeyRow; secret: string }> {
  const secret = keyPrefix(key.kind, scope.livemode) + randomBase62(keyRandomLength);
  const result = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, account_id, kind, livemode, key_hash, display_prefix, display_suffix, name, permissions, created)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    [newId('key'), scope.accountId, key.kind, scope.livemode, sha256(secret), secret.slice(0, keyDisplayLength), secret.slice(-keyDisplaySuffixLength), key.name ?? null, key.permissions ?? null, created],
  );
  return { row: result.rows[0], secret };
}

export async function findKey(db: Queryable, scope: Scope, id: string, options: { forUpdate?: boolean } = {}): Promise<ApiKeyRow | undefined> {
  const result = await db.query<ApiKeyRow>(
    `SELECT * FROM api_keys WHERE id = $1 AND (account_id, livemode) IS NOT DISTINCT FROM ($2, $3)${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id, scope.accountId, scope.livemode],
  );
  return result.rows[0];
}

/** The key with this hash that works at `now`: not revoked, not past the end of a roll's overlap. */
export async function findUsableKeyByHash(db: Queryable, hash: Buffer, now: number): Promise<ApiKeyRow | undefined> {
  const result = await db.query<ApiKeyRow>(
    `SELECT * FROM api_keys WHERE key_hash = $1 AND ${usableAt('$2')}`,
    [hash, now],
  );
  return result.rows[0];
}

export async function listKeys(db: Queryable, scope: Scope, page: PageRequest, options: { includeInactive: boolean; now: number }): Promise<Page<ApiKeyRow>> {
  return listPage<ApiKeyRow>(db, {
    table: 'api_keys', objectName: 'API key', accountId: scope.accountId, livemode: scope.livemode,
    conditions: options.includeInactive ? [] : [{ sql: usableAt('$?'), value: options.now }],
  }, page);
}

/** Ends a key: at once (revocation) or at `expiresAt` (the end of a roll's overlap). */
export async function endKey(db: Queryable, id: string, change: { revokedAt?: number; expiresAt?: number; rolledTo?: string }): Promise<ApiKeyRow> {
  const result = await db.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = COALESCE($2, revoked_at), expires_at = COALESCE($3, expires_at), rolled_to = COALESCE($4, rolled_to)
     WHERE id = $1 RETURNING *`,
    [id, change.revokedAt ?? null, change.expiresAt ?? null, change.rolledTo ?? null],
  );
  return result.rows[0];
}

/** Every account's keys, for the CLI (which works across accounts, unlike the API). */
export async function listAllKeys(db: Queryable, filter: { accountId?: string; livemode?: boolean }): Promise<ApiKeyRow[]> {
  const result = await db.query<ApiKeyRow>(
    `SELECT * FROM api_keys WHERE ($1::text IS NULL OR account_id = $1) AND ($2::boolean IS NULL OR livemode = $2) ORDER BY account_id, livemode, seq`,
    [filter.accountId ?? null, filter.livemode ?? null],
  );
  return result.rows;
}

export async function findKeyById(db: Queryable, id: string): Promise<ApiKeyRow | undefined> {
  return (await db.query<ApiKeyRow>('SELECT * FROM api_keys WHERE id = $1', [id])).rows[0];
}

export async function countActiveKeys(db: Queryable, scope: Scope, now: number): Promise<number> {
  const result = await db.query<{ n: string }>(`SELECT count(*) AS n FROM api_keys WHERE account_id = $1 AND livemode = $2 AND ${usableAt('$3')}`, [scope.accountId, scope.livemode, now]);
  return Number(result.rows[0].n);
}

/** Serializes key creation per account and mode for the rest of the transaction, so the key cap holds. */
export async function lockKeyCreation(db: Queryable, scope: Scope): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`api_keys:${scope.accountId}:${scope.livemode}`]);
}
