/**
 * `npm run bench`: payments per second against the database's own ceiling, measured in one run on one Postgres.
 *
 * 1. Starts the platform (`payrail start`) on a fresh embedded database in a temporary folder (or on DATABASE_URL's
 *    server, in a fresh database), with the production settings (synchronous_commit on).
 * 2. Drives create-and-confirm PaymentIntents (pm_card_visa, automatic capture) from many concurrent HTTP clients for
 *    a fixed time; prints payments/s and p50/p99 latency; then the same with a fresh Idempotency-Key per request.
 * 3. On the same Postgres, runs a plain TPC-B-like transaction (pgbench's: 3 updates, 1 select, 1 insert) from 8
 *    clients for the same time, through node-postgres and, when installed, with pgbench itself; prints
 *    transactions/s and the ratio.
 * 4. When pgbench is installed, runs Payrail's own two statements per payment with it (prepared, with the group
 *    commit's connection settings), captured from one real
 *    payment in this run (bench/ceiling-script.ts): each in its own transaction, then BENCH_CEILING_BATCH (16)
 *    payments' statements per transaction as group commit batches them. What the database alone can do for this
 *    data model, without HTTP or Node.
 *
 * Around each load it reads what a payment costs (bench/costs.ts): CPU ms in Payrail's process and in PostgreSQL's
 * (from /proc), commits, WAL bytes and rows written (the database's statistics), and statements with BENCH_STATEMENTS=1.
 * A third load runs at half of the measured peak, at a steady rate, for the latency there.
 *
 * The two closed-loop loads come from wrk when it is installed (Debian's `wrk`; bench/wrk.ts), which leaves the
 * cores to Payrail; otherwise from this process. The half-of-peak load is paced (open loop) from this process.
 *
 * Settings: BENCH_SECONDS (default 20), BENCH_CONNECTIONS (default 64), BENCH_TPCB_CLIENTS (default 8),
 * BENCH_STATEMENTS (1: load pg_stat_statements in the embedded server and count statements per payment),
 * BENCH_LOAD_GENERATOR (wrk or node).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureDatabase, hotPathConnectionSettings } from '../src/platform/db.ts';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import { postgresPidOf } from '../test/helpers/platform-process.ts';
import { describeCosts, openCostProbe } from './costs.ts';
import { drivePayments, drivePaymentsAtRate, percentile, startPayrail, type PaymentLoad } from './load.ts';
import { drivePaymentsWithWrk, hasWrk } from './wrk.ts';
import { writeCeilingScript } from './ceiling-script.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const tpcbClients = Number(process.env.BENCH_TPCB_CLIENTS ?? 8);
/** Payments per transaction in the batched ceiling script. */
const ceilingBatch = Number(process.env.BENCH_CEILING_BATCH ?? 16);
const warmupSeconds = 3;
const paymentBody = 'amount=2000&currency=usd&payment_method=pm_card_visa&confirm=true';
/** The closed-loop loads' generator: wrk when installed (it costs the box little CPU), else this process (undici). */
const generator = (process.env.BENCH_LOAD_GENERATOR ?? (hasWrk() ? 'wrk' : 'node')) === 'wrk' ? 'wrk' : 'node';

