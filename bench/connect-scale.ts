/**
 * `npm run bench:connect`: does a platform with many connected accounts stay as fast as one with a single account?
 *
 * 1. Starts `payrail start` on a fresh embedded database (or DATABASE_URL's server) in a temporary folder, makes one
 *    connected account of the demo platform through the API and seeds 100 more (a full first page: the small platform).
 * 2. Measures, from BENCH_CONNECTIONS (default 16) keep-alive clients for BENCH_SECONDS (default 10) each:
 *    GET /v1/accounts?limit=100 (the first page, and a page from the middle), GET /v1/customers with Stripe-Account (a
 *    request acting as a connected account), and create-and-confirm payments with Stripe-Account (direct charges, spread
 *    over the accounts) and without (the platform's own).
 * 3. Seeds up to BENCH_CONNECT_ACCOUNTS (default 100,000) connected accounts of the platform in SQL (an accounts row,
 *    its settings and its connected_accounts row each, as the API makes them), ANALYZEs, and measures the same again.
 *
 * Figures are requests per second and p50 / p99 latencies, before and after, in one run: compare them only with each
 * other (the machine's load moves absolute figures).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { ensureDatabase } from '../src/platform/db.ts';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import { drivePayments, percentile, startPayrail } from './load.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const seededAccounts = Number(process.env.BENCH_CONNECT_ACCOUNTS ?? 100_000);
/** The small platform's accounts: one full page of the list. */
const basePage = 100;

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

function figuresOf(result: { count: number; errors: number; latencies: number[] }, duration: number): Figures {
  const sorted = Float64Array.from(result.latencies).sort();
  return { perSecond: Math.round(result.count / duration), p50: Number(percentile(sorted, 0.5).toFixed(1)), p99: Number(percentile(sorted, 0.99).toFixed(1)), errors: result.errors };
}

