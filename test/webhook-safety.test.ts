import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import type { Database } from '../src/platform/db.ts';
import { secretAssociatedData } from '../src/webhooks/repository.ts';
import { responseExcerptBytes } from '../src/webhooks/sender.ts';
import { generateSigningSecret } from '../src/webhooks/signing.ts';
import { closeNow } from './helpers/loopback-server.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { until } from './helpers/until.ts';

/**
 * Safety of webhook delivery: the address check on the resolved address at delivery time (live mode may not reach
 * loopback or private networks unless configured; test mode may reach loopback only), redirects never followed,
 * response bodies capped, and every non-2xx answer a failure.
 */

/** A local HTTP receiver on every loopback address (127.0.0.1 and ::1), answering with `handle`. */
class Receiver {
  readonly paths: string[] = [];
  readonly bodies: { body: string; signature: string }[] = [];
  private readonly server: http.Server;

  constructor(handle: (request: http.IncomingMessage, response: http.ServerResponse) => void = (_request, response) => response.writeHead(200).end('ok')) {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.paths.push(request.url ?? '');
        this.bodies.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(request.headers['stripe-signature'] ?? '') });
        handle(request, response);
      });
    });
  }

  get requests(): number {
    return this.paths.length;
  }

  /** Listens on `::` (dual stack), so 127.0.0.1, localhost and [::1] all reach it; returns the port. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '::', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return closeNow(this.server);
  }
}

interface AttemptRow { status_code: number | null; succeeded: boolean; error: string | null; response_excerpt: string | null; latency_ms: number }

function firstAttempt(db: Database, endpointId: string): Promise<AttemptRow> {
  return until(`an attempt to ${endpointId}`, async () => (await db.query<AttemptRow>(
    'SELECT status_code, succeeded, error, response_excerpt, latency_ms FROM webhook_attempts WHERE endpoint_id = $1 ORDER BY seq LIMIT 1', [endpointId],
  )).rows[0]);
}

async function deliveryStatus(db: Database, endpointId: string): Promise<string> {
  const rows = (await db.query('SELECT status FROM webhook_deliveries WHERE endpoint_id = $1', [endpointId])).rows;
  assert.equal(rows.length, 1);
  return rows[0].status;
}

/**
 * An endpoint written straight to the table: the API refuses a live-mode endpoint on loopback at creation, and what
 * is tested here is the check at delivery time (which also covers a name whose DNS answer changed after creation).
 */
async function insertEndpoint(server: TestServer, accountId: string, livemode: boolean, url: string): Promise<{ id: string; secret: string }> {
  const id = `we_safety${Math.random().toString(36).slice(2, 12)}`;
  const secret = generateSigningSecret();
  await server.db.query(
    `INSERT INTO webhook_endpoints (id, account_id, livemode, url, enabled_events, status, secret_encrypted, created)
     VALUES ($1, $2, $3, $4, ARRAY['customer.created'], 'enabled', $5, 1)`,
    [id, accountId, livemode, url, server.deps.secretBox.encrypt(secret, secretAssociatedData(id, 'current'))],
  );
  return { id, secret };
}

/**
 * One attempt per delivery during a test: the first retry would come only after a minute. The timeout is generous:
 * receivers here answer at once, slowly only on a loaded machine.
 */
const oneAttempt = { timeoutMs: 30_000, firstRetrySeconds: 60, retryDelayMaxSeconds: 60 };

