/**
 * `npm run bench:adyen`: end-to-end payments per second through the Adyen connector and the Adyen sandbox over HTTP,
 * against the built-in test processor in the same run.
 *
 * 1. Starts the Adyen sandbox as its own process (`payrail sandbox adyen --port N`), as a provider would be: another
 *    host, reached over HTTP with X-API-Key and an Idempotency-Key per request, sending signed webhooks back.
 * 2. Starts the platform (`payrail start`) on a fresh embedded database in a temporary folder (or on DATABASE_URL's
 *    server, in a fresh database), with the production settings (synchronous_commit on), as `npm run bench` does.
 * 3. Drives create-and-confirm PaymentIntents (automatic capture, one reused PaymentMethod with Adyen's test card
 *    4111 1111 4555 1142) from many concurrent keep-alive HTTP clients for a fixed time, first on the account as it
 *    starts (no connector configuration: the built-in test processor), then after configuring the Adyen connector
 *    on the same account (with its webhook pointed back at Payrail). Prints payments/s, p50/p99 latency and the CPU
 *    seconds each process used, and checks the sandbox's records: one authorised, captured payment per payment.
 *
 * Settings: BENCH_SECONDS (default 20), BENCH_CONNECTIONS (default 64), BENCH_WEBHOOKS (default 1; 0 leaves the
 * sandbox without a webhook URL).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultOrchestrationSettings } from '../src/orchestration/settings.ts';
import { ensureDatabase } from '../src/platform/db.ts';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import type { SandboxRecords } from '../src/sandbox/adyen/store.ts';
import { startSandboxProcess, type PlatformProcess } from '../test/helpers/platform-process.ts';
import { drivePayments, percentile, startPayrail } from './load.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const webhooks = process.env.BENCH_WEBHOOKS !== '0';
const warmupSeconds = 3;
/** How long to wait for the sandbox process to start listening. */
const sandboxStartTimeoutMs = 30_000;

const apiKey = 'AQE_bench_adyen_api_key';
const hmacKeyHex = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const merchantAccount = 'PayrailBenchECOM';
const adyenTestCard = '4111111145551142';
const amount = 2000;

/** CPU seconds (user + system) used so far by a process and all its descendants that are still running. */
function cpuSecondsOfTree(rootPid: number): number {
  const ticksPerSecond = 100;
  const stats = new Map<number, { parent: number; ticks: number }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces), in parentheses.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended while being read.
    }
  }
  let ticks = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, stat] of stats) if (stat.parent === pid) pending.push(child);
  }
  return ticks / ticksPerSecond;
}

interface Run {
  count: number;
  errors: number;
  latencies: number[];
  /** CPU seconds per process during the run. */
  cpu: { payrail: number; sandbox: number; load: number };
}

/** `drivePayments`, with the CPU seconds Payrail (with its PostgreSQL), the sandbox and this load generator used. */
async function measuredRun(baseUrl: string, secretKey: string, body: string, durationSeconds: number, pids: { payrail: number; sandbox: number }): Promise<Run> {
  const cpuBefore = { payrail: cpuSecondsOfTree(pids.payrail), sandbox: cpuSecondsOfTree(pids.sandbox), load: process.cpuUsage() };
  const run = await drivePayments({ baseUrl, secretKey, body, durationSeconds, connections });
  const load = process.cpuUsage(cpuBefore.load);
  return {
    ...run,
    cpu: { payrail: cpuSecondsOfTree(pids.payrail) - cpuBefore.payrail, sandbox: cpuSecondsOfTree(pids.sandbox) - cpuBefore.sandbox, load: (load.user + load.system) / 1e6 },
  };
}

