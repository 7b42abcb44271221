/**
 * `npm run bench:search`: the query plans and timings of representative searches (docs/search.md) over a seeded
 * database, to show which indexes the search statements use. It prints EXPLAIN ANALYZE of the exact statement the
 * API runs (src/search/repository.ts matchesStatement) for one account among many.
 *
 * Settings: BENCH_SEARCH_ROWS (default 200000) customers, PaymentIntents and charges each, spread over
 * BENCH_SEARCH_ACCOUNTS (default 50) accounts. Uses DATABASE_URL's server (in a fresh database) when set, otherwise
 * starts an embedded PostgreSQL in a temporary folder and removes it afterwards.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPool, ensureDatabase, migrate } from '../src/platform/db.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/platform/embedded-postgres.ts';
import type { SearchResource } from '../src/search/fields.ts';
import { parseQuery } from '../src/search/query-parser.ts';
import { matchesStatement } from '../src/search/repository.ts';
import { resolveQuery } from '../src/search/resolve.ts';

const rows = Number(process.env.BENCH_SEARCH_ROWS ?? 200_000);
const accounts = Number(process.env.BENCH_SEARCH_ACCOUNTS ?? 50);
const scope = { accountId: 'acct_bench7', livemode: false };

const searches: [SearchResource, string][] = [
  ['customer', 'email:"user707@example7.com"'],
  ['customer', 'email~"user70"'],
  ['customer', 'name~"name 70"'],
  ['customer', 'metadata["order"]:"707"'],
  ['customer', 'created>1700100000 created<1700100500'],
  ['payment_intent', 'status:"succeeded" amount>5000'],
  ['payment_intent', 'customer:"cus_b707"'],
  ['payment_intent', 'metadata["order"]:"707"'],
  ['charge', 'payment_method_details.card.last4:"4242" refunded:false'],
  ['charge', 'metadata["order"]:"707"'],
];

async function freshDatabase(): Promise<{ url: string; embedded?: EmbeddedDatabase; directory?: string }> {
  const name = `payrail_bench_search_${Date.now()}`;
  if (process.env.DATABASE_URL) return { url: await ensureDatabase(process.env.DATABASE_URL, name) };
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-bench-search-'));
  fs.chmodSync(directory, 0o755);
  const embedded = await startEmbeddedPostgres({ clusterDirectory: path.join(directory, 'postgres'), password: randomBytes(16).toString('hex'), settings: { fsync: 'off' } });
  return { url: await ensureDatabase(embedded.url, name), embedded, directory };
}

async function main(): Promise<void> {
  const database = await freshDatabase();
  const pool = createPool(database.url, 2);
  try {
    await migrate(pool);
    const started = Date.now();
    // Account acct_bench<g % accounts>; every tenth row in live mode; metadata order = g % 997 (so a value is spread over the accounts).
    await pool.query(
      `INSERT INTO customers (id, account_id, livemode, email, name, phone, metadata, created)
       SELECT 'cus_b' || g, 'acct_bench' || (g % $2), g % 10 = 0, 'user' || g || '@example' || (g % 10) || '.com', 'Name ' || g, '+1555' || g,
              jsonb_build_object('order', (g % 997)::text), 1700000000 + g
       FROM generate_series(1, $1) g`,
      [rows, accounts],
    );
    await pool.query(
      `INSERT INTO payment_intents (id, account_id, livemode, amount, currency, status, capture_method, confirmation_method, customer_id,
         payment_method_types, client_secret, metadata, created)
       SELECT 'pi_b' || g, 'acct_bench' || (g % $2), g % 10 = 0, 100 + (g % 10000), 'usd', (ARRAY['succeeded', 'requires_payment_method', 'canceled'])[1 + g % 3],
              'automatic', 'automatic', 'cus_b' || (g % 5000), ARRAY['card'], 'pi_b' || g || '_secret', jsonb_build_object('order', (g % 997)::text), 1700000000 + g
       FROM generate_series(1, $1) g`,
      [rows, accounts],
    );
    await pool.query(
      `INSERT INTO charges (id, account_id, livemode, payment_intent_id, payment_method_id, customer_id, amount, amount_captured, currency, status,
         captured, payment_method_details, metadata, created)
       SELECT 'ch_b' || g, 'acct_bench' || (g % $2), g % 10 = 0, 'pi_b' || g, 'pm_b' || g, 'cus_b' || (g % 5000), 100 + (g % 10000), 100 + (g % 10000), 'usd', 'succeeded',
              true, jsonb_build_object('card', jsonb_build_object('last4', (ARRAY['4242', '4444', '0005'])[1 + g % 3], 'brand', 'visa', 'exp_month', 1 + g % 12, 'exp_year', 2030)),
              jsonb_build_object('order', (g % 997)::text), 1700000000 + g
       FROM generate_series(1, $1) g`,
      [rows, accounts],
    );
    // VACUUM also moves GIN pending-list entries into the index proper, as autovacuum would have by then.
    for (const table of ['customers', 'payment_intents', 'charges']) await pool.query(`VACUUM ANALYZE ${table}`);
    console.log(`seeded ${rows} customers, PaymentIntents and charges over ${accounts} accounts in ${((Date.now() - started) / 1000).toFixed(1)} s; searching ${scope.accountId} (test mode)\n`);
    for (const [resource, query] of searches) {
      const statement = matchesStatement(scope, resolveQuery(resource, parseQuery(query)), { limit: 10 });
      const plan = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${statement.text}`, statement.values);
      console.log(`${resource} search ${query}`);
      for (const line of plan.rows) console.log(`  ${line['QUERY PLAN']}`);
      console.log('');
    }
    console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);
  } finally {
    await pool.end();
    await database.embedded?.stop();
    if (database.directory) fs.rmSync(database.directory, { recursive: true, force: true });
  }
}

await main();
