import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import { closeNow, listenOnLoopback } from './helpers/loopback-server.ts';
import { processExists, startPlatform, workerPidOf, type PlatformProcess } from './helpers/platform-process.ts';
import { createTestDatabase } from './helpers/server.ts';
import { until } from './helpers/until.ts';

/**
 * The webhook delivery worker as a child process of `payrail start` (the default): it stops with its parent however
 * the parent ends, and the parent restarts it when it crashes, without losing a delivery. Real processes, a real
 * database and a real receiver that verifies every signature.
 */

/** A receiver that verifies each delivery with the official SDK, counts it, and answers 200 after `holdMs`. */
class Receiver {
  /** Requests received with a valid signature, by event id. */
  readonly received = new Map<string, number>();
  /** Event ids whose request has arrived and is not answered yet. */
  readonly holding = new Set<string>();
  secret = '';
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let event: Stripe.Event;
      try {
        event = Stripe.webhooks.constructEvent(Buffer.concat(chunks).toString('utf8'), String(request.headers['stripe-signature']), this.secret);
      } catch {
        response.writeHead(400).end('bad signature');
        return;
      }
      this.received.set(event.id, (this.received.get(event.id) ?? 0) + 1);
      this.holding.add(event.id);
      setTimeout(() => {
        this.holding.delete(event.id);
        if (!response.destroyed) response.writeHead(200).end('ok');
      }, this.holdMs);
    });
  });

  constructor(private readonly holdMs: number) {}

  async listen(): Promise<string> {
    return `${await listenOnLoopback(this.server)}/hooks`;
  }

  close(): Promise<void> {
    return closeNow(this.server);
  }
}

describe('the webhook delivery worker as a child process of payrail start', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  let receiver: Receiver;
  let url: string;
  const started: PlatformProcess[] = [];
  const workerPids: number[] = [];

  before(async () => {
    database = await createTestDatabase();
    dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-worker-process-'));
    receiver = new Receiver(100);
    url = await receiver.listen();
  });
  after(async () => {
    // Nothing outlives the tests, whatever failed.
    for (const platform of started) platform.child.kill('SIGKILL');
    for (const pid of workerPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await receiver.close();
    await database.drop();
    fs.rmSync(dataDirectory, { recursive: true, force: true });
  });

  async function start(extra: NodeJS.ProcessEnv = {}): Promise<{ platform: PlatformProcess; stripe: Stripe }> {
    const port = await findFreePort();
    const platform = await startPlatform({
      ...process.env,
      DATABASE_URL: database.url,
      PAYRAIL_DATA_DIR: dataDirectory,
      PORT: String(port),
      PAYRAIL_WEBHOOK_WORKER: 'process',
      PAYRAIL_WEBHOOK_TIMEOUT_MS: '5000',
      PAYRAIL_WEBHOOK_LOCK_RECOVERY_SECONDS: '2',
      PAYRAIL_WEBHOOK_FIRST_RETRY_SECONDS: '1',
      PAYRAIL_WEBHOOK_RETRY_DELAY_MAX_SECONDS: '2',
      ...extra,
    });
    started.push(platform);
    if (extra.PAYRAIL_WEBHOOK_WORKER !== 'in-process') workerPids.push(workerPidOf(platform));
    return { platform, stripe: new Stripe(platform.secretKey, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, telemetry: false }) };
  }

  async function subscribe(stripe: Stripe): Promise<void> {
    const endpoint = await stripe.webhookEndpoints.create({ url, enabled_events: ['customer.created'] });
    receiver.secret = endpoint.secret!;
  }

  async function everyEventReceived(): Promise<string[]> {
    return until('every customer.created event to reach the receiver', async () => {
      const events = (await database.db.query<{ id: string }>(`SELECT id FROM events WHERE type = 'customer.created'`)).rows.map((row) => row.id);
      return events.every((id) => receiver.received.has(id)) ? events : undefined;
    }, 45_000);
  }

  function exitOf(platform: PlatformProcess): Promise<number | null> {
    if (platform.child.exitCode !== null || platform.child.signalCode !== null) return Promise.resolve(platform.child.exitCode);
    return new Promise((resolve) => platform.child.once('exit', (code) => resolve(code)));
  }

  it('runs the worker in its own process, which stops with its parent on SIGTERM', async () => {
    const { platform, stripe } = await start();
    const workerPid = workerPidOf(platform);
    assert.notEqual(workerPid, platform.child.pid, 'the worker is a process of its own');
    assert.ok(processExists(workerPid));
    await subscribe(stripe);
    await stripe.customers.create({ email: 'child@example.com' });
    await everyEventReceived();

    const exited = exitOf(platform);
    platform.child.kill('SIGTERM');
    assert.equal(await exited, 0, 'a clean stop');
    // The parent waits for its child before it exits.
    assert.equal(processExists(workerPid), false, 'the worker stopped with its parent');
  });

  it('restarts a worker killed with SIGKILL mid-delivery, and delivers everything it held', async () => {
    const { platform, stripe } = await start();
    const firstWorker = workerPidOf(platform);
    await Promise.all(Array.from({ length: 20 }, (_, index) => stripe.customers.create({ email: `kill${index}@example.com` })));
    await until('deliveries in flight', () => (receiver.holding.size > 0 ? true : undefined));
    const inFlightAtKill = [...receiver.holding];
    process.kill(firstWorker, 'SIGKILL');

    await until('the parent to restart its worker', () => (/webhook delivery worker restarted \(pid \d+\)/.test(platform.output()) ? true : undefined));
    assert.match(platform.output(), new RegExp(`webhook delivery worker \\(pid ${firstWorker}\\) exited with signal SIGKILL; restarting it in \\d+ ms`));
    const secondWorker = workerPidOf(platform);
    workerPids.push(secondWorker);
    assert.notEqual(secondWorker, firstWorker);

    await everyEventReceived();
    // The jobs the killed worker held locked (sent or still in its local queue) were released and ran again.
    for (const eventId of inFlightAtKill) assert.ok(receiver.received.get(eventId)! >= 2, `${eventId}, in flight at the kill, was sent again`);
    const deliveries = await until('every delivery to be recorded as succeeded', async () => {
      const rows = (await database.db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM webhook_deliveries GROUP BY status')).rows;
      return rows.length === 1 && rows[0].status === 'succeeded' ? rows[0].n : undefined;
    });
    assert.equal(deliveries, receiver.received.size, 'one delivery per event, each succeeded');

    const exited = exitOf(platform);
    platform.child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(processExists(secondWorker), false);
  });

  it('stops the worker when its parent is killed with SIGKILL (the IPC channel closes)', async () => {
    const { platform } = await start();
    const workerPid = workerPidOf(platform);
    const exited = exitOf(platform);
    platform.child.kill('SIGKILL');
    await exited;
    await until('the orphaned worker to stop on its own', () => (processExists(workerPid) ? undefined : true));
  });

  it('keeps the worker in the API process with PAYRAIL_WEBHOOK_WORKER=in-process', async () => {
    const { platform, stripe } = await start({ PAYRAIL_WEBHOOK_WORKER: 'in-process' });
    assert.doesNotMatch(platform.output(), /webhook delivery worker running \(pid/);
    await stripe.customers.create({ email: 'in-process@example.com' });
    await everyEventReceived();
    const exited = exitOf(platform);
    platform.child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
