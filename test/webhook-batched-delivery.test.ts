import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { recordSucceededAttempts } from '../src/webhooks/delivery-repository.ts';
import { secretAssociatedData } from '../src/webhooks/repository.ts';
import { generateSigningSecret } from '../src/webhooks/signing.ts';
import { closeNow, listenOnLoopback } from './helpers/loopback-server.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { until } from './helpers/until.ts';

/**
 * Many deliveries at once through the batched worker (jobs fetched in batches, loads and successes recorded in
 * batches, kept-alive connections per endpoint), against real PostgreSQL and a real receiver that verifies every
 * signature: every event reaches every subscribed endpoint, each delivery ends succeeded with exactly one attempt,
 * and each endpoint's requests share a few reused connections.
 */

/** A receiver that verifies each delivery and notes which connection (socket) carried it. */
class Receiver {
  /** Valid requests by `${endpoint}:${event id}`. */
  readonly received = new Map<string, number>();
  readonly sockets = new Map<string, Set<Socket>>();
  readonly rejected: string[] = [];
  inFlight = new Map<string, number>();
  inFlightMax = new Map<string, number>();
  readonly secrets = new Map<string, string>();
  private readonly server = http.createServer((request, response) => {
    const endpoint = /\/hooks\/(\w+)$/.exec(request.url ?? '')?.[1] ?? '?';
    this.inFlight.set(endpoint, (this.inFlight.get(endpoint) ?? 0) + 1);
    this.inFlightMax.set(endpoint, Math.max(this.inFlightMax.get(endpoint) ?? 0, this.inFlight.get(endpoint)!));
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const done = (status: number) => {
        this.inFlight.set(endpoint, this.inFlight.get(endpoint)! - 1);
        response.writeHead(status).end(status === 200 ? 'ok' : 'bad signature');
      };
      let event: Stripe.Event;
      try {
        event = Stripe.webhooks.constructEvent(Buffer.concat(chunks).toString('utf8'), String(request.headers['stripe-signature']), this.secrets.get(endpoint) ?? '');
      } catch {
        this.rejected.push(endpoint);
        done(400);
        return;
      }
      const key = `${endpoint}:${event.id}`;
      this.received.set(key, (this.received.get(key) ?? 0) + 1);
      if (!this.sockets.has(endpoint)) this.sockets.set(endpoint, new Set());
      this.sockets.get(endpoint)!.add(request.socket);
      // Answer on a later turn, so that requests overlap as they would with a real receiver.
      setImmediate(() => done(200));
    });
  });

  async listen(): Promise<string> {
    return `${await listenOnLoopback(this.server)}/hooks`;
  }

  close(): Promise<void> {
    return closeNow(this.server);
  }
}

