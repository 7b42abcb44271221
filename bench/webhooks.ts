/**
 * `npm run bench:webhooks`: webhook deliveries per second to a local receiver, and event-to-delivery latency.
 *
 * 1. Starts the platform (`payrail start`, with its delivery worker: a child process unless PAYRAIL_WEBHOOK_WORKER
 *    says otherwise) on a fresh embedded database in a temporary folder (or on DATABASE_URL's server, in a fresh
 *    database), and a local HTTP receiver that answers 200 at once.
 * 2. Creates BENCH_ENDPOINTS webhook endpoints (default 1) with enabled_events ['*'] for the demo account.
 * 2b. Backlog: inserts BENCH_BACKLOG (default 20,000) `customer.created` events in one SQL statement (the events
 *    trigger queues their deliveries as it does for the API's events) and measures how fast the worker drains them:
 *    the delivery pipeline alone, with the API idle. CPU per delivery of the worker process (or of `payrail start`
 *    with an in-process worker) and of PostgreSQL come from /proc, read after the insert has committed.
 * 3. Saturation: creates customers (one `customer.created` event each) as fast as BENCH_CONNECTIONS connections
 *    allow for BENCH_SECONDS, then waits for the backlog to drain. Prints deliveries/s while loaded and overall,
 *    event-to-delivery latency p50/p99 and how long the backlog took to drain once the load stopped.
 * 4. Paced: creates BENCH_RATE customers per second (open loop) for BENCH_SECONDS, below what one endpoint takes, so
 *    the latency is the pipeline's own (commit, trigger, job pick-up, HTTP) rather than time spent in a backlog.
 *
 * An event's `created` is in whole seconds, so latency is measured here from the moment the API response (which
 * carries the customer id) arrives to the moment the receiver gets that customer's event; both clocks are this
 * process's. A delivery can arrive before the API response does (the event is committed first); those count as 0.
 *
 * Settings: BENCH_SECONDS (default 15), BENCH_CONNECTIONS (default 64), BENCH_ENDPOINTS (default 1),
 * BENCH_RATE (default 100 events/s), BENCH_DRAIN_SECONDS (most time to wait for a backlog, default 600),
 * BENCH_BACKLOG (default 20,000; 0 skips the phase), BENCH_STATEMENTS (1: count statements per delivery with
 * pg_stat_statements in the embedded server, and list the costliest).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureDatabase } from '../src/platform/db.ts';
import { Pool } from 'undici';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import { startPlatform, type PlatformProcess } from '../test/helpers/platform-process.ts';
import { openCostProbe } from './costs.ts';
import { percentile } from './load.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const endpointCount = Number(process.env.BENCH_ENDPOINTS ?? 1);
const pacedRate = Number(process.env.BENCH_RATE ?? 100);
const drainSecondsMax = Number(process.env.BENCH_DRAIN_SECONDS ?? 600);
const backlogEvents = Number(process.env.BENCH_BACKLOG ?? 20_000);

/** The local receiver: answers 200 at once and notes when each (endpoint, customer) first arrived. */
class Receiver {
  /** First arrival (performance.now()) by `${endpoint}:${customer id}`. */
  readonly arrivals = new Map<string, number>();
  requests = 0;
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      this.requests += 1;
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      const endpoint = /\/hooks\/(\d+)$/.exec(request.url ?? '')?.[1] ?? '?';
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { object: { id: string } } };
      const key = `${endpoint}:${event.data.object.id}`;
      if (!this.arrivals.has(key)) this.arrivals.set(key, at);
    });
  });

  async listen(): Promise<string> {
    // Keep-alive on (Node's default), as most receivers have it; plenty of backlog for bursts.
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', 511, resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Created {
  /** performance.now() when the API response arrived, by customer id. */
  answeredAt: Map<string, number>;
  errors: number;
}

async function createCustomer(pool: Pool, secretKey: string, index: number, created: Created): Promise<void> {
  const response = await pool.request({
    method: 'POST',
    path: '/v1/customers',
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: `email=bench${index}%40example.com`,
  });
  const text = await response.body.text();
  const at = performance.now();
  if (response.statusCode !== 200) {
    created.errors += 1;
    return;
  }
  created.answeredAt.set((JSON.parse(text) as { id: string }).id, at);
}

