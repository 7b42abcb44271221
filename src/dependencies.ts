import { fileURLToPath } from 'node:url';
import { AccountSettingsCache } from './accounts/settings-cache.ts';
import { KeyResolver } from './api-keys/resolver.ts';
import type { Connector } from './connectors/connector.ts';
import { ExchangeRates } from './fees/exchange-rates.ts';
import { defaultPricing, type Pricing } from './fees/pricing.ts';
import type { Clock } from './platform/clock.ts';
import type { SecretBox } from './platform/crypto.ts';
import type { Database } from './platform/db.ts';
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
 * reassigned afterwards (the object is frozen; settings objects it holds are the process's own copies).
 */
export interface Dependencies {
  readonly db: Database;
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
  readonly routingHealth: RoutingHealth;
  readonly orchestration: OrchestrationSettings;
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
  /** The platform's default pricing, which accounts may override. */
  readonly pricing: Pricing;
  readonly exchangeRates: ExchangeRates;
  /** The rail payouts are sent through (the sandbox rail until a bank integration exists). */
  readonly payoutProvider: PayoutProvider;
  /** How webhooks are delivered (timeouts, retries, address policy). */
  readonly webhookSettings: WebhookSettings;
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
}

export function buildDependencies(input: DependenciesInput): Dependencies {
  // A copy: tests adjust their own process's settings without touching the defaults.
  const orchestration = { ...(input.orchestration ?? defaultOrchestrationSettings) };
  const given = input.publicUrl;
  const publicUrl = typeof given === 'string' ? () => given : given;
  const connectors = new ConnectorRegistry({ builtIn: input.connector, secretBox: input.secretBox, publicUrl, settings: orchestration });
  return Object.freeze({
    db: input.db,
    secretBox: input.secretBox,
    keys: new KeyResolver(input.db, input.clock),
    connectors,
    routing: new RoutingCache(connectors, orchestration.routingCacheSeconds),
    routingHealth: { successRates: new SuccessRates(), breakers: new CircuitBreakers() },
    orchestration,
    get publicUrl() {
      return publicUrl();
    },
    clock: input.clock,
    settings: new AccountSettingsCache(input.db),
    pricing: input.pricing ?? defaultPricing,
    exchangeRates: new ExchangeRates(input.db),
    payoutProvider: new SandboxPayoutProvider(input.db, input.clock),
    webhookSettings: input.webhookSettings ?? defaultWebhookSettings,
  });
}
