import { systemClock, type Clock } from '../platform/clock.ts';
import { constantTimeEqual, sha256 } from '../platform/crypto.ts';
import type { Queryable } from '../platform/db.ts';
import type { Permissions } from './permissions.ts';
import { findUsableKeyByHash, keyShape, type KeyKind } from './repository.ts';

/** Who is calling: the account, the mode (test/live), the key and what it may do. */
export interface Caller {
  accountId: string;
  livemode: boolean;
  keyKind: KeyKind;
  keyId: string;
  /** A restricted key's permissions; null for secret and publishable keys. */
  permissions: Permissions | null;
  /**
   * Set when a platform's key acts as one of its connected accounts (the Stripe-Account header): the platform's id,
   * while `accountId` is the connected account's.
   */
  platformAccountId?: string;
}

/**
 * How long a resolved key is trusted without asking the database again. It bounds how long a key revoked or rolled
 * through another process (or straight in the database) keeps working here: at most this long. One indexed lookup
 * per key per second per process is nothing next to the requests it serves.
 */
export const keyCacheTtlMs = 1_000;
const keyCacheEntriesMax = 10_000;

interface CacheEntry {
  caller: Caller;
  hash: Buffer;
  /** When the entry must be looked up again (ms). */
  checkAgainAt: number;
  /** When a rolled key stops working (ms), whatever the cache says. */
  expiresAtMs: number | null;
}

/** Resolves API keys to callers, by SHA-256 of the key, with a small, very short-lived in-memory cache. */
export class KeyResolver {
  readonly #cache = new Map<string, CacheEntry>();

  constructor(private readonly db: Queryable, private readonly clock: Clock = systemClock) {}

  async resolve(key: string): Promise<Caller | undefined> {
    if (!keyShape.test(key)) return undefined;
    const hash = sha256(key);
    const cacheKey = hash.toString('base64');
    const now = this.clock.nowMilliseconds();
    const cached = this.#cache.get(cacheKey);
    if (cached && cached.checkAgainAt > now && (cached.expiresAtMs === null || cached.expiresAtMs > now) && constantTimeEqual(cached.hash, hash)) return cached.caller;
    const row = await findUsableKeyByHash(this.db, hash, Math.floor(now / 1000));
    if (!row || !constantTimeEqual(row.key_hash, hash)) {
      this.#cache.delete(cacheKey);
      return undefined;
    }
    const caller: Caller = { accountId: row.account_id, livemode: row.livemode, keyKind: row.kind, keyId: row.id, permissions: row.permissions };
    if (this.#cache.size >= keyCacheEntriesMax) this.#cache.clear();
    this.#cache.set(cacheKey, { caller, hash, checkAgainAt: now + keyCacheTtlMs, expiresAtMs: row.expires_at === null ? null : row.expires_at * 1000 });
    return caller;
  }

  /** Forgets every cached key: this process revoked or rolled one, which must stop working here at once. */
  forgetAll(): void {
    this.#cache.clear();
  }
}
