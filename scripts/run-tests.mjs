#!/usr/bin/env node
// Runs the whole test suite: starts one embedded PostgreSQL (unless DATABASE_URL points at a server), then runs
// every *.test.ts with Node's test runner. Each test file creates its own database on that server, so files run
// in parallel without sharing state.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function findTests(directory) {
  const found = [];
  if (!fs.existsSync(directory)) return found;
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) found.push(...findTests(full));
    else if (entry.name.endsWith('.test.ts')) found.push(full);
  }
  return found;
}

const filters = process.argv.slice(2);
let files = [...findTests(path.join(root, 'src')), ...findTests(path.join(root, 'test'))].sort();
// Filters match the path inside the project (test/refunds.test.ts), not where the project happens to be checked out.
if (filters.length > 0) files = files.filter((file) => filters.some((filter) => path.relative(root, file).includes(filter)));

let embedded;
let temporaryDirectory;
let serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  const { startEmbeddedPostgres } = await import('../src/platform/embedded-postgres.ts');
  temporaryDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-test-'));
  fs.chmodSync(temporaryDirectory, 0o755);
  const started = Date.now();
  embedded = await startEmbeddedPostgres({
    clusterDirectory: path.join(temporaryDirectory, 'postgres'),
    password: randomBytes(16).toString('hex'),
    // Test databases are thrown away: skipping fsync keeps the suite fast without changing behaviour under test.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '400' },
  });
  serverUrl = embedded.url;
  console.log(`# embedded PostgreSQL for tests ready in ${Date.now() - started} ms`);
}

const concurrency = process.env.PAYRAIL_TEST_CONCURRENCY ?? '3';
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PAYRAIL_TEST_SERVER_URL: serverUrl },
});
const code = await new Promise((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
if (embedded) await embedded.stop();
if (temporaryDirectory) fs.rmSync(temporaryDirectory, { recursive: true, force: true });
process.exit(code);
