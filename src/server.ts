import { createAccount, findDemoAccount, issueKeys } from './accounts/service.ts';
import type { Config } from './config.ts';
import { buildApp } from './api/app.ts';
import { startSweepRunner, type SweepRunner } from './jobs/runner.ts';
import { sweepsOf } from './jobs/sweeps.ts';
import { startWebhookWorker, type WebhookWorker } from './webhooks/worker.ts';
import { startWorkerProcess, type WorkerProcess } from './webhooks/worker-process.ts';
import { openPlatform, readDemoKeys, writeDemoKeys, type DemoKeys } from './runtime.ts';
import type { Database } from './platform/db.ts';
import type { KeyResolver } from './api-keys/resolver.ts';
import { writeLine } from './platform/output.ts';

async function ensureDemoAccount(config: Config, db: Database, keys: KeyResolver): Promise<DemoKeys> {
  const existing = await findDemoAccount(db);
  const saved = readDemoKeys(config);
  // Saved keys that were rolled or revoked since (payrail keys, the API) are not shown as if they still worked.
  if (existing && saved && saved.accountId === existing.id && (await keys.resolve(saved.secretKey)) && (await keys.resolve(saved.publishableKey))) return saved;
  if (existing) {
    // The keys are stored hashed, so they cannot be shown again; issue a fresh test pair for the demo account.
    const keys = await issueKeys(db, existing.id, false);
    const demo = { accountId: existing.id, ...keys };
    writeDemoKeys(config, demo);
    return demo;
  }
  const created = await createAccount(db, 'Demo platform', { demo: true });
  const demo = { accountId: created.accountId, secretKey: created.secretKey, publishableKey: created.publishableKey };
  writeDemoKeys(config, demo);
  return demo;
}

/** `payrail start`: the API server, with graceful shutdown on SIGINT/SIGTERM. */
export async function startServer(config: Config): Promise<void> {
  const log = (line: string) => writeLine(process.stdout, `[payrail] ${line}`);
  const platform = await openPlatform(config, { log, adoptOrphanDatabase: true, checkEncryptionKey: true });
  const app = buildApp(platform.deps, { logRequests: config.logRequests, publishableRateLimits: config.publishableRateLimits });
  let demo: DemoKeys;
  let webhookWorker: WebhookWorker | WorkerProcess | undefined;
  let sweepRunner: SweepRunner | undefined;
  try {
    demo = await ensureDemoAccount(config, platform.db, platform.deps.keys);
    // Webhook deliveries, queued in the database with their events, are sent by the delivery worker: by default a
    // `payrail worker` child process, so that deliveries never take the API's CPU. It starts before the API answers
    // (and before the banner, which tells scripts the platform is ready to be used or stopped).
    if (config.webhookWorker === 'process') {
      webhookWorker = await startWorkerProcess({ databaseUrl: platform.databaseUrl, timeoutMs: config.webhooks.timeoutMs, log });
    } else if (config.webhookWorker === 'in-process') {
      webhookWorker = await startWebhookWorker(platform.deps, platform.databaseUrl, config.webhooks);
    }
    // The background sweeps (janitor, refund sweep, key purge, ledger jobs) are graphile-worker jobs: each runs once
    // per period whatever the number of processes running them (src/jobs/runner.ts).
    sweepRunner = config.runSweeps ? await startSweepRunner(platform.deps, platform.databaseUrl, sweepsOf(config), log) : undefined;
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // A start that fails half-way (the port is taken, say) stops what it started, the embedded database included.
    await sweepRunner?.stop().catch(() => undefined);
    await webhookWorker?.stop().catch(() => undefined);
    await platform.close().catch(() => undefined);
    throw error;
  }
  // The signal handlers are in place before the banner: whoever reads the banner may send SIGTERM at once, and a
  // signal that arrived before them would kill the process without stopping the embedded database.
  // Shutdown stops the embedded database whatever else fails: a log line that cannot be written (stdout closed by
  // whoever read it), a request that will not finish, a worker that throws. Each step runs in its own try.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: finishing in-flight requests`);
    let failed = false;
    const step = async (run: () => Promise<void> | undefined) => {
      try {
        await run();
      } catch (error) {
        failed = true;
        log(`shutdown: ${(error as Error).message}`);
      }
    };
    await step(() => app.close()); // stops accepting, waits for in-flight requests
    await step(() => webhookWorker?.stop()); // lets deliveries in flight finish and record their attempts (the child too)
    await step(() => sweepRunner?.stop()); // lets sweeps in flight finish
    await step(() => platform.close()); // then the pool and, last, the embedded database
    log(failed ? 'stopped, with the errors above' : 'stopped cleanly');
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  writeLine(process.stdout, `
Payrail is running on http://localhost:${port}

  Demo platform account  ${demo.accountId}
  Test secret key        ${demo.secretKey}
  Test publishable key   ${demo.publishableKey}

  Try it:  curl http://localhost:${port}/v1/payment_intents -u ${demo.secretKey}: \\
             -d amount=2000 -d currency=usd -d payment_method=pm_card_visa -d confirm=true
`);
}