async function api(baseUrl: string, secretKey: string, method: string, route: string, form?: Record<string, string>): Promise<any> {
  const response = await fetch(baseUrl + route, {
    method,
    headers: { authorization: `Bearer ${secretKey}`, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  const json = await response.json();
  if (response.status !== 200) throw new Error(`${method} ${route}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

function describeRun(name: string, run: Run): string {
  const sorted = [...run.latencies].sort((left, right) => left - right);
  const cpuPerPayment = (seconds: number) => `${((seconds * 1000) / Math.max(1, run.count)).toFixed(1)} ms`;
  return [
    `${name.padEnd(20)}${(run.count / seconds).toFixed(0).padStart(5)} payments/s  (${run.count} payments, ${run.errors} errors, ${connections} connections, ${seconds} s)`,
    `${''.padEnd(20)}latency p50 / p99 ${percentile(sorted, 0.5).toFixed(1)} ms / ${percentile(sorted, 0.99).toFixed(1)} ms`,
    `${''.padEnd(20)}CPU per payment: Payrail + its PostgreSQL ${cpuPerPayment(run.cpu.payrail)}, Adyen sandbox ${cpuPerPayment(run.cpu.sandbox)}, load generator ${cpuPerPayment(run.cpu.load)}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-bench-adyen-'));
  fs.chmodSync(dataDirectory, 0o755);
  let databaseUrl: string | undefined;
  if (process.env.DATABASE_URL) databaseUrl = await ensureDatabase(process.env.DATABASE_URL, `payrail_bench_adyen_${Date.now()}`);
  const sandboxPort = await findFreePort();
  console.log(`starting the Adyen sandbox (payrail sandbox adyen --port ${sandboxPort}) ...`);
  const sandbox = await startSandboxProcess('adyen', ['--port', String(sandboxPort), '--api-key', apiKey, '--hmac-key', hmacKeyHex, '--merchant-account', merchantAccount], sandboxStartTimeoutMs);
  const port = await findFreePort();
  console.log(`starting Payrail on a fresh database (${databaseUrl ? 'DATABASE_URL server' : 'embedded PostgreSQL'}) ...`);
  let platform: PlatformProcess | undefined;
  try {
    platform = await startPayrail(dataDirectory, port, databaseUrl);
    const { secretKey } = platform;
    const baseUrl = `http://127.0.0.1:${port}`;
    const pids = { payrail: platform.child.pid!, sandbox: sandbox.child.pid! };

    // One PaymentMethod with Adyen's test card, reused by every payment of both runs (pm_card_visa's 4242... is not an
    // Adyen test card, and a reused PaymentMethod keeps the two runs' work per payment the same).
    const paymentMethod = await api(baseUrl, secretKey, 'POST', '/v1/payment_methods', { type: 'card', 'card[number]': adyenTestCard, 'card[exp_month]': '3', 'card[exp_year]': '2030', 'card[cvc]': '737' });
    const body = new URLSearchParams({ amount: String(amount), currency: 'usd', payment_method: paymentMethod.id, confirm: 'true' }).toString();

    console.log(`built-in test processor (no connector configuration): warm-up ${warmupSeconds} s, then ${connections} connections for ${seconds} s ...`);
    await measuredRun(baseUrl, secretKey, body, warmupSeconds, pids);
    const builtIn = await measuredRun(baseUrl, secretKey, body, seconds, pids);

    const configuration = await api(baseUrl, secretKey, 'POST', '/v1/payrail/connector_configurations', {
      connector: 'adyen',
      'credentials[api_key]': apiKey,
      'credentials[hmac_key]': hmacKeyHex,
      'settings[merchant_account]': merchantAccount,
      'settings[base_url]': sandbox.url,
    });
    if (webhooks) {
      const response = await fetch(`${sandbox.url}/sandbox/admin/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${baseUrl}/payrail/webhooks/${configuration.id}` }),
      });
      if (response.status !== 200) throw new Error(`setting the sandbox's webhook URL: HTTP ${response.status}`);
    }
    // The platform caches each account's enabled configurations for a moment; wait until it routes to Adyen.
    await sleep(defaultOrchestrationSettings.routingCacheSeconds * 1000 + 500);
    const probe = await api(baseUrl, secretKey, 'POST', '/v1/payment_intents', { amount: String(amount), currency: 'usd', payment_method: paymentMethod.id, confirm: 'true' });
    const probeCharge = await api(baseUrl, secretKey, 'GET', `/v1/charges/${probe.latest_charge}`);
    if (probe.status !== 'succeeded' || probeCharge.payrail_routing?.connector !== 'adyen') {
      throw new Error(`payments do not go through Adyen yet: ${probe.status}, ${JSON.stringify(probeCharge.payrail_routing)}`);
    }

    console.log(`Adyen connector -> sandbox over HTTP${webhooks ? ' (webhooks back to Payrail)' : ''}: warm-up ${warmupSeconds} s, then ${connections} connections for ${seconds} s ...`);
    await measuredRun(baseUrl, secretKey, body, warmupSeconds, pids);
    const adyen = await measuredRun(baseUrl, secretKey, body, seconds, pids);

    // What the provider saw: one authorised, captured payment per Payrail payment, and the webhooks delivered.
    await sleep(1_000);
    const records = (await (await fetch(`${sandbox.url}/sandbox/admin/records`)).json()) as SandboxRecords;
    const captured = records.payments.filter((payment) => payment.status === 'authorised' && payment.capturedValue === payment.amount.value).length;
    const references = new Set(records.payments.map((payment) => payment.merchantReference));
    const delivered = records.notifications.filter((notification) => notification.delivered).length;

    const ratio = adyen.count / Math.max(1, builtIn.count);
    console.log([
      '',
      describeRun('built-in processor', builtIn),
      describeRun('Adyen over HTTP', adyen),
      `Adyen / built-in    ${ratio.toFixed(2)} of the built-in processor's throughput`,
      `sandbox records     ${records.payments.length} payments (${references.size} distinct attempts), ${captured} authorised and captured; ${records.notifications.length} webhooks, ${delivered} delivered`,
      `machine             ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')}`,
    ].join('\n'));
  } finally {
    const exits = [platform?.child, sandbox.child].filter((child): child is ChildProcess => child !== undefined && child.exitCode === null).map((child) => {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    });
    await Promise.all(exits);
    if (databaseUrl === undefined) fs.rmSync(dataDirectory, { recursive: true, force: true });
  }
}

await main();
