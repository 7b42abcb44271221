import type { Scope } from '../platform/scope.ts';
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

/**
 * The enabled connector configurations and routing profile of each account and mode, cached for a short time per
 * process (a change made elsewhere applies within `ttlSeconds`; one made through this process at once, via `forget`).
 * An account with no enabled configuration routes to the built-in test processor in test mode, so test mode works out
 * of the box; in live mode it has no candidate at all: the test processor never touches a live payment.
 */
export class RoutingCache {
  readonly #registry: ConnectorRegistry;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { expiresAt: number; context: RoutingContext }>();

  constructor(registry: ConnectorRegistry, ttlSeconds: number) {
    this.#registry = registry;
    this.#ttlMs = ttlSeconds * 1000;
  }

  /** Reads through `db`: callers holding a pooled client pass it, so a full pool cannot deadlock on this read. */
  async get(db: Queryable, scope: Scope): Promise<RoutingContext> {
    const key = `${scope.accountId}:${scope.livemode}`;
    const now = Date.now();
    const cached = this.#entries.get(key);
    if (cached && cached.expiresAt > now) return cached.context;
    const [stored, profile] = await Promise.all([findEnabledConnectorConfigurations(db, scope), findRoutingProfile(db, scope)]);
    // Creating a live test_processor configuration is refused; one stored before that rule is ignored here.
    const rows = scope.livemode ? stored.filter((row) => row.connector !== 'test_processor') : stored;
    const context: RoutingContext = { profile: profile ?? defaultRoutingProfile, candidates: rows.length > 0 ? rows.map((row) => this.#candidate(row)) : scope.livemode ? [] : [this.#builtIn()] };
    if (this.#entries.size >= routingCacheEntriesMax) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, { expiresAt: now + this.#ttlMs, context });
    return context;
  }

  forget(scope: Scope): void {
    this.#entries.delete(`${scope.accountId}:${scope.livemode}`);
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
        paymentMethodTypes: ['card'],
        fees: {},
        manualCapture: this.#registry.builtIn.capabilities.manualCapture,
      },
    };
  }
}
