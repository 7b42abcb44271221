import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `payrail` CLI of this installation: the child runs `payrail worker` from the same code as its parent. */
const payrailCli = fileURLToPath(new URL('../../bin/payrail.mjs', import.meta.url));
/** The first restart after a crash comes after this long; each crash in a row doubles it. */
const restartDelayFirstMs = 500;
/** Restart delays stop growing here. */
const restartDelayMaxMs = 30_000;
/** A child that ran at least this long before it crashed was healthy: the next crash starts the backoff afresh. */
const healthyRunMs = 60_000;
/** How long a child may take to start (migrations, connecting) before the start counts as failed. */
const startTimeoutMs = 60_000;
/** Time a stopping child gets beyond the webhook timeout (its deliveries in flight finish first) before SIGKILL. */
const stopMarginMs = 10_000;

/** The message a `payrail worker` child sends its parent over the IPC channel once it delivers. */
export interface WorkerReadyMessage {
  type: 'payrail-worker-ready';
}

export interface WorkerProcess {
  /** The process id of the child running now (undefined between a crash and its restart). */
  pid(): number | undefined;
  /** How many times the child was restarted after it crashed. */
  restarts(): number;
  /** Stops the child (SIGTERM: deliveries in flight finish) and waits for it; it is not restarted again. */
  stop(): Promise<void>;
}

export interface WorkerProcessOptions {
  /** The database the child works on (the parent's: for an embedded database, the server the parent runs). */
  databaseUrl: string;
  /** The webhook timeout: a stopping child is waited for this long (plus a margin) before it is killed. */
  timeoutMs: number;
  log: (line: string) => void;
}

/**
 * Runs the webhook delivery worker as a `payrail worker --no-sweeps` child process, so that deliveries never take the
 * API's CPU (under load they got little of it, and took some from the API).
 *
 * The child is tied to its parent by an IPC channel: it stops when the channel closes, which happens however the
 * parent ends (a signal, a crash, SIGKILL), so a child never outlives its parent for long. The parent restarts a child
 * that exits on its own (a crash, an out-of-memory kill) after a delay that doubles with each crash in a row, and
 * logs each exit and restart. The first start must succeed: a worker that cannot start at all (a wrong encryption key,
 * say) fails `payrail start` with its reason instead of crashing in a loop behind a running API.
 */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let crashesInARow = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const launch = (): Promise<ChildProcess> => new Promise<ChildProcess>((resolve, reject) => {
    const started = spawn(process.execPath, [payrailCli, 'worker', '--no-sweeps'], {
      env: { ...process.env, DATABASE_URL: options.databaseUrl },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const startedAt = Date.now();
    let ready = false;
    const timer = setTimeout(() => {
      started.kill('SIGKILL');
      reject(new Error(`the webhook delivery worker did not start within ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    started.on('message', (message: unknown) => {
      if ((message as WorkerReadyMessage | undefined)?.type !== 'payrail-worker-ready' || ready) return;
      ready = true;
      clearTimeout(timer);
      resolve(started);
    });
    started.on('error', (error) => {
      clearTimeout(timer);
      if (!ready) reject(error);
    });
    started.on('exit', (code, signal) => {
      clearTimeout(timer);
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (!ready) {
        reject(new Error(`the webhook delivery worker exited with ${how} before it was ready`));
        return;
      }
      if (child === started) child = undefined;
      if (stopping) return;
      crashesInARow = Date.now() - startedAt >= healthyRunMs ? 1 : crashesInARow + 1;
      const delay = Math.min(restartDelayMaxMs, restartDelayFirstMs * 2 ** (crashesInARow - 1));
      options.log(`webhook delivery worker (pid ${started.pid}) exited with ${how}; restarting it in ${delay} ms`);
      restartTimer = setTimeout(restart, delay);
    });
  });

  const restart = (): void => {
    restartTimer = undefined;
    if (stopping) return;
    launch().then(
      (started) => {
        if (stopping) {
          started.kill('SIGTERM');
          return;
        }
        child = started;
        restarts += 1;
        options.log(`webhook delivery worker restarted (pid ${started.pid})`);
      },
      (error: Error) => {
        // A restart that fails is tried again, later each time.
        crashesInARow += 1;
        const delay = Math.min(restartDelayMaxMs, restartDelayFirstMs * 2 ** (crashesInARow - 1));
        options.log(`webhook delivery worker restart failed: ${error.message}; trying again in ${delay} ms`);
        if (!stopping) restartTimer = setTimeout(restart, delay);
      },
    );
  };

  child = await launch();
  options.log(`webhook delivery worker running (pid ${child.pid})`);
  return {
    pid: () => child?.pid,
    restarts: () => restarts,
    stop: async () => {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM');
      const killTimer = setTimeout(() => running.kill('SIGKILL'), options.timeoutMs + stopMarginMs);
      await exited;
      clearTimeout(killTimer);
    },
  };
}
