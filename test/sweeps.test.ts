import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import { payrailCli, startPlatform, stopPlatform, type PlatformProcess } from './helpers/platform-process.ts';
import { createTestDatabase } from './helpers/server.ts';
import { until } from './helpers/until.ts';

/**
 * The background sweeps (janitor, pending refunds, idempotency key purge, Checkout Sessions, ledger jobs) are graphile-worker jobs: with
 * two `payrail start` processes on one database each sweep runs once per period in total, not once per process.
 *
 * No assertion on speed: a run schedules its successor a period after its own start (database time), so between two
 * readings of a sweep's row, the runs counted are at most the time between their starts divided by the period,
 * however loaded the machine. Two processes each running their own timer would count about twice that.
 */
const periodMs = 400;
const sweepNames = ['janitor', 'pending_refunds', 'idempotency_keys', 'checkout_sessions', 'connect_accounts', 'connect_reserves', 'disputes', 'ledger'];

interface SweepRow { name: string; runs: number; failures: number; started_ms: number; finished: boolean }

describe('sweeps run once per period across processes', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const folders: string[] = [];
  const running: PlatformProcess[] = [];
  const encryptionKey = randomBytes(32).toString('base64');
  const environment = async (extra: Record<string, string> = {}) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-sweeps-'));
    folders.push(folder);
    return {
      ...process.env,
      DATABASE_URL: database.url,
      PORT: String(await findFreePort()),
      PAYRAIL_DATA_DIR: folder,
      PAYRAIL_ENCRYPTION_KEY: encryptionKey,
      PAYRAIL_WEBHOOK_WORKER: '0',
      PAYRAIL_MAINTENANCE_INTERVAL_MS: String(periodMs),
      PAYRAIL_LEDGER_INTERVAL_MS: String(periodMs),
      ...extra,
    };
  };
  const readSweeps = async (): Promise<Map<string, SweepRow>> => {
    const rows = await database.db.query<SweepRow>(
      `SELECT name, runs::int, failures::int, (extract(epoch FROM last_started_at) * 1000)::float8 AS started_ms,
              last_finished_at IS NOT NULL AS finished
         FROM sweeps`,
    );
    return new Map(rows.rows.map((row) => [row.name, row]));
  };
  /** Waits (bounded, generously) until every sweep has run `more` times since `since`, and returns the new reading. */
  const afterRuns = async (since: Map<string, SweepRow> | undefined, more: number) =>
    until(`${more} more runs of every sweep`, async () => {
      const now = await readSweeps();
      return sweepNames.every((name) => (now.get(name)?.runs ?? 0) >= (since?.get(name)?.runs ?? 0) + more) ? now : undefined;
    }, 120_000);
  /** Between two readings, each sweep ran at most once per period of the time between the starts they show. */
  const assertOncePerPeriod = (first: Map<string, SweepRow>, second: Map<string, SweepRow>) => {
    for (const name of sweepNames) {
      const [a, b] = [first.get(name)!, second.get(name)!];
      const runs = b.runs - a.runs;
      assert.ok(runs > 0, `${name} ran`);
      assert.ok(runs * periodMs <= b.started_ms - a.started_ms,
        `${name}: ${runs} runs in ${(b.started_ms - a.started_ms).toFixed(1)} ms, more than one per ${periodMs} ms period`);
      assert.equal(b.failures, 0, `${name} never failed`);
      assert.ok(b.finished, `${name} finished a run`);
    }
  };

  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    for (const started of running) if (started.child.exitCode === null) await stopPlatform(started);
    await database.drop();
    for (const made of folders) fs.rmSync(made, { recursive: true, force: true });
  });

  it('runs each sweep once per period with two processes, and on with one when the other stops', async () => {
    const first = await startPlatform(await environment());
    running.push(first);
    await afterRuns(undefined, 2); // the first process runs every sweep

    const second = await startPlatform(await environment());
    running.push(second);
    const bothRunning = await readSweeps();
    const later = await afterRuns(bothRunning, 6);
    assertOncePerPeriod(bothRunning, later);

    // The first process stops: the second one (whose runner was there all along) carries on alone.
    assert.equal(await stopPlatform(first), 0);
    const secondAlone = await readSweeps();
    assertOncePerPeriod(secondAlone, await afterRuns(secondAlone, 3));
    assert.equal(await stopPlatform(second), 0);

    // With every process stopped, each sweep still has exactly one job waiting (graphile-worker's own bookkeeping),
    // due about a period after its last start: the next process to start picks the schedule up where it was.
    const jobs = await database.db.query<{ key: string; n: number; locked: number }>(
      `SELECT key, count(*)::int AS n, count(locked_at)::int AS locked FROM graphile_worker.jobs
        WHERE task_identifier LIKE 'sweep\\_%' GROUP BY key ORDER BY key`,
    );
    assert.deepEqual(jobs.rows, sweepNames.map((name) => `sweep_${name}`).sort().map((key) => ({ key, n: 1, locked: 0 })));
  });

  it('leaves the sweeps to `payrail worker` when `payrail start` is told not to run them', async () => {
    const sweepJobs = async () => Number((await database.db.query(`SELECT count(*) AS n FROM graphile_worker.jobs WHERE task_identifier LIKE 'sweep\\_%'`)).rows[0].n);
    await database.db.query('DELETE FROM sweeps');
    await database.db.query(`SELECT graphile_worker.remove_job(key) FROM graphile_worker.jobs WHERE task_identifier LIKE 'sweep\\_%'`);
    assert.equal(await sweepJobs(), 0);

    // A process adds its sweeps' jobs before it prints its banner: with PAYRAIL_SWEEPS=0 there are none.
    const api = await startPlatform(await environment({ PAYRAIL_SWEEPS: '0' }));
    running.push(api);
    assert.equal(await sweepJobs(), 0, 'payrail start with PAYRAIL_SWEEPS=0 schedules no sweep');

    const runWorker = async (work: () => Promise<void>) => {
      const worker = spawn(process.execPath, [payrailCli, 'worker'], { env: await environment(), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      worker.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      worker.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
      try {
        await until('payrail worker to start', () => (output.includes('sweeps running') ? true : worker.exitCode !== null ? Promise.reject(new Error(output)) : undefined), 60_000);
        await work();
      } finally {
        worker.kill('SIGTERM');
      }
      assert.equal(await exited, 0, output);
    };
    await runWorker(async () => {
      const first = await afterRuns(undefined, 2);
      assertOncePerPeriod(first, await afterRuns(first, 3));
    });

    // Jobs left due an hour from now (as a process with an hour's period would leave them) are brought forward to
    // one period by the next process to start, not waited for.
    await database.db.query(`UPDATE graphile_worker._private_jobs SET run_at = now() + interval '1 hour' WHERE key LIKE 'sweep\\_%'`);
    const before = await readSweeps();
    await runWorker(async () => {
      await afterRuns(before, 1);
    });
    assert.equal(await stopPlatform(api), 0);
  });
});
