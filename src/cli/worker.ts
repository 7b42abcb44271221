import type { Command } from 'commander';
import { progress } from './open-platform.ts';

/**
 * `payrail worker`: the webhook delivery worker and the sweeps (janitor, refund sweep, key purge, ledger jobs) without
 * the API, to scale them out beside `payrail start` or to run them apart from the API processes. `payrail start` runs
 * one as its child (`--no-sweeps`, over an IPC channel): such a child says when it is ready, and stops when the
 * channel closes, that is when its parent ends in any way.
 */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run the webhook delivery worker and the sweeps without the API (PAYRAIL_WEBHOOK_WORKER=0 and PAYRAIL_SWEEPS=0 keep `start` from running its own)')
    .option('--no-sweeps', 'run only the webhook delivery worker (as `payrail start` runs its child)')
    .action(async (options: { sweeps: boolean }) => {
      const [{ loadConfig }, { openPlatform }, { startWebhookWorker }, { startSweepRunner }, { sweepsOf }] = await Promise.all([
        import('../config.ts'),
        import('../runtime.ts'),
        import('../webhooks/worker.ts'),
        import('../jobs/runner.ts'),
        import('../jobs/sweeps.ts'),
      ]);
      let platform: Awaited<ReturnType<typeof openPlatform>> | undefined;
      let worker: Awaited<ReturnType<typeof startWebhookWorker>> | undefined;
      let sweeps: Awaited<ReturnType<typeof startSweepRunner>> | undefined;
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        // The database is closed (and an embedded one stopped) even when the worker fails to stop.
        let code = 0;
        for (const step of [() => worker?.stop(), () => sweeps?.stop(), () => platform?.close()]) {
          try {
            await step();
          } catch (error) {
            code = 1;
            progress(`shutdown: ${(error as Error).message}`);
          }
        }
        process.exit(code);
      };
      // In place before anything starts: a signal, or the parent's end, during the start stops what has started.
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
      // The IPC channel to `payrail start` closes when it ends, whether it stopped cleanly or was killed.
      if (process.send) process.on('disconnect', () => void stop());
      const config = loadConfig();
      try {
        platform = await openPlatform(config, { log: progress, checkEncryptionKey: true });
        if (stopping) return;
        worker = await startWebhookWorker(platform.deps, platform.databaseUrl, config.webhooks);
        if (options.sweeps && !stopping) sweeps = await startSweepRunner(platform.deps, platform.databaseUrl, sweepsOf(config), progress);
      } catch (error) {
        // A start that fails half-way stops what it started, the embedded database included.
        await worker?.stop().catch(() => undefined);
        await platform?.close().catch(() => undefined);
        throw error;
      }
      if (stopping) return;
      // Said once the signal handlers are in place: whoever waits for this line may stop the worker at once.
      progress(options.sweeps ? 'webhook delivery worker and sweeps running' : 'webhook delivery worker running');
      process.send?.({ type: 'payrail-worker-ready' });
    });
}