describe('delivery-time address check (default settings)', () => {
  let server: TestServer;
  let receiver: Receiver;
  let port: number;
  before(async () => {
    server = await startTestServer({ webhookWorker: oneAttempt });
    receiver = new Receiver();
    port = await receiver.listen();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it('sends nothing to a live-mode endpoint on loopback and records an attempt naming the refused address', async () => {
    const account = await server.createAccount();
    const live = await server.liveKeys(account.accountId);
    const literal = await insertEndpoint(server, account.accountId, true, `http://127.0.0.1:${port}/literal`);
    const named = await insertEndpoint(server, account.accountId, true, `http://localhost:${port}/named`);
    const ipv6 = await insertEndpoint(server, account.accountId, true, `http://[::1]:${port}/ipv6`);
    const customer = await live.stripe.customers.create({ email: 'live@example.com' });
    assert.equal(customer.livemode, true);

    const literalAttempt = await firstAttempt(server.db, literal.id);
    assert.equal(literalAttempt.error, '127.0.0.1 resolves to 127.0.0.1, which webhooks may not reach');
    const namedAttempt = await firstAttempt(server.db, named.id);
    assert.match(namedAttempt.error ?? '', /^localhost resolves to (127\.0\.0\.1|::1), which webhooks may not reach$/);
    const ipv6Attempt = await firstAttempt(server.db, ipv6.id);
    assert.equal(ipv6Attempt.error, '[::1] resolves to ::1, which webhooks may not reach');
    for (const attempt of [literalAttempt, namedAttempt, ipv6Attempt]) {
      assert.equal(attempt.status_code, null);
      assert.equal(attempt.succeeded, false);
      assert.equal(attempt.response_excerpt, null);
    }
    for (const endpoint of [literal, named, ipv6]) assert.equal(await deliveryStatus(server.db, endpoint.id), 'pending', 'retried later: DNS may change');
    assert.equal(receiver.requests, 0, 'no request reached the receiver');
  });

  it('lets a test-mode endpoint reach loopback but not a private or link-local network', async () => {
    const account = await server.createAccount();
    const loopback = await account.stripe.webhookEndpoints.create({ url: `http://127.0.0.1:${port}/test-loopback`, enabled_events: ['customer.created'] });
    const privateNetwork = await insertEndpoint(server, account.accountId, false, `http://10.255.255.1:${port}/private`);
    const metadata = await insertEndpoint(server, account.accountId, false, 'http://169.254.169.254/latest/meta-data/');
    const mapped = await insertEndpoint(server, account.accountId, false, `http://[::ffff:10.0.0.1]:${port}/mapped`);
    await account.stripe.customers.create({ email: 'test-mode@example.com' });

    const delivered = await firstAttempt(server.db, loopback.id);
    assert.equal(delivered.status_code, 200);
    assert.equal(delivered.succeeded, true);
    assert.deepEqual(receiver.paths, ['/test-loopback']);
    Stripe.webhooks.constructEvent(receiver.bodies[0].body, receiver.bodies[0].signature, loopback.secret!);

    // Refused before any connection: an attempt at 10.255.255.1 would otherwise end in a timeout.
    assert.equal((await firstAttempt(server.db, privateNetwork.id)).error, '10.255.255.1 resolves to 10.255.255.1, which webhooks may not reach');
    assert.equal((await firstAttempt(server.db, metadata.id)).error, '169.254.169.254 resolves to 169.254.169.254, which webhooks may not reach');
    // The URL parser writes ::ffff:10.0.0.1 as ::ffff:a00:1; the IPv4 inside is still what is checked.
    assert.equal((await firstAttempt(server.db, mapped.id)).error, '[::ffff:a00:1] resolves to ::ffff:a00:1, which webhooks may not reach');
  });
});

describe('delivery-time address check with allowPrivateAddresses', () => {
  let server: TestServer;
  let receiver: Receiver;
  let port: number;
  before(async () => {
    server = await startTestServer({ webhookWorker: { ...oneAttempt, allowPrivateAddresses: true } });
    receiver = new Receiver();
    port = await receiver.listen();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it('delivers to live-mode endpoints on loopback when configuration allows it', async () => {
    const account = await server.createAccount();
    const live = await server.liveKeys(account.accountId);
    const endpoints = [
      await insertEndpoint(server, account.accountId, true, `http://127.0.0.1:${port}/literal`),
      await insertEndpoint(server, account.accountId, true, `http://localhost:${port}/named`),
      await insertEndpoint(server, account.accountId, true, `http://[::1]:${port}/ipv6`),
    ];
    await live.stripe.customers.create({ email: 'allowed@example.com' });
    for (const endpoint of endpoints) {
      const attempt = await firstAttempt(server.db, endpoint.id);
      assert.deepEqual([attempt.status_code, attempt.succeeded, attempt.error], [200, true, null]);
    }
    assert.deepEqual([...receiver.paths].sort(), ['/ipv6', '/literal', '/named']);
    for (const [index, path] of ['/literal', '/named', '/ipv6'].entries()) {
      const request = receiver.bodies[receiver.paths.indexOf(path)];
      const event = Stripe.webhooks.constructEvent(request.body, request.signature, endpoints[index].secret);
      assert.equal(event.livemode, true);
      assert.equal(event.type, 'customer.created');
    }
  });
});

describe('what a receiver answers', () => {
  let server: TestServer;
  const receivers: Receiver[] = [];
  async function receiver(handle: ConstructorParameters<typeof Receiver>[0]): Promise<{ receiver: Receiver; url: string }> {
    const created = new Receiver(handle);
    receivers.push(created);
    return { receiver: created, url: `http://127.0.0.1:${await created.listen()}/hooks` };
  }
  before(async () => {
    server = await startTestServer({ webhookWorker: oneAttempt });
  });
  after(async () => {
    await server.close();
    await Promise.all(receivers.map((created) => created.close()));
  });

  it('does not follow a redirect: the attempt fails and the Location target gets no request', async () => {
    const account = await server.createAccount();
    const target = await receiver(undefined);
    const redirecting = await receiver((_request, response) => response.writeHead(302, { location: target.url }).end('moved'));
    const endpoint = await account.stripe.webhookEndpoints.create({ url: redirecting.url, enabled_events: ['customer.created'] });
    await account.stripe.customers.create({ email: 'redirect@example.com' });
    const attempt = await firstAttempt(server.db, endpoint.id);
    assert.deepEqual([attempt.status_code, attempt.succeeded, attempt.error, attempt.response_excerpt], [302, false, 'redirect not followed', 'moved']);
    assert.equal(redirecting.receiver.requests, 1);
    assert.equal(target.receiver.requests, 0, 'the Location target was never requested');
    assert.equal(await deliveryStatus(server.db, endpoint.id), 'pending', 'retried later');
  });

  it('reads at most the configured bytes of a huge response and keeps the first 1024 as the excerpt', async () => {
    const account = await server.createAccount();
    const hugeBytes = 10 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const huge = await receiver((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(hugeBytes) });
      let sent = 0;
      const write = () => {
        while (sent < hugeBytes && !response.destroyed) {
          sent += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', write);
            return;
          }
        }
        if (!response.destroyed) response.end();
      };
      response.on('error', () => undefined);
      write();
    });
    const endpoint = await account.stripe.webhookEndpoints.create({ url: huge.url, enabled_events: ['customer.created'] });
    await account.stripe.customers.create({ email: 'huge@example.com' });
    const attempt = await firstAttempt(server.db, endpoint.id);
    assert.deepEqual([attempt.status_code, attempt.succeeded, attempt.error], [200, true, null]);
    assert.equal(responseExcerptBytes, 1_024);
    assert.ok(Buffer.byteLength(attempt.response_excerpt ?? '') <= responseExcerptBytes);
    assert.equal(attempt.response_excerpt, 'x'.repeat(responseExcerptBytes));
    await until('the delivery to be recorded as succeeded', async () => ((await deliveryStatus(server.db, endpoint.id)) === 'succeeded' ? true : undefined));
  });

  it('counts every non-2xx answer as a failure and any 2xx as success', async () => {
    const account = await server.createAccount();
    const target = await receiver(undefined);
    const byStatus = new Map<number, string>();
    for (const status of [404, 301, 500, 204, 201]) {
      const answering = await receiver((_request, response) => {
        if (status === 301) response.writeHead(301, { location: target.url }).end();
        else response.writeHead(status).end(status === 204 ? undefined : `answer ${status}`);
      });
      const endpoint = await account.stripe.webhookEndpoints.create({ url: answering.url, enabled_events: ['customer.created'] });
      byStatus.set(status, endpoint.id);
    }
    await account.stripe.customers.create({ email: 'statuses@example.com' });
    const outcome = async (status: number) => {
      const attempt = await firstAttempt(server.db, byStatus.get(status)!);
      return [attempt.status_code, attempt.succeeded, attempt.error];
    };
    assert.deepEqual(await outcome(404), [404, false, 'HTTP 404']);
    assert.deepEqual(await outcome(500), [500, false, 'HTTP 500']);
    assert.deepEqual(await outcome(301), [301, false, 'redirect not followed']);
    assert.deepEqual(await outcome(204), [204, true, null]);
    assert.deepEqual(await outcome(201), [201, true, null]);
    assert.equal(target.receiver.requests, 0);
  });
});
