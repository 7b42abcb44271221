import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { startPlatform, type PlatformProcess } from '../test/helpers/platform-process.ts';

/** What the benchmarks share: starting Payrail, driving payments over keep-alive HTTP, and reading percentiles. */

/** The value at `fraction` (0..1) of an ascending list; NaN for an empty one. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

/** `payrail start` in `dataDirectory` on `port`, on an embedded database or on `databaseUrl`'s server. */
export async function startPayrail(dataDirectory: string, port: number, databaseUrl: string | undefined): Promise<PlatformProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, PAYRAIL_DATA_DIR: dataDirectory, PORT: String(port), PAYRAIL_DB_POOL_SIZE: process.env.PAYRAIL_DB_POOL_SIZE ?? '16' };
  // BENCH_STATEMENTS=1: the embedded server loads pg_stat_statements, so the payments bench can count statements (it
  // costs the database a few percent, so it is off unless asked for).
  if (process.env.BENCH_STATEMENTS === '1') env.PAYRAIL_EMBEDDED_POSTGRES_SETTINGS = `${process.env.PAYRAIL_EMBEDDED_POSTGRES_SETTINGS ?? ''} shared_preload_libraries=pg_stat_statements pg_stat_statements.track_planning=on`.trim();
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  return startPlatform(env);
}

export interface PaymentLoad {
  baseUrl: string;
  secretKey: string;
  /** The form body of each create-and-confirm request. */
  body: string;
  durationSeconds: number;
  connections: number;
  /** A fresh Idempotency-Key on every request, as the stripe SDK sends. */
  idempotencyKeys?: boolean;
  /** More headers for each request (a Stripe-Account per request, for instance). */
  headers?: () => Record<string, string>;
}

/**
 * Create-and-confirm PaymentIntents from `connections` keep-alive clients, each sending its next request as soon as
 * the last is answered, for `durationSeconds`. An answer that is not a succeeded intent counts as an error.
 */
export async function drivePayments(load: PaymentLoad): Promise<{ count: number; errors: number; latencies: number[] }> {
  const pool = new Pool(load.baseUrl, { connections: load.connections, pipelining: 1 });
  const headers = { authorization: `Bearer ${load.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' };
  const deadline = Date.now() + load.durationSeconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const client = async () => {
    while (Date.now() < deadline) {
      const started = performance.now();
      const keyed = load.idempotencyKeys ? { ...headers, 'idempotency-key': randomUUID() } : headers;
      const requestHeaders = load.headers ? { ...keyed, ...load.headers() } : keyed;
      const response = await pool.request({ method: 'POST', path: '/v1/payment_intents', headers: requestHeaders, body: load.body });
      const text = await response.body.text();
      latencies.push(performance.now() - started);
      if (response.statusCode !== 200 || !text.includes('"status":"succeeded"')) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: load.connections }, client));
  await pool.close();
  return { count: latencies.length, errors, latencies };
}

/**
 * Create-and-confirm PaymentIntents at a steady `ratePerSecond` (open loop: each request is due at its own time,
 * whether or not earlier ones were answered) for `durationSeconds`. A latency runs from when the request was due, so
 * a server falling behind shows in it (no coordinated omission). The client's connections are opened first.
 */
export async function drivePaymentsAtRate(load: PaymentLoad, ratePerSecond: number): Promise<{ count: number; errors: number; latencies: number[] }> {
  const pool = new Pool(load.baseUrl, { connections: load.connections, pipelining: 1 });
  const headers = { authorization: `Bearer ${load.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' };
  // Every connection is opened before the clock starts: otherwise the first half second's requests queue behind 64
  // TCP handshakes of this client's own making (150-240 ms each at 300/s, the whole of a 20 s run's p99).
  await Promise.all(Array.from({ length: load.connections }, async () => (await pool.request({ method: 'GET', path: '/health' })).body.text()));
  const total = Math.max(1, Math.round(ratePerSecond * load.durationSeconds));
  const intervalMs = 1000 / ratePerSecond;
  const start = performance.now();
  const latencies: number[] = [];
  let errors = 0;
  const one = async (dueAt: number) => {
    const requestHeaders = load.idempotencyKeys ? { ...headers, 'idempotency-key': randomUUID() } : headers;
    const response = await pool.request({ method: 'POST', path: '/v1/payment_intents', headers: requestHeaders, body: load.body });
    const text = await response.body.text();
    latencies.push(performance.now() - dueAt);
    if (response.statusCode !== 200 || !text.includes('"status":"succeeded"')) errors += 1;
  };
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const dueAt = start + index * intervalMs;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(one(dueAt));
  }
  await Promise.all(inFlight);
  await pool.close();
  return { count: latencies.length, errors, latencies };
}
