import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import Stripe from 'stripe';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Races on one object never move money twice. Every test fires its requests at once through the SDK
 * (maxNetworkRetries is 0, so each call is exactly one request) and then checks the database, not only the answers.
 */
describe('concurrent requests on one payment', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    // One group commit lane: concurrent requests on one payment share batches (and statements), as under load.
    server = await startTestServer({ groupCommit: { lanes: 1, maxStatements: 64, maxBytes: 4 * 1024 * 1024 } });
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  type Settled<T> = PromiseSettledResult<T>;

  function fulfilled<T>(results: Settled<T>[]): T[] {
    return results.filter((result): result is PromiseFulfilledResult<T> => result.status === 'fulfilled').map((result) => result.value);
  }

  /** The rejections, each checked to be a Stripe API error and never a server error. */
  function rejected<T>(results: Settled<T>[]): Stripe.errors.StripeError[] {
    return results
      .filter((result): result is PromiseRejectedResult => result.status === 'rejected')
      .map((result) => {
        const error = result.reason;
        assert.ok(error instanceof Stripe.errors.StripeError, `expected a Stripe error, got ${String(error)}`);
        assert.ok(error.statusCode !== undefined && error.statusCode < 500, `server error ${error.statusCode}: ${error.message}`);
        return error;
      });
  }

  /** A lost race answers "wrong state" (400) or, if the row lock could not be had in time, lock_timeout (429). */
  function assertLostRace(error: Stripe.errors.StripeError, stateCodes: string[]): void {
    if (error.statusCode === 429) {
      assert.equal(error.code, 'lock_timeout');
      return;
    }
    assert.equal(error.statusCode, 400, `${error.code}: ${error.message}`);
    assert.ok(stateCodes.includes(error.code ?? ''), `unexpected code ${error.code}: ${error.message}`);
  }

  async function intentRow(id: string): Promise<{ status: string; amount: number; amount_received: number; amount_capturable: number; latest_charge_id: string | null }> {
    return (await server.db.query('SELECT status, amount, amount_received, amount_capturable, latest_charge_id FROM payment_intents WHERE id = $1', [id])).rows[0];
  }

  interface ChargeState {
    id: string;
    status: string;
    amount: number;
    captured: boolean;
    released: boolean;
    amount_captured: number;
    amount_refunded: number;
    refunds_total: number;
    refunds_count: number;
  }

  async function chargeRows(intentId: string): Promise<ChargeState[]> {
    return (await server.db.query(
      `SELECT c.id, c.status, c.amount, c.captured, c.released, c.amount_captured, c.amount_refunded,
              coalesce((SELECT sum(r.amount) FROM refunds r WHERE r.charge_id = c.id), 0)::bigint AS refunds_total,
              (SELECT count(*) FROM refunds r WHERE r.charge_id = c.id)::int AS refunds_count
         FROM charges c WHERE c.payment_intent_id = $1 ORDER BY c.seq`,
      [intentId],
    )).rows;
  }

  async function eventCount(type: string, objectId: string): Promise<number> {
    return (await server.db.query(`SELECT count(*)::int AS n FROM events WHERE type = $1 AND data->'object'->>'id' = $2`, [type, objectId])).rows[0].n;
  }

  const times = <T>(count: number, make: (index: number) => Promise<T>) => Promise.allSettled(Array.from({ length: count }, (_, index) => make(index)));

  it('confirm/confirm: exactly one confirmation wins and one charge exists', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa' });
    assert.equal(intent.status, 'requires_confirmation');

    const results = await times(30, () => stripe.paymentIntents.confirm(intent.id));
    const winners = fulfilled(results);
    assert.equal(winners.length, 1);
    assert.equal(winners[0].status, 'succeeded');
    for (const error of rejected(results)) assertLostRace(error, ['payment_intent_unexpected_state']);

    const row = await intentRow(intent.id);
    assert.equal(row.status, 'succeeded');
    assert.equal(row.amount_received, 2000);
    const charges = await chargeRows(intent.id);
    assert.equal(charges.length, 1);
    assert.equal(charges[0].id, row.latest_charge_id);
    assert.equal(charges[0].amount_captured, 2000);
    assert.equal(await eventCount('charge.succeeded', charges[0].id), 1);
    assert.equal(await eventCount('payment_intent.succeeded', intent.id), 1);
  });

  it('capture/capture: exactly one capture succeeds and the amount is received once', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
    assert.equal(intent.status, 'requires_capture');

    const results = await times(30, () => stripe.paymentIntents.capture(intent.id));
    const winners = fulfilled(results);
    assert.equal(winners.length, 1);
    assert.equal(winners[0].status, 'succeeded');
    assert.equal(winners[0].amount_received, 3000);
    for (const error of rejected(results)) assertLostRace(error, ['payment_intent_unexpected_state']);

    const row = await intentRow(intent.id);
    assert.equal(row.status, 'succeeded');
    assert.equal(row.amount_received, 3000);
    assert.equal(row.amount_capturable, 0);
    const charges = await chargeRows(intent.id);
    assert.equal(charges.length, 1);
    assert.equal(charges[0].captured, true);
    assert.equal(charges[0].amount_captured, 3000);
    assert.equal(await eventCount('charge.captured', charges[0].id), 1);
  });

  it('partial capture/capture: one partial capture wins, the rest of the authorization is released', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
    const results = await times(20, (index) => stripe.paymentIntents.capture(intent.id, { amount_to_capture: 500 + index }));
    const winners = fulfilled(results);
    assert.equal(winners.length, 1);
    for (const error of rejected(results)) assertLostRace(error, ['payment_intent_unexpected_state']);
    const captured = winners[0].amount_received;
    assert.ok(captured >= 500 && captured < 520);

    const row = await intentRow(intent.id);
    assert.equal(row.status, 'succeeded');
    assert.equal(row.amount_received, captured);
    const [charge] = await chargeRows(intent.id);
    assert.equal(charge.amount_captured, captured);
    assert.equal(charge.released, true);
  });

  it('capture/cancel: the intent ends captured or canceled, matching the one call that succeeded', async () => {
    for (let round = 0; round < 6; round += 1) {
      const intent = await stripe.paymentIntents.create({ amount: 1800, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
      // Interleave the two operations, starting with the other one every other round.
      type Outcome = { operation: 'capture' | 'cancel'; value: Stripe.PaymentIntent };
      const results = await times(24, (index): Promise<Outcome> =>
        (index + round) % 2 === 0
          ? stripe.paymentIntents.capture(intent.id).then((value) => ({ operation: 'capture' as const, value }))
          : stripe.paymentIntents.cancel(intent.id).then((value) => ({ operation: 'cancel' as const, value })),
      );
      const winners = fulfilled(results);
      assert.equal(winners.length, 1, `round ${round}: ${winners.map((winner) => winner.operation).join(', ')}`);
      for (const error of rejected(results)) assertLostRace(error, ['payment_intent_unexpected_state']);

      const row = await intentRow(intent.id);
      const [charge, ...others] = await chargeRows(intent.id);
      assert.equal(others.length, 0);
      if (winners[0].operation === 'capture') {
        assert.equal(winners[0].value.status, 'succeeded');
        assert.equal(row.status, 'succeeded');
        assert.equal(row.amount_received, 1800);
        assert.equal(charge.captured, true);
        assert.equal(charge.released, false);
        assert.equal(charge.amount_captured, 1800);
        assert.equal(await eventCount('payment_intent.canceled', intent.id), 0);
      } else {
        assert.equal(winners[0].value.status, 'canceled');
        assert.equal(row.status, 'canceled');
        assert.equal(row.amount_received, 0);
        assert.equal(row.amount_capturable, 0);
        assert.equal(charge.captured, false);
        assert.equal(charge.released, true);
        assert.equal(charge.amount_captured, 0);
        assert.equal(await eventCount('charge.captured', charge.id), 0);
      }
    }
  });

  it('refund/refund: 30 partial refunds of 100 on 2000 -> exactly 20 succeed, never more than captured', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const chargeId = intent.latest_charge as string;

    // Half by charge and half by payment intent: both paths must serialize on the same lock.
    const results = await times(30, (index) =>
      index % 2 === 0 ? stripe.refunds.create({ charge: chargeId, amount: 100 }) : stripe.refunds.create({ payment_intent: intent.id, amount: 100 }),
    );
    const refunds = fulfilled(results);
    assert.equal(refunds.length, 20);
    for (const refund of refunds) {
      assert.equal(refund.amount, 100);
      assert.equal(refund.status, 'succeeded');
    }
    assert.equal(new Set(refunds.map((refund) => refund.id)).size, 20);
    for (const error of rejected(results)) {
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      if (error.statusCode === 429) assert.equal(error.code, 'lock_timeout');
      else {
        assert.equal(error.statusCode, 400);
        assert.ok(['amount_too_large', 'charge_already_refunded'].includes(error.code ?? ''), `${error.code}: ${error.message}`);
      }
    }

    const [charge] = await chargeRows(intent.id);
    assert.equal(charge.refunds_count, 20);
    assert.equal(charge.refunds_total, 2000);
    assert.equal(charge.amount_refunded, 2000);
    const retrieved = await stripe.charges.retrieve(chargeId);
    assert.equal(retrieved.amount_refunded, 2000);
    assert.equal(retrieved.refunded, true);
  });

  it('refund/refund: many concurrent full refunds -> exactly one', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const chargeId = intent.latest_charge as string;
    const results = await times(25, (index) => (index % 2 === 0 ? stripe.refunds.create({ charge: chargeId }) : stripe.refunds.create({ payment_intent: intent.id })));
    const refunds = fulfilled(results);
    assert.equal(refunds.length, 1);
    assert.equal(refunds[0].amount, 2500);
    for (const error of rejected(results)) {
      if (error.statusCode === 429) assert.equal(error.code, 'lock_timeout');
      else assert.equal(error.code, 'charge_already_refunded');
    }
    const [charge] = await chargeRows(intent.id);
    assert.equal(charge.refunds_count, 1);
    assert.equal(charge.refunds_total, 2500);
    assert.equal(charge.amount_refunded, 2500);
    assert.equal(await eventCount('refund.created', refunds[0].id), 1);
  });

  it('refund/refund: full and partial refunds racing never exceed the captured amount', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const chargeId = intent.latest_charge as string;
    const results = await times(30, (index) => stripe.refunds.create(index % 3 === 0 ? { charge: chargeId } : { charge: chargeId, amount: 150 }));
    const refunds = fulfilled(results);
    rejected(results);
    const total = refunds.reduce((sum, refund) => sum + refund.amount, 0);
    assert.equal(total, 1000);
    const [charge] = await chargeRows(intent.id);
    assert.equal(charge.refunds_count, refunds.length);
    assert.equal(charge.refunds_total, 1000);
    assert.equal(charge.amount_refunded, 1000);
  });

  describe('random operation sequences (fast-check)', () => {
    type Operation =
      | { kind: 'confirm' }
      | { kind: 'capture'; amount?: number }
      | { kind: 'cancel' }
      | { kind: 'refund'; amount?: number; by: 'charge' | 'payment_intent' };

    const amount = 1000;
    const operation: fc.Arbitrary<Operation> = fc.oneof(
      fc.constant<Operation>({ kind: 'confirm' }),
      fc.option(fc.integer({ min: 1, max: amount + 100 }), { nil: undefined }).map((value): Operation => ({ kind: 'capture', amount: value })),
      fc.constant<Operation>({ kind: 'cancel' }),
      fc.record({ amount: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }), by: fc.constantFrom('charge' as const, 'payment_intent' as const) })
        .map((value): Operation => ({ kind: 'refund', ...value })),
    );
    const scenario = fc.record({
      captureMethod: fc.constantFrom('automatic' as const, 'manual' as const),
      confirmFirst: fc.boolean(),
      batches: fc.array(fc.array(operation, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }),
    });

    function run(intentId: string, op: Operation, latestCharge: string | null): Promise<unknown> {
      switch (op.kind) {
        case 'confirm':
          return stripe.paymentIntents.confirm(intentId);
        case 'capture':
          return stripe.paymentIntents.capture(intentId, op.amount === undefined ? {} : { amount_to_capture: op.amount });
        case 'cancel':
          return stripe.paymentIntents.cancel(intentId);
        case 'refund': {
          const target = op.by === 'charge' && latestCharge ? { charge: latestCharge } : { payment_intent: intentId };
          return stripe.refunds.create(op.amount === undefined ? target : { ...target, amount: op.amount });
        }
      }
    }

    /** The invariants that must hold whatever happened: money moved at most once and never beyond what exists. */
    async function checkInvariants(intentId: string, succeededKinds: Set<string>): Promise<void> {
      const intent = await intentRow(intentId);
      const charges = await chargeRows(intentId);
      assert.ok(intent.amount_received <= intent.amount);
      assert.ok(intent.amount_capturable <= intent.amount);
      for (const charge of charges) {
        assert.equal(charge.refunds_total, charge.amount_refunded, `charge ${charge.id}: refunds rows vs amount_refunded`);
        assert.ok(charge.amount_refunded <= charge.amount_captured, `charge ${charge.id}: refunded more than captured`);
        assert.ok(charge.amount_captured <= charge.amount);
        if (!charge.captured) assert.equal(charge.amount_captured, 0);
        if (charge.status !== 'succeeded') assert.equal(charge.amount_captured, 0);
      }
      // The test processor approves pm_card_visa every time, so the first confirmation is the only attempt.
      assert.ok(charges.length <= 1, `${charges.length} charges on one intent`);
      assert.notEqual(intent.status, 'processing', 'no request is in flight after the batch settled');
      const charge = charges.find((candidate) => candidate.id === intent.latest_charge_id);
      switch (intent.status) {
        case 'requires_confirmation':
          assert.equal(charges.length, 0);
          assert.equal(intent.amount_received, 0);
          break;
        case 'requires_capture':
          assert.ok(charge && charge.status === 'succeeded' && !charge.captured && !charge.released);
          assert.equal(intent.amount_capturable, intent.amount);
          assert.equal(intent.amount_received, 0);
          break;
        case 'succeeded':
          assert.ok(charge && charge.status === 'succeeded' && charge.captured);
          assert.equal(intent.amount_received, charge.amount_captured);
          assert.ok(intent.amount_received > 0);
          assert.equal(intent.amount_capturable, 0);
          break;
        case 'canceled':
          assert.equal(intent.amount_received, 0);
          assert.equal(intent.amount_capturable, 0);
          if (charge) {
            assert.equal(charge.captured, false);
            assert.equal(charge.released, true);
          }
          break;
        default:
          assert.fail(`unexpected status ${intent.status}`);
      }
      // A capture and a cancellation can never both have succeeded on one intent.
      assert.ok(!(succeededKinds.has('capture') && succeededKinds.has('cancel')), 'both a capture and a cancel succeeded');
      if (succeededKinds.has('capture')) assert.equal(intent.status, 'succeeded');
      if (succeededKinds.has('cancel')) assert.equal(intent.status, 'canceled');
      if (succeededKinds.has('refund')) assert.equal(intent.status, 'succeeded');
    }

    it('keeps every money invariant under random concurrent batches', async () => {
      const before = server.deps.commits.stats();
      await fc.assert(
        fc.asyncProperty(scenario, async ({ captureMethod, confirmFirst, batches }) => {
          const created = await stripe.paymentIntents.create({
            amount, currency: 'usd', payment_method: 'pm_card_visa', capture_method: captureMethod, confirm: confirmFirst,
          });
          const succeededKinds = new Set<string>();
          let successfulRefunds = 0;
          let refunded = 0;
          await checkInvariants(created.id, succeededKinds);
          for (const batch of batches) {
            const latestCharge = (await intentRow(created.id)).latest_charge_id;
            const results = await Promise.allSettled(batch.map((op) => run(created.id, op, latestCharge)));
            results.forEach((result, index) => {
              if (result.status === 'fulfilled') {
                succeededKinds.add(batch[index].kind);
                if (batch[index].kind === 'refund') {
                  successfulRefunds += 1;
                  refunded += (result.value as Stripe.Refund).amount;
                }
              }
            });
            rejected(results);
            await checkInvariants(created.id, succeededKinds);
          }
          const charges = await chargeRows(created.id);
          assert.equal(charges.reduce((sum, charge) => sum + charge.refunds_count, 0), successfulRefunds);
          assert.equal(charges.reduce((sum, charge) => sum + charge.amount_refunded, 0), refunded);
        }),
        { numRuns: 15 },
      );
      // The operations went through the group commit (issue 13), several requests' statements to a batch.
      const after = server.deps.commits.stats();
      assert.ok(after.statements - before.statements > after.batches - before.batches, `${after.statements - before.statements} statements in ${after.batches - before.batches} batches`);
    });
  });
});
