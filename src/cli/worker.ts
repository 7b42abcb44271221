import type { Command } from 'commander';
import { progress } from './open-platform.ts';

/** `payrail worker`: only the webhook delivery worker, to scale deliveries out beside `payrail start`. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run only the webhook delivery worker (PAYRAIL_WEBHOOK_WORKER=0 keeps `start` from running its own)')
    .action(async () => {
      const [{ loadConfig }, { openPlatform }, { startWebhookWorker }] = await Promise.all([
        import('../config.ts'),
        import('../runtime.ts'),
        import('../webhooks/worker.ts'),
      ]);
      const config = loadConfig();
      const platform = await openPlatform(config, { log: progress, checkEncryptionKey: true });
      const worker = await startWebhookWorker(platform.deps, platform.databaseUrl, config.webhooks);
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        // The database is closed (and an embedded one stopped) even when the worker fails to stop.
        let code = 0;
        for (const step of [() => worker.stop(), () => platform.close()]) {
          try {
            await step();
          } catch (error) {
            code = 1;
            progress(`shutdown: ${(error as Error).message}`);
          }
        }
        process.exit(code);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
      // Said once the signal handlers are in place: whoever waits for this line may stop the worker at once.
      progress('webhook delivery worker running');
    });
}
