import type { Queryable } from '../platform/db.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import type { Scope } from '../platform/scope.ts';
import type { StoredPreferences } from './preferences.ts';
import { ensureDefaultConfiguration } from './repository.ts';

/** How long a process keeps an account's default configuration before reading it again. */
export const defaultConfigurationCacheMs = 2_000;
/** Accounts and modes kept at once; the oldest entry goes first beyond it. */
export const defaultConfigurationEntriesMax = 50_000;

export interface DefaultConfiguration {
  id: string;
  active: boolean;
  preferences: StoredPreferences;
}

/**
 * Each account's default Payment Method Configuration, which every PaymentIntent with automatic payment methods reads
 * (a payment costs no query for it on a hit). A change through the API forgets the entry in this process; another
 * process sees it within `defaultConfigurationCacheMs`, as with connector configurations and account settings.
 */
export class DefaultConfigurationCache {
  readonly #entries = new Map<string, { configuration: DefaultConfiguration; expires: number }>();

  /** The default configuration, made on the account's first use (`through` as in AccountSettingsCache.get). */
  async get(through: Queryable, scope: Scope): Promise<DefaultConfiguration> {
    const key = `${scope.accountId}:${scope.livemode}`;
    const cached = this.#entries.get(key);
    if (cached && cached.expires > Date.now()) return cached.configuration;
    const row = await ensureDefaultConfiguration(through, scope, newId('pmc'), nowSeconds());
    const configuration = { id: row.id, active: row.active, preferences: row.preferences };
    if (this.#entries.size >= defaultConfigurationEntriesMax) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, { configuration, expires: Date.now() + defaultConfigurationCacheMs });
    return configuration;
  }

  forget(scope: Scope): void {
    this.#entries.delete(`${scope.accountId}:${scope.livemode}`);
  }
}
