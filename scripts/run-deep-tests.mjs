#!/usr/bin/env node
// `npm run test:deep`: the suite's randomized tests at depth, run by CI after `npm test`. `npm test` runs the same
// files at a depth that keeps the whole suite inside its time budget on a 2-core machine; this run widens them:
// more ledger sequences (plain and Connect) and more payments under connector faults. Each setting can still be
// overridden from the environment. It uses the same runner (one embedded PostgreSQL, a database per file).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Depth of each randomized test here, against `npm test`'s default (in the test files). */
const depth = {
  LEDGER_PROPERTY_RUNS: '300', // npm test: 40
  LEDGER_CONNECT_PROPERTY_RUNS: '60', // npm test: 10
  PAYRAIL_FAULT_PAYMENTS: '4000', // npm test: 500
};
const files = ['test/ledger-properties.test.ts', 'test/ledger-properties-connect.test.ts', 'test/orchestration-faults.test.ts'];

const env = { ...process.env };
for (const [name, value] of Object.entries(depth)) env[name] ??= value;
console.log(`# deep run: ${Object.keys(depth).map((name) => `${name}=${env[name]}`).join(' ')}`);
const child = spawn(process.execPath, [path.join(root, 'scripts', 'run-tests.mjs'), ...files], { cwd: root, stdio: 'inherit', env });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
