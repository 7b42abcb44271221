import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';
import { TestProcessor } from './connectors/test-processor/connector.ts';
import { buildDependencies, defaultExchangeRatesFile, type Dependencies } from './dependencies.ts';
import { loadRatesFile } from './fees/exchange-rates.ts';
import { loadPricingFile } from './fees/pricing-file.ts';
import { defaultOrchestrationSettings, type OrchestrationSettings } from './orchestration/settings.ts';
import { systemClock } from './platform/clock.ts';
import { SecretBox } from './platform/crypto.ts';
import { createPool, ensureDatabase, migrate, type Database } from './platform/db.ts';
import { clusterDirectoryFor, startEmbeddedPostgres, type EmbeddedDatabase } from './platform/embedded-postgres.ts';
import { checkEncryptionKey } from './platform/encryption-keys.ts';
import { decodeEncryptionKey, loadOrCreateSecrets } from './platform/secrets.ts';

export const embeddedDatabaseName = 'payrail';

export interface Platform {
  deps: Dependencies;
  db: Database;
  /** Connection string of the database (for components that need their own pool, like the job queue). */
  databaseUrl: string;
  embedded: EmbeddedDatabase | undefined;
  close(): Promise<void>;
}

/**
 * Opens the database Payrail runs on — the one in DATABASE_URL, or the embedded server for the data folder,
 * started (or joined, when `payrail start` already runs it) — applies migrations and builds the services.
 *
 * With `checkEncryptionKey` (the processes that encrypt and decrypt: the server and the webhook worker), start-up
 * stops unless this process's encryption key is the one the database was written with; one-shot commands that never
 * touch encrypted data (migrate, account create) skip it, so they cannot record a wrong key first.
 */
export async function openPlatform(config: Config, options: { log?: (line: string) => void; poolSize?: number; adoptOrphanDatabase?: boolean; checkEncryptionKey?: boolean } = {}): Promise<Platform> {
  const log = options.log ?? (() => undefined);
  const secrets = loadOrCreateSecrets(config.dataDirectory);
  // A malformed PAYRAIL_ENCRYPTION_KEY stops the start before any database is touched.
  const encryptionKey = decodeEncryptionKey(config.encryptionKeyBase64 ?? secrets.encryptionKey);
  let embedded: EmbeddedDatabase | undefined;
  let url: string;
  if (config.databaseUrl) {
    url = config.databaseUrl;
  } else {
    const clusterDirectory = clusterDirectoryFor(config.dataDirectory);
    // Progress lines only: the server's own log goes to a file beside the cluster (named as it starts).
    embedded = await startEmbeddedPostgres({ clusterDirectory, password: secrets.postgresPassword, adoptOrphan: options.adoptOrphanDatabase, log, settings: config.embeddedPostgresSettings });
    url = await ensureDatabase(embedded.url, embeddedDatabaseName);
  }
  const db = createPool(url, options.poolSize ?? config.databasePoolSize);
  try {
    const applied = await migrate(db);
    if (applied.length > 0) log(`applied ${applied.length} database migration(s): ${applied[0]}${applied.length > 1 ? ` ... ${applied[applied.length - 1]}` : ''}`);
    if (options.checkEncryptionKey) {
      const keySource = config.encryptionKeyBase64 ? 'PAYRAIL_ENCRYPTION_KEY' : `generated into ${path.join(config.dataDirectory, 'secrets.json')}`;
      const checked = await checkEncryptionKey(db, encryptionKey, keySource);
      if (checked.recorded) log(`encryption key ${checked.keyId} recorded in the database (${keySource})`);
    }
  } catch (error) {
    await db.end();
    await embedded?.stop();
    throw error;
  }
  const clock = systemClock;
  await loadRatesFile(db, config.exchangeRatesFile ?? defaultExchangeRatesFile, clock.nowSeconds());
  const pricing = config.pricingFile ? loadPricingFile(config.pricingFile) : undefined;
  const deps: Dependencies = buildDependencies({
    db, secretBox: new SecretBox(encryptionKey), connector: new TestProcessor(), publicUrl: config.publicUrl, clock, pricing, webhookSettings: config.webhooks, groupCommit: config.groupCommit,
    orchestration: orchestrationSettings(config),
  });
  return {
    deps,
    db,
    databaseUrl: url,
    embedded,
    close: async () => {
      // The embedded database is stopped even when closing the pool fails: it must not outlive its owner's shutdown.
      try {
        await deps.commits.close();
        await db.end();
      } finally {
        await embedded?.stop();
      }
    },
  };
}

/** The orchestration settings a configuration asks for: its connector timeout, and the janitor's first look. */
function orchestrationSettings(config: Config): OrchestrationSettings {
  const schedule = defaultOrchestrationSettings.janitorScheduleSeconds;
  return {
    ...defaultOrchestrationSettings,
    connectorTimeoutMs: config.connectorTimeoutMs,
    janitorScheduleSeconds: [config.stuckAttemptSeconds, ...schedule.filter((seconds) => seconds > config.stuckAttemptSeconds)],
  };
}

export interface DemoKeys {
  accountId: string;
  secretKey: string;
  publishableKey: string;
}

export function demoKeysFile(config: Config): string {
  return path.join(config.dataDirectory, 'demo-keys.json');
}

export function readDemoKeys(config: Config): DemoKeys | undefined {
  const file = demoKeysFile(config);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as DemoKeys;
}

export function writeDemoKeys(config: Config, keys: DemoKeys): void {
  fs.writeFileSync(demoKeysFile(config), JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
}