describe('batched webhook delivery', () => {
  const connectionsPerEndpoint = 3;
  const eventCount = 400;
  let server: TestServer;
  let receiver: Receiver;
  let url: string;
  before(async () => {
    server = await startTestServer({ webhookWorker: { timeoutMs: 30_000, concurrency: 32, connectionsPerEndpoint } });
    receiver = new Receiver();
    url = await receiver.listen();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  /** An endpoint written straight to the table, with its secret; `failingSince` as if it had failed before. */
  async function endpoint(accountId: string, name: string, failingSince: number | null = null): Promise<string> {
    const id = `we_${name}${Math.random().toString(36).slice(2, 10)}`;
    const secret = generateSigningSecret();
    await server.db.query(
      `INSERT INTO webhook_endpoints (id, account_id, livemode, url, enabled_events, status, secret_encrypted, failing_since, created)
       VALUES ($1, $2, false, $3, $4, 'enabled', $5, $6, 1)`,
      [id, accountId, `${url}/${id}`, ['customer.created'], server.deps.secretBox.encrypt(secret, secretAssociatedData(id, 'current')), failingSince],
    );
    receiver.secrets.set(id, secret);
    return id;
  }

  it('delivers a burst of events to every endpoint once each, over a few reused connections per endpoint', async () => {
    const account = await server.createAccount('Batched');
    const endpoints = [await endpoint(account.accountId, 'a'), await endpoint(account.accountId, 'b', 1_000)];
    // One statement inserts the whole burst: the events trigger queues every delivery and its job in it.
    const events = (await server.db.query<{ id: string }>(
      `INSERT INTO events (id, account_id, livemode, type, data, created)
       SELECT 'evt_batch' || n, $1, false, 'customer.created', json_build_object('object', json_build_object('id', 'cus_batch' || n, 'object', 'customer')), 1
         FROM generate_series(1, $2::int) AS n
       RETURNING id`,
      [account.accountId, eventCount],
    )).rows.map((row) => row.id);
    const expected = events.flatMap((eventId) => endpoints.map((endpointId) => `${endpointId}:${eventId}`));

    await until('every event at every endpoint', () => (expected.every((key) => receiver.received.has(key)) ? true : undefined), 60_000);
    const deliveries = await until('every delivery recorded', async () => {
      const rows = (await server.db.query<{ status: string; attempt_count: number; attempts: number; succeeded_attempts: number }>(
        `SELECT d.status, d.attempt_count, count(a.*)::int AS attempts, count(a.*) FILTER (WHERE a.succeeded)::int AS succeeded_attempts
           FROM webhook_deliveries d LEFT JOIN webhook_attempts a ON a.delivery_id = d.id
          WHERE d.endpoint_id = ANY($1) GROUP BY d.id`,
        [endpoints],
      )).rows;
      return rows.length === expected.length && rows.every((row) => row.status === 'succeeded') ? rows : undefined;
    });
    assert.ok(deliveries.every((row) => row.attempt_count === 1 && row.attempts === 1 && row.succeeded_attempts === 1), 'one successful attempt per delivery');
    assert.deepEqual(receiver.rejected, [], 'every signature verified');
    assert.ok([...receiver.received.values()].every((count) => count === 1), 'no event sent twice');
    const failing = await server.db.query('SELECT failing_since FROM webhook_endpoints WHERE id = $1', [endpoints[1]]);
    assert.equal(failing.rows[0].failing_since, null, 'a success ends the endpoint\'s failure run');
    const jobs = await until('no delivery job left', async () => {
      const left = await server.db.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'webhook_delivery'`);
      return left.rows[0].n === 0 ? 0 : undefined;
    });
    assert.equal(jobs, 0);
    for (const endpointId of endpoints) {
      const sockets = receiver.sockets.get(endpointId)!.size;
      assert.ok(sockets >= 1 && sockets <= connectionsPerEndpoint, `${endpointId}: ${eventCount} deliveries over ${sockets} connection(s), at most ${connectionsPerEndpoint}`);
      assert.ok(receiver.inFlightMax.get(endpointId)! <= connectionsPerEndpoint, `${endpointId}: at most ${connectionsPerEndpoint} requests at once`);
    }
  });

  it('records a batch of successes in one statement, ending only the deliveries still pending', async () => {
    const account = await server.createAccount('Recorder');
    const endpointId = `we_rec${Math.random().toString(36).slice(2, 10)}`;
    await server.db.query(
      `INSERT INTO webhook_endpoints (id, account_id, livemode, url, enabled_events, status, secret_encrypted, failing_since, created)
       VALUES ($1, $2, false, 'http://127.0.0.1:9/none', '{customer.created}', 'disabled', '\\x00', 77, 1)`,
      [endpointId, account.accountId],
    );
    const deliveryIds = ['whd_rec_pending1', 'whd_rec_pending2', 'whd_rec_done'];
    for (const [index, id] of deliveryIds.entries()) {
      await server.db.query(
        `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, account_id, livemode, status, attempt_count, queued_at, first_attempt_at, completed_at)
         VALUES ($1, $2, $3, $4, false, $5, $6, 1, $7, $8)`,
        [id, endpointId, `evt_rec${index}`, account.accountId, id === 'whd_rec_done' ? 'succeeded' : 'pending', id === 'whd_rec_pending2' ? 2 : id === 'whd_rec_done' ? 1 : 0,
          id === 'whd_rec_pending2' ? 500 : id === 'whd_rec_done' ? 400 : null, id === 'whd_rec_done' ? 450 : null],
      );
    }
    const attempt = (deliveryId: string, index: number) => ({
      attempt: {
        id: `wha_rec${index}`, delivery_id: deliveryId, endpoint_id: endpointId, event_id: `evt_rec${index}`, account_id: account.accountId, livemode: false,
        attempted_at: 1_000 + index, latency_ms: 3, status_code: 204, succeeded: true, response_excerpt: '', error: null,
      },
      completedAt: 2_000,
    });
    const ended = await recordSucceededAttempts(server.db, deliveryIds.map(attempt));
    assert.deepEqual([...ended].sort(), ['whd_rec_pending1', 'whd_rec_pending2']);

    const rows = (await server.db.query('SELECT id, status, attempt_count, first_attempt_at, completed_at FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id', [endpointId])).rows;
    assert.deepEqual(rows, [
      { id: 'whd_rec_done', status: 'succeeded', attempt_count: 1, first_attempt_at: 400, completed_at: 450 },
      { id: 'whd_rec_pending1', status: 'succeeded', attempt_count: 1, first_attempt_at: 1_000, completed_at: 2_000 },
      { id: 'whd_rec_pending2', status: 'succeeded', attempt_count: 3, first_attempt_at: 500, completed_at: 2_000 },
    ]);
    const attempts = (await server.db.query('SELECT delivery_id, succeeded, status_code FROM webhook_attempts WHERE endpoint_id = $1 ORDER BY delivery_id', [endpointId])).rows;
    assert.deepEqual(attempts.map((row) => row.delivery_id), deliveryIds.slice().sort(), 'every attempt is recorded, also the duplicate run\'s');
    assert.ok(attempts.every((row) => row.succeeded && row.status_code === 204));
    const endpointRow = await server.db.query('SELECT failing_since FROM webhook_endpoints WHERE id = $1', [endpointId]);
    assert.equal(endpointRow.rows[0].failing_since, null);
  });
});
