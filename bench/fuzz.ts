/**
 * `npm run bench:fuzz`: the hostile-input fuzzer of test/fuzz.test.ts (test/helpers/fuzz.ts), at length, against a
 * real `payrail start` process (its own HTTP server options, on a fresh embedded database in a temporary folder, or
 * on DATABASE_URL's server in a fresh database).
 *
 * Prints the count of answers by status and of requests by kind, every finding grouped by kind (5xx, connection
 * errors, errors not in Stripe's envelope or without Request-Id, echoed card numbers), and how many error lines the
 * server logged. Exits 1 when there was any finding, so it can gate a release.
 *
 * Settings (environment or `--requests=N --seed=N --concurrency=N`): FUZZ_REQUESTS (default 50000), FUZZ_SEED
 * (default random, printed), FUZZ_CONCURRENCY (default 8).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDatabase } from '../src/platform/db.ts';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import { runFuzz, summarizeFindings } from '../test/helpers/fuzz.ts';
import { startPayrail } from './load.ts';

function setting(name: string, environment: string, fallback: number): number {
  const argument = process.argv.find((value) => value.startsWith(`--${name}=`));
  const raw = argument ? argument.slice(name.length + 3) : process.env[environment];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got ${raw}`);
  return value;
}

const requests = setting('requests', 'FUZZ_REQUESTS', 50_000);
const seed = setting('seed', 'FUZZ_SEED', Math.floor(Math.random() * 2 ** 31));
const concurrency = setting('concurrency', 'FUZZ_CONCURRENCY', 8);

async function main(): Promise<void> {
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-fuzz-'));
  fs.chmodSync(dataDirectory, 0o755);
  let databaseUrl: string | undefined;
  if (process.env.DATABASE_URL) databaseUrl = await ensureDatabase(process.env.DATABASE_URL, `payrail_fuzz_${Date.now()}`);
  const port = await findFreePort();
  console.log(`starting Payrail on a fresh database (${databaseUrl ? 'DATABASE_URL server' : 'embedded PostgreSQL'}) ...`);
  const platform = await startPayrail(dataDirectory, port, databaseUrl);
  let failed = false;
  try {
    console.log(`fuzzing: ${requests} requests, seed ${seed}, ${concurrency} connections (replay: npm run bench:fuzz -- --seed=${seed} --requests=${requests} --concurrency=1)`);
    const started = performance.now();
    const report = await runFuzz(
      { baseUrl: `http://127.0.0.1:${port}`, secretKey: platform.secretKey, publishableKey: platform.publishableKey },
      { seed, requests, concurrency, progressEvery: 5000, onProgress: (done) => console.log(`  ${done} requests ...`) },
    );
    const seconds = (performance.now() - started) / 1000;
    const errorLines = platform.output().split('\n').filter((line) => line.includes('"level":"error"'));
    const byStatus = Object.entries(report.byStatus).sort(([a], [b]) => a.localeCompare(b)).map(([status, count]) => `${status}: ${count}`).join(', ');
    const byKind = Object.entries(report.byKind).sort(([a], [b]) => a.localeCompare(b)).map(([kind, count]) => `${kind}: ${count}`).join(', ');
    console.log([
      '',
      `requests            ${report.requests} in ${seconds.toFixed(1)} s (${(report.requests / seconds).toFixed(0)}/s), seed ${seed}`,
      `answers by status   ${byStatus}`,
      `requests by kind    ${byKind}`,
      `findings            ${report.findings.length}`,
      `server error lines  ${errorLines.length}`,
    ].join('\n'));
    if (report.findings.length > 0) console.log(summarizeFindings(report.findings, 10));
    if (errorLines.length > 0) console.log(errorLines.slice(0, 5).join('\n'));
    failed = report.findings.length > 0 || errorLines.length > 0;
  } finally {
    platform.child.kill('SIGTERM');
    await new Promise((resolve) => platform.child.on('exit', resolve));
    if (databaseUrl === undefined) fs.rmSync(dataDirectory, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

await main();
