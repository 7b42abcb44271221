import { run, type Runner } from 'graphile-worker';
import type { Dependencies } from '../dependencies.ts';
import { createPool, quietLogger } from '../platform/db.ts';
import { performDelivery } from './delivery.ts';
import { forceUnlockWorkers, workersWithStaleDeliveries } from './delivery-repository.ts';
import type { WebhookSettings } from './settings.ts';

/** How often (at most) the worker looks for delivery jobs left locked by a worker that died. */
export const lockRecoveryIntervalMs = 15_000;
/** Extra connections of the worker's pool beyond one per concurrent delivery (graphile-worker's listener, recovery). */
const poolHeadroom = 3;

export interface WebhookWorker {
  stop(): Promise<void>;
  /** Releases delivery jobs locked longer than `lockRecoverySeconds` (their worker died); returns how many workers. */
  recoverLocks(): Promise<number>;
}

/**
 * Runs webhook delivery jobs with graphile-worker (LISTEN/NOTIFY wake-ups, SKIP LOCKED job claims, one named queue
 * per endpoint). A worker killed mid-delivery leaves its job locked; graphile-worker itself would wait 4 hours, so
 * the worker releases jobs locked longer than any delivery can take (the timeout plus a margin), and they run again.
 * Deliveries are at-least-once: a receiver may see an event twice, never zero times.
 */
export async function startWebhookWorker(deps: Dependencies, connectionString: string, settings: WebhookSettings): Promise<WebhookWorker> {
  const pool = createPool(connectionString, settings.concurrency + poolHeadroom);
  const recoverLocks = async (): Promise<number> => {
    const workers = await workersWithStaleDeliveries(pool, settings.lockRecoverySeconds);
    if (workers.length > 0) await forceUnlockWorkers(pool, workers);
    return workers.length;
  };
  await recoverLocks();
  // Deliveries query through the worker's own pool (sized for them), not the API's: under API load the API pool's
  // queue is long, and every delivery waiting in it would hold up its endpoint's whole queue.
  const deliveryDeps: Dependencies = { ...deps, db: pool };
  const runner: Runner = await run({
    pgPool: pool,
    concurrency: settings.concurrency,
    noHandleSignals: true,
    pollInterval: 1_000,
    logger: quietLogger,
    // Without batching (graphile-worker's default, -1) a finished job's completion is sent without being awaited, so
    // stop() can end before it lands (or after the pool closed), leaving the job and its endpoint's queue locked
    // until lock recovery. With a batcher, even of 0 ms, stop() flushes and awaits every pending completion/failure.
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: {
      webhook_delivery: async (payload) => {
        await performDelivery(deliveryDeps, settings, (payload as { delivery: string }).delivery);
      },
    },
  });
  // Look at least twice per recovery period, so a dead worker's deliveries wait little longer than the period.
  const timer = setInterval(() => void recoverLocks().catch(() => undefined), Math.min(lockRecoveryIntervalMs, settings.lockRecoverySeconds * 500));
  timer.unref();
  return {
    recoverLocks,
    stop: async () => {
      clearInterval(timer);
      await runner.stop();
      await pool.end();
    },
  };
}
