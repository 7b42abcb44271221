/**
 * `npm run bench:ledger`: how many balanced ledger entries per second PostgreSQL commits, and how fast the sealer and
 * the verifier go through them, on one fresh database with the production durability setting (synchronous_commit on).
 *
 * 1. single: N concurrent clients, each transaction one capture movement (a 3-posting entry: provider receivable,
 *    merchant pending, platform fee, plus its balance transaction) written by `writeMovement` as one statement, the
 *    way the payment path writes it (one statement is one transaction).
 * 2. batched: the same clients, each transaction 100 such movements in one statement.
 * 3. sealer: `sealAll` over everything written (hash chains and sealed balances), entries sealed per second.
 * 4. verify: `verifyLedgerSnapshot` over the whole ledger, entries verified per second (it must report OK).
 *
 * Entries spread over BENCH_LEDGER_ACCOUNTS merchant ledgers (default 64). Settings: BENCH_SECONDS (default 15),
 * BENCH_LEDGER_CLIENTS (default 8). Uses DATABASE_URL's server (in a fresh database) when set, otherwise starts an
 * embedded PostgreSQL in a temporary folder and removes it afterwards.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newId } from '../src/platform/ids.ts';
import { captureMovement, type Movement } from '../src/ledger/movements.ts';
import { sealAll } from '../src/ledger/sealer.ts';
import { writeMovement } from '../src/ledger/service.ts';
import type { ChargeSettlement } from '../src/ledger/settlement.ts';
import { verifyLedgerSnapshot } from '../src/ledger/verify.ts';
import { createPool, ensureDatabase, migrate, type Database } from '../src/platform/db.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/platform/embedded-postgres.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const clients = Number(process.env.BENCH_LEDGER_CLIENTS ?? 8);
const accounts = Number(process.env.BENCH_LEDGER_ACCOUNTS ?? 64);
/** Movements per transaction in the batched measurement. */
const batchSize = 100;
const warmupSeconds = 2;
const postingsPerEntry = 3;

const accountIds = Array.from({ length: accounts }, (_, index) => `acct_bench${String(index).padStart(4, '0')}`);

/** A card capture of a random amount in usd, fee 2.9% + 30 cents, no conversion: three postings. */
function movement(): Movement {
  const accountId = accountIds[Math.floor(Math.random() * accountIds.length)];
  const amount = 500 + Math.floor(Math.random() * 100_000);
  const fee = Math.round(amount * 0.029) + 30;
  const now = Math.floor(Date.now() / 1000);
  const settlement: ChargeSettlement = {
    currency: 'usd', amount, settlementCurrency: 'usd', settlementAmount: amount, exchangeRate: null, fee,
    feeDetails: [{ amount: fee, application: null, currency: 'usd', description: 'Payrail processing fees', type: 'stripe_fee' }], availableOn: now + 2 * 86_400,
  };
  const result = captureMovement({ accountId, livemode: false }, { id: newId('ch'), amount, currency: 'usd', description: null }, settlement, null, now);
  if (result.entries[0].postings.length !== postingsPerEntry) throw new Error('a capture movement has three postings');
  return result;
}

function batch(size: number): Movement {
  const movements = Array.from({ length: size }, movement);
  return { entries: movements.flatMap((part) => part.entries), balanceTransactions: movements.flatMap((part) => part.balanceTransactions) };
}

interface Measured {
  entries: number;
  transactions: number;
  seconds: number;
  latencies: number[];
}

/** `clients` loops writing `perTransaction` movements per statement until the deadline. */
async function drive(pool: Database, perTransaction: number, durationSeconds: number): Promise<Measured> {
  const deadline = performance.now() + durationSeconds * 1000;
  const started = performance.now();
  let entries = 0;
  let transactions = 0;
  const latencies: number[] = [];
  await Promise.all(Array.from({ length: clients }, async () => {
    const client = await pool.connect();
    try {
      while (performance.now() < deadline) {
        const work = perTransaction === 1 ? movement() : batch(perTransaction);
        const begun = performance.now();
        // One statement: its own transaction, committed (and flushed to the WAL) before it returns.
        await writeMovement(client, work);
        latencies.push(performance.now() - begun);
        entries += work.entries!.length;
        transactions += 1;
      }
    } finally {
      client.release();
    }
  }));
  return { entries, transactions, seconds: (performance.now() - started) / 1000, latencies };
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

async function freshDatabase(): Promise<{ url: string; embedded?: EmbeddedDatabase; directory?: string }> {
  const name = `payrail_bench_ledger_${Date.now()}`;
  if (process.env.DATABASE_URL) return { url: await ensureDatabase(process.env.DATABASE_URL, name) };
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-bench-ledger-'));
  fs.chmodSync(directory, 0o755);
  // Production durability: every commit waits for its WAL flush (synchronous_commit on, fsync on).
  const embedded = await startEmbeddedPostgres({
    clusterDirectory: path.join(directory, 'postgres'),
    password: randomBytes(16).toString('hex'),
    settings: { synchronous_commit: 'on', fsync: 'on' },
  });
  return { url: await ensureDatabase(embedded.url, name), embedded, directory };
}

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join('  ');
}

