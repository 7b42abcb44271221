import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { listenOnLoopback } from './helpers/loopback-server.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';
import { until } from './helpers/until.ts';

/*
 * Connect webhook endpoints through the stripe SDK and a real delivery worker: an endpoint created with connect=true
 * receives the events of the platform's connected accounts (each with `account` set), signed as Stripe signs; the
 * platform's own endpoint keeps receiving only the platform's events, and another platform's Connect endpoint nothing.
 */

/** A receiver that keeps every event whose signature its one endpoint secret verifies. */
class Receiver {
  readonly received: Stripe.Event[] = [];
  readonly rejected: string[] = [];
  secret = '';
  private server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        this.received.push(Stripe.webhooks.constructEvent(Buffer.concat(chunks).toString('utf8'), String(request.headers['stripe-signature'] ?? ''), this.secret));
        response.writeHead(200).end('ok');
      } catch {
        this.rejected.push(String(request.headers['stripe-signature']));
        response.writeHead(400).end('bad signature');
      }
    });
  });

  async listen(): Promise<string> {
    return `${await listenOnLoopback(this.server)}/hooks`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('Connect webhook endpoints', () => {
  let server: TestServer;
  let platform: TestAccount;
  let otherPlatform: TestAccount;
  const connectReceiver = new Receiver();
  const ownReceiver = new Receiver();
  const otherReceiver = new Receiver();

  before(async () => {
    server = await startTestServer({ webhookWorker: { firstRetrySeconds: 1, retryDelayMaxSeconds: 2, timeoutMs: 30_000 } });
    platform = server.account;
    otherPlatform = await server.createAccount('Other platform');
    const connectEndpoint = await platform.stripe.webhookEndpoints.create({ url: await connectReceiver.listen(), enabled_events: ['customer.created', 'account.updated'], connect: true });
    connectReceiver.secret = connectEndpoint.secret!;
    const ownEndpoint = await platform.stripe.webhookEndpoints.create({ url: await ownReceiver.listen(), enabled_events: ['customer.created'] });
    ownReceiver.secret = ownEndpoint.secret!;
    const otherEndpoint = await otherPlatform.stripe.webhookEndpoints.create({ url: await otherReceiver.listen(), enabled_events: ['*'], connect: true });
    otherReceiver.secret = otherEndpoint.secret!;
  });
  after(async () => {
    await server.close();
    await Promise.all([connectReceiver.close(), ownReceiver.close(), otherReceiver.close()]);
  });

  it('delivers a connected account\'s events to the platform\'s Connect endpoint with `account`, and the platform\'s own to its own endpoint', async () => {
    const seller = await platform.stripe.accounts.create({ type: 'custom', country: 'US', capabilities: { transfers: { requested: true } } });
    const sellersCustomer = await platform.stripe.customers.create({ email: 'buyer@seller.example' }, { stripeAccount: seller.id });
    const platformsCustomer = await platform.stripe.customers.create({ email: 'buyer@platform.example' });
    await platform.stripe.accounts.update(seller.id, { business_profile: { url: 'https://seller.example.com' } });

    const connectEvents = await until('the seller\'s customer.created and account.updated at the Connect endpoint', () => {
      const customer = connectReceiver.received.find((event) => event.type === 'customer.created');
      const updated = connectReceiver.received.find((event) => event.type === 'account.updated');
      return customer && updated ? { customer, updated } : undefined;
    });
    assert.equal(connectEvents.customer.account, seller.id);
    assert.equal((connectEvents.customer.data.object as Stripe.Customer).id, sellersCustomer.id);
    assert.equal(connectEvents.updated.account, seller.id);
    assert.equal((connectEvents.updated.data.object as Stripe.Account).business_profile?.url, 'https://seller.example.com');

    const own = await until('the platform\'s customer.created at its own endpoint', () => ownReceiver.received.find((event) => event.type === 'customer.created'));
    assert.equal((own.data.object as Stripe.Customer).id, platformsCustomer.id);
    assert.equal(own.account, platform.accountId);

    // Every delivery has ended before looking at what was not delivered.
    await until('every delivery ended', async () => {
      const pending = await server.db.query("SELECT 1 FROM webhook_deliveries WHERE status = 'pending'");
      return pending.rowCount === 0 ? true : undefined;
    });
    assert.ok(connectReceiver.received.every((event) => event.account === seller.id), 'the Connect endpoint gets no event of the platform itself');
    assert.ok(ownReceiver.received.every((event) => event.account === platform.accountId), 'the platform\'s own endpoint gets no event of its connected accounts');
    assert.deepEqual(otherReceiver.received, [], 'another platform\'s Connect endpoint gets nothing');
    assert.deepEqual([...connectReceiver.rejected, ...ownReceiver.rejected, ...otherReceiver.rejected], []);
    // The platform sees its Connect endpoint's attempts.
    const attempts = await server.db.query<{ account_id: string }>('SELECT DISTINCT account_id FROM webhook_attempts WHERE event_id = $1', [connectEvents.customer.id]);
    assert.deepEqual(attempts.rows.map((row) => row.account_id), [platform.accountId]);
  });
});
