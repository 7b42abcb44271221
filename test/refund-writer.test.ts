import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { inTransaction } from '../src/platform/db.ts';
import { refundSettlement } from '../src/payments/ledger.ts';
import { findCharge, type ChargeRow } from '../src/payments/repository.ts';
import { buildRefundChange, buildRefundOutcomeChange, type RefundChange } from '../src/refunds/refund-change.ts';
import { findRefund } from '../src/refunds/repository.ts';
import { writeRefundChanges } from '../src/refunds/writer.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * The refund writer's batch seam: several refund change values written in one statement, each gated by its own
 * refund (an insert, or a compare-and-set on the refund's status), as a batcher would write them.
 */
describe('writeRefundChanges batches refund change values', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  const scope = () => ({ accountId: server.account.accountId, livemode: false });
  let refundCount = 0;

  /** A captured charge of a new payment (with `card`, a PaymentMethod id or one of Stripe's test card numbers). */
  async function capturedCharge(amount: number, cardNumber?: string): Promise<ChargeRow> {
    const stripe = server.account.stripe;
    const paymentMethod = cardNumber
      ? (await stripe.paymentMethods.create({ type: 'card', card: { number: cardNumber, exp_month: 12, exp_year: 2034, cvc: '123' } })).id
      : 'pm_card_visa';
    const intent = await stripe.paymentIntents.create({ amount, currency: 'usd', payment_method: paymentMethod, confirm: true });
    assert.equal(intent.status, 'succeeded');
    const charge = await findCharge(server.db, scope(), intent.latest_charge as string);
    assert.ok(charge);
    return charge;
  }

  async function refundOf(charge: ChargeRow, amount: number): Promise<RefundChange> {
    refundCount += 1;
    return buildRefundChange({
      scope: scope(), request: undefined, paymentIntentId: charge.payment_intent_id, charge, amount, reason: 'requested_by_customer', metadata: { batch: String(refundCount) },
      output: { status: 'succeeded', processorReference: `arn_${refundCount}` }, settlement: await refundSettlement(server.deps, server.db, scope(), charge, amount),
      refundId: `re_writer_${refundCount}_${Date.now()}`, now: server.deps.clock.nowSeconds(), created: Math.floor(Date.now() / 1000),
    });
  }

  const eventTypesOf = async (objectId: string) =>
    (await server.db.query<{ type: string }>("SELECT type FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq", [objectId])).rows.map((row) => row.type);
  const transactionTypesOf = async (refundId: string) =>
    (await server.db.query<{ type: string }>('SELECT type FROM balance_transactions WHERE source_id = $1 ORDER BY created, type', [refundId])).rows.map((row) => row.type);

  it('writes refunds of several charges in one statement, two of one charge added up into one update of it', async () => {
    const first = await capturedCharge(3000);
    const second = await capturedCharge(2000);
    // The second refund of the first charge is decided on the charge as the first refund leaves it.
    const a = await refundOf(first, 1000);
    const b = await refundOf({ ...first, amount_refunded: first.amount_refunded + 1000 }, 500);
    const c = await refundOf(second, 2000);
    const results = await writeRefundChanges(server.db, [a, b, c]);
    assert.deepEqual(results.map((result) => result.applied && [result.refund.amount, result.refund.status]), [[1000, 'succeeded'], [500, 'succeeded'], [2000, 'succeeded']]);

    const stripe = server.account.stripe;
    const firstCharge = await stripe.charges.retrieve(first.id);
    assert.equal(firstCharge.amount_refunded, 1500);
    assert.equal(firstCharge.refunded, false);
    const secondCharge = await stripe.charges.retrieve(second.id);
    assert.equal(secondCharge.amount_refunded, 2000);
    assert.equal(secondCharge.refunded, true);
    for (const [change, amount] of [[a, 1000], [b, 500], [c, 2000]] as const) {
      assert.ok('insert' in change.refund);
      const id = change.refund.insert.id;
      const refund = await stripe.refunds.retrieve(id, { expand: ['balance_transaction'] });
      assert.equal(refund.amount, amount);
      assert.equal((refund.balance_transaction as Stripe.BalanceTransaction).amount, -amount);
      assert.deepEqual(await eventTypesOf(id), ['refund.created']);
      assert.deepEqual(await transactionTypesOf(id), ['refund']);
    }
    // Each charge.refunded event shows the charge as its own refund left it.
    const chargeEvents = (await server.db.query<{ amount_refunded: string }>(
      "SELECT data->'object'->>'amount_refunded' AS amount_refunded FROM events WHERE type = 'charge.refunded' AND data->'object'->>'id' = $1 ORDER BY seq", [first.id],
    )).rows.map((row) => Number(row.amount_refunded));
    assert.deepEqual(chargeEvents, [1000, 1500]);
  });

  it('skips an outcome whose compare-and-set no longer matches without stopping the others in its batch', async () => {
    const stripe = server.account.stripe;
    // Stripe's test card whose refunds are accepted as pending (and fail later).
    const pendingCharge = await capturedCharge(2500, '4000000000005126');
    const created = await stripe.refunds.create({ charge: pendingCharge.id, amount: 1500 });
    assert.equal(created.status, 'pending');
    const pending = await findRefund(server.db, scope(), created.id);
    assert.ok(pending);
    const charge = await findCharge(server.db, scope(), pendingCharge.id);
    assert.ok(charge);
    const succeeded = buildRefundOutcomeChange({ scope: scope(), refund: pending, charge, output: { status: 'succeeded', processorReference: 'arn_first' }, now: server.deps.clock.nowSeconds() });
    const [first] = await writeRefundChanges(server.db, [succeeded]);
    assert.ok(first.applied);
    assert.equal(first.refund.status, 'succeeded');

    // A failure decided on the refund as it was read before the success: its compare-and-set (still pending) fails.
    const stale = buildRefundOutcomeChange({
      scope: scope(), refund: pending, charge, output: { status: 'failed', reason: 'expired_or_canceled_card' },
      settlement: await refundSettlement(server.deps, server.db, scope(), charge, pending.amount), now: server.deps.clock.nowSeconds(),
    });
    const other = await capturedCharge(1200);
    const fresh = await refundOf(other, 1200);
    const results = await writeRefundChanges(server.db, [stale, fresh]);
    assert.deepEqual(results.map((result) => result.applied), [false, true]);

    const after = await stripe.refunds.retrieve(created.id);
    assert.equal(after.status, 'succeeded');
    assert.equal(after.failure_balance_transaction, undefined);
    assert.equal((await stripe.charges.retrieve(pendingCharge.id)).amount_refunded, 1500);
    assert.deepEqual(await transactionTypesOf(created.id), ['refund']);
    assert.deepEqual(await eventTypesOf(created.id), ['refund.created', 'refund.updated']);
    assert.equal((await stripe.charges.retrieve(other.id)).amount_refunded, 1200);
  });

  it('throws, writing nothing in its transaction, when a charge would be refunded beyond what was captured', async () => {
    const charge = await capturedCharge(1000);
    const change = await refundOf(charge, 1000);
    assert.ok('insert' in change.refund);
    // Decided on a stale read (as if the PaymentIntent's lock had not been held): the charge has no room for it.
    await server.db.query('UPDATE charges SET amount_refunded = 600 WHERE id = $1', [charge.id]);
    await assert.rejects(inTransaction(server.db, (client) => writeRefundChanges(client, [change])), /within what was captured/);
    assert.equal(await findRefund(server.db, scope(), change.refund.insert.id), undefined);
    assert.equal((await findCharge(server.db, scope(), charge.id))?.amount_refunded, 600);
    assert.deepEqual(await transactionTypesOf(change.refund.insert.id), []);
  });

  it('refuses a batch that would write one refund twice', async () => {
    const charge = await capturedCharge(900);
    const change = await refundOf(charge, 100);
    await assert.rejects(writeRefundChanges(server.db, [change, change]), /once/);
    assert.equal((await findCharge(server.db, scope(), charge.id))?.amount_refunded, 0);
  });
});