async function main(): Promise<void> {
  const database = await freshDatabase();
  const pool = createPool(database.url, clients + 2);
  try {
    await migrate(pool);
    const settings = await pool.query<{ version: string; synchronous_commit: string; fsync: string }>(
      "SELECT version(), current_setting('synchronous_commit') AS synchronous_commit, current_setting('fsync') AS fsync",
    );
    const server = settings.rows[0];
    console.log(`fresh database on ${database.embedded ? 'embedded PostgreSQL' : "DATABASE_URL's server"}: ${server.version.split(',')[0]}, synchronous_commit=${server.synchronous_commit}, fsync=${server.fsync}`);

    console.log(`warming up for ${warmupSeconds} s ...`);
    await drive(pool, 1, warmupSeconds);
    console.log(`single: ${clients} clients, one 3-posting entry per transaction, for ${seconds} s ...`);
    const single = await drive(pool, 1, seconds);
    console.log(`batched: ${clients} clients, ${batchSize} entries per transaction, for ${seconds} s ...`);
    const batched = await drive(pool, batchSize, seconds);

    const written = (await pool.query<{ count: number }>('SELECT count(*)::bigint AS count FROM ledger_entries')).rows[0].count;
    console.log(`sealing ${written} entries ...`);
    let begun = performance.now();
    const sealed = await sealAll(pool);
    const sealSeconds = (performance.now() - begun) / 1000;
    if (sealed !== written) throw new Error(`sealed ${sealed} of ${written} entries`);

    console.log(`verifying ${written} entries ...`);
    begun = performance.now();
    const report = await verifyLedgerSnapshot(pool);
    const verifySeconds = (performance.now() - begun) / 1000;
    if (!report.ok) throw new Error(`the ledger does not verify:\n${report.problems.join('\n')}`);

    const widths = [28, 12, 14, 14, 18];
    const lines = [
      '',
      row(['measurement', 'entries', 'entries/s', 'postings/s', 'tx/s (p50/p99 ms)'], widths),
      row([`single (${clients} clients)`, String(single.entries), (single.entries / single.seconds).toFixed(0), (single.entries * postingsPerEntry / single.seconds).toFixed(0),
        `${(single.transactions / single.seconds).toFixed(0)} (${percentile(single.latencies, 0.5).toFixed(1)}/${percentile(single.latencies, 0.99).toFixed(1)})`], widths),
      row([`batched x${batchSize} (${clients} clients)`, String(batched.entries), (batched.entries / batched.seconds).toFixed(0), (batched.entries * postingsPerEntry / batched.seconds).toFixed(0),
        `${(batched.transactions / batched.seconds).toFixed(0)} (${percentile(batched.latencies, 0.5).toFixed(1)}/${percentile(batched.latencies, 0.99).toFixed(1)})`], widths),
      row(['sealer (sealAll)', String(sealed), (sealed / sealSeconds).toFixed(0), (sealed * postingsPerEntry / sealSeconds).toFixed(0), `${sealSeconds.toFixed(1)} s total`], widths),
      row(['verify (snapshot)', String(report.entries), (report.entries / verifySeconds).toFixed(0), (report.postings / verifySeconds).toFixed(0), `${verifySeconds.toFixed(1)} s total`], widths),
      '',
      `each entry also writes its balance transaction; ${accounts} merchant ledgers; verify: ${report.ok ? 'OK' : 'FAILED'} (${report.chains} chains, ${report.balanceTransactions} balance transactions)`,
      `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${seconds} s per write measurement`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await pool.end();
    await database.embedded?.stop();
    if (database.directory) fs.rmSync(database.directory, { recursive: true, force: true });
  }
}

await main();
