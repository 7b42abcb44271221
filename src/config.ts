import path from 'node:path';
import { defaultWebhookSettings, type WebhookSettings } from './webhooks/settings.ts';
import { defaultGroupCommitSettings, type GroupCommitSettings } from './platform/group-commit.ts';
import { defaultPublishableRateLimits, type PublishableRateLimits } from './api/publishable-rate-limits.ts';

/** Every setting Payrail reads from its environment, validated once at start. */
export interface Config {
  /** TCP port of the HTTP API. */
  port: number;
  /** Interface the HTTP API binds to. */
  host: string;
  /** External PostgreSQL connection string; when absent an embedded Postgres is started. */
  databaseUrl: string | undefined;
  /** Folder for the embedded database, generated secrets and demo keys. */
  dataDirectory: string;
  /** Base64 AES-256 key for card numbers at rest; generated into the data folder when absent. */
  encryptionKeyBase64: string | undefined;
  /** Public base URL used in links Payrail hands out (3-D Secure pages). */
  publicUrl: string;
  /** Size of the database connection pool. */
  databasePoolSize: number;
  /** Whether request logging is on. */
  logRequests: boolean;
  /** Seconds an attempt may stay in flight before the janitor first asks the provider about it. */
  stuckAttemptSeconds: number;
  /** Per-request timeout of calls to payment providers. */
  connectorTimeoutMs: number;
  /** Milliseconds between runs of the recovery sweep and idempotency-key purge. */
  maintenanceIntervalMs: number;
  /** Milliseconds between runs of the ledger jobs (sealing, settlement, payouts). */
  ledgerIntervalMs: number;
  /** JSON exchange-rates file loaded into the exchange_rates table at start (default config/exchange-rates.json). */
  exchangeRatesFile: string | undefined;
  /** JSON pricing file replacing the built-in platform default pricing. */
  pricingFile: string | undefined;
  /** Webhook delivery: timeouts, retries, disabling, address policy (src/webhooks/settings.ts). */
  webhooks: WebhookSettings;
  /**
   * How `payrail start` runs the webhook delivery worker: as a `payrail worker` child process (the default, so that
   * deliveries never take the API's CPU), inside its own process, or not at all (`payrail worker` processes do it).
   */
  webhookWorker: WebhookWorkerMode;
  /** Whether `payrail start` runs the sweeps (janitor, refund sweep, key purge, ledger jobs); `payrail worker` always does. */
  runSweeps: boolean;
  /** Group commit of the payment hot path's statements (src/platform/group-commit.ts). */
  groupCommit: GroupCommitSettings;
  /** Requests per minute a publishable key may make, in all and per client address (src/api/publishable-rate-limits.ts). */
  publishableRateLimits: PublishableRateLimits;
  /** Server settings of the embedded PostgreSQL beyond Payrail's own (e.g. shared_preload_libraries for diagnosis). */
  embeddedPostgresSettings: Record<string, string>;
}

export type WebhookWorkerMode = 'process' | 'in-process' | 'off';

/** PAYRAIL_WEBHOOK_WORKER: `1` or `process` (the default), `in-process`, or `0`. */
export function webhookWorkerMode(raw: string | undefined): WebhookWorkerMode {
  if (raw === undefined || raw === '' || raw === '1' || raw === 'process') return 'process';
  if (raw === 'in-process') return 'in-process';
  if (raw === '0') return 'off';
  throw new Error(`PAYRAIL_WEBHOOK_WORKER must be 1 (or process), in-process or 0, got "${raw}"`);
}

function integerSetting(name: string, fallback: number, minimum: number, maximum: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < minimum || value > maximum) throw new Error(`${name} must be between ${minimum} and ${maximum}`);
  return value;
}

/**
 * PostgreSQL server settings as space-separated `name=value` pairs (`shared_preload_libraries=pg_stat_statements
 * track_io_timing=on`); each becomes a `-c name=value` of the embedded server, so only plain names and values pass.
 */
export function postgresSettings(name: string, raw: string | undefined): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const pair of (raw ?? '').split(/\s+/).filter(Boolean)) {
    const match = /^([a-z_][a-z0-9_.]*)=([A-Za-z0-9_.,:+-]+)$/.exec(pair);
    if (!match) throw new Error(`${name} holds name=value pairs separated by spaces (letters, digits, _ . , : + - only), got "${pair}"`);
    settings[match[1]] = match[2];
  }
  return settings;
}

