import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { secretAssociatedData } from '../src/webhooks/repository.ts';
import { generateSigningSecret } from '../src/webhooks/signing.ts';
import { listenOnLoopback } from './helpers/loopback-server.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { until } from './helpers/until.ts';

/** A local receiver that verifies every delivery with the official SDK and answers with the next planned status. */
class Receiver {
  readonly received: { event: Stripe.Event; signature: string }[] = [];
  readonly rejected: string[] = [];
  /** Statuses to answer with, in order; afterwards 200. */
  plan: number[] = [];
  secrets: string[] = [];
  private server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = String(request.headers['stripe-signature'] ?? '');
      const verified = this.secrets.map((secret) => {
        try {
          return Stripe.webhooks.constructEvent(body, signature, secret);
        } catch {
          return undefined;
        }
      });
      const event = verified.find((candidate) => candidate !== undefined);
      if (!event || verified.some((candidate) => candidate === undefined)) {
        this.rejected.push(signature);
        response.writeHead(400).end('bad signature');
        return;
      }
      this.received.push({ event, signature });
      const status = this.plan.shift() ?? 200;
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : `failing with ${status}`);
    });
  });

  async listen(): Promise<string> {
    return `${await listenOnLoopback(this.server)}/hooks`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('webhook delivery', () => {
  let server: TestServer;
  let receiver: Receiver;
  let url: string;
  before(async () => {
    // A generous timeout (the receiver answers at once, slowly only on a loaded machine); jobs locked longer than it
    // are released (the default lock recovery, 60 s), never one whose delivery is still running.
    server = await startTestServer({ webhookWorker: { firstRetrySeconds: 1, retryDelayMaxSeconds: 2, timeoutMs: 30_000 } });
    receiver = new Receiver();
    url = await receiver.listen();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  /** An endpoint written straight to the table (the API has its own tests), with its secret. */
  async function endpoint(accountId: string, enabledEvents: string[]): Promise<{ id: string; secret: string }> {
    const id = `we_test${Math.random().toString(36).slice(2, 12)}`;
    const secret = generateSigningSecret();
    await server.db.query(
      `INSERT INTO webhook_endpoints (id, account_id, livemode, url, enabled_events, status, secret_encrypted, created)
       VALUES ($1, $2, false, $3, $4, 'enabled', $5, 1)`,
      [id, accountId, url, enabledEvents, server.deps.secretBox.encrypt(secret, secretAssociatedData(id, 'current'))],
    );
    return { id, secret };
  }

  it('delivers every matching event, signed so that stripe.webhooks.constructEvent accepts it', async () => {
    const account = await server.createAccount();
    const { secret } = await endpoint(account.accountId, ['payment_intent.succeeded', 'charge.succeeded']);
    receiver.secrets = [secret];
    const intent = await account.stripe.paymentIntents.create({ amount: 1_500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const events = await until('two deliveries', () => {
      const mine = receiver.received.filter((delivery) => (delivery.event.data.object as { id?: string; payment_intent?: string }).id === intent.id
        || (delivery.event.data.object as { payment_intent?: string }).payment_intent === intent.id);
      return mine.length >= 2 ? mine : undefined;
    });
    assert.deepEqual(events.map((delivery) => delivery.event.type).sort(), ['charge.succeeded', 'payment_intent.succeeded']);
    assert.match(events[0].signature, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.equal(receiver.rejected.length, 0);
    // The receiver answers before the worker records the attempt: wait for the records.
    const stored = await until('both deliveries recorded', async () => {
      const rows = (await server.db.query(`SELECT status, attempt_count FROM webhook_deliveries WHERE account_id = $1`, [account.accountId])).rows;
      return rows.length === 2 && rows.every((row) => row.status !== 'pending') ? rows : undefined;
    });
    assert.deepEqual(stored.map((row) => [row.status, row.attempt_count]), [['succeeded', 1], ['succeeded', 1]]);
    const attempts = await server.db.query('SELECT status_code, succeeded, latency_ms, response_excerpt FROM webhook_attempts WHERE account_id = $1', [account.accountId]);
    assert.equal(attempts.rows.length, 2);
    assert.ok(attempts.rows.every((row) => row.status_code === 200 && row.succeeded && row.response_excerpt === 'ok' && row.latency_ms >= 0));
  });

  it('retries a receiver that fails N times, which then gets the event N + 1 times', async () => {
    const account = await server.createAccount();
    const { secret } = await endpoint(account.accountId, ['customer.created']);
    receiver.secrets = [secret];
    receiver.plan = [500, 503];
    const customer = await account.stripe.customers.create({ email: 'retry@example.com' });
    const deliveries = await until('the third delivery', () => {
      const mine = receiver.received.filter((delivery) => (delivery.event.data.object as { id: string }).id === customer.id);
      return mine.length >= 3 ? mine : undefined;
    });
    assert.equal(new Set(deliveries.map((delivery) => delivery.event.id)).size, 1, 'the same event each time');
    const delivery = await until('the delivery to be recorded as succeeded', async () => {
      const rows = (await server.db.query(`SELECT status, attempt_count FROM webhook_deliveries WHERE account_id = $1`, [account.accountId])).rows;
      return rows[0]?.status === 'succeeded' ? rows[0] : undefined;
    });
    assert.equal(delivery.attempt_count, 3);
    const attempts = await server.db.query('SELECT status_code, succeeded, error FROM webhook_attempts WHERE account_id = $1 ORDER BY seq', [account.accountId]);
    assert.deepEqual(attempts.rows.map((row) => [row.status_code, row.succeeded, row.error]), [[500, false, 'HTTP 500'], [503, false, 'HTTP 503'], [200, true, null]]);
  });

  it('signs with both secrets while a rotated secret is in its overlap window', async () => {
    const account = await server.createAccount();
    const { id, secret: oldSecret } = await endpoint(account.accountId, ['customer.created']);
    const newSecret = generateSigningSecret();
    await server.db.query(
      `UPDATE webhook_endpoints SET secret_encrypted = $2, previous_secret_encrypted = $3, previous_secret_expires_at = $4 WHERE id = $1`,
      [id, server.deps.secretBox.encrypt(newSecret, secretAssociatedData(id, 'current')), server.deps.secretBox.encrypt(oldSecret, secretAssociatedData(id, 'previous')), server.clock.nowSeconds() + 3_600],
    );
    receiver.secrets = [newSecret, oldSecret];
    const customer = await account.stripe.customers.create({ email: 'rotation@example.com' });
    const delivery = await until('the delivery', () => receiver.received.find((candidate) => (candidate.event.data.object as { id: string }).id === customer.id));
    assert.equal(delivery.signature.split(',').filter((part) => part.startsWith('v1=')).length, 2, 'one v1 signature per secret');
  });
});