/** A closed-loop load: payments answered, errors, and latency percentiles in ms. */
async function closedLoop(load: PaymentLoad): Promise<{ count: number; errors: number; p50: number; p99: number }> {
  if (generator === 'wrk') return drivePaymentsWithWrk(load);
  const run = await drivePayments(load);
  const sorted = [...run.latencies].sort((a, b) => a - b);
  return { count: run.count, errors: run.errors, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

async function tpcb(url: string, durationSeconds: number): Promise<number> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('DROP TABLE IF EXISTS tpcb_history, tpcb_accounts, tpcb_tellers, tpcb_branches');
  await admin.query('CREATE TABLE tpcb_branches (bid int PRIMARY KEY, bbalance int, filler char(88))');
  await admin.query('CREATE TABLE tpcb_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84))');
  await admin.query('CREATE TABLE tpcb_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))');
  await admin.query('CREATE TABLE tpcb_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))');
  await admin.query('INSERT INTO tpcb_branches SELECT 1, 0');
  await admin.query('INSERT INTO tpcb_tellers SELECT t, 1, 0 FROM generate_series(1, 10) t');
  await admin.query('INSERT INTO tpcb_accounts SELECT a, 1, 0 FROM generate_series(1, 100000) a');
  await admin.query('VACUUM ANALYZE tpcb_branches, tpcb_tellers, tpcb_accounts');
  await admin.end();
  const deadline = Date.now() + durationSeconds * 1000;
  let transactions = 0;
  const client = async () => {
    const connection = new pg.Client({ connectionString: url });
    await connection.connect();
    while (Date.now() < deadline) {
      const aid = 1 + Math.floor(Math.random() * 100000);
      const tid = 1 + Math.floor(Math.random() * 10);
      const delta = Math.floor(Math.random() * 10001) - 5000;
      await connection.query('BEGIN');
      await connection.query('UPDATE tpcb_accounts SET abalance = abalance + $1 WHERE aid = $2', [delta, aid]);
      await connection.query('SELECT abalance FROM tpcb_accounts WHERE aid = $1', [aid]);
      await connection.query('UPDATE tpcb_tellers SET tbalance = tbalance + $1 WHERE tid = $2', [delta, tid]);
      await connection.query('UPDATE tpcb_branches SET bbalance = bbalance + $1 WHERE bid = 1', [delta]);
      await connection.query('INSERT INTO tpcb_history (tid, bid, aid, delta, mtime) VALUES ($1, 1, $2, $3, CURRENT_TIMESTAMP)', [tid, aid, delta]);
      await connection.query('COMMIT');
      transactions += 1;
    }
    await connection.end();
  };
  await Promise.all(Array.from({ length: tpcbClients }, client));
  return transactions / durationSeconds;
}

function hasPgbench(): boolean {
  return spawnSync('pgbench', ['--version'], { encoding: 'utf8' }).status === 0;
}

function pgbench(url: string, durationSeconds: number): number | undefined {
  if (!hasPgbench()) return undefined;
  const init = spawnSync('pgbench', ['-i', '-s', '1', '-q', url], { encoding: 'utf8' });
  if (init.status !== 0) return undefined;
  const run = spawnSync('pgbench', ['-c', String(tpcbClients), '-j', '2', '-T', String(durationSeconds), url], { encoding: 'utf8' });
  const match = /tps = ([\d.]+)/.exec(run.stdout);
  return match ? Number(match[1]) : undefined;
}

/** A pgbench script of Payrail's own statements (bench/ceiling-script.ts) driven by pgbench: script runs per second. */
function paymentCeiling(url: string, durationSeconds: number, script: string, protocol: 'prepared' | 'simple' = 'prepared'): number | undefined {
  if (!hasPgbench()) return undefined;
  // The settings of the group commit's connections: prepared statements with generic plans, as Payrail runs them.
  const run = spawnSync(
    'pgbench',
    ['-n', '-M', protocol, '-f', script, '-c', '16', '-j', '2', '-T', String(durationSeconds), url],
    { encoding: 'utf8', env: { ...process.env, PGOPTIONS: hotPathConnectionSettings } },
  );
  const match = /tps = ([\d.]+)/.exec(run.stdout);
  if (!match || /aborted|error/i.test(run.stderr)) console.log(`  pgbench ${path.basename(script)}: ${(run.stderr.split('\n').find((line) => /error/i.test(line)) ?? run.stderr).slice(0, 300)}`);
  return match ? Number(match[1]) : undefined;
}

async function main(): Promise<void> {
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-bench-'));
  fs.chmodSync(dataDirectory, 0o755);
  let databaseUrl: string | undefined;
  if (process.env.DATABASE_URL) databaseUrl = await ensureDatabase(process.env.DATABASE_URL, `payrail_bench_${Date.now()}`);
  const port = await findFreePort();
  console.log(`starting Payrail on a fresh database (${databaseUrl ? 'DATABASE_URL server' : 'embedded PostgreSQL'}) ...`);
  const { child, secretKey } = await startPayrail(dataDirectory, port, databaseUrl);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    // The database of the run: DATABASE_URL's, or the embedded server's (its port is in postmaster.pid).
    let serverUrl = databaseUrl;
    if (!serverUrl) {
      const secrets = JSON.parse(fs.readFileSync(path.join(dataDirectory, 'secrets.json'), 'utf8')) as { postgresPassword: string };
      const pidLines = fs.readFileSync(path.join(dataDirectory, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
      const socket = pidLines[4]?.trim() ? `?host=${encodeURIComponent(pidLines[4].trim())}` : '';
      // The same transport Payrail's pool uses (the Unix socket when there is one).
      serverUrl = `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${pidLines[3]}/payrail${socket}`;
    }
    // CPU is read from /proc: Payrail's process, and the embedded server's processes (a DATABASE_URL server may be
    // elsewhere, so its CPU is not counted).
    const probe = await openCostProbe(serverUrl, child.pid!, databaseUrl ? undefined : postgresPidOf(dataDirectory));
    console.log(`warming up for ${warmupSeconds} s ...`);
    await closedLoop({ baseUrl, secretKey, body: paymentBody, durationSeconds: warmupSeconds, connections });
    console.log(`create-and-confirm payments: ${connections} connections for ${seconds} s (load from ${generator}) ...`);
    const beforeRun = await probe.snapshot();
    const run = await closedLoop({ baseUrl, secretKey, body: paymentBody, durationSeconds: seconds, connections });
    const runCosts = describeCosts(beforeRun, await probe.snapshot(), run.count);
    const paymentsPerSecond = run.count / seconds;
    console.log(`the same with an Idempotency-Key on every request (as the stripe SDK sends): ${seconds} s ...`);
    // The stripe SDK sends a fresh Idempotency-Key with every POST; the second measurement does the same.
    const beforeKeyed = await probe.snapshot();
    const keyed = await closedLoop({ baseUrl, secretKey, body: paymentBody, durationSeconds: seconds, connections, idempotencyKeys: true });
    const keyedCosts = describeCosts(beforeKeyed, await probe.snapshot(), keyed.count);
    const halfRate = paymentsPerSecond / 2;
    console.log(`at half of that peak: ${halfRate.toFixed(0)} payments/s, steady, for ${seconds} s ...`);
    const beforeHalf = await probe.snapshot();
    const half = await drivePaymentsAtRate({ baseUrl, secretKey, body: paymentBody, durationSeconds: seconds, connections }, halfRate);
    const halfCosts = describeCosts(beforeHalf, await probe.snapshot(), half.count);
    const halfSorted = [...half.latencies].sort((a, b) => a - b);
    const topStatements = await probe.topStatements(10);
    await probe.close();

    console.log(`TPC-B-like transaction through node-postgres: ${tpcbClients} clients for ${seconds} s ...`);
    const tpcbPerSecond = await tpcb(serverUrl, seconds);
    console.log(`pgbench TPC-B (if pgbench is installed): ${tpcbClients} clients for ${seconds} s ...`);
    const pgbenchPerSecond = pgbench(serverUrl, seconds);
    // The database's ceiling for Payrail's own payment: its two real statements, captured now (bench/ceiling-script.ts).
    const secrets = JSON.parse(fs.readFileSync(path.join(dataDirectory, 'secrets.json'), 'utf8')) as { encryptionKey: string };
    const ceilingFile = path.join(dataDirectory, 'payment-ceiling.sql');
    const batchedCeilingFile = path.join(dataDirectory, 'payment-ceiling-batched.sql');
    await writeCeilingScript({ databaseUrl: serverUrl, secretKey, encryptionKey: Buffer.from(process.env.PAYRAIL_ENCRYPTION_KEY ?? secrets.encryptionKey, 'base64'), file: ceilingFile, batchedFile: batchedCeilingFile, batch: ceilingBatch });
    console.log(`Payrail's payment statements through pgbench (if installed), each its own transaction: 16 clients for ${seconds} s ...`);
    const ceilingPerSecond = paymentCeiling(serverUrl, seconds, ceilingFile);
    console.log(`... and ${ceilingBatch} payments merged into each statement, as the group commit merges them: 16 clients for ${seconds} s ...`);
    // The simple protocol: a merged statement names its pgbench variables more often than the extended protocol's
    // 255 parameters allow. So PostgreSQL parses and plans its literal text at every run, which Payrail's prepared
    // merged statements do not: a pessimistic figure.
    const batchedRuns = paymentCeiling(serverUrl, seconds, batchedCeilingFile, 'simple');
    const batchedCeilingPerSecond = batchedRuns === undefined ? undefined : batchedRuns * ceilingBatch;

    const summary = [
      '',
      `payments/s          ${paymentsPerSecond.toFixed(0)}  (${run.count} payments, ${run.errors} errors, ${connections} connections, ${seconds} s, load from ${generator})`,
      `latency p50 / p99   ${run.p50.toFixed(1)} ms / ${run.p99.toFixed(1)} ms`,
      ...runCosts,
      `with Idempotency-Key ${(keyed.count / seconds).toFixed(0)} payments/s (${keyed.errors} errors), p50 / p99 ${keyed.p50.toFixed(1)} ms / ${keyed.p99.toFixed(1)} ms`,
      ...keyedCosts,
      `at half of peak     ${(half.count / seconds).toFixed(0)} payments/s asked ${halfRate.toFixed(0)}/s (${half.errors} errors), p50 / p99 ${percentile(halfSorted, 0.5).toFixed(1)} ms / ${percentile(halfSorted, 0.99).toFixed(1)} ms (from when each request was due)`,
      ...halfCosts,
      `TPC-B tx/s (node)   ${tpcbPerSecond.toFixed(0)}  (${tpcbClients} clients, same Postgres, synchronous_commit on)`,
      `TPC-B tx/s pgbench  ${pgbenchPerSecond === undefined ? 'n/a (pgbench not installed)' : pgbenchPerSecond.toFixed(0)}`,
      `ratio payments/TPC-B ${(paymentsPerSecond / tpcbPerSecond).toFixed(2)} (node)${pgbenchPerSecond ? `, ${(paymentsPerSecond / pgbenchPerSecond).toFixed(2)} (pgbench)` : ''}`,
      `payment SQL only    ${ceilingPerSecond === undefined ? 'n/a (pgbench not installed)' : `${ceilingPerSecond.toFixed(0)} payments/s (Payrail's two statements, captured this run, via pgbench, 16 clients, prepared with generic plans, one transaction each; Payrail reaches ${(paymentsPerSecond / ceilingPerSecond).toFixed(2)} of it)`}`,
      `  ${ceilingBatch} merged       ${batchedCeilingPerSecond === undefined ? 'n/a' : `${batchedCeilingPerSecond.toFixed(0)} payments/s (the same statements, ${ceilingBatch} payments merged into each, as the group commit merges them)`}`,
      ...(topStatements.length > 0 ? ['statements by database time (all loads, pg_stat_statements):', ...topStatements] : []),
      `machine             ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    ];
    console.log(summary.join('\n'));
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('exit', resolve));
    if (databaseUrl === undefined) fs.rmSync(dataDirectory, { recursive: true, force: true });
  }
}

await main();