/** As fast as `connections` closed-loop clients can go, for `durationSeconds`. */
async function saturate(baseUrl: string, secretKey: string, durationSeconds: number, created: Created): Promise<void> {
  const pool = new Pool(baseUrl, { connections, pipelining: 1 });
  const deadline = Date.now() + durationSeconds * 1000;
  let index = 0;
  const client = async () => {
    while (Date.now() < deadline) await createCustomer(pool, secretKey, index++, created);
  };
  await Promise.all(Array.from({ length: connections }, client));
  await pool.close();
}

/** `rate` requests per second on schedule (open loop: a slow answer does not delay the next request). */
async function pace(baseUrl: string, secretKey: string, durationSeconds: number, rate: number, created: Created): Promise<void> {
  const pool = new Pool(baseUrl, { connections, pipelining: 1 });
  const total = Math.round(durationSeconds * rate);
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(createCustomer(pool, secretKey, 1_000_000 + index, created).catch(() => { created.errors += 1; }));
  }
  await Promise.all(inFlight);
  await pool.close();
}

/** Waits until every (endpoint, customer) pair has arrived; returns when the last one did (or undefined on timeout). */
async function drain(receiver: Receiver, customerIds: Iterable<string>): Promise<number | undefined> {
  const expected = [...customerIds].flatMap((id) => Array.from({ length: endpointCount }, (_, endpoint) => `${endpoint}:${id}`));
  const deadline = Date.now() + drainSecondsMax * 1000;
  while (Date.now() < deadline) {
    if (expected.every((key) => receiver.arrivals.has(key))) return Math.max(...expected.map((key) => receiver.arrivals.get(key)!));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

function latencies(receiver: Receiver, created: Created): { sorted: number[]; early: number } {
  const values: number[] = [];
  let early = 0;
  for (const [id, answeredAt] of created.answeredAt) {
    for (let endpoint = 0; endpoint < endpointCount; endpoint += 1) {
      const arrivedAt = receiver.arrivals.get(`${endpoint}:${id}`);
      if (arrivedAt === undefined) continue;
      if (arrivedAt < answeredAt) early += 1;
      values.push(Math.max(0, arrivedAt - answeredAt));
    }
  }
  return { sorted: values.sort((a, b) => a - b), early };
}

function countArrivedBetween(receiver: Receiver, ids: Set<string>, from: number, to: number): number {
  let count = 0;
  for (const [key, at] of receiver.arrivals) if (at >= from && at <= to && ids.has(key.slice(key.indexOf(':') + 1))) count += 1;
  return count;
}

async function main(): Promise<void> {
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-bench-webhooks-'));
  fs.chmodSync(dataDirectory, 0o755);
  let databaseUrl: string | undefined;
  if (process.env.DATABASE_URL) databaseUrl = await ensureDatabase(process.env.DATABASE_URL, `payrail_bench_webhooks_${Date.now()}`);
  const receiver = new Receiver();
  const receiverUrl = await receiver.listen();
  const port = await findFreePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PAYRAIL_DATA_DIR: dataDirectory, PORT: String(port), PAYRAIL_DB_POOL_SIZE: process.env.PAYRAIL_DB_POOL_SIZE ?? '16', PAYRAIL_WEBHOOK_WORKER: '1' };
  // BENCH_STATEMENTS=1: the embedded server loads pg_stat_statements, to count statements per delivery and list those
  // that took the database's time during the backlog phase.
  if (process.env.BENCH_STATEMENTS === '1') env.PAYRAIL_EMBEDDED_POSTGRES_SETTINGS = `${process.env.PAYRAIL_EMBEDDED_POSTGRES_SETTINGS ?? ''} shared_preload_libraries=pg_stat_statements`.trim();
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  console.log(`starting Payrail on a fresh database (${databaseUrl ? 'DATABASE_URL server' : 'embedded PostgreSQL'}) ...`);
  const platform: PlatformProcess = await startPlatform(env);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    const demo = JSON.parse(fs.readFileSync(path.join(dataDirectory, 'demo-keys.json'), 'utf8')) as { secretKey: string; accountId: string };
    for (let endpoint = 0; endpoint < endpointCount; endpoint += 1) {
      const response = await fetch(`${baseUrl}/v1/webhook_endpoints`, {
        method: 'POST',
        headers: { authorization: `Bearer ${demo.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: `url=${encodeURIComponent(`${receiverUrl}/${endpoint}`)}&enabled_events[]=*`,
      });
      if (response.status !== 200) throw new Error(`creating the webhook endpoint failed: ${response.status} ${await response.text()}`);
    }

    // The database of the run: DATABASE_URL's, or the embedded server's (its port is in postmaster.pid).
    let serverUrl = databaseUrl;
    let postmasterPid: number | undefined;
    if (!serverUrl) {
      const secrets = JSON.parse(fs.readFileSync(path.join(dataDirectory, 'secrets.json'), 'utf8')) as { postgresPassword: string };
      const pidLines = fs.readFileSync(path.join(dataDirectory, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
      postmasterPid = Number(pidLines[0]);
      serverUrl = `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${pidLines[3]}/payrail`;
    }
    const workerPid = Number(/webhook delivery worker running \(pid (\d+)\)/.exec(platform.output())?.[1] ?? platform.child.pid);
    const workerWhere = workerPid === platform.child.pid ? 'in the API process' : `a separate process, pid ${workerPid}`;

    let backlogRows: [string, string][] = [];
    if (backlogEvents > 0) {
      console.log(`backlog: ${backlogEvents} events inserted in one statement, drained by the worker (${workerWhere}) ...`);
      const db = new pg.Client({ connectionString: serverUrl });
      await db.connect();
      const probe = await openCostProbe(serverUrl, workerPid, postmasterPid);
      const insert = await db.query<{ object_id: string }>(
        `INSERT INTO events (id, account_id, livemode, type, api_version, data, created)
         SELECT 'evt_bench' || n, $1, false, 'customer.created', NULL,
                json_build_object('object', json_build_object('id', 'cus_backlog' || n, 'object', 'customer', 'email', 'backlog' || n || '@example.com', 'livemode', false, 'metadata', '{}'::json)),
                extract(epoch FROM now())::bigint
           FROM generate_series(1, $2::int) AS n
         RETURNING data->'object'->>'id' AS object_id`,
        [demo.accountId, backlogEvents],
      );
      const committedAt = performance.now();
      const before = await probe.snapshot();
      const backlogIds = insert.rows.map((row) => row.object_id);
      const lastBacklogArrival = await drain(receiver, backlogIds);
      // Statistics settle for a moment (backends flush them at most once a second).
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const after = await probe.snapshot();
      const top = await probe.topStatements(8);
      if (top.length > 0) console.log(`  statements that took the database's time (whole run so far):\n${top.join('\n')}`);
      await probe.close();
      await db.end();
      const deliveries = backlogIds.length * endpointCount;
      const drainSeconds = lastBacklogArrival === undefined ? NaN : (lastBacklogArrival - committedAt) / 1000;
      const per = (value: number) => `${((value / deliveries) * 1000).toFixed(3)} ms`;
      backlogRows = [
        ['backlog: deliveries/s', lastBacklogArrival === undefined ? `not drained after ${drainSecondsMax} s` : `${(deliveries / drainSeconds).toFixed(0)} (${deliveries} deliveries in ${drainSeconds.toFixed(2)} s, worker ${workerWhere})`],
        ['  CPU per delivery', `worker ${per(after.payrailCpu - before.payrailCpu)}, PostgreSQL ${after.postgresCpu === null || before.postgresCpu === null ? 'n/a' : per(after.postgresCpu - before.postgresCpu)}` +
          ` (receiver and this process ${per(after.loadCpu - before.loadCpu)})`],
        ['  per delivery', `${((after.commits - before.commits) / deliveries).toFixed(3)} commits, ${after.statements === null || before.statements === null ? 'statements n/a (BENCH_STATEMENTS=1)' : `${((after.statements - before.statements) / deliveries).toFixed(2)} statements`}` +
          `, ${((after.inserted - before.inserted) / deliveries).toFixed(2)} rows inserted, ${((after.updated - before.updated) / deliveries).toFixed(2)} updated`],
      ];
    }

    console.log(`saturation: customers.create from ${connections} connections for ${seconds} s, ${endpointCount} endpoint(s) ...`);
    const loaded: Created = { answeredAt: new Map(), errors: 0 };
    const loadStarted = performance.now();
    await saturate(baseUrl, demo.secretKey, seconds, loaded);
    const loadEnded = performance.now();
    const loadedIds = new Set(loaded.answeredAt.keys());
    console.log(`  ${loadedIds.size} events created; waiting for the backlog to drain ...`);
    const lastArrival = await drain(receiver, loadedIds);
    const loadedLatency = latencies(receiver, loaded);
    const deliveredDuringLoad = countArrivedBetween(receiver, loadedIds, loadStarted, loadEnded);

    console.log(`paced: ${pacedRate} customers/s for ${seconds} s ...`);
    const paced: Created = { answeredAt: new Map(), errors: 0 };
    await pace(baseUrl, demo.secretKey, seconds, pacedRate, paced);
    const pacedDrained = await drain(receiver, paced.answeredAt.keys());
    const pacedLatency = latencies(receiver, paced);

    // Attempts as the database recorded them (a failed attempt would mean a retry, and a duplicate at the receiver).
    const db = new pg.Client({ connectionString: serverUrl });
    await db.connect();
    const attempts = (await db.query<{ total: number; failed: number }>('SELECT count(*)::int AS total, count(*) FILTER (WHERE NOT succeeded)::int AS failed FROM webhook_attempts')).rows[0];
    const latencyMs = (await db.query<{ p50: number; p99: number }>(
      'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99 FROM webhook_attempts',
    )).rows[0];
    await db.end();

    const loadSeconds = (loadEnded - loadStarted) / 1000;
    const loadedDeliveries = loadedIds.size * endpointCount;
    const drainText = lastArrival === undefined ? `not drained after ${drainSecondsMax} s` : `${((lastArrival - loadEnded) / 1000).toFixed(1)} s`;
    const overall = lastArrival === undefined ? NaN : loadedDeliveries / ((lastArrival - loadStarted) / 1000);
    const format = (value: number) => value.toFixed(1);
    const rows: [string, string][] = [
      ['endpoints', `${endpointCount} (enabled_events ['*'], one demo account)`],
      ...backlogRows,
      ['saturation: events created', `${loadedIds.size} in ${loadSeconds.toFixed(1)} s = ${(loadedIds.size / loadSeconds).toFixed(0)} events/s (${loaded.errors} errors, ${connections} connections)`],
      ['  deliveries/s during the load', (deliveredDuringLoad / loadSeconds).toFixed(0)],
      ['  deliveries/s overall', `${overall.toFixed(0)} (${loadedDeliveries} deliveries, first event to last delivery)`],
      ['  backlog drain after the load', drainText],
      ['  event-to-delivery p50 / p99', `${format(percentile(loadedLatency.sorted, 0.5))} ms / ${format(percentile(loadedLatency.sorted, 0.99))} ms (includes time in the backlog)`],
      [`paced ${pacedRate} events/s`, `${paced.answeredAt.size} events (${paced.errors} errors), ${pacedDrained === undefined ? 'NOT all delivered' : 'all delivered'}`],
      ['  event-to-delivery p50 / p99', `${format(percentile(pacedLatency.sorted, 0.5))} ms / ${format(percentile(pacedLatency.sorted, 0.99))} ms (${pacedLatency.early} arrived before the API response)`],
      ['receiver requests', `${receiver.requests} for ${receiver.arrivals.size} distinct deliveries`],
      ['attempts recorded', `${attempts.total} (${attempts.failed} failed); HTTP latency p50 / p99 ${Number(latencyMs.p50).toFixed(0)} ms / ${Number(latencyMs.p99).toFixed(0)} ms`],
      ['machine', `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    console.log(`\n${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}`);
  } finally {
    platform.child.kill('SIGTERM');
    await new Promise((resolve) => platform.child.on('exit', resolve));
    await receiver.close();
    if (databaseUrl === undefined) fs.rmSync(dataDirectory, { recursive: true, force: true });
  }
}

await main();
