import type { Scope } from '../platform/scope.ts';
import { findConnectedAccountsWithOwnConfigurations, findPlatformOf } from '../connect/repository.ts';
import { findEnabledConnectorConfigurations, type ConnectorConfigurationRow } from '../connectors/configurations/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { defaultRoutingProfile } from '../routing/profile.ts';
import { findRoutingProfile } from '../routing/profile-repository.ts';
import type { RoutingCandidate, RoutingProfile } from '../routing/types.ts';
import type { ConnectorRegistry } from './registry.ts';

/** A routing candidate with the configuration it came from (null: the built-in test processor). */
export interface ConfiguredCandidate {
  candidate: RoutingCandidate;
  row: ConnectorConfigurationRow | null;
}

/** What routing needs to know about an account in one mode. */
export interface RoutingContext {
  profile: RoutingProfile;
  candidates: ConfiguredCandidate[];
}

/** Accounts whose routing context is held at once. */
export const routingCacheEntriesMax = 50_000;
/** Accounts whose platform (or whose having none) is remembered: the tie never changes, so entries never expire. */
export const platformEntriesMax = 200_000;

/** One account's own routing, and which of its connected accounts (when it is a platform) route through their own. */
interface AccountEntry {
  expiresAt: number;
  context: RoutingContext;
  connectedWithOwn: ReadonlySet<string>;
}

/**
 * The routing context of each account and mode, cached for a short time per process (a change made elsewhere applies
 * within `ttlSeconds`; one made through this process at once, via `forget`).
 *
 * Whose context: an account's own enabled connector configurations and routing profile; but a connected account
 * with no enabled configuration of its own in the mode uses its platform's (configurations and profile), as
 * Stripe's connected accounts process through their platform's relationship (docs/connect.md, "Processing"). Such an
 * account has no entry of its own: it reads its platform's, and the platform's entry says which of its accounts have
 * configurations of their own. So 100,000 connected accounts cost one cached entry, not 100,000.
 *
 * An account (or platform) with no enabled configuration routes to the built-in test processor in test mode, so test
 * mode works out of the box; in live mode it has no candidate at all: the test processor never touches a live payment.
 */
export class RoutingCache {
  readonly #registry: ConnectorRegistry;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, AccountEntry>();
  /** Connected account -> its platform; other accounts -> null. Filled by lookups and by Stripe-Account scopes. */
  readonly #platforms = new Map<string, string | null>();

  constructor(registry: ConnectorRegistry, ttlSeconds: number) {
    this.#registry = registry;
    this.#ttlMs = ttlSeconds * 1000;
  }

  /** Reads through `db`: callers holding a pooled client pass it, so a full pool cannot deadlock on this read. */
  async get(db: Queryable, scope: Scope): Promise<RoutingContext> {
    const platform = await this.platformOf(db, scope);
    if (platform !== null) {
      const platformEntry = await this.#entry(db, { accountId: platform, livemode: scope.livemode });
      if (!platformEntry.connectedWithOwn.has(scope.accountId)) return platformEntry.context;
    }
    return (await this.#entry(db, scope)).context;
  }

  /**
   * Drops what a change of the account's configurations or profile may have made stale: its entry and, for a
   * connected account, its platform's (which says whether the account routes through its own).
   */
  forget(scope: Scope): void {
    this.#entries.delete(keyOf(scope.accountId, scope.livemode));
    const platform = scope.platformAccountId ?? this.#platforms.get(keyOf(scope.accountId, scope.livemode));
    if (platform) this.#entries.delete(keyOf(platform, scope.livemode));
  }

  /**
   * The platform of the account in `scope` when it is a connected account, else null: from the Stripe-Account scope,
   * or looked up once per account and remembered (the tie never changes). Routing and the charge capability check
   * (src/payments/connect-capabilities.ts) read it.
   */
  async platformOf(db: Queryable, scope: Scope): Promise<string | null> {
    const key = keyOf(scope.accountId, scope.livemode);
    if (scope.platformAccountId) {
      if (!this.#platforms.has(key)) this.#remember(key, scope.platformAccountId);
      return scope.platformAccountId;
    }
    const known = this.#platforms.get(key);
    if (known !== undefined) return known;
    const platform = await findPlatformOf(db, scope);
    this.#remember(key, platform);
    return platform;
  }

  #remember(key: string, platform: string | null): void {
    if (this.#platforms.size >= platformEntriesMax) this.#platforms.delete(this.#platforms.keys().next().value as string);
    this.#platforms.set(key, platform);
  }

  async #entry(db: Queryable, scope: Scope): Promise<AccountEntry> {
    const key = keyOf(scope.accountId, scope.livemode);
    const now = Date.now();
    const cached = this.#entries.get(key);
    if (cached && cached.expiresAt > now) return cached;
    // One after another: `db` may be a client, which runs one query at a time (pg 9 refuses queries sent while one runs).
    const stored = await findEnabledConnectorConfigurations(db, scope);
    const profile = await findRoutingProfile(db, scope);
    const connectedWithOwn = await findConnectedAccountsWithOwnConfigurations(db, scope);
    // Creating a live test_processor configuration is refused; one stored before that rule is ignored here.
    const rows = scope.livemode ? stored.filter((row) => row.connector !== 'test_processor') : stored;
    const context: RoutingContext = { profile: profile ?? defaultRoutingProfile, candidates: rows.length > 0 ? rows.map((row) => this.#candidate(row)) : scope.livemode ? [] : [this.#builtIn()] };
    const entry: AccountEntry = { expiresAt: now + this.#ttlMs, context, connectedWithOwn: new Set(connectedWithOwn) };
    if (this.#entries.size >= routingCacheEntriesMax) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, entry);
    return entry;
  }

  #candidate(row: ConnectorConfigurationRow): ConfiguredCandidate {
    return {
      row,
      candidate: {
        configurationId: row.id,
        connector: row.connector,
        priority: row.priority,
        supportedCurrencies: row.supported_currencies,
        supportedCountries: row.supported_countries,
        paymentMethodTypes: row.payment_method_types,
        fees: row.fees,
        manualCapture: this.#registry.forConfiguration(row).capabilities.manualCapture,
        installments: this.#registry.forConfiguration(row).capabilities.installments === true,
      },
    };
  }

  #builtIn(): ConfiguredCandidate {
    return {
      row: null,
      candidate: {
        configurationId: null,
        connector: 'test_processor',
        priority: 0,
        supportedCurrencies: [],
        supportedCountries: [],
        paymentMethodTypes: this.#registry.builtIn.paymentMethodTypes ?? ['card'],
        fees: {},
        manualCapture: this.#registry.builtIn.capabilities.manualCapture,
        installments: this.#registry.builtIn.capabilities.installments === true,
      },
    };
  }
}

function keyOf(accountId: string, livemode: boolean): string {
  return `${accountId}:${livemode}`;
}
