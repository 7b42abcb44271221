import { fileURLToPath } from 'node:url';
import { AccountSettingsCache } from './accounts/settings.ts';
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

/** The long-lived collaborators that services need, built once at start. */
export interface Dependencies {
  db: Database;
  secretBox: SecretBox;
  /** API keys to callers, cached for at most a second (revocations apply in every process within it). */
  keys: KeyResolver;
  /** The built-in test processor: the connector of accounts without connector configurations. */
  connector: Connector;
  /** The connectors of accounts' configurations, built on first use. */
  connectors: ConnectorRegistry;
  /** Each account's enabled configurations and routing profile, cached briefly. */
  routing: RoutingCache;
  /** Per-process authorization rates and circuit breakers that routing decides from. */
  routingHealth: RoutingHealth;
  orchestration: OrchestrationSettings;
  /** Base URL for links handed to customers (3-D Secure pages). */
  publicUrl: string;
  /** Time for settlement dates, payout schedules and ledger entries (adjustable in tests). */
  clock: Clock;
  /** Account money settings (settlement currency, delay, pricing overrides), cached briefly. */
  settings: AccountSettingsCache;
  /** The platform's default pricing, which accounts may override. */
  pricing: Pricing;
  exchangeRates: ExchangeRates;
  /** The rail payouts are sent through (the sandbox rail until a bank integration exists). */
  payoutProvider: PayoutProvider;
  /** How webhooks are delivered (timeouts, retries, address policy). */
  webhookSettings: WebhookSettings;
}

export function buildDependencies(input: {
  db: Database; secretBox: SecretBox; connector: Connector; publicUrl: string; clock: Clock; pricing?: Pricing; webhookSettings?: WebhookSettings; orchestration?: OrchestrationSettings;
}): Dependencies {
  // A copy: tests adjust their own process's settings without touching the defaults.
  const orchestration = { ...(input.orchestration ?? defaultOrchestrationSettings) };
  const deps: Dependencies = {
    db: input.db,
    secretBox: input.secretBox,
    keys: new KeyResolver(input.db, input.clock),
    connector: input.connector,
    // Replaced below: the registry reads the public URL through deps, which tests set once they know their port.
    connectors: undefined as unknown as ConnectorRegistry,
    routing: undefined as unknown as RoutingCache,
    routingHealth: { successRates: new SuccessRates(), breakers: new CircuitBreakers() },
    orchestration,
    publicUrl: input.publicUrl,
    clock: input.clock,
    settings: new AccountSettingsCache(input.db),
    pricing: input.pricing ?? defaultPricing,
    exchangeRates: new ExchangeRates(input.db),
    payoutProvider: new SandboxPayoutProvider(input.db, input.clock),
    webhookSettings: input.webhookSettings ?? defaultWebhookSettings,
  };
  deps.connectors = new ConnectorRegistry({ builtIn: input.connector, secretBox: input.secretBox, publicUrl: () => deps.publicUrl, settings: orchestration });
  deps.routing = new RoutingCache(deps.connectors, orchestration.routingCacheSeconds);
  return deps;
}
