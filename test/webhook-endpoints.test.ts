import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { secretAssociatedData } from '../src/webhooks/repository.ts';
import { webhookEventTypes } from '../src/webhooks/event-types.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';
import { repositoryRoot, sourceFiles } from './helpers/source-files.ts';

/**
 * The WebhookEndpoints API through the official stripe SDK (and raw HTTP for Payrail's extensions: secret rotation,
 * delivery attempts, event re-send). The test server runs no delivery worker, so queued deliveries stay pending.
 */

const invalidRequest = Stripe.errors.StripeInvalidRequestError;
const publicUrl = 'https://merchant.example.com/webhooks';
const sourceRoot = path.join(repositoryRoot, 'src');

describe('webhook endpoints API', () => {
  let server: TestServer;
  let account: TestAccount;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    account = server.account;
    stripe = account.stripe;
  });
  after(async () => {
    await server.close();
  });

  function form(values: Record<string, string>): string {
    return new URLSearchParams(values).toString();
  }

  async function post(key: string, route: string, values: Record<string, string> = {}) {
    return server.request('POST', route, { key, body: form(values), contentType: 'application/x-www-form-urlencoded' });
  }

  async function endpointRow(id: string): Promise<Record<string, any>> {
    return (await server.db.query('SELECT * FROM webhook_endpoints WHERE id = $1', [id])).rows[0];
  }

  async function latestEvent(accountId: string, type: string): Promise<string> {
    const result = await server.db.query('SELECT id FROM events WHERE account_id = $1 AND type = $2 ORDER BY seq DESC LIMIT 1', [accountId, type]);
    assert.ok(result.rows[0], `an ${type} event exists`);
    return result.rows[0].id;
  }

  it('creates an endpoint: Stripe webhook_endpoint object, whsec_ secret only in the create answer', async () => {
    const created = await stripe.webhookEndpoints.create({
      url: publicUrl,
      enabled_events: ['payment_intent.succeeded', 'charge.refunded', 'payment_intent.succeeded'],
      description: 'Order fulfilment',
      metadata: { team: 'orders' },
      api_version: '2025-10-29.clover',
    });
    assert.match(created.id, /^we_[A-Za-z0-9]{24}$/);
    assert.equal(created.object, 'webhook_endpoint');
    assert.equal(created.url, publicUrl);
    assert.deepEqual(created.enabled_events, ['payment_intent.succeeded', 'charge.refunded'], 'duplicates are dropped');
    assert.equal(created.description, 'Order fulfilment');
    assert.deepEqual(created.metadata, { team: 'orders' });
    assert.equal(created.api_version, '2025-10-29.clover');
    assert.equal(created.application, null);
    assert.equal(created.livemode, false);
    assert.equal(created.status, 'enabled');
    assert.ok(Math.abs(created.created - server.clock.nowSeconds()) <= 5);
    assert.match(created.secret!, /^whsec_[A-Za-z0-9]{32,}$/);

    const retrieved = await stripe.webhookEndpoints.retrieve(created.id);
    assert.equal(retrieved.secret, undefined, 'the secret is never shown again');
    const { secret: _secret, ...withoutSecret } = created;
    assert.deepEqual(JSON.parse(JSON.stringify(retrieved)), JSON.parse(JSON.stringify(withoutSecret)));
    const listed = await stripe.webhookEndpoints.list();
    assert.ok(listed.data.every((endpoint) => endpoint.secret === undefined));

    const another = await stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['*'] });
    assert.notEqual(another.secret, created.secret, 'every endpoint gets its own secret');
    assert.equal(another.api_version, null);
    assert.equal(another.description, null);
    assert.deepEqual(another.metadata, {});
  });

  it('stores the secret only encrypted, bound to its endpoint and slot', async () => {
    const created = await stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['customer.created'] });
    const secret = created.secret!;
    const row = await endpointRow(created.id);
    for (const [column, value] of Object.entries(row)) {
      const text = Buffer.isBuffer(value) ? value.toString('latin1') : JSON.stringify(value);
      assert.ok(!text.includes(secret) && !text.includes(secret.slice('whsec_'.length)), `column ${column} does not hold the secret in clear`);
    }
    assert.ok(Buffer.isBuffer(row.secret_encrypted));
    assert.equal(server.deps.secretBox.decrypt(row.secret_encrypted, secretAssociatedData(created.id, 'current')), secret);
    assert.throws(() => server.deps.secretBox.decrypt(row.secret_encrypted, secretAssociatedData(created.id, 'previous')), 'the ciphertext opens only in its own slot');
    assert.equal(row.previous_secret_encrypted, null);
    const anywhere = await server.db.query("SELECT count(*)::int AS count FROM events WHERE data::text LIKE '%' || $1 || '%'", [secret]);
    assert.equal(anywhere.rows[0].count, 0, 'no event carries the secret');
  });

  it('replays a create retried with the same Idempotency-Key: one endpoint, the same secret', async () => {
    const other = await server.createAccount('idempotent create');
    const params = { url: publicUrl, enabled_events: ['*' as const] };
    const first = await other.stripe.webhookEndpoints.create(params, { idempotencyKey: 'create-endpoint-1' });
    const again = await other.stripe.webhookEndpoints.create(params, { idempotencyKey: 'create-endpoint-1' });
    assert.equal(again.id, first.id);
    assert.equal(again.secret, first.secret);
    assert.equal((await other.stripe.webhookEndpoints.list()).data.length, 1);

    // An account without endpoints: a re-send queues nothing.
    const lonely = await server.createAccount('no endpoints');
    await lonely.stripe.customers.create({ name: 'Nobody listens' });
    const resent = await post(lonely.secretKey, `/v1/events/${await latestEvent(lonely.accountId, 'customer.created')}/resend`);
    assert.equal(resent.status, 200, resent.text);
    assert.deepEqual(resent.json.data, []);
  });

  it('refuses bad input with Stripe errors naming the parameter', async () => {
    await expectStripeError(stripe.webhookEndpoints.create({ url: 'ftp://merchant.example.com/hooks', enabled_events: ['*'] }), { class: invalidRequest, code: 'url_invalid', param: 'url', statusCode: 400 });
    await expectStripeError(stripe.webhookEndpoints.create({ url: '/relative/path', enabled_events: ['*'] }), { class: invalidRequest, code: 'url_invalid', param: 'url', statusCode: 400 });
    await expectStripeError(stripe.webhookEndpoints.create({ url: `https://merchant.example.com/${'a'.repeat(5000)}`, enabled_events: ['*'] }), { class: invalidRequest, param: 'url', statusCode: 400 });
    // A type that is neither Stripe's nor Payrail's is refused (Stripe types Payrail does not emit yet are accepted).
    const unknown = await expectStripeError(stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['charge.succeeded', 'invoice.exploded' as 'invoice.paid'] }), { class: invalidRequest, code: 'invalid_value', param: 'enabled_events[1]', statusCode: 400 });
    assert.match(unknown.message, /invoice\.exploded/);
    await expectStripeError(stripe.webhookEndpoints.create({ url: publicUrl } as Stripe.WebhookEndpointCreateParams), { class: invalidRequest, code: 'parameter_missing', param: 'enabled_events', statusCode: 400 });
    await expectStripeError(stripe.webhookEndpoints.create({ enabled_events: ['*'] } as Stripe.WebhookEndpointCreateParams), { class: invalidRequest, code: 'parameter_missing', param: 'url', statusCode: 400 });
    await expectStripeError(stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['*'], api_version: 'yesterday' as Stripe.WebhookEndpointCreateParams.ApiVersion }), { class: invalidRequest, code: 'invalid_value', param: 'api_version', statusCode: 400 });

    const json = await server.request('POST', '/v1/webhook_endpoints', { key: account.secretKey, body: JSON.stringify({ url: publicUrl, enabled_events: [] }), contentType: 'application/json' });
    assert.equal(json.status, 400);
    assert.equal(json.json.error.code, 'invalid_value');
    assert.equal(json.json.error.param, 'enabled_events');

    const existing = await stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['*'] });
    await expectStripeError(stripe.webhookEndpoints.update(existing.id, { url: 'mailto:ops@example.com' }), { class: invalidRequest, code: 'url_invalid', param: 'url', statusCode: 400 });
    await expectStripeError(stripe.webhookEndpoints.update(existing.id, { enabled_events: ['refund.created', 'payout.exploded' as 'payout.paid'] }), { class: invalidRequest, code: 'invalid_value', param: 'enabled_events[1]', statusCode: 400 });
    assert.deepEqual((await stripe.webhookEndpoints.retrieve(existing.id)).enabled_events, ['*'], 'a refused update changes nothing');
  });

  it('refuses loopback, private and link-local literal hosts in live mode, allows loopback in test mode', async () => {
    const live = await server.liveKeys(account.accountId);
    for (const url of ['http://localhost:3000/hooks', 'http://127.0.0.1/hooks', 'https://[::1]:8443/hooks', 'http://10.1.2.3/hooks', 'http://192.168.0.10/hooks', 'http://169.254.169.254/latest', 'http://api.localhost/hooks', 'http://2130706433/hooks']) {
      const error = await expectStripeError(live.stripe.webhookEndpoints.create({ url, enabled_events: ['*'] }), { class: invalidRequest, code: 'url_invalid', param: 'url', statusCode: 400 });
      assert.match(error.message, /live-mode webhook endpoints must be publicly reachable/, url);
    }
    const liveEndpoint = await live.stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['*'] });
    assert.equal(liveEndpoint.livemode, true);
    await expectStripeError(live.stripe.webhookEndpoints.update(liveEndpoint.id, { url: 'http://localhost/hooks' }), { class: invalidRequest, code: 'url_invalid', param: 'url', statusCode: 400 });
    const publicAddress = await live.stripe.webhookEndpoints.create({ url: 'https://93.184.216.34/hooks', enabled_events: ['*'] });
    assert.equal(publicAddress.url, 'https://93.184.216.34/hooks');

    // Test mode: this machine is a fine target for local development; private networks are not reachable either way.
    for (const url of ['http://localhost:4000/hooks', 'http://127.0.0.1:4000/hooks', 'http://[::1]:4000/hooks']) {
      const endpoint = await stripe.webhookEndpoints.create({ url, enabled_events: ['*'] });
      assert.equal(endpoint.url, url);
    }
    await expectStripeError(stripe.webhookEndpoints.create({ url: 'http://10.0.0.5/hooks', enabled_events: ['*'] }), { class: invalidRequest, code: 'url_invalid', param: 'url', statusCode: 400 });

    // Configuration may allow private addresses (a Payrail installed inside a private network): a server started so.
    const inside = await startTestServer({ webhookSettings: { allowPrivateAddresses: true } });
    try {
      const insideLive = await inside.liveKeys(inside.account.accountId);
      const endpoint = await insideLive.stripe.webhookEndpoints.create({ url: 'http://10.1.2.3/hooks', enabled_events: ['*'] });
      assert.equal(endpoint.url, 'http://10.1.2.3/hooks');
    } finally {
      await inside.close();
    }
  });

  it('updates url, events, description and metadata; disables and re-enables', async () => {
    const created = await stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['customer.created'], description: 'first', metadata: { a: '1', b: '2' } });
    const updated = await stripe.webhookEndpoints.update(created.id, {
      url: 'https://merchant.example.com/v2/webhooks',
      enabled_events: ['customer.created', 'customer.updated'],
      description: '',
      metadata: { a: '', c: '3' },
    });
    assert.equal(updated.url, 'https://merchant.example.com/v2/webhooks');
    assert.deepEqual(updated.enabled_events, ['customer.created', 'customer.updated']);
    assert.equal(updated.description, null);
    assert.deepEqual(updated.metadata, { b: '2', c: '3' });
    assert.equal(updated.secret, undefined);
    assert.equal(updated.status, 'enabled');

    const disabled = await stripe.webhookEndpoints.update(created.id, { disabled: true });
    assert.equal(disabled.status, 'disabled');
    assert.equal((disabled as unknown as { payrail_disabled_reason: string }).payrail_disabled_reason, 'requested');
    const stored = await endpointRow(created.id);
    assert.equal(stored.status, 'disabled');
    assert.equal(stored.disabled_reason, 'requested');

    // A disabled endpoint gets no deliveries of new events.
    const other = await server.createAccount('disabled endpoint');
    const otherEndpoint = await other.stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['customer.created'] });
    await other.stripe.webhookEndpoints.update(otherEndpoint.id, { disabled: true });
    await other.stripe.customers.create({ name: 'While disabled' });
    const whileDisabled = await server.db.query('SELECT count(*)::int AS count FROM webhook_deliveries WHERE endpoint_id = $1', [otherEndpoint.id]);
    assert.equal(whileDisabled.rows[0].count, 0);

    // Re-enabling an endpoint the worker disabled for failing gives it a fresh start.
    await server.db.query("UPDATE webhook_endpoints SET disabled_reason = 'failing', failing_since = 1700000000 WHERE id = $1", [otherEndpoint.id]);
    const enabled = await other.stripe.webhookEndpoints.update(otherEndpoint.id, { disabled: false });
    assert.equal(enabled.status, 'enabled');
    assert.equal((enabled as unknown as { payrail_disabled_reason: string | null }).payrail_disabled_reason, null);
    const afterEnable = await endpointRow(otherEndpoint.id);
    assert.equal(afterEnable.failing_since, null);
    assert.equal(afterEnable.disabled_reason, null);
    await other.stripe.customers.create({ name: 'After enabling' });
    const afterEnabling = await server.db.query("SELECT count(*)::int AS count FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending'", [otherEndpoint.id]);
    assert.equal(afterEnabling.rows[0].count, 1);
  });

  it('deletes an endpoint: hidden from the API, pending deliveries canceled', async () => {
    const other = await server.createAccount('deletion');
    const endpoint = await other.stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['*'] });
    await other.stripe.customers.create({ name: 'Queued for delivery' });
    const pending = await server.db.query('SELECT id, status FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id]);
    assert.equal(pending.rows.length, 1);
    assert.equal(pending.rows[0].status, 'pending');

    const deleted = await other.stripe.webhookEndpoints.del(endpoint.id);
    assert.deepEqual(JSON.parse(JSON.stringify(deleted)), { id: endpoint.id, object: 'webhook_endpoint', deleted: true });

    const canceled = await server.db.query('SELECT status, completed_at FROM webhook_deliveries WHERE id = $1', [pending.rows[0].id]);
    assert.equal(canceled.rows[0].status, 'canceled');
    assert.ok(canceled.rows[0].completed_at > 0);
    assert.equal((await endpointRow(endpoint.id)).deleted, true, 'the row stays for its deliveries and attempts');

    await expectStripeError(other.stripe.webhookEndpoints.retrieve(endpoint.id), { class: invalidRequest, code: 'resource_missing', param: 'id', statusCode: 404 });
    await expectStripeError(other.stripe.webhookEndpoints.update(endpoint.id, { description: 'x' }), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(other.stripe.webhookEndpoints.del(endpoint.id), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    assert.deepEqual((await other.stripe.webhookEndpoints.list()).data, []);

    // Events after the deletion are not queued for it.
    await other.stripe.customers.create({ name: 'After deletion' });
    const total = await server.db.query('SELECT count(*)::int AS count FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id]);
    assert.equal(total.rows[0].count, 1);
  });

  it('lists endpoints newest first with Stripe pagination', async () => {
    const other = await server.createAccount('listing');
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) ids.push((await other.stripe.webhookEndpoints.create({ url: `${publicUrl}/${index}`, enabled_events: ['*'] })).id);
    const first = await other.stripe.webhookEndpoints.list({ limit: 2 });
    assert.deepEqual(first.data.map((endpoint) => endpoint.id), [ids[2], ids[1]]);
    assert.equal(first.has_more, true);
    assert.equal((first as unknown as { url: string }).url, '/v1/webhook_endpoints');
    const second = await other.stripe.webhookEndpoints.list({ limit: 2, starting_after: ids[1] });
    assert.deepEqual(second.data.map((endpoint) => endpoint.id), [ids[0]]);
    assert.equal(second.has_more, false);
    const all: string[] = [];
    for await (const endpoint of other.stripe.webhookEndpoints.list({ limit: 1 })) all.push(endpoint.id);
    assert.deepEqual(all, [...ids].reverse());
    await expectStripeError(other.stripe.webhookEndpoints.list({ limit: 101 }), { class: invalidRequest, param: 'limit', statusCode: 400 });
  });

  it(`limits an account to 16 endpoints per mode`, async () => {
    const other = await server.createAccount('limit');
    const created = await Promise.all(Array.from({ length: 16 }, (_, index) => other.stripe.webhookEndpoints.create({ url: `${publicUrl}/${index}`, enabled_events: ['*'] })));
    assert.equal(created.length, 16);
    await expectStripeError(other.stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['*'] }), { class: invalidRequest, code: 'webhook_endpoint_limit_reached', statusCode: 400 });
    const live = await server.liveKeys(other.accountId);
    await live.stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['*'] });
    await other.stripe.webhookEndpoints.del(created[0].id);
    await other.stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['*'] });
  });

  it('keeps accounts and modes apart', async () => {
    const owner = await server.createAccount('owner');
    const stranger = await server.createAccount('stranger');
    const endpoint = await owner.stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['customer.created'] });
    const missing = { class: invalidRequest, code: 'resource_missing', statusCode: 404 } as const;
    await expectStripeError(stranger.stripe.webhookEndpoints.retrieve(endpoint.id), { ...missing, param: 'id' });
    await expectStripeError(stranger.stripe.webhookEndpoints.update(endpoint.id, { disabled: true }), missing);
    await expectStripeError(stranger.stripe.webhookEndpoints.del(endpoint.id), missing);
    await expectStripeError(stranger.stripe.webhookEndpoints.list({ starting_after: endpoint.id }), { ...missing, param: 'starting_after' });
    assert.deepEqual((await stranger.stripe.webhookEndpoints.list()).data, []);
    const live = await server.liveKeys(owner.accountId);
    await expectStripeError(live.stripe.webhookEndpoints.retrieve(endpoint.id), missing);
    assert.deepEqual((await live.stripe.webhookEndpoints.list()).data, []);

    for (const [method, route] of [['POST', `/v1/webhook_endpoints/${endpoint.id}/roll_secret`], ['GET', `/v1/webhook_endpoints/${endpoint.id}/attempts`]] as const) {
      const response = await server.request(method, route, { key: stranger.secretKey, ...(method === 'POST' ? { body: '', contentType: 'application/x-www-form-urlencoded' } : {}) });
      assert.equal(response.status, 404, route);
      assert.equal(response.json.error.code, 'resource_missing');
    }

    // The owner's event cannot be re-sent by another account, nor to another account's endpoint.
    await owner.stripe.customers.create({ name: 'Owned' });
    const eventId = await latestEvent(owner.accountId, 'customer.created');
    const foreignEvent = await post(stranger.secretKey, `/v1/events/${eventId}/resend`);
    assert.equal(foreignEvent.status, 404);
    assert.equal(foreignEvent.json.error.code, 'resource_missing');
    const strangerEndpoint = await stranger.stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['*'] });
    const foreignEndpoint = await post(owner.secretKey, `/v1/events/${eventId}/resend`, { webhook_endpoint: strangerEndpoint.id });
    assert.equal(foreignEndpoint.status, 404);
    assert.equal(foreignEndpoint.json.error.code, 'resource_missing');
    assert.equal(foreignEndpoint.json.error.param, 'webhook_endpoint');

    // Events of one account are queued only to that account's endpoints.
    const strangerDeliveries = await server.db.query('SELECT count(*)::int AS count FROM webhook_deliveries WHERE endpoint_id = $1', [strangerEndpoint.id]);
    assert.equal(strangerDeliveries.rows[0].count, 0);
  });

  it('rolls the secret: a new secret, the old one kept (re-encrypted) for the overlap', async () => {
    const created = await stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['*'] });
    const oldSecret = created.secret!;
    const before = server.clock.nowSeconds();
    const rolled = await post(account.secretKey, `/v1/webhook_endpoints/${created.id}/roll_secret`, { expires_in: '3600' });
    const after = server.clock.nowSeconds();
    assert.equal(rolled.status, 200, rolled.text);
    assert.equal(rolled.json.object, 'webhook_endpoint');
    assert.equal(rolled.json.id, created.id);
    assert.match(rolled.json.secret, /^whsec_[A-Za-z0-9]{32,}$/);
    assert.notEqual(rolled.json.secret, oldSecret);
    assert.ok(rolled.json.payrail_previous_secret_expires_at >= before + 3600 && rolled.json.payrail_previous_secret_expires_at <= after + 3600);

    const row = await endpointRow(created.id);
    assert.equal(server.deps.secretBox.decrypt(row.secret_encrypted, secretAssociatedData(created.id, 'current')), rolled.json.secret);
    assert.equal(server.deps.secretBox.decrypt(row.previous_secret_encrypted, secretAssociatedData(created.id, 'previous')), oldSecret);
    assert.equal(row.previous_secret_expires_at, rolled.json.payrail_previous_secret_expires_at);
    assert.ok(!row.previous_secret_encrypted.toString('latin1').includes(oldSecret));

    const retrieved = await stripe.webhookEndpoints.retrieve(created.id);
    assert.equal(retrieved.secret, undefined);

    // Default overlap: one day.
    const defaulted = await post(account.secretKey, `/v1/webhook_endpoints/${created.id}/roll_secret`);
    assert.equal(defaulted.status, 200);
    const defaultedRow = await endpointRow(created.id);
    assert.ok(defaultedRow.previous_secret_expires_at >= before + 86_400);
    assert.equal(server.deps.secretBox.decrypt(defaultedRow.previous_secret_encrypted, secretAssociatedData(created.id, 'previous')), rolled.json.secret, 'only the two newest secrets sign');

    // expires_in=0 drops the old secret at once.
    const immediate = await post(account.secretKey, `/v1/webhook_endpoints/${created.id}/roll_secret`, { expires_in: '0' });
    assert.equal(immediate.status, 200);
    assert.equal(immediate.json.payrail_previous_secret_expires_at, null);
    const immediateRow = await endpointRow(created.id);
    assert.equal(immediateRow.previous_secret_encrypted, null);
    assert.equal(server.deps.secretBox.decrypt(immediateRow.secret_encrypted, secretAssociatedData(created.id, 'current')), immediate.json.secret);

    for (const value of ['604801', '-1', 'soon']) {
      const refused = await post(account.secretKey, `/v1/webhook_endpoints/${created.id}/roll_secret`, { expires_in: value });
      assert.equal(refused.status, 400, value);
      assert.equal(refused.json.error.param, 'expires_in');
    }
    const unknown = await post(account.secretKey, '/v1/webhook_endpoints/we_doesnotexist/roll_secret');
    assert.equal(unknown.status, 404);
  });

  it('lists delivery attempts, newest first, empty for a new endpoint', async () => {
    const other = await server.createAccount('attempts');
    const endpoint = await other.stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['customer.created'] });
    const empty = await server.request('GET', `/v1/webhook_endpoints/${endpoint.id}/attempts`, { key: other.secretKey });
    assert.equal(empty.status, 200, empty.text);
    assert.deepEqual(empty.json, { object: 'list', data: [], has_more: false, url: `/v1/webhook_endpoints/${endpoint.id}/attempts` });

    // Attempts are written by the delivery worker; two are written here as it would.
    await other.stripe.customers.create({ name: 'Attempted' });
    const delivery = (await server.db.query('SELECT * FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id])).rows[0];
    const insertAttempt = (id: string, eventId: string, attemptedAt: number, statusCode: number | null, succeeded: boolean, excerpt: string | null, error: string | null) => server.db.query(
      `INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, event_id, account_id, livemode, attempted_at, latency_ms, status_code, succeeded, response_excerpt, error)
       VALUES ($1, $2, $3, $4, $5, false, $6, 42, $7, $8, $9, $10)`,
      [id, delivery.id, endpoint.id, eventId, other.accountId, attemptedAt, statusCode, succeeded, excerpt, error],
    );
    await insertAttempt('wha_first', delivery.event_id, 1_700_000_000_123, 500, false, 'upstream broke', null);
    await insertAttempt('wha_second', delivery.event_id, 1_700_000_060_456, 200, true, 'ok', null);
    await insertAttempt('wha_other_event', 'evt_other', 1_700_000_070_000, null, false, null, 'connect ECONNREFUSED');

    const listed = await server.request('GET', `/v1/webhook_endpoints/${endpoint.id}/attempts?event=${delivery.event_id}`, { key: other.secretKey });
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.json.data.map((attempt: { id: string }) => attempt.id), ['wha_second', 'wha_first']);
    assert.deepEqual(listed.json.data[1], {
      id: 'wha_first', object: 'webhook_attempt', attempted_at: 1_700_000_000, attempted_at_ms: 1_700_000_000_123, delivery: delivery.id,
      endpoint: endpoint.id, event: delivery.event_id, status_code: 500, succeeded: false, latency_ms: 42, response_excerpt: 'upstream broke', error: null, livemode: false,
    });
    const page = await server.request('GET', `/v1/webhook_endpoints/${endpoint.id}/attempts?limit=1&starting_after=wha_other_event`, { key: other.secretKey });
    assert.deepEqual(page.json.data.map((attempt: { id: string }) => attempt.id), ['wha_second']);
    assert.equal(page.json.has_more, true);
    const all = await server.request('GET', `/v1/webhook_endpoints/${endpoint.id}/attempts`, { key: other.secretKey });
    assert.equal(all.json.data.length, 3);
    assert.equal(all.json.data[0].error, 'connect ECONNREFUSED');
  });

  it('re-sends an event: new pending deliveries with their jobs', async () => {
    const other = await server.createAccount('resend');
    const customers = await other.stripe.webhookEndpoints.create({ url: publicUrl, enabled_events: ['customer.created'] });
    const everything = await other.stripe.webhookEndpoints.create({ url: `${publicUrl}/all`, enabled_events: ['*'] });
    const refunds = await other.stripe.webhookEndpoints.create({ url: `${publicUrl}/refunds`, enabled_events: ['refund.created'] });
    await other.stripe.customers.create({ name: 'Resent' });
    const eventId = await latestEvent(other.accountId, 'customer.created');
    const original = await server.db.query('SELECT id FROM webhook_deliveries WHERE event_id = $1', [eventId]);
    assert.equal(original.rows.length, 2, 'the trigger queued one delivery per subscribed endpoint');

    const toOne = await post(other.secretKey, `/v1/events/${eventId}/resend`, { webhook_endpoint: customers.id });
    assert.equal(toOne.status, 200, toOne.text);
    assert.equal(toOne.json.object, 'list');
    assert.equal(toOne.json.has_more, false);
    assert.equal(toOne.json.data.length, 1);
    const delivery = toOne.json.data[0];
    assert.match(delivery.id, /^whd_/);
    assert.deepEqual({ ...delivery, id: undefined }, { id: undefined, object: 'webhook_delivery', endpoint: customers.id, event: eventId, status: 'pending', livemode: false });
    assert.ok(!original.rows.some((row) => row.id === delivery.id), 'a re-send is a new delivery');
    const stored = (await server.db.query('SELECT * FROM webhook_deliveries WHERE id = $1', [delivery.id])).rows[0];
    assert.equal(stored.status, 'pending');
    assert.equal(stored.endpoint_id, customers.id);
    assert.equal(stored.account_id, other.accountId);
    const job = await server.db.query('SELECT task_identifier, queue_name FROM graphile_worker.jobs WHERE key = $1', [delivery.id]);
    assert.equal(job.rows.length, 1);
    assert.equal(job.rows[0].task_identifier, 'webhook_delivery');
    assert.equal(job.rows[0].queue_name, null, 'no named queue: the worker bounds requests per endpoint itself');

    const toAll = await post(other.secretKey, `/v1/events/${eventId}/resend`);
    assert.equal(toAll.status, 200, toAll.text);
    assert.deepEqual(toAll.json.data.map((entry: { endpoint: string }) => entry.endpoint).sort(), [customers.id, everything.id].sort());
    const jobs = await server.db.query('SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE key = ANY($1)', [toAll.json.data.map((entry: { id: string }) => entry.id)]);
    assert.equal(jobs.rows[0].count, 2);

    const notSubscribed = await post(other.secretKey, `/v1/events/${eventId}/resend`, { webhook_endpoint: refunds.id });
    assert.equal(notSubscribed.status, 400);
    assert.equal(notSubscribed.json.error.code, 'invalid_value');
    assert.equal(notSubscribed.json.error.param, 'webhook_endpoint');

    await other.stripe.webhookEndpoints.update(customers.id, { disabled: true });
    const disabled = await post(other.secretKey, `/v1/events/${eventId}/resend`, { webhook_endpoint: customers.id });
    assert.equal(disabled.status, 400);
    assert.equal(disabled.json.error.code, 'webhook_endpoint_disabled');
    assert.equal(disabled.json.error.param, 'webhook_endpoint');
    const withoutDisabled = await post(other.secretKey, `/v1/events/${eventId}/resend`);
    assert.deepEqual(withoutDisabled.json.data.map((entry: { endpoint: string }) => entry.endpoint), [everything.id]);

    const unknownEvent = await post(other.secretKey, '/v1/events/evt_doesnotexist/resend');
    assert.equal(unknownEvent.status, 404);
    assert.equal(unknownEvent.json.error.code, 'resource_missing');
    assert.equal(unknownEvent.json.error.param, 'id');
  });

  it('documents the extensions in the OpenAPI document', async () => {
    const response = await server.request('GET', '/v1/openapi.json');
    assert.equal(response.status, 200);
    const paths = response.json.paths;
    assert.match(paths['/v1/webhook_endpoints/{id}/roll_secret'].post.summary, /Payrail extension/);
    assert.match(paths['/v1/webhook_endpoints/{id}/attempts'].get.summary, /Payrail extension/);
    assert.match(paths['/v1/events/{id}/resend'].post.summary, /Payrail extension/);
    assert.ok(paths['/v1/webhook_endpoints'].post && paths['/v1/webhook_endpoints'].get && paths['/v1/webhook_endpoints/{id}'].delete);
    assert.ok(response.json.components.schemas.webhook_attempt);
  });

  it('accepts exactly the event types Payrail emits', () => {
    const emitted = new Set<string>();
    for (const file of sourceFiles(sourceRoot)) {
      if (file.endsWith(path.join('webhooks', 'event-types.ts')) || file.endsWith(path.join('webhooks', 'stripe-event-types.ts'))) continue;
      // Connectors and sandboxes name the providers' own (inbound) event types, which Payrail does not emit.
      const providerCode = file.includes(`${path.sep}connectors${path.sep}`) && !file.includes(`${path.sep}connectors${path.sep}configurations${path.sep}`);
      if (providerCode || file.includes(`${path.sep}sandbox${path.sep}`)) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/'((?:payment_intent|charge|refund|payout|account|customer|payment_method|webhook_endpoint|payrail\.connector_configuration)\.[a-z_.]+)'/g)) emitted.add(match[1]);
    }
    assert.ok(emitted.size > 20);
    for (const type of emitted) assert.ok((webhookEventTypes as readonly string[]).includes(type), `${type} is emitted in src/ but cannot be subscribed to`);
  });
});