export function loadConfig(): Config {
  const port = integerSetting('PORT', 4242, 0, 65535);
  const host = process.env.HOST || '127.0.0.1';
  const publicUrl = (process.env.PAYRAIL_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  return {
    port,
    host,
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDirectory: path.resolve(process.env.PAYRAIL_DATA_DIR || '.payrail'),
    encryptionKeyBase64: process.env.PAYRAIL_ENCRYPTION_KEY || undefined,
    publicUrl,
    databasePoolSize: integerSetting('PAYRAIL_DB_POOL_SIZE', 20, 1, 500),
    logRequests: process.env.PAYRAIL_LOG_REQUESTS === '1',
    stuckAttemptSeconds: integerSetting('PAYRAIL_STUCK_ATTEMPT_SECONDS', 30, 1, 86_400),
    connectorTimeoutMs: integerSetting('PAYRAIL_CONNECTOR_TIMEOUT_MS', 10_000, 100, 120_000),
    maintenanceIntervalMs: integerSetting('PAYRAIL_MAINTENANCE_INTERVAL_MS', 15_000, 100, 3_600_000),
    ledgerIntervalMs: integerSetting('PAYRAIL_LEDGER_INTERVAL_MS', 1_000, 100, 3_600_000),
    exchangeRatesFile: process.env.PAYRAIL_EXCHANGE_RATES_FILE ? path.resolve(process.env.PAYRAIL_EXCHANGE_RATES_FILE) : undefined,
    pricingFile: process.env.PAYRAIL_PRICING_FILE ? path.resolve(process.env.PAYRAIL_PRICING_FILE) : undefined,
    webhooks: {
      timeoutMs: integerSetting('PAYRAIL_WEBHOOK_TIMEOUT_MS', defaultWebhookSettings.timeoutMs, 100, 60_000),
      firstRetrySeconds: integerSetting('PAYRAIL_WEBHOOK_FIRST_RETRY_SECONDS', defaultWebhookSettings.firstRetrySeconds, 1, 60),
      retryDelayMaxSeconds: integerSetting('PAYRAIL_WEBHOOK_RETRY_DELAY_MAX_SECONDS', defaultWebhookSettings.retryDelayMaxSeconds, 1, 86_400),
      retryWindowSeconds: integerSetting('PAYRAIL_WEBHOOK_RETRY_WINDOW_SECONDS', defaultWebhookSettings.retryWindowSeconds, 60, 30 * 86_400),
      disableAfterSeconds: integerSetting('PAYRAIL_WEBHOOK_DISABLE_AFTER_SECONDS', defaultWebhookSettings.disableAfterSeconds, 60, 30 * 86_400),
      concurrency: integerSetting('PAYRAIL_WEBHOOK_CONCURRENCY', defaultWebhookSettings.concurrency, 1, 1_024),
      connectionsPerEndpoint: integerSetting('PAYRAIL_WEBHOOK_CONNECTIONS_PER_ENDPOINT', defaultWebhookSettings.connectionsPerEndpoint, 1, 64),
      allowPrivateAddresses: process.env.PAYRAIL_WEBHOOK_ALLOW_PRIVATE === '1',
      responseBytesMax: integerSetting('PAYRAIL_WEBHOOK_RESPONSE_BYTES_MAX', defaultWebhookSettings.responseBytesMax, 1_024, 1_048_576),
      lockRecoverySeconds: integerSetting('PAYRAIL_WEBHOOK_LOCK_RECOVERY_SECONDS', defaultWebhookSettings.lockRecoverySeconds, 1, 86_400),
    },
    webhookWorker: webhookWorkerMode(process.env.PAYRAIL_WEBHOOK_WORKER),
    runSweeps: process.env.PAYRAIL_SWEEPS !== '0',
    publishableRateLimits: {
      perKeyPerMinute: integerSetting('PAYRAIL_PUBLISHABLE_RATE_LIMIT_PER_KEY', defaultPublishableRateLimits.perKeyPerMinute, 1, 10_000_000),
      perAddressPerMinute: integerSetting('PAYRAIL_PUBLISHABLE_RATE_LIMIT_PER_ADDRESS', defaultPublishableRateLimits.perAddressPerMinute, 1, 10_000_000),
    },
    groupCommit: {
      lanes: integerSetting('PAYRAIL_GROUP_COMMIT_LANES', defaultGroupCommitSettings.lanes, 0, 64),
      maxStatements: integerSetting('PAYRAIL_GROUP_COMMIT_MAX_STATEMENTS', defaultGroupCommitSettings.maxStatements, 1, 1_000),
      maxBytes: integerSetting('PAYRAIL_GROUP_COMMIT_MAX_BYTES', defaultGroupCommitSettings.maxBytes, 1_024, 64 * 1024 * 1024),
    },
    embeddedPostgresSettings: postgresSettings('PAYRAIL_EMBEDDED_POSTGRES_SETTINGS', process.env.PAYRAIL_EMBEDDED_POSTGRES_SETTINGS),
  };
}
