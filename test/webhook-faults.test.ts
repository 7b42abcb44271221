import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import type { Database } from '../src/platform/db.ts';
import { closeNow, listenOnLoopback } from './helpers/loopback-server.ts';
import { processExists, startPlatform, workerPidOf, type PlatformProcess } from './helpers/platform-process.ts';
import { createTestDatabase, startTestServer, type TestServer } from './helpers/server.ts';
import { until } from './helpers/until.ts';

/**
 * Fault tests of webhook delivery: receivers that never answer (retries, giving up after the retry window, the
 * endpoint disabled after failing continuously, with the test clock moved forward instead of waiting), one slow
 * receiver beside a fast one (per-endpoint concurrency), and the delivering process killed mid-delivery.
 */

/** A local HTTP receiver whose answer to each request is up to `handle`; it counts requests and those in flight. */
class Receiver {
  requests = 0;
  inFlight = 0;
  inFlightMax = 0;
  answered = 0;
  private readonly server: http.Server;

  /** `handle` answers (or not) once the whole body has arrived; call `done` after answering. */
  constructor(handle: (request: http.IncomingMessage, response: http.ServerResponse, body: string, done: () => void) => void) {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.requests += 1;
        this.inFlight += 1;
        this.inFlightMax = Math.max(this.inFlightMax, this.inFlight);
        let finished = false;
        const done = () => {
          if (finished) return;
          finished = true;
          this.inFlight -= 1;
          this.answered += 1;
        };
        // A request the sender gave up on (timeout) is no longer in flight either.
        response.on('close', () => {
          if (!finished) {
            finished = true;
            this.inFlight -= 1;
          }
        });
        handle(request, response, Buffer.concat(chunks).toString('utf8'), done);
      });
    });
  }

  async listen(): Promise<string> {
    return `${await listenOnLoopback(this.server)}/hooks`;
  }

  close(): Promise<void> {
    return closeNow(this.server);
  }
}

interface AttemptRow { delivery_id: string; status_code: number | null; succeeded: boolean; error: string | null; latency_ms: number; attempted_at: number }

async function attemptsOf(db: Database, endpointId: string): Promise<AttemptRow[]> {
  return (await db.query<AttemptRow>('SELECT delivery_id, status_code, succeeded, error, latency_ms, attempted_at FROM webhook_attempts WHERE endpoint_id = $1 ORDER BY seq', [endpointId])).rows;
}

function waitForAttempts(db: Database, endpointId: string, count: number): Promise<AttemptRow[]> {
  return until(`${count} attempt(s) to ${endpointId}`, async () => {
    const rows = await attemptsOf(db, endpointId);
    return rows.length >= count ? rows : undefined;
  });
}

async function deliveryOf(db: Database, endpointId: string): Promise<{ id: string; status: string; attempt_count: number; completed_at: number | null }> {
  const rows = (await db.query('SELECT id, status, attempt_count, completed_at FROM webhook_deliveries WHERE endpoint_id = $1', [endpointId])).rows;
  assert.equal(rows.length, 1, 'one delivery');
  return rows[0];
}

async function endpointRow(db: Database, endpointId: string): Promise<{ status: string; disabled_reason: string | null; failing_since: number | null }> {
  return (await db.query('SELECT status, disabled_reason, failing_since FROM webhook_endpoints WHERE id = $1', [endpointId])).rows[0];
}

/** Waits until no job that could still run is queued for a delivery: nothing will try it again. */
function noJobLeft(db: Database, deliveryId: string): Promise<true> {
  return until(`the job of ${deliveryId} to be gone`, async () => {
    const jobs = await db.query('SELECT 1 FROM graphile_worker.jobs WHERE key = $1 AND attempts < max_attempts', [deliveryId]);
    return jobs.rowCount === 0 ? true : undefined;
  });
}

/** A receiver that accepts the connection and the request, and never answers. */
function hangingReceiver(): Receiver {
  return new Receiver(() => undefined);
}

const timeoutMs = 300;
/** Short real-time retries (graphile-worker's run_at is wall-clock); the retry window and disabling use the test clock. */
const fastRetries = { timeoutMs, firstRetrySeconds: 1, retryDelayMaxSeconds: 1 };

