import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;

describe('refunds through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  /** A succeeded, captured card payment and its charge id. */
  async function pay(amount = 1000, currency = 'usd'): Promise<{ intent: Stripe.PaymentIntent; chargeId: string }> {
    const intent = await stripe.paymentIntents.create({ amount, currency, payment_method: 'pm_card_visa', confirm: true });
    assert.equal(intent.status, 'succeeded');
    return { intent, chargeId: intent.latest_charge as string };
  }

  async function storedCharge(chargeId: string): Promise<{ amount_refunded: number; amount_captured: number }> {
    const result = await server.db.query('SELECT amount_refunded::int, amount_captured::int FROM charges WHERE id = $1', [chargeId]);
    return result.rows[0];
  }

  async function eventTypesFor(objectId: string): Promise<string[]> {
    const result = await server.db.query("SELECT type FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq", [objectId]);
    return result.rows.map((row) => row.type);
  }

  it('refunds a payment in full by payment_intent', async () => {
    const { intent, chargeId } = await pay(2000);
    const refund = await stripe.refunds.create({ payment_intent: intent.id });
    assert.match(refund.id, /^re_/);
    assert.equal(refund.object, 'refund');
    assert.equal(refund.amount, 2000);
    assert.equal(refund.currency, 'usd');
    assert.equal(refund.charge, chargeId);
    assert.equal(refund.payment_intent, intent.id);
    assert.equal(refund.status, 'succeeded');
    assert.equal(refund.reason, null);
    assert.deepEqual(refund.metadata, {});
    const charge = await stripe.charges.retrieve(chargeId);
    assert.equal(charge.amount_refunded, 2000);
    assert.equal(charge.refunded, true);
    assert.deepEqual(await storedCharge(chargeId), { amount_refunded: 2000, amount_captured: 2000 });
    const stored = await server.db.query('SELECT charge_id, payment_intent_id, amount::int, status FROM refunds WHERE id = $1', [refund.id]);
    assert.deepEqual(stored.rows[0], { charge_id: chargeId, payment_intent_id: intent.id, amount: 2000, status: 'succeeded' });
  });

  it('refunds a payment in full by charge, in a zero-decimal currency', async () => {
    const { intent, chargeId } = await pay(1500, 'jpy');
    const refund = await stripe.refunds.create({ charge: chargeId });
    assert.equal(refund.amount, 1500);
    assert.equal(refund.currency, 'jpy');
    assert.equal(refund.charge, chargeId);
    assert.equal(refund.payment_intent, intent.id);
    const charge = await stripe.charges.retrieve(chargeId);
    assert.equal(charge.amount_refunded, 1500);
    assert.equal(charge.refunded, true);
  });

  it('refunds partially several times until the charge is exhausted', async () => {
    const { intent, chargeId } = await pay(1000);
    const first = await stripe.refunds.create({ payment_intent: intent.id, amount: 300 });
    assert.equal(first.amount, 300);
    let charge = await stripe.charges.retrieve(chargeId);
    assert.equal(charge.amount_refunded, 300);
    assert.equal(charge.refunded, false);

    const second = await stripe.refunds.create({ charge: chargeId, amount: 450 });
    assert.equal(second.amount, 450);
    charge = await stripe.charges.retrieve(chargeId);
    assert.equal(charge.amount_refunded, 750);
    assert.equal(charge.refunded, false);

    const error = await expectStripeError(stripe.refunds.create({ payment_intent: intent.id, amount: 251 }), { class: invalidRequest, param: 'amount', statusCode: 400 });
    assert.equal(error.code, 'amount_too_large');
    assert.match(error.message, /greater than unrefunded amount/);
    assert.equal((await stripe.charges.retrieve(chargeId)).amount_refunded, 750);

    // Without an amount, the refund takes whatever remains.
    const rest = await stripe.refunds.create({ payment_intent: intent.id });
    assert.equal(rest.amount, 250);
    charge = await stripe.charges.retrieve(chargeId);
    assert.equal(charge.amount_refunded, 1000);
    assert.equal(charge.refunded, true);

    await expectStripeError(stripe.refunds.create({ payment_intent: intent.id, amount: 1 }), { class: invalidRequest, code: 'charge_already_refunded', statusCode: 400 });
    await expectStripeError(stripe.refunds.create({ charge: chargeId }), { class: invalidRequest, code: 'charge_already_refunded', statusCode: 400 });
    const refunds = await server.db.query('SELECT amount::int FROM refunds WHERE charge_id = $1 ORDER BY seq', [chargeId]);
    assert.deepEqual(refunds.rows.map((row) => row.amount), [300, 450, 250]);
    assert.deepEqual(await storedCharge(chargeId), { amount_refunded: 1000, amount_captured: 1000 });
  });

  it('rejects a refund larger than the charge', async () => {
    const { intent, chargeId } = await pay(500);
    await expectStripeError(stripe.refunds.create({ payment_intent: intent.id, amount: 501 }), { class: invalidRequest, code: 'amount_too_large', param: 'amount', statusCode: 400 });
    await expectStripeError(stripe.refunds.create({ charge: chargeId, amount: 0 }), { class: invalidRequest, param: 'amount', statusCode: 400 });
    await expectStripeError(stripe.refunds.create({ charge: chargeId, amount: -5 }), { class: invalidRequest, param: 'amount', statusCode: 400 });
    assert.deepEqual(await eventTypesFor(chargeId), ['charge.succeeded']);
    assert.equal((await stripe.charges.retrieve(chargeId)).amount_refunded, 0);
  });

  it('refuses to refund an uncaptured (manual capture) charge', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
    assert.equal(intent.status, 'requires_capture');
    const chargeId = intent.latest_charge as string;
    await expectStripeError(stripe.refunds.create({ charge: chargeId }), { class: invalidRequest, code: 'charge_not_refundable', param: 'charge', statusCode: 400 });
    await expectStripeError(stripe.refunds.create({ payment_intent: intent.id, amount: 100 }), { class: invalidRequest, code: 'payment_intent_unexpected_state', param: 'payment_intent', statusCode: 400 });
    const count = await server.db.query('SELECT count(*)::int AS count FROM refunds WHERE charge_id = $1', [chargeId]);
    assert.equal(count.rows[0].count, 0);
    assert.equal((await stripe.charges.retrieve(chargeId)).amount_refunded, 0);
    // Canceling is how an authorization is released; the PaymentIntent can still be captured until then.
    const captured = await stripe.paymentIntents.capture(intent.id);
    assert.equal(captured.status, 'succeeded');
    assert.equal((await stripe.refunds.create({ charge: chargeId })).amount, 1000);
  });

  it('refuses to refund a failed charge, a canceled payment and unknown objects', async () => {
    const declined = await expectStripeError(
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }),
      { class: Stripe.errors.StripeCardError, code: 'card_declined', statusCode: 402 },
    );
    const failedChargeId = declined.charge ?? (declined.raw as { charge?: string }).charge;
    assert.ok(failedChargeId);
    await expectStripeError(stripe.refunds.create({ charge: failedChargeId }), { class: invalidRequest, code: 'charge_not_refundable', statusCode: 400 });

    const canceled = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
    await stripe.paymentIntents.cancel(canceled.id);
    await expectStripeError(stripe.refunds.create({ payment_intent: canceled.id }), { class: invalidRequest, code: 'payment_intent_unexpected_state', statusCode: 400 });
    await expectStripeError(stripe.refunds.create({ charge: canceled.latest_charge as string }), { class: invalidRequest, code: 'charge_not_refundable', statusCode: 400 });

    const unconfirmed = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    await expectStripeError(stripe.refunds.create({ payment_intent: unconfirmed.id }), { class: invalidRequest, code: 'payment_intent_unexpected_state', statusCode: 400 });

    await expectStripeError(stripe.refunds.create({ charge: 'ch_missing' }), { class: invalidRequest, code: 'resource_missing', param: 'charge', statusCode: 404 });
    await expectStripeError(stripe.refunds.create({ payment_intent: 'pi_missing' }), { class: invalidRequest, code: 'resource_missing', param: 'payment_intent', statusCode: 404 });
    await expectStripeError(stripe.refunds.create({}), { class: invalidRequest, code: 'parameter_missing', statusCode: 400 });
    const { intent, chargeId } = await pay(1000);
    await expectStripeError(stripe.refunds.create({ charge: chargeId, payment_intent: intent.id }), { class: invalidRequest, code: 'parameters_exclusive', statusCode: 400 });

    // Another account cannot refund this account's payment.
    const other = await server.createAccount('Other');
    await expectStripeError(other.stripe.refunds.create({ charge: chargeId }), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(other.stripe.refunds.create({ payment_intent: intent.id }), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    assert.equal((await stripe.charges.retrieve(chargeId)).amount_refunded, 0);
  });

  it('accepts the three reasons and rejects any other', async () => {
    const { intent } = await pay(900);
    for (const reason of ['duplicate', 'fraudulent', 'requested_by_customer'] as const) {
      const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 300, reason });
      assert.equal(refund.reason, reason);
      assert.equal((await stripe.refunds.retrieve(refund.id)).reason, reason);
    }
    const { chargeId } = await pay(900);
    await expectStripeError(
      stripe.refunds.create({ charge: chargeId, reason: 'changed_my_mind' as Stripe.RefundCreateParams.Reason }),
      { class: invalidRequest, code: 'invalid_value', param: 'reason', statusCode: 400 },
    );
    const raw = await server.request('POST', '/v1/refunds', { key: server.account.secretKey, contentType: 'application/x-www-form-urlencoded', body: `charge=${chargeId}&reason=expired_uncaptured_charge` });
    assert.equal(raw.status, 400);
    assert.equal(raw.json.error.type, 'invalid_request_error');
    assert.equal(raw.json.error.param, 'reason');
    assert.equal((await stripe.charges.retrieve(chargeId)).amount_refunded, 0);
  });

  it('retrieves a refund and updates its metadata', async () => {
    const { intent } = await pay(1200);
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 200, metadata: { ticket: 'T-1', agent: 'ann' } });
    assert.deepEqual(refund.metadata, { ticket: 'T-1', agent: 'ann' });
    assert.deepEqual(await stripe.refunds.retrieve(refund.id), refund);

    const updated = await stripe.refunds.update(refund.id, { metadata: { agent: '', reviewed: 'yes' } });
    assert.deepEqual(updated.metadata, { ticket: 'T-1', reviewed: 'yes' });
    assert.equal(updated.amount, 200);
    assert.equal(updated.status, 'succeeded');
    assert.deepEqual(await stripe.refunds.retrieve(refund.id), updated);
    const cleared = await stripe.refunds.update(refund.id, { metadata: '' });
    assert.deepEqual(cleared.metadata, {});

    const events = await server.db.query("SELECT type, data FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq", [refund.id]);
    assert.deepEqual(events.rows.map((row) => row.type), ['refund.created', 'refund.updated', 'refund.updated']);
    assert.deepEqual(events.rows[1].data.object, updated);
    assert.deepEqual(Object.keys(events.rows[1].data.previous_attributes), ['metadata']);
    assert.equal(events.rows[1].data.previous_attributes.metadata.agent, 'ann');

    // An update that changes nothing records no event.
    await stripe.refunds.update(refund.id, { metadata: { ticket: '' } });
    await stripe.refunds.update(refund.id, {});
    const afterNoop = await server.db.query("SELECT count(*)::int AS count FROM events WHERE data->'object'->>'id' = $1", [refund.id]);
    assert.equal(afterNoop.rows[0].count, 3);

    await expectStripeError(stripe.refunds.retrieve('re_missing'), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(stripe.refunds.update('re_missing', { metadata: { a: 'b' } }), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    const other = await server.createAccount('Other reader');
    await expectStripeError(other.stripe.refunds.retrieve(refund.id), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(
      stripe.refunds.update(refund.id, { amount: 100 } as Stripe.RefundUpdateParams),
      { class: invalidRequest, code: 'parameter_unknown', param: 'amount', statusCode: 400 },
    );
  });

  it('lists refunds newest first, filtered by charge or payment_intent, with pagination', async () => {
    const account = await server.createAccount('Refund lists');
    const local = account.stripe;
    const first = await local.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const second = await local.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const firstRefunds: string[] = [];
    const secondRefunds: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      firstRefunds.push((await local.refunds.create({ payment_intent: first.id, amount: 100 })).id);
      secondRefunds.push((await local.refunds.create({ charge: second.latest_charge as string, amount: 50 })).id);
    }
    const everything = [...firstRefunds, ...secondRefunds].length;

    const all = await local.refunds.list({ limit: 100 });
    assert.equal(all.data.length, everything);
    assert.equal(all.has_more, false);
    const allIds = all.data.map((refund) => refund.id);
    const created = await server.db.query<{ id: string }>('SELECT id FROM refunds WHERE account_id = $1 ORDER BY seq DESC', [account.accountId]);
    assert.deepEqual(allIds, created.rows.map((row) => row.id));

    const byCharge = await local.refunds.list({ charge: first.latest_charge as string });
    assert.deepEqual(byCharge.data.map((refund) => refund.id), [...firstRefunds].reverse());
    const byIntent = await local.refunds.list({ payment_intent: second.id });
    assert.deepEqual(byIntent.data.map((refund) => refund.id), [...secondRefunds].reverse());
    for (const refund of byIntent.data) assert.equal(refund.amount, 50);
    const mismatched = await local.refunds.list({ charge: first.latest_charge as string, payment_intent: second.id });
    assert.deepEqual(mismatched.data, []);

    const page1 = await local.refunds.list({ payment_intent: first.id, limit: 3 });
    assert.deepEqual(page1.data.map((r) => r.id), [...firstRefunds].reverse().slice(0, 3));
    assert.equal(page1.has_more, true);
    const page2 = await local.refunds.list({ payment_intent: first.id, limit: 3, starting_after: page1.data[2].id });
    assert.deepEqual(page2.data.map((r) => r.id), [firstRefunds[0]]);
    assert.equal(page2.has_more, false);
    const backwards = await local.refunds.list({ payment_intent: first.id, limit: 3, ending_before: firstRefunds[0] });
    assert.deepEqual(backwards.data.map((r) => r.id), page1.data.map((r) => r.id));

    const paged: string[] = [];
    for await (const refund of local.refunds.list({ limit: 3 })) paged.push(refund.id);
    assert.deepEqual(paged, allIds);

    // Other accounts see none of them.
    assert.equal((await stripe.refunds.list({ payment_intent: first.id })).data.length, 0);
    await expectStripeError(local.refunds.list({ limit: 101 }), { class: invalidRequest, param: 'limit', statusCode: 400 });
  });

  it('records refund.created and charge.refunded with the charge as it became', async () => {
    const { intent, chargeId } = await pay(1000);
    const partial = await stripe.refunds.create({ payment_intent: intent.id, amount: 400, reason: 'requested_by_customer' });
    const full = await stripe.refunds.create({ payment_intent: intent.id });
    assert.deepEqual(await eventTypesFor(partial.id), ['refund.created']);
    assert.deepEqual(await eventTypesFor(full.id), ['refund.created']);
    assert.deepEqual(await eventTypesFor(chargeId), ['charge.succeeded', 'charge.refunded', 'charge.refunded']);

    const refundEvents = await stripe.events.list({ type: 'refund.created', limit: 100 });
    const mine = refundEvents.data.filter((event) => (event.data.object as Stripe.Refund).payment_intent === intent.id);
    assert.deepEqual(mine.map((event) => (event.data.object as Stripe.Refund).id), [full.id, partial.id]);
    assert.deepEqual(mine[1].data.object, partial);
    assert.deepEqual(mine[0].data.object, full);

    const chargeEvents = (await stripe.events.list({ type: 'charge.refunded', limit: 100 })).data
      .filter((event) => (event.data.object as Stripe.Charge).id === chargeId)
      .reverse();
    assert.equal(chargeEvents.length, 2);
    const afterPartial = chargeEvents[0].data.object as Stripe.Charge;
    assert.equal(afterPartial.amount_refunded, 400);
    assert.equal(afterPartial.refunded, false);
    assert.deepEqual(chargeEvents[0].data.previous_attributes, { amount_refunded: 0, refunded: false });
    const afterFull = chargeEvents[1].data.object as Stripe.Charge;
    assert.equal(afterFull.amount_refunded, 1000);
    assert.equal(afterFull.refunded, true);
    assert.equal((chargeEvents[1].data.previous_attributes as { amount_refunded: number }).amount_refunded, 400);
    assert.deepEqual(afterFull, await stripe.charges.retrieve(chargeId));
  });

  it('partially captures 600 of 1000, then refunds up to 600 only', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
    const captured = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 600 });
    assert.equal(captured.status, 'succeeded');
    assert.equal(captured.amount_received, 600);
    const chargeId = captured.latest_charge as string;
    let charge = await stripe.charges.retrieve(chargeId);
    assert.equal(charge.amount, 1000);
    assert.equal(charge.amount_captured, 600);
    // Stripe reports the released, uncaptured remainder as refunded.
    assert.equal(charge.amount_refunded, 400);
    assert.equal(charge.refunded, false);

    const error = await expectStripeError(stripe.refunds.create({ payment_intent: intent.id, amount: 601 }), { class: invalidRequest, code: 'amount_too_large', param: 'amount', statusCode: 400 });
    assert.match(error.message, /6\.00/);
    const first = await stripe.refunds.create({ charge: chargeId, amount: 250 });
    assert.equal(first.amount, 250);
    await expectStripeError(stripe.refunds.create({ charge: chargeId, amount: 351 }), { class: invalidRequest, code: 'amount_too_large', param: 'amount', statusCode: 400 });
    const rest = await stripe.refunds.create({ payment_intent: intent.id });
    assert.equal(rest.amount, 350);
    charge = await stripe.charges.retrieve(chargeId);
    assert.equal(charge.amount_refunded, 1000);
    assert.equal(charge.refunded, true);
    assert.deepEqual(await storedCharge(chargeId), { amount_refunded: 600, amount_captured: 600 });
    await expectStripeError(stripe.refunds.create({ payment_intent: intent.id, amount: 1 }), { class: invalidRequest, code: 'charge_already_refunded', statusCode: 400 });
  });

  it('never refunds more than was captured, even under concurrent requests', async () => {
    const { intent, chargeId } = await pay(1000);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => stripe.refunds.create({ payment_intent: intent.id, amount: 300 })));
    const succeeded = results.filter((result) => result.status === 'fulfilled');
    assert.equal(succeeded.length, 3);
    for (const result of results) {
      if (result.status === 'rejected') {
        assert.ok(result.reason instanceof invalidRequest);
        assert.equal(result.reason.code, 'amount_too_large');
      }
    }
    assert.deepEqual(await storedCharge(chargeId), { amount_refunded: 900, amount_captured: 1000 });
    const sum = await server.db.query('SELECT sum(amount)::int AS total, count(*)::int AS count FROM refunds WHERE charge_id = $1', [chargeId]);
    assert.deepEqual(sum.rows[0], { total: 900, count: 3 });
  });

  it('an idempotent retry returns the same refund and refunds only once', async () => {
    const { intent, chargeId } = await pay(1000);
    const first = await stripe.refunds.create({ payment_intent: intent.id, amount: 400 }, { idempotencyKey: 'refund-retry-1' });
    const retry = await stripe.refunds.create({ payment_intent: intent.id, amount: 400 }, { idempotencyKey: 'refund-retry-1' });
    assert.deepEqual(retry, first);
    assert.equal((await storedCharge(chargeId)).amount_refunded, 400);
    await expectStripeError(
      stripe.refunds.create({ payment_intent: intent.id, amount: 500 }, { idempotencyKey: 'refund-retry-1' }),
      { class: Stripe.errors.StripeIdempotencyError, statusCode: 400 },
    );
    assert.deepEqual(await eventTypesFor(first.id), ['refund.created']);
  });
});
