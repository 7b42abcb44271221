import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;

async function allEvents(stripe: Stripe, params: Stripe.EventListParams = {}): Promise<Stripe.Event[]> {
  const events: Stripe.Event[] = [];
  for await (const event of stripe.events.list({ limit: 100, ...params })) events.push(event);
  return events;
}

function countByType(events: { type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
  return counts;
}

function objectOf<T>(event: Stripe.Event): T {
  return event.data.object as unknown as T;
}

describe('events through the official stripe SDK', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  describe('a known sequence of operations', () => {
    let account: TestAccount;
    let stripe: Stripe;
    const snapshots: Record<string, unknown> = {};

    before(async () => {
      account = await server.createAccount('Event sequence');
      stripe = account.stripe;

      const customer = await stripe.customers.create({ name: 'Original name', email: 'events@example.com' });
      snapshots.customerCreated = customer;
      snapshots.customerUpdated = await stripe.customers.update(customer.id, { name: 'New name', metadata: { vip: 'yes' } });

      const pm = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: '123' } });
      snapshots.pmAttached = await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
      snapshots.pmUpdated = await stripe.paymentMethods.update(pm.id, { metadata: { label: 'main' } });

      const intent = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: customer.id, payment_method: pm.id });
      snapshots.intentCreated = intent;
      snapshots.intentSucceeded = await stripe.paymentIntents.confirm(intent.id);

      const manual = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_mastercard', capture_method: 'manual', confirm: true });
      snapshots.manualAuthorized = manual;
      snapshots.manualCaptured = await stripe.paymentIntents.capture(manual.id, { amount_to_capture: 800 });

      const refund = await stripe.refunds.create({ payment_intent: manual.id, amount: 300 });
      snapshots.refund = refund;
      snapshots.refundUpdated = await stripe.refunds.update(refund.id, { metadata: { reason: 'damaged' } });

      const declined = await stripe.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: 'pm_card_chargeDeclinedInsufficientFunds', confirm: true }).then(
        () => assert.fail('the payment should be declined'),
        (error: Stripe.errors.StripeError) => error,
      );
      snapshots.declinedIntent = declined.payment_intent;

      const abandoned = await stripe.paymentIntents.create({ amount: 700, currency: 'usd' });
      snapshots.canceled = await stripe.paymentIntents.cancel(abandoned.id, { cancellation_reason: 'abandoned' });

      snapshots.customerDeleted = await stripe.customers.del(customer.id);

      // Reads and failed requests change nothing, so they record nothing.
      await stripe.customers.retrieve(customer.id);
      await stripe.paymentIntents.list();
      await stripe.events.list();
      await assert.rejects(stripe.refunds.create({ payment_intent: manual.id, amount: 10_000 }));
      await assert.rejects(stripe.customers.create({ email: 'not an email' }));
      await assert.rejects(stripe.paymentIntents.capture((snapshots.intentSucceeded as Stripe.PaymentIntent).id));
      await assert.rejects(stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424241', exp_month: 1, exp_year: 2040 } }));
    });

    const expectedCounts = {
      'customer.created': 1,
      'customer.updated': 1,
      'customer.deleted': 1,
      'payment_method.attached': 1,
      'payment_method.updated': 1,
      'payment_intent.created': 4,
      'payment_intent.succeeded': 2,
      'payment_intent.amount_capturable_updated': 1,
      'payment_intent.payment_failed': 1,
      'payment_intent.canceled': 1,
      'charge.succeeded': 2,
      'charge.captured': 1,
      'charge.failed': 1,
      'charge.refunded': 1,
      'refund.created': 1,
      'refund.updated': 1,
    };

    it('writes exactly one event per state change', async () => {
      const stored = await server.db.query<{ type: string; count: number }>('SELECT type, count(*)::int AS count FROM events WHERE account_id = $1 GROUP BY type', [account.accountId]);
      assert.deepEqual(Object.fromEntries(stored.rows.map((row) => [row.type, row.count])), expectedCounts);
      const listed = await allEvents(stripe);
      assert.deepEqual(countByType(listed), expectedCounts);
      assert.equal(listed.length, Object.values(expectedCounts).reduce((sum, count) => sum + count, 0));
      assert.equal(new Set(listed.map((event) => event.id)).size, listed.length);
    });

    it('lists newest first, in the order the changes happened', async () => {
      const listed = await allEvents(stripe);
      const stored = await server.db.query<{ id: string; type: string }>('SELECT id, type FROM events WHERE account_id = $1 ORDER BY seq DESC', [account.accountId]);
      assert.deepEqual(listed.map((event) => event.id), stored.rows.map((row) => row.id));
      const oldestFirst = listed.map((event) => event.type).reverse();
      assert.deepEqual(oldestFirst, [
        'customer.created',
        'customer.updated',
        'payment_method.attached',
        'payment_method.updated',
        'payment_intent.created',
        'charge.succeeded',
        'payment_intent.succeeded',
        'payment_intent.created',
        'charge.succeeded',
        'payment_intent.amount_capturable_updated',
        'charge.captured',
        'payment_intent.succeeded',
        'refund.created',
        'charge.refunded',
        'refund.updated',
        'payment_intent.created',
        'charge.failed',
        'payment_intent.payment_failed',
        'payment_intent.created',
        'payment_intent.canceled',
        'customer.deleted',
      ]);
      for (let index = 1; index < listed.length; index += 1) assert.ok(listed[index - 1].created >= listed[index].created);
    });

    it('renders events in Stripe shape and retrieves each by id', async () => {
      const listed = await allEvents(stripe);
      for (const event of listed) {
        assert.match(event.id, /^evt_/);
        assert.equal(event.object, 'event');
        assert.equal(event.livemode, false);
        assert.equal(typeof event.api_version, 'string');
        assert.equal(typeof event.created, 'number');
        assert.equal(event.pending_webhooks, 0);
        assert.equal(typeof event.request?.id, 'string');
        assert.match(event.request!.id!, /^req_/);
        assert.deepEqual(await stripe.events.retrieve(event.id), event);
      }
      await expectStripeError(stripe.events.retrieve('evt_missing'), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    });

    it('filters by exact type, by wildcard and by a list of types', async () => {
      const created = await allEvents(stripe, { type: 'payment_intent.created' });
      assert.equal(created.length, 4);
      assert.ok(created.every((event) => event.type === 'payment_intent.created'));

      const intents = await allEvents(stripe, { type: 'payment_intent.*' });
      assert.deepEqual(countByType(intents), {
        'payment_intent.created': 4,
        'payment_intent.succeeded': 2,
        'payment_intent.amount_capturable_updated': 1,
        'payment_intent.payment_failed': 1,
        'payment_intent.canceled': 1,
      });
      const all = await allEvents(stripe);
      assert.deepEqual(intents.map((event) => event.id), all.filter((event) => event.type.startsWith('payment_intent.')).map((event) => event.id));

      assert.deepEqual(countByType(await allEvents(stripe, { type: 'charge.*' })), { 'charge.succeeded': 2, 'charge.captured': 1, 'charge.failed': 1, 'charge.refunded': 1 });
      assert.deepEqual(countByType(await allEvents(stripe, { type: '*.created' })), { 'customer.created': 1, 'payment_intent.created': 4, 'refund.created': 1 });
      assert.deepEqual(await allEvents(stripe, { type: 'invoice.*' }), []);
      // The wildcard is the only pattern character: `_` and `%` match themselves.
      assert.deepEqual(await allEvents(stripe, { type: 'payment%' }), []);
      assert.deepEqual(await allEvents(stripe, { type: 'charge.refunde_' }), []);
      assert.deepEqual(await allEvents(stripe, { type: 'customer' }), []);

      const several = await allEvents(stripe, { types: ['refund.created', 'refund.updated', 'customer.deleted'] });
      assert.deepEqual(several.map((event) => event.type), ['customer.deleted', 'refund.updated', 'refund.created']);

      const page = await stripe.events.list({ type: 'payment_intent.*', limit: 4 });
      assert.equal(page.data.length, 4);
      assert.equal(page.has_more, true);
      const next = await stripe.events.list({ type: 'payment_intent.*', limit: 4, starting_after: page.data[3].id });
      assert.deepEqual(next.data.map((event) => event.id), intents.slice(4, 8).map((event) => event.id));
    });

    it('paginates with limit, starting_after and ending_before', async () => {
      const all = await allEvents(stripe);
      const ids = all.map((event) => event.id);
      const first = await stripe.events.list({ limit: 5 });
      assert.deepEqual(first.data.map((event) => event.id), ids.slice(0, 5));
      assert.equal(first.has_more, true);
      assert.equal(first.url, '/v1/events');
      const second = await stripe.events.list({ limit: 5, starting_after: ids[4] });
      assert.deepEqual(second.data.map((event) => event.id), ids.slice(5, 10));
      const tail = await stripe.events.list({ limit: 5, starting_after: ids[ids.length - 3] });
      assert.deepEqual(tail.data.map((event) => event.id), ids.slice(-2));
      assert.equal(tail.has_more, false);
      const back = await stripe.events.list({ limit: 5, ending_before: ids[10] });
      assert.deepEqual(back.data.map((event) => event.id), ids.slice(5, 10));
      assert.equal(back.has_more, true);
      const head = await stripe.events.list({ limit: 5, ending_before: ids[2] });
      assert.deepEqual(head.data.map((event) => event.id), ids.slice(0, 2));
      assert.equal(head.has_more, false);
      const paged: string[] = [];
      for await (const event of stripe.events.list({ limit: 3 })) paged.push(event.id);
      assert.deepEqual(paged, ids);

      await expectStripeError(stripe.events.list({ limit: 0 }), { class: invalidRequest, param: 'limit', statusCode: 400 });
      await expectStripeError(stripe.events.list({ starting_after: 'evt_missing' }), { class: invalidRequest, code: 'resource_missing', param: 'starting_after', statusCode: 404 });
    });

    it('carries each object as it was at the moment of the change', async () => {
      const all = (await allEvents(stripe)).reverse();
      const byType = (type: string) => all.filter((event) => event.type === type);

      const customerCreated = snapshots.customerCreated as Stripe.Customer;
      assert.deepEqual(byType('customer.created')[0].data.object, customerCreated);
      assert.equal(objectOf<Stripe.Customer>(byType('customer.created')[0]).name, 'Original name');
      const customerUpdated = byType('customer.updated')[0];
      assert.deepEqual(customerUpdated.data.object, snapshots.customerUpdated);
      assert.deepEqual(Object.keys(customerUpdated.data.previous_attributes ?? {}).sort(), ['metadata', 'name']);
      assert.equal((customerUpdated.data.previous_attributes as { name: string }).name, 'Original name');
      assert.equal(objectOf<Stripe.Customer>(byType('customer.deleted')[0]).id, customerCreated.id);

      assert.deepEqual(byType('payment_method.attached')[0].data.object, snapshots.pmAttached);
      assert.deepEqual(objectOf<Stripe.PaymentMethod>(byType('payment_method.attached')[0]).metadata, {});
      assert.deepEqual(byType('payment_method.updated')[0].data.object, snapshots.pmUpdated);

      const [intentCreated, manualCreated, declinedCreated, abandonedCreated] = byType('payment_intent.created');
      assert.deepEqual(intentCreated.data.object, snapshots.intentCreated);
      assert.equal(objectOf<Stripe.PaymentIntent>(intentCreated).status, 'requires_confirmation');
      assert.equal(objectOf<Stripe.PaymentIntent>(manualCreated).id, (snapshots.manualAuthorized as Stripe.PaymentIntent).id);
      assert.equal(objectOf<Stripe.PaymentIntent>(manualCreated).status, 'requires_confirmation');
      assert.equal(objectOf<Stripe.PaymentIntent>(abandonedCreated).status, 'requires_payment_method');

      const [firstSucceeded, captureSucceeded] = byType('payment_intent.succeeded');
      assert.deepEqual(firstSucceeded.data.object, snapshots.intentSucceeded);
      assert.deepEqual(byType('payment_intent.amount_capturable_updated')[0].data.object, snapshots.manualAuthorized);
      assert.equal(objectOf<Stripe.PaymentIntent>(byType('payment_intent.amount_capturable_updated')[0]).amount_capturable, 1000);
      assert.deepEqual(captureSucceeded.data.object, snapshots.manualCaptured);
      assert.equal(objectOf<Stripe.PaymentIntent>(captureSucceeded).amount_received, 800);

      const failed = byType('payment_intent.payment_failed')[0];
      assert.equal(objectOf<Stripe.PaymentIntent>(failed).id, objectOf<Stripe.PaymentIntent>(declinedCreated).id);
      assert.deepEqual(failed.data.object, snapshots.declinedIntent);
      assert.equal(objectOf<Stripe.PaymentIntent>(failed).status, 'requires_payment_method');
      assert.equal(objectOf<Stripe.PaymentIntent>(failed).last_payment_error?.decline_code, 'insufficient_funds');
      const chargeFailed = objectOf<Stripe.Charge>(byType('charge.failed')[0]);
      assert.equal(chargeFailed.status, 'failed');
      assert.equal(chargeFailed.failure_code, 'card_declined');
      assert.deepEqual(byType('payment_intent.canceled')[0].data.object, snapshots.canceled);

      // Charges: authorized, then captured (with what changed), then refunded.
      const manualChargeId = (snapshots.manualCaptured as Stripe.PaymentIntent).latest_charge as string;
      const manualChargeEvents = all.filter((event) => event.type.startsWith('charge.') && objectOf<Stripe.Charge>(event).id === manualChargeId);
      assert.deepEqual(manualChargeEvents.map((event) => event.type), ['charge.succeeded', 'charge.captured', 'charge.refunded']);
      const [authorized, captured, refunded] = manualChargeEvents.map((event) => objectOf<Stripe.Charge>(event));
      assert.equal(authorized.captured, false);
      assert.equal(authorized.amount_captured, 0);
      assert.equal(captured.captured, true);
      assert.equal(captured.amount_captured, 800);
      assert.deepEqual(manualChargeEvents[1].data.previous_attributes, { captured: false, amount_captured: 0 });
      assert.equal(refunded.amount_refunded, 500, 'the released 200 plus the refunded 300');
      assert.equal(refunded.refunded, false);
      assert.deepEqual(refunded, await stripe.charges.retrieve(manualChargeId));

      assert.deepEqual(byType('refund.created')[0].data.object, snapshots.refund);
      assert.deepEqual(objectOf<Stripe.Refund>(byType('refund.created')[0]).metadata, {});
      assert.deepEqual(byType('refund.updated')[0].data.object, snapshots.refundUpdated);
      assert.deepEqual(Object.keys(byType('refund.updated')[0].data.previous_attributes ?? {}), ['metadata']);
    });

    it('filters by created', async () => {
      // Spread this account's events over known times, one minute apart, so the bounds are exact.
      const stored = await server.db.query<{ id: string }>('SELECT id FROM events WHERE account_id = $1 ORDER BY seq', [account.accountId]);
      const base = 1_750_000_000;
      for (let index = 0; index < stored.rows.length; index += 1) {
        await server.db.query('UPDATE events SET created = $2 WHERE id = $1', [stored.rows[index].id, base + index * 60]);
      }
      const oldestFirst = stored.rows.map((row) => row.id);
      const newestFirst = (from: number, to: number) => oldestFirst.slice(from, to).reverse();
      const ids = async (params: Stripe.EventListParams) => (await allEvents(stripe, params)).map((event) => event.id);

      assert.deepEqual(await ids({ created: { gte: base + 600 } }), newestFirst(10, oldestFirst.length));
      assert.deepEqual(await ids({ created: { gt: base + 600 } }), newestFirst(11, oldestFirst.length));
      assert.deepEqual(await ids({ created: { lt: base + 180 } }), newestFirst(0, 3));
      assert.deepEqual(await ids({ created: { lte: base + 180 } }), newestFirst(0, 4));
      assert.deepEqual(await ids({ created: { gte: base + 300, lte: base + 480 } }), newestFirst(5, 9));
      assert.deepEqual(await ids({ created: base + 120 }), [oldestFirst[2]]);
      assert.deepEqual(await ids({ created: { gt: base + 100_000 } }), []);
      // Events 5 to 8 are charge.succeeded, payment_intent.succeeded, payment_intent.created and charge.succeeded.
      assert.deepEqual(await ids({ created: { gte: base + 300, lte: base + 480 }, type: 'payment_intent.*' }), [oldestFirst[7], oldestFirst[6]]);
      const typed = await allEvents(stripe, { created: { gte: base + 240 }, type: 'customer.*' });
      assert.deepEqual(typed.map((event) => event.type), ['customer.deleted']);
    });
  });

  describe('request attribution', () => {
    it('records the Request-Id and Idempotency-Key of the request that caused each event', async () => {
      const account = server.account;
      const response = await server.request('POST', '/v1/customers', {
        key: account.secretKey,
        contentType: 'application/x-www-form-urlencoded',
        body: 'name=Raw+request&email=raw%40example.com',
        headers: { 'Idempotency-Key': 'raw-customer-1' },
      });
      assert.equal(response.status, 200);
      const requestId = response.headers.get('request-id');
      assert.match(requestId ?? '', /^req_/);
      assert.equal(response.headers.get('idempotency-key'), 'raw-customer-1');

      const events = await account.stripe.events.list({ type: 'customer.created', limit: 100 });
      const event = events.data.find((candidate) => objectOf<Stripe.Customer>(candidate).id === response.json.id);
      assert.ok(event);
      assert.deepEqual(event.request, { id: requestId, idempotency_key: 'raw-customer-1' });
      assert.deepEqual(event.data.object, response.json);

      // A replay answers with the stored response and records no second event.
      const replay = await server.request('POST', '/v1/customers', {
        key: account.secretKey,
        contentType: 'application/x-www-form-urlencoded',
        body: 'name=Raw+request&email=raw%40example.com',
        headers: { 'Idempotency-Key': 'raw-customer-1' },
      });
      assert.equal(replay.status, 200);
      assert.equal(replay.json.id, response.json.id);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.notEqual(replay.headers.get('request-id'), requestId);
      const count = await server.db.query("SELECT count(*)::int AS count FROM events WHERE data->'object'->>'id' = $1", [response.json.id]);
      assert.equal(count.rows[0].count, 1);

      // Without an Idempotency-Key the event records none.
      const plain = await server.request('POST', `/v1/customers/${response.json.id}`, { key: account.secretKey, contentType: 'application/json', body: JSON.stringify({ name: 'Renamed' }) });
      assert.equal(plain.status, 200);
      const updated = (await account.stripe.events.list({ type: 'customer.updated', limit: 100 })).data.find((candidate) => objectOf<Stripe.Customer>(candidate).id === response.json.id);
      assert.deepEqual(updated?.request, { id: plain.headers.get('request-id'), idempotency_key: null });
    });

    it('gives every event of one request that request id, and the SDK sees the same id', async () => {
      const account = server.account;
      const response = await server.request('POST', '/v1/payment_intents', {
        key: account.secretKey,
        contentType: 'application/x-www-form-urlencoded',
        body: 'amount=4200&currency=usd&payment_method=pm_card_visa&confirm=true',
        headers: { 'Idempotency-Key': 'raw-intent-1' },
      });
      assert.equal(response.status, 200);
      assert.equal(response.json.status, 'succeeded');
      const requestId = response.headers.get('request-id');
      const stored = await server.db.query('SELECT type, request_id, idempotency_key FROM events WHERE request_id = $1 ORDER BY seq', [requestId]);
      assert.deepEqual(stored.rows.map((row) => row.type), ['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded']);
      for (const row of stored.rows) assert.equal(row.idempotency_key, 'raw-intent-1');

      const refund = await account.stripe.refunds.create({ payment_intent: response.json.id, amount: 100 }, { idempotencyKey: 'sdk-refund-1' });
      const sdkRequestId = refund.lastResponse.requestId;
      assert.match(sdkRequestId, /^req_/);
      const refundEvents = (await account.stripe.events.list({ types: ['refund.created', 'charge.refunded'], limit: 100 })).data
        .filter((event) => event.request?.id === sdkRequestId);
      assert.deepEqual(refundEvents.map((event) => event.type).sort(), ['charge.refunded', 'refund.created']);
      for (const event of refundEvents) assert.equal(event.request?.idempotency_key, 'sdk-refund-1');
    });

    it('a failed request records no event even with an Idempotency-Key', async () => {
      const account = server.account;
      const before = await server.db.query('SELECT count(*)::int AS count FROM events');
      const response = await server.request('POST', '/v1/customers', {
        key: account.secretKey,
        contentType: 'application/x-www-form-urlencoded',
        body: 'email=broken',
        headers: { 'Idempotency-Key': 'raw-broken-1' },
      });
      assert.equal(response.status, 400);
      const requestId = response.headers.get('request-id');
      assert.match(requestId ?? '', /^req_/);
      const events = await server.db.query('SELECT count(*)::int AS count FROM events WHERE request_id = $1', [requestId]);
      assert.equal(events.rows[0].count, 0);
      const afterCount = await server.db.query('SELECT count(*)::int AS count FROM events');
      assert.equal(afterCount.rows[0].count, before.rows[0].count);
    });
  });

  describe('isolation', () => {
    it("another account's events are 404 and never listed", async () => {
      const owner = await server.createAccount('Owner');
      const stranger = await server.createAccount('Stranger');
      const customer = await owner.stripe.customers.create({ name: 'Private' });
      const [event] = (await owner.stripe.events.list({ type: 'customer.created' })).data;
      assert.equal(objectOf<Stripe.Customer>(event).id, customer.id);

      await expectStripeError(stranger.stripe.events.retrieve(event.id), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
      assert.deepEqual((await stranger.stripe.events.list()).data, []);
      await expectStripeError(stranger.stripe.events.list({ starting_after: event.id }), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });

      // Live mode of the same account does not see test-mode events either.
      const live = await server.liveKeys(owner.accountId);
      await expectStripeError(live.stripe.events.retrieve(event.id), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
      assert.deepEqual((await live.stripe.events.list()).data, []);

      // A publishable key cannot read events at all.
      await expectStripeError(server.stripeFor(owner.publishableKey).events.list(), { class: Stripe.errors.StripeAuthenticationError, code: 'secret_key_required', statusCode: 401 });
      assert.deepEqual(await owner.stripe.events.retrieve(event.id), event);
    });
  });
});