describe('a receiver that never answers, until the endpoint is disabled', () => {
  const disableAfterSeconds = 3_600;
  let server: TestServer;
  let receiver: Receiver;
  let url: string;
  before(async () => {
    server = await startTestServer({ webhookWorker: { ...fastRetries, disableAfterSeconds, retryWindowSeconds: 30 * 86_400 } });
    receiver = hangingReceiver();
    url = await receiver.listen();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it('is retried after each timeout and disabled once it has failed continuously for disableAfterSeconds, with an event', async () => {
    const account = await server.createAccount();
    const endpoint = await account.stripe.webhookEndpoints.create({ url, enabled_events: ['customer.created'] });
    await account.stripe.customers.create({ email: 'hanging@example.com' });

    const first = await waitForAttempts(server.db, endpoint.id, 1);
    assert.deepEqual(first.map((row) => [row.status_code, row.succeeded, row.error]), [[null, false, `timed out after ${timeoutMs} ms`]]);
    assert.ok(first[0].latency_ms >= timeoutMs);
    const failingSince = (await endpointRow(server.db, endpoint.id)).failing_since;
    // Between the first attempt's start and now (not a fixed window: a loaded machine may take seconds to get here).
    assert.ok(failingSince !== null && failingSince >= Math.floor(first[0].attempted_at / 1000) && failingSince <= server.clock.nowSeconds(), 'the run of failures starts at the first failure');

    // Between attempts the clock moves 1500 s: after 3000 s of failures the endpoint is still enabled, after 4500 s it is not.
    for (const attempt of [2, 3]) {
      server.clock.advance(1_500);
      await waitForAttempts(server.db, endpoint.id, attempt);
      assert.deepEqual(await endpointRow(server.db, endpoint.id), { status: 'enabled', disabled_reason: null, failing_since: failingSince });
      assert.deepEqual(await deliveryOf(server.db, endpoint.id).then((row) => [row.status, row.attempt_count]), ['pending', attempt]);
    }
    server.clock.advance(1_500);
    const attempts = await waitForAttempts(server.db, endpoint.id, 4);
    const disabled = await until('the endpoint to be disabled', async () => {
      const row = await endpointRow(server.db, endpoint.id);
      return row.status === 'disabled' ? row : undefined;
    });
    assert.equal(disabled.disabled_reason, 'failing');
    assert.ok(attempts.every((row) => row.error === `timed out after ${timeoutMs} ms` && !row.succeeded && row.status_code === null));
    const delivery = await deliveryOf(server.db, endpoint.id);
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.attempt_count, 4);
    assert.ok(delivery.completed_at !== null);

    const retrieved = await account.stripe.webhookEndpoints.retrieve(endpoint.id);
    assert.equal(retrieved.status, 'disabled');
    const events = await account.stripe.events.list({ type: 'webhook_endpoint.disabled' });
    assert.equal(events.data.length, 1, 'one webhook_endpoint.disabled event for the account');
    const object = events.data[0].data.object as unknown as Record<string, unknown>;
    assert.equal(object.id, endpoint.id);
    assert.equal(object.object, 'webhook_endpoint');
    assert.equal(object.status, 'disabled');
    assert.equal(object.secret, undefined, 'the event never carries the signing secret');
    assert.deepEqual(events.data[0].data.previous_attributes, { status: 'enabled' });

    // Nothing tries it again: no job is left for the delivery, and new events are not queued for a disabled endpoint.
    await noJobLeft(server.db, delivery.id);
    await account.stripe.customers.create({ email: 'after-disable@example.com' });
    const deliveries = await server.db.query('SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id]);
    assert.equal(deliveries.rows[0].n, 1);
    assert.equal((await attemptsOf(server.db, endpoint.id)).length, 4);
    assert.equal(receiver.requests, 4, 'the receiver saw each attempt and nothing more');
  });
});

describe('a receiver that never answers, past the retry window', () => {
  const retryWindowSeconds = 1_800;
  let server: TestServer;
  let receiver: Receiver;
  let url: string;
  before(async () => {
    server = await startTestServer({ webhookWorker: { ...fastRetries, retryWindowSeconds, disableAfterSeconds: 30 * 86_400 } });
    receiver = hangingReceiver();
    url = await receiver.listen();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it('gives the delivery up (failed) once retryWindowSeconds of clock time have passed since its first attempt', async () => {
    const account = await server.createAccount();
    const endpoint = await account.stripe.webhookEndpoints.create({ url, enabled_events: ['customer.created'] });
    await account.stripe.customers.create({ email: 'window@example.com' });
    await waitForAttempts(server.db, endpoint.id, 1);

    server.clock.advance(1_000);
    await waitForAttempts(server.db, endpoint.id, 2);
    assert.deepEqual(await deliveryOf(server.db, endpoint.id).then((row) => [row.status, row.attempt_count]), ['pending', 2], 'still inside the window');

    server.clock.advance(1_000);
    await waitForAttempts(server.db, endpoint.id, 3);
    const delivery = await until('the delivery to be given up', async () => {
      const row = await deliveryOf(server.db, endpoint.id);
      return row.status === 'failed' ? row : undefined;
    });
    assert.equal(delivery.attempt_count, 3);
    await noJobLeft(server.db, delivery.id);
    assert.equal((await attemptsOf(server.db, endpoint.id)).length, 3);
    // The endpoint itself has not failed for long enough to be disabled.
    const row = await endpointRow(server.db, endpoint.id);
    assert.equal(row.status, 'enabled');
    assert.ok(row.failing_since !== null);
  });
});

describe('per-endpoint concurrency', () => {
  const slowAnswerMs = 1_500;
  const slowEvents = 12;
  const fastEvents = 3;
  let server: TestServer;
  let slow: Receiver;
  let fast: Receiver;
  const arrivals: string[] = [];
  const connectionsPerEndpoint = 2;
  let fastDone!: () => void;
  /** Settles once the fast endpoint has answered every one of its events. */
  const fastAllAnswered = new Promise<void>((resolve) => { fastDone = resolve; });
  before(async () => {
    // A generous timeout: the slow receiver's answers must never time out, however loaded the machine.
    // Eight job slots, two connections per endpoint: the slow endpoint's deliveries beyond its two in flight wait at
    // most a second for a connection and are then put off, so job slots come free for the fast endpoint.
    server = await startTestServer({ webhookWorker: { timeoutMs: 30_000, firstRetrySeconds: 1, retryDelayMaxSeconds: 1, concurrency: 8, connectionsPerEndpoint } });
    // The slow receiver answers only once the fast endpoint has had all its events (and no sooner than
    // slowAnswerMs): however slowly the events are created on a loaded machine, the slow endpoint is still being
    // worked through while the fast one is served.
    slow = new Receiver((_request, response, _body, done) => {
      arrivals.push('slow');
      void Promise.all([fastAllAnswered, new Promise((resolve) => setTimeout(resolve, slowAnswerMs))]).then(() => {
        response.writeHead(200).end('ok');
        done();
      });
    });
    fast = new Receiver((_request, response, _body, done) => {
      arrivals.push('fast');
      response.writeHead(200).end('ok');
      done();
      if (fast.answered >= fastEvents) fastDone();
    });
  });
  after(async () => {
    await server.close();
    await slow.close();
    await fast.close();
  });

  it('does not hold a fast endpoint up behind a slow one, and never sends one endpoint more than its limit at once', async () => {
    const slowAccount = await server.createAccount('Slow receiver');
    const fastAccount = await server.createAccount('Fast receiver');
    const slowEndpoint = await slowAccount.stripe.webhookEndpoints.create({ url: await slow.listen(), enabled_events: ['customer.created'] });
    const fastEndpoint = await fastAccount.stripe.webhookEndpoints.create({ url: await fast.listen(), enabled_events: ['customer.created'] });
    for (let index = 0; index < slowEvents; index += 1) await slowAccount.stripe.customers.create({ email: `slow${index}@example.com` });
    for (let index = 0; index < fastEvents; index += 1) await fastAccount.stripe.customers.create({ email: `fast${index}@example.com` });

    await until('the fast endpoint to get its events', () => (fast.answered >= fastEvents ? true : undefined));
    const slowDoneWhenFastDone = slow.answered;
    assert.ok(slowDoneWhenFastDone < slowEvents, `the slow endpoint was still being worked through (${slowDoneWhenFastDone} of ${slowEvents} answered)`);
    const pendingSlow = await server.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending'`, [slowEndpoint.id]);
    assert.ok(pendingSlow.rows[0].n > 0);

    await until('the slow endpoint to get every event', () => (slow.answered >= slowEvents ? true : undefined), 30_000);
    assert.ok(slow.inFlightMax >= 1 && slow.inFlightMax <= connectionsPerEndpoint, `at most ${connectionsPerEndpoint} requests at a time to one endpoint (saw ${slow.inFlightMax})`);
    assert.equal(arrivals.filter((who) => who === 'fast').length, fastEvents);
    for (const endpointId of [slowEndpoint.id, fastEndpoint.id]) {
      const rows = await until(`every delivery to ${endpointId} to be recorded`, async () => {
        const found = (await server.db.query(`SELECT status, attempt_count FROM webhook_deliveries WHERE endpoint_id = $1`, [endpointId])).rows;
        return found.every((row) => row.status === 'succeeded') ? found : undefined;
      });
      assert.ok(rows.every((row) => row.attempt_count === 1), 'no timeouts, no retries');
    }
  });
});

describe('the delivering process killed (SIGKILL) mid-delivery', () => {
  const customers = 30;
  const endpointCount = 3;
  const holdMs = 150;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  let receiver: Receiver;
  let running: PlatformProcess | undefined;
  /** How often each (endpoint, event) was received with a valid signature. */
  const received = new Map<string, number>();
  /** Requests received and not yet answered, by (endpoint, event). */
  const holding = new Set<string>();
  const secrets: string[] = [];

  before(async () => {
    database = await createTestDatabase();
    dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-webhook-crash-'));
    receiver = new Receiver((request, response, body, done) => {
      const index = Number(/\/hooks\/(\d+)$/.exec(request.url ?? '')?.[1]);
      let event: Stripe.Event;
      try {
        event = Stripe.webhooks.constructEvent(body, String(request.headers['stripe-signature']), secrets[index]);
      } catch {
        response.writeHead(400).end('bad signature');
        done();
        return;
      }
      const key = `${index}:${event.id}`;
      received.set(key, (received.get(key) ?? 0) + 1);
      holding.add(key);
      setTimeout(() => {
        holding.delete(key);
        if (!response.destroyed) response.writeHead(200).end('ok');
        done();
      }, holdMs);
    });
  });
  after(async () => {
    running?.child.kill('SIGKILL');
    await receiver.close();
    await database.drop();
    fs.rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('still delivers every event at least once after a restart, and every delivery ends succeeded', async (t) => {
    const url = await receiver.listen();
    const port = await findFreePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      PAYRAIL_DATA_DIR: dataDirectory,
      PORT: String(port),
      PAYRAIL_WEBHOOK_WORKER: 'process',
      PAYRAIL_WEBHOOK_TIMEOUT_MS: '2000',
      PAYRAIL_WEBHOOK_LOCK_RECOVERY_SECONDS: '2',
      PAYRAIL_WEBHOOK_FIRST_RETRY_SECONDS: '1',
      PAYRAIL_WEBHOOK_RETRY_DELAY_MAX_SECONDS: '2',
    };
    const first = await startPlatform(env);
    running = first;
    const stripe = new Stripe(first.secretKey, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
    const endpointIds: string[] = [];
    for (let index = 0; index < endpointCount; index += 1) {
      const endpoint = await stripe.webhookEndpoints.create({ url: url.replace(/\/hooks$/, `/hooks/${index}`), enabled_events: ['customer.created'] });
      secrets[index] = endpoint.secret!;
      endpointIds.push(endpoint.id);
    }
    const created = await Promise.all(Array.from({ length: customers }, (_, index) => stripe.customers.create({ email: `crash${index}@example.com` })));

    // Kill while some requests have been received and not answered: the delivery worker (a child process of
    // `payrail start`) and `payrail start` itself, both with SIGKILL, as a machine losing power would.
    const exited = new Promise((resolve) => first.child.on('exit', resolve));
    await until('deliveries in flight', () => (receiver.answered >= 2 * endpointCount && holding.size > 0 ? true : undefined));
    const inFlightAtKill = [...holding];
    const answeredAtKill = receiver.answered;
    const workerPid = workerPidOf(first);
    process.kill(workerPid, 'SIGKILL');
    first.child.kill('SIGKILL');
    await exited;
    await until('the killed worker to be gone', () => (processExists(workerPid) ? undefined : true));
    running = undefined;
    assert.ok(inFlightAtKill.length > 0);

    const killedAt = Date.now();
    const second = await startPlatform(env);
    running = second;
    const restartedAt = Date.now();
    const events = (await database.db.query<{ id: string; object_id: string }>(`SELECT id, data->'object'->>'id' AS object_id FROM events WHERE type = 'customer.created'`)).rows;
    assert.deepEqual(events.map((event) => event.object_id).sort(), created.map((customer) => customer.id).sort(), 'one event per customer');
    const expected = events.flatMap((event) => endpointIds.map((_, index) => `${index}:${event.id}`));
    await until('every event received by every endpoint', () => (expected.every((key) => received.has(key)) ? true : undefined), 45_000);
    const deliveries = await until('every delivery recorded as succeeded', async () => {
      const rows = (await database.db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM webhook_deliveries GROUP BY status')).rows;
      return rows.length === 1 && rows[0].status === 'succeeded' ? rows[0].n : undefined;
    }, 20_000);
    assert.equal(deliveries, customers * endpointCount, 'one delivery per event and endpoint');
    assert.equal(received.size, expected.length, 'nothing but the expected events');
    for (const key of inFlightAtKill) assert.ok(received.get(key)! >= 2, `${key}, in flight at the kill, was sent again`);

    const drainedAt = Date.now();
    const requests = [...received.values()].reduce((sum, count) => sum + count, 0);
    t.diagnostic(`${expected.length} deliveries, ${answeredAtKill} answered before the kill, ${inFlightAtKill.length} in flight at the kill, ${requests} requests received, ${requests - expected.length} duplicate(s); restart took ${restartedAt - killedAt} ms, the rest arrived ${drainedAt - restartedAt} ms later; at most ${receiver.inFlightMax} requests in flight at once`);

    const stopped = new Promise<number | null>((resolve) => second.child.on('exit', (code) => resolve(code)));
    second.child.kill('SIGTERM');
    assert.equal(await stopped, 0);
    running = undefined;
  });
});
