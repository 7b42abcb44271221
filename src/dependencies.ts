import { fileURLToPath } from 'node:url';
import { AccountSettingsCache } from './accounts/settings-cache.ts';
import { DefaultConfigurationCache } from './payment-method-configurations/default-cache.ts';
import { KeyResolver } from './api-keys/resolver.ts';
import type { Connector } from './connectors/connector.ts';
import { ExchangeRates } from './fees/exchange-rates.ts';
import { defaultPricing, type Pricing } from './fees/pricing.ts';
import type { Clock } from './platform/clock.ts';
import type { SecretBox } from './platform/crypto.ts';
import type { Database } from './platform/db.ts';
import { GroupCommit, defaultGroupCommitSettings, type GroupCommitSettings } from './platform/group-commit.ts';
import { deepFrozen, type DeepReadonly } from './platform/freeze.ts';
import { ConnectorRegistry } from './orchestration/registry.ts';
import { RoutingCache } from './orchestration/routing-cache.ts';
import { defaultOrchestrationSettings, type OrchestrationSettings } from './orchestration/settings.ts';
import type { PayoutProvider } from './payouts/provider.ts';
import { CircuitBreakers } from './routing/circuit-breaker.ts';
import type { RoutingHealth } from './routing/decide.ts';
import { SuccessRates } from './routing/success-rates.ts';
import { SandboxPayoutProvider } from './payouts/sandbox-provider.ts';
import { defaultWebhookSettings, type WebhookSettings } from './webhooks/settings.ts';

/** The rates file loaded at start when PAYRAIL_EXCHANGE_RATES_FILE does not name another. */
export const defaultExchangeRatesFile = fileURLToPath(new URL('../config/exchange-rates.json', import.meta.url));

/**
 * The long-lived collaborators that services need, built once at start by `buildDependencies`, complete and never
 * changed afterwards: the object is frozen, and the settings it holds (orchestration, webhooks, pricing, the routing
 * health holder) are frozen copies, so a test that needs other settings starts a server with them.
 */
export interface Dependencies {
  readonly db: Database;
  /** Where the payment hot path's single statements commit, batched with concurrent requests' (group commit). */
  readonly commits: GroupCommit;
  readonly secretBox: SecretBox;
  /** API keys to callers, cached for at most a second (revocations apply in every process within it). */
  readonly keys: KeyResolver;
  /**
   * The connectors of accounts' configurations, built on first use; `connectors.builtIn` is the built-in test
   * processor, the connector of accounts without connector configurations.
   */
  readonly connectors: ConnectorRegistry;
  /** Each account's enabled configurations and routing profile, cached briefly. */
  readonly routing: RoutingCache;
  /** Per-process authorization rates and circuit breakers that routing decides from. */
  readonly routingHealth: Readonly<RoutingHealth>;
  readonly orchestration: DeepReadonly<OrchestrationSettings>;
  /**
   * Base URL for links handed to customers (3-D Secure pages, redirect returns). Read through the provider given
   * at build time, so a server that learns its address only once listening (tests on port 0) still builds its
   * dependencies once.
   */
  readonly publicUrl: string;
  /** Time for settlement dates, payout schedules and ledger entries (adjustable in tests). */
  readonly clock: Clock;
  /** Account money settings (settlement currency, delay, pricing overrides), cached briefly. */
  readonly settings: AccountSettingsCache;
  /** Each account's default Payment Method Configuration (automatic payment methods), cached briefly. */
  readonly paymentMethodConfigurations: DefaultConfigurationCache;
  /** The platform's default pricing, which accounts may override. */
  readonly pricing: DeepReadonly<Pricing>;
  readonly exchangeRates: ExchangeRates;
  /** The rail payouts are sent through (the sandbox rail until a bank integration exists). */
  readonly payoutProvider: PayoutProvider;
  /** How webhooks are delivered (timeouts, retries, address policy). */
  readonly webhookSettings: Readonly<WebhookSettings>;
}

export interface DependenciesInput {
  db: Database;
  secretBox: SecretBox;
  /** The built-in test processor (becomes `connectors.builtIn`). */
  connector: Connector;
  /** The public base URL, or a provider of it for a server that knows it only once listening. */
  publicUrl: string | (() => string);
  clock: Clock;
  pricing?: Pricing;
  webhookSettings?: WebhookSettings;
  orchestration?: OrchestrationSettings;
  /** Routing health figures to start from (tests give breakers a short cooldown); new, empty ones by default. */
  routingHealth?: Partial<RoutingHealth>;
  /** How statements are batched into shared commits; `lanes: 0` commits each alone. */
  groupCommit?: GroupCommitSettings;
}

export function buildDependencies(input: DependenciesInput): Dependencies {
  const orchestration = deepFrozen(input.orchestration ?? defaultOrchestrationSettings);
  const given = input.publicUrl;
  const publicUrl = typeof given === 'string' ? () => given : given;
  const connectors = new ConnectorRegistry({ builtIn: input.connector, secretBox: input.secretBox, publicUrl, settings: orchestration });
  return Object.freeze({
    db: input.db,
    commits: new GroupCommit(input.db, Object.freeze({ ...(input.groupCommit ?? defaultGroupCommitSettings) })),
    secretBox: input.secretBox,
    keys: new KeyResolver(input.db, input.clock),
    connectors,
    routing: new RoutingCache(connectors, orchestration.routingCacheSeconds),
    routingHealth: Object.freeze({ successRates: input.routingHealth?.successRates ?? new SuccessRates(), breakers: input.routingHealth?.breakers ?? new CircuitBreakers() }),
    orchestration,
    get publicUrl() {
      return publicUrl();
    },
    clock: input.clock,
    settings: new AccountSettingsCache(input.db),
    paymentMethodConfigurations: new DefaultConfigurationCache(),
    pricing: deepFrozen(input.pricing ?? defaultPricing),
    exchangeRates: new ExchangeRates(input.db),
    payoutProvider: new SandboxPayoutProvider(input.db, input.clock),
    webhookSettings: deepFrozen(input.webhookSettings ?? defaultWebhookSettings),
  });
}
