import { run, type Task } from 'graphile-worker';
import type { Dependencies } from '../dependencies.ts';
import { createPool, quietLogger } from '../platform/db.ts';
import { recordSweepEnd, recordSweepStart } from './repository.ts';
import type { Sweep } from './sweeps.ts';

/** Connections of the runner's own pool beyond one per sweep (graphile-worker's listener, its job claims). */
const poolHeadroom = 2;
/** graphile-worker looks for due jobs at least this often (and at once when a job is added). */
const pollIntervalMaxMs = 1_000;

export interface SweepRunner {
  stop(): Promise<void>;
}

/** The graphile-worker task identifier of a sweep, which is also the job key of its one pending job. */
export function taskOf(sweep: Pick<Sweep, 'name'>): string {
  return `sweep_${sweep.name}`;
}

/**
 * Runs the sweeps as graphile-worker jobs, so that any number of Payrail processes run each sweep once per period in
 * total (with setInterval loops, N processes ran N copies).
 *
 * Each sweep is one self-rescheduling job with a job key (the key names at most one pending job per database, and
 * graphile-worker's SKIP LOCKED claim hands it to one process). A run first counts itself in `sweeps`, taking the
 * database's time as its start, then replaces its successor with one due a period after that start, then does its
 * work. Scheduling before working means a process that dies or hangs mid-sweep does not stop the schedule: another
 * process runs the successor. Consecutive runs therefore start at least a period apart, whatever the number of
 * processes: the start is counted only when the last one is a period old (`recordSweepStart`), because a process
 * starting while the sweep's job runs elsewhere adds a second job (graphile-worker moves a locked job's key to a new
 * one), and that duplicate, finding the period not over, only schedules the successor. A run that fails before its
 * successor is scheduled is retried by graphile-worker (it still holds the key); the sweep's own failures are logged
 * and counted, never retried, since the successor is already due.
 *
 * Why not graphile-worker's crontab: cron's granularity is one minute, and the periods are shorter (15 s for the
 * maintenance sweeps, 1 s for the ledger, less in tests); the job key gives the same guarantee (one pending job,
 * claimed by one runner) at any period.
 */
export async function startSweepRunner(deps: Dependencies, connectionString: string, sweeps: Sweep[], log: (line: string) => void): Promise<SweepRunner> {
  const pool = createPool(connectionString, sweeps.length + poolHeadroom);
  const taskList: Record<string, Task> = {};
  for (const sweep of sweeps) {
    const task = taskOf(sweep);
    taskList[task] = async (_payload, helpers) => {
      const start = await recordSweepStart(deps.db, sweep.name, sweep.periodMs);
      // One millisecond over the period: the database's time has microseconds, a Date only milliseconds.
      const successorAt = new Date((start.started ? start.at : start.lastStartedAt).getTime() + sweep.periodMs + 1);
      await helpers.addJob(task, {}, { jobKey: task, jobKeyMode: 'replace', runAt: successorAt });
      // Another run started less than a period ago (a duplicate job): this one only keeps the successor scheduled.
      if (!start.started) return;
      let failed = false;
      try {
        const line = await sweep.run(deps);
        if (line) log(line);
      } catch (error) {
        failed = true;
        log(`${sweep.name} sweep failed: ${(error as Error).message}`);
      }
      // The successor is scheduled: from here on nothing may throw, or graphile-worker would keep a failed job.
      await recordSweepEnd(deps.db, sweep.name, failed).catch((error: Error) => log(`${sweep.name} sweep: ${error.message}`));
    };
  }
  const runner = await run({
    pgPool: pool,
    concurrency: sweeps.length,
    noHandleSignals: true,
    pollInterval: Math.min(pollIntervalMaxMs, ...sweeps.map((sweep) => sweep.periodMs)),
    logger: quietLogger,
    taskList,
    // graphile-worker 0.17 completes a job without awaiting it unless completions are batched; batched, stopping the
    // runner waits for them. Unbatched, a run finishing as its process stops stayed locked (for 4 hours) for good.
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
  });
  try {
    // Every sweep has its job. A pending one keeps its time (preserve_run_at): a process starting does not run a
    // sweep early or push it back. The first process on a database runs each sweep at once. A job due later than a
    // period from now was scheduled with a longer period (the setting changed): it is brought forward to one period.
    for (const sweep of sweeps) {
      const job = await runner.addJob(taskOf(sweep), {}, { jobKey: taskOf(sweep), jobKeyMode: 'preserve_run_at' });
      const latest = Date.now() + sweep.periodMs;
      if (new Date(job.run_at).getTime() > latest) await runner.addJob(taskOf(sweep), {}, { jobKey: taskOf(sweep), jobKeyMode: 'replace', runAt: new Date(latest) });
    }
  } catch (error) {
    await runner.stop().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }
  return {
    stop: async () => {
      await runner.stop(); // lets sweeps in flight finish
      await pool.end();
    },
  };
}
