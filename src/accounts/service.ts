import type { Queryable } from '../platform/db.ts';
import { constantTimeEqual, sha256 } from '../platform/crypto.ts';
import { newId, nowSeconds, randomBase62 } from '../platform/ids.ts';

export type KeyKind = 'secret' | 'publishable';

/** Who is calling: the account, the mode (test/live) and the kind of key. */
export interface Caller {
  accountId: string;
  livemode: boolean;
  keyKind: KeyKind;
}

export interface IssuedKeys {
  accountId: string;
  name: string;
  secretKey: string;
  publishableKey: string;
}

/** Random base62 characters in a key after its prefix (Stripe keys carry 99). */
const keyRandomLength = 99;
/** Characters of a key kept in clear for display ("sk_test_4eC3...") */
const keyDisplayLength = 12;

function keyPrefix(kind: KeyKind, livemode: boolean): string {
  return `${kind === 'secret' ? 'sk' : 'pk'}_${livemode ? 'live' : 'test'}_`;
}

async function insertKey(db: Queryable, accountId: string, kind: KeyKind, livemode: boolean): Promise<string> {
  const key = keyPrefix(kind, livemode) + randomBase62(keyRandomLength);
  await db.query(
    'INSERT INTO api_keys (id, account_id, kind, livemode, key_hash, display_prefix, created) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [newId('key'), accountId, kind, livemode, sha256(key), key.slice(0, keyDisplayLength), nowSeconds()],
  );
  return key;
}

/** Creates an account with a test-mode secret and publishable key; the keys are returned once and stored hashed. */
export async function createAccount(db: Queryable, name: string, options: { demo?: boolean } = {}): Promise<IssuedKeys> {
  const accountId = newId('acct');
  await db.query('INSERT INTO accounts (id, name, is_demo, created) VALUES ($1, $2, $3, $4)', [accountId, name, options.demo === true, nowSeconds()]);
  const secretKey = await insertKey(db, accountId, 'secret', false);
  const publishableKey = await insertKey(db, accountId, 'publishable', false);
  return { accountId, name, secretKey, publishableKey };
}

/** Issues another key pair for an account, in test or live mode. */
export async function issueKeys(db: Queryable, accountId: string, livemode: boolean): Promise<{ secretKey: string; publishableKey: string }> {
  return { secretKey: await insertKey(db, accountId, 'secret', livemode), publishableKey: await insertKey(db, accountId, 'publishable', livemode) };
}

export async function findDemoAccount(db: Queryable): Promise<{ id: string; name: string } | undefined> {
  const result = await db.query<{ id: string; name: string }>('SELECT id, name FROM accounts WHERE is_demo');
  return result.rows[0];
}

const keyShape = /^(sk|pk)_(test|live)_[0-9A-Za-z]{16,200}$/;
/** Seconds a resolved key stays in the in-memory cache before the database is asked again. */
const keyCacheTtlMs = 60_000;
const keyCacheEntriesMax = 10_000;

/** Resolves API keys to callers, by SHA-256 of the key, with a small in-memory cache in front of the database. */
export class KeyResolver {
  readonly #cache = new Map<string, { caller: Caller; hash: Buffer; expiresAt: number }>();

  constructor(private readonly db: Queryable) {}

  async resolve(key: string): Promise<Caller | undefined> {
    if (!keyShape.test(key)) return undefined;
    const hash = sha256(key);
    const cacheKey = hash.toString('base64');
    const cached = this.#cache.get(cacheKey);
    if (cached && cached.expiresAt > Date.now() && constantTimeEqual(cached.hash, hash)) return cached.caller;
    const result = await this.db.query<{ account_id: string; kind: KeyKind; livemode: boolean; key_hash: Buffer }>(
      'SELECT account_id, kind, livemode, key_hash FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [hash],
    );
    const row = result.rows[0];
    if (!row || !constantTimeEqual(row.key_hash, hash)) return undefined;
    const caller: Caller = { accountId: row.account_id, livemode: row.livemode, keyKind: row.kind };
    if (this.#cache.size >= keyCacheEntriesMax) this.#cache.clear();
    this.#cache.set(cacheKey, { caller, hash, expiresAt: Date.now() + keyCacheTtlMs });
    return caller;
  }
}
