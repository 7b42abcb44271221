import type { Queryable } from '../platform/db.ts';
import type { AccountSettings } from './settings.ts';
import { findAccountSettings } from './settings-repository.ts';

/** How long a cached copy of an account's settings is used on the payment path before it is read again. */
export const settingsCacheMs = 2_000;

/**
 * Settings are read on every capture; a short-lived cache keeps that off the database. A change made through this
 * process is seen at once (`forget`); one made through another Payrail process within `settingsCacheMs`.
 */
export class AccountSettingsCache {
  readonly #entries = new Map<string, { settings: AccountSettings; expires: number }>();

  constructor(private readonly db: Queryable) {}

  /**
   * The account's settings. `through` is the connection to read with on a miss: code that already holds a pooled
   * connection must pass it, because waiting for a second connection while holding one deadlocks a busy pool.
   */
  async get(accountId: string, through: Queryable = this.db): Promise<AccountSettings> {
    const cached = this.#entries.get(accountId);
    if (cached && cached.expires > Date.now()) return cached.settings;
    const settings = await findAccountSettings(through, accountId);
    if (this.#entries.size > 10_000) this.#entries.clear();
    this.#entries.set(accountId, { settings, expires: Date.now() + settingsCacheMs });
    return settings;
  }

  forget(accountId: string): void {
    this.#entries.delete(accountId);
  }
}
