import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { secretAssociatedData } from '../src/webhooks/repository.ts';
import { defaultWebhookSettings, type WebhookSettings } from '../src/webhooks/settings.ts';
import { generateSigningSecret } from '../src/webhooks/signing.ts';
import { startWebhookWorker } from '../src/webhooks/worker.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { until } from './helpers/until.ts';

/**
 * A graceful stop of the webhook worker while a delivery is in flight: the delivery finishes and its success is
 * recorded, and its job is completed before stop() returns, so the job does not stay locked until lock recovery
 * (which would send the event again after `lockRecoverySeconds`).
 */
describe('webhook worker stop', () => {
  let server: TestServer;
  let url: string;
  /** Answers of requests held until the test lets them go. */
  const held: http.ServerResponse[] = [];
  const receiver = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => held.push(response));
  });
  const settings: WebhookSettings = { ...defaultWebhookSettings, timeoutMs: 30_000, concurrency: 2 };

  before(async () => {
    server = await startTestServer({ webhookSettings: settings });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  after(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await server.close();
  });

  it('leaves no webhook job locked after stop() during a delivery', async () => {
    const account = await server.createAccount();
    const endpointId = `we_test${Math.random().toString(36).slice(2, 12)}`;
    await server.db.query(
      `INSERT INTO webhook_endpoints (id, account_id, livemode, url, enabled_events, status, secret_encrypted, created)
       VALUES ($1, $2, false, $3, $4, 'enabled', $5, 1)`,
      [endpointId, account.accountId, url, ['customer.created'], server.deps.secretBox.encrypt(generateSigningSecret(), secretAssociatedData(endpointId, 'current'))],
    );
    const worker = await startWebhookWorker(server.deps, server.databaseUrl, settings);
    await account.stripe.customers.create({ email: 'stop@example.com' });
    const response = await until('the delivery to reach the receiver', () => held[0]);
    const jobLocked = await server.db.query(`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE task_identifier = 'webhook_delivery' AND locked_at IS NOT NULL`);
    assert.equal(jobLocked.rows[0].count, 1, 'the job is locked while its delivery runs');

    // Stop first, then answer: a graceful stop waits for the delivery in flight.
    const stopped = worker.stop();
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    await stopped;

    const delivery = await server.db.query('SELECT status FROM webhook_deliveries WHERE endpoint_id = $1', [endpointId]);
    assert.deepEqual(delivery.rows, [{ status: 'succeeded' }]);
    const jobs = await server.db.query(`SELECT id, locked_at, locked_by FROM graphile_worker.jobs WHERE task_identifier = 'webhook_delivery'`);
    assert.deepEqual(jobs.rows, [], 'the finished job was completed (deleted), not left locked');
    const queues = await server.db.query('SELECT queue_name, locked_at, locked_by FROM graphile_worker._private_job_queues WHERE locked_at IS NOT NULL OR locked_by IS NOT NULL');
    assert.deepEqual(queues.rows, [], 'no named queue stays locked');
  });
});
