import { Logger, run, type Runner } from 'graphile-worker';
import type { Dependencies } from '../dependencies.ts';
import { createPool, quietLogger } from '../platform/db.ts';
import { WebhookDeliverer } from './delivery.ts';
import { forceUnlockWorkers, workersWithStaleDeliveries } from './delivery-repository.ts';
import { EndpointClients } from './endpoint-clients.ts';
import type { WebhookSettings } from './settings.ts';

/** How often (at most) the worker looks for delivery jobs left locked by a worker that died. */
export const lockRecoveryIntervalMs = 15_000;
/**
 * Connections of the worker's pool. Jobs do not hold a connection each: loads and successes go in batches (two of each
 * at a time), graphile-worker fetches and completes jobs in batches, and failures, which take a transaction each,
 * wait for a connection beyond these.
 */
const poolSize = 12;
/**
 * Jobs fetched (and locked) in one statement by graphile-worker's local queue: several times the job loops, since a
 * fetch costs the database about as much for 500 jobs as for 100 (it walks the jobs index past the many jobs just
 * locked or completed), and at thousands of deliveries per second 500 jobs wait a fraction of a second.
 */
const localQueueSizeMax = 500;
/** Local queue size per job loop (up to `localQueueSizeMax`). */
const localQueueJobsPerLoop = 8;
/** How long a fetched job may wait in the local queue before it is given back, at most (graphile-worker's default). */
const localQueueTtlMaxMs = 300_000;

/**
 * The job queue's log, less its warning that the pool is smaller than the concurrency: jobs here do not hold a
 * connection each (see `poolSize`), so the warning would only mislead.
 */
const workerLogger = new Logger((scope) => {
  const log = quietLogger.scope(scope);
  return (level, message) => {
    if (level === 'warning' && message.includes('maxPoolSize')) return;
    if (level === 'error') log.error(message);
    else if (level === 'warning') log.warn(message);
  };
});

export interface WebhookWorker {
  stop(): Promise<void>;
  /** Releases delivery jobs locked longer than `lockRecoverySeconds` (their worker died); returns how many workers. */
  recoverLocks(): Promise<number>;
}

/**
 * Runs webhook delivery jobs with graphile-worker: LISTEN/NOTIFY wake-ups, and jobs fetched in batches by its local
 * queue (one statement locks up to `localQueue.size` due jobs) for `concurrency` job loops; completions are batched
 * too. Each endpoint gets at most `connectionsPerEndpoint` requests at once, over kept-alive connections.
 *
 * A worker killed mid-delivery (or with jobs fetched and not yet run) leaves those jobs locked; graphile-worker itself
 * would wait 4 hours, so the worker releases jobs locked longer than any delivery can take (`lockRecoverySeconds`),
 * and they run again. A living worker never holds a job that long: jobs wait in its local queue for at most half of
 * that before they are given back. Deliveries are at-least-once: a receiver may see an event twice, never zero times.
 */
export async function startWebhookWorker(deps: Dependencies, connectionString: string, settings: WebhookSettings): Promise<WebhookWorker> {
  const pool = createPool(connectionString, poolSize);
  const recoverLocks = async (): Promise<number> => {
    const workers = await workersWithStaleDeliveries(pool, settings.lockRecoverySeconds);
    if (workers.length > 0) await forceUnlockWorkers(pool, workers);
    return workers.length;
  };
  await recoverLocks();
  // Deliveries query through the worker's own pool, not the API's: under API load the API pool's queue is long.
  const clients = new EndpointClients(settings.connectionsPerEndpoint);
  const deliverer = new WebhookDeliverer({ ...deps, db: pool }, settings, clients);
  const runner: Runner = await run({
    pgPool: pool,
    concurrency: settings.concurrency,
    noHandleSignals: true,
    pollInterval: 1_000,
    logger: workerLogger,
    preset: {
      worker: {
        // Enough jobs per fetch that every job loop has one and the next are ready as they finish, so one statement
        // feeds many deliveries.
        localQueue: { size: Math.min(localQueueSizeMax, settings.concurrency * localQueueJobsPerLoop), ttl: Math.min(localQueueTtlMaxMs, settings.lockRecoverySeconds * 500) },
        // Without batching (graphile-worker's default, -1) a finished job's completion is sent without being awaited, so
        // stop() can end before it lands (or after the pool closed), leaving the job locked until lock recovery. With a
        // batcher, stop() flushes and awaits every pending completion/failure; 5 ms gathers the jobs finishing together.
        completeJobBatchDelay: 5,
        failJobBatchDelay: 5,
      },
    },
    taskList: {
      webhook_delivery: async (payload) => {
        await deliverer.deliver((payload as { delivery: string }).delivery);
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
      await runner.stop(); // lets the deliveries in flight finish and record; gives jobs still in the local queue back
      await deliverer.drained();
      await clients.close();
      await pool.end();
    },
  };
}