/** GETs of `pathOf()` (a new path per request) from keep-alive clients for the run's duration; a non-200 is an error. */
async function driveGets(baseUrl: string, secretKey: string, pathOf: () => { path: string; account?: string }, duration: number): Promise<Figures> {
  const pool = new Pool(baseUrl, { connections, pipelining: 1 });
  const deadline = Date.now() + duration * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const client = async () => {
    while (Date.now() < deadline) {
      const target = pathOf();
      const started = performance.now();
      const headers: Record<string, string> = { authorization: `Bearer ${secretKey}` };
      if (target.account) headers['stripe-account'] = target.account;
      const response = await pool.request({ method: 'GET', path: target.path, headers });
      await response.body.text();
      latencies.push(performance.now() - started);
      if (response.statusCode !== 200) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  await pool.close();
  return figuresOf({ count: latencies.length, errors, latencies }, duration);
}

async function post(baseUrl: string, secretKey: string, path: string, body: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/x-www-form-urlencoded' }, body });
  const json = await response.json() as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** The same row shapes as the API's account creation (src/connect/accounts.ts), for `count` accounts at once. */
async function seed(client: pg.Client, platformId: string, from: number, to: number): Promise<void> {
  const requirements = JSON.stringify({ alternatives: [], current_deadline: null, currently_due: [], disabled_reason: null, errors: [], eventually_due: [], past_due: [], pending_verification: [] });
  const capabilities = JSON.stringify({ card_payments: { requested: true, requested_at: 1_700_000_000, status: 'active' }, transfers: { requested: true, requested_at: 1_700_000_000, status: 'active' } });
  const controller = JSON.stringify({ fees: { payer: 'application' }, losses: { payments: 'application' }, requirement_collection: 'application', stripe_dashboard: { type: 'none' } });
  const profile = JSON.stringify({ mcc: '5734', name: null, product_description: null, support_email: null, support_phone: null, support_url: null, url: 'https://seller.example' });
  const tos = JSON.stringify({ date: 1_700_000_000, ip: '203.0.113.9', user_agent: null, service_agreement: null });
  await client.query('BEGIN');
  await client.query(`INSERT INTO accounts (id, name, is_demo, created) SELECT 'acct_seed' || g, 'Seller ' || g, false, 1700000000 + g FROM generate_series($1::int, $2::int) g`, [from, to]);
  await client.query(`INSERT INTO account_settings (account_id, country, default_currency, updated) SELECT 'acct_seed' || g, 'US', 'usd', 1700000000 FROM generate_series($1::int, $2::int) g`, [from, to]);
  await client.query(
    `INSERT INTO connected_accounts (id, account_id, livemode, type, controller, email, business_type, business_profile, tos_acceptance, capabilities,
       requirements, future_requirements, charges_enabled, payouts_enabled, details_submitted, created)
     SELECT 'acct_seed' || g, $3, false, 'custom', $4, 'seller' || g || '@example.com', 'individual', $5, $6, $7, $8, $8, true, true, true, 1700000000 + g
       FROM generate_series($1::int, $2::int) g`,
    [from, to, platformId, controller, profile, tos, capabilities, requirements],
  );
  await client.query('COMMIT');
  await client.query('ANALYZE accounts, account_settings, connected_accounts');
}

async function measure(baseUrl: string, secretKey: string, accounts: () => string, deepCursor: string, duration = seconds): Promise<Record<string, Figures>> {
  const results: Record<string, Figures> = {};
  results['GET /v1/accounts?limit=100'] = await driveGets(baseUrl, secretKey, () => ({ path: '/v1/accounts?limit=100' }), duration);
  results['GET /v1/accounts?limit=100&starting_after=(middle)'] = await driveGets(baseUrl, secretKey, () => ({ path: `/v1/accounts?limit=100&starting_after=${deepCursor}` }), duration);
  results['GET /v1/customers with Stripe-Account'] = await driveGets(baseUrl, secretKey, () => ({ path: '/v1/customers?limit=10', account: accounts() }), duration);
  const body = 'amount=2000&currency=usd&payment_method=pm_card_visa&confirm=true';
  results['payments, the platform\'s own'] = figuresOf(await drivePayments({ baseUrl, secretKey, body, durationSeconds: duration, connections }), duration);
  results['payments with Stripe-Account (direct charges)'] = figuresOf(await drivePayments({ baseUrl, secretKey, body, durationSeconds: duration, connections, headers: () => ({ 'stripe-account': accounts() }) }), duration);
  return results;
}

async function main(): Promise<void> {
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-bench-connect-'));
  fs.chmodSync(dataDirectory, 0o755);
  let databaseUrl: string | undefined;
  if (process.env.DATABASE_URL) databaseUrl = await ensureDatabase(process.env.DATABASE_URL, `payrail_bench_connect_${Date.now()}`);
  const port = await findFreePort();
  const { child, secretKey, accountId } = await startPayrail(dataDirectory, port, databaseUrl);
  const baseUrl = `http://127.0.0.1:${port}`;
  let serverUrl = databaseUrl;
  if (!serverUrl) {
    const secrets = JSON.parse(fs.readFileSync(path.join(dataDirectory, 'secrets.json'), 'utf8')) as { postgresPassword: string };
    const pidLines = fs.readFileSync(path.join(dataDirectory, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
    serverUrl = `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${pidLines[3]}/payrail`;
  }
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    // The small platform: one account made through the API, and a full first page of seeded ones.
    const one = await post(baseUrl, secretKey, '/v1/accounts', 'type=custom&country=US&capabilities[card_payments][requested]=true&capabilities[transfers][requested]=true');
    await seed(client, accountId, 1, basePage);
    console.log(`platform ${accountId}: ${basePage + 1} connected accounts (${one.id as string} made through the API); ${seconds} s per measurement, ${connections} connections`);
    // Warm-up (JIT, caches), not counted: the first measurement would otherwise pay for it.
    await measure(baseUrl, secretKey, () => one.id as string, `acct_seed${Math.floor(basePage / 2)}`, warmupSeconds);
    const before = await measure(baseUrl, secretKey, () => `acct_seed${1 + Math.floor(Math.random() * basePage)}`, `acct_seed${Math.floor(basePage / 2)}`);
    const seeding = Date.now();
    await seed(client, accountId, basePage + 1, seededAccounts);
    console.log(`seeded up to ${seededAccounts.toLocaleString('en-US')} connected accounts in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);
    const after = await measure(baseUrl, secretKey, () => `acct_seed${1 + Math.floor(Math.random() * seededAccounts)}`, `acct_seed${Math.floor(seededAccounts / 2)}`);
    const rows = Object.keys(after).map((name) => {
      const b = before[name];
      const a = after[name];
      return { measurement: name, [`${basePage + 1} accounts /s`]: b.perSecond, 'p50/p99 ms': `${b.p50}/${b.p99}`, [`${seededAccounts + 1} accounts /s`]: a.perSecond, 'p50/p99 ms ': `${a.p50}/${a.p99}`, errors: b.errors + a.errors };
    });
    console.table(rows);
  } finally {
    await client.end();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    if (databaseUrl === undefined) fs.rmSync(dataDirectory, { recursive: true, force: true });
  }
}

await main();
