import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthorizeOutput } from '../src/connectors/connector.ts';
import { findAttempt, listChargeAttempts } from '../src/orchestration/attempts-repository.ts';
import { findPaymentMethod } from '../src/payment-methods/repository.ts';
import { buildAuthorizationChange, type AttemptContext } from '../src/payments/authorization-change.ts';
import type { PaymentChange } from '../src/payments/change.ts';
import { captureSettlement } from '../src/payments/ledger.ts';
import { findCharge, findPaymentIntent } from '../src/payments/repository.ts';
import { writeChanges } from '../src/payments/writer.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * The writer's batch seam: several change values written in one statement, each under its own compare-and-set.
 * Payments are left in `processing` (the provider's answer lost, as after a timeout), then their answers are built
 * by the pure builder and written together, as a batcher would.
 */
describe('writeChanges batches change values', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  const scope = () => ({ accountId: server.account.accountId, livemode: false });

  async function processingPayment(amount: number, captureMethod: 'automatic' | 'manual'): Promise<{ rows: AttemptContext; attemptId: string }> {
    const connector = server.deps.connectors.builtIn;
    const originalAuthorize = connector.authorize;
    const originalSync = connector.sync;
    connector.authorize = async (): Promise<AuthorizeOutput> => { throw new Error('socket hang up'); };
    connector.sync = async (): Promise<AuthorizeOutput> => ({ status: 'pending' });
    try {
      const intent = await server.account.stripe.paymentIntents.create({ amount, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: captureMethod });
      assert.equal(intent.status, 'processing');
      const row = await findPaymentIntent(server.db, scope(), intent.id);
      assert.ok(row?.latest_charge_id);
      const charge = await findCharge(server.db, scope(), row.latest_charge_id);
      assert.ok(charge);
      const paymentMethod = await findPaymentMethod(server.db, scope(), charge.payment_method_id);
      assert.ok(paymentMethod);
      const [attempt] = await listChargeAttempts(server.db, charge.id);
      assert.ok(attempt);
      return { rows: { intent: row, charge, paymentMethod }, attemptId: attempt.id };
    } finally {
      connector.authorize = originalAuthorize;
      connector.sync = originalSync;
    }
  }

  async function changeFor(payment: { rows: AttemptContext; attemptId: string }, output: AuthorizeOutput): Promise<PaymentChange> {
    const attempt = await findAttempt(server.db, payment.attemptId);
    assert.ok(attempt);
    const captured = output.status === 'authorized' && output.captured;
    const settlement = captured ? await captureSettlement(server.deps, server.db, scope(), payment.rows.charge, payment.rows.charge.amount) : undefined;
    return buildAuthorizationChange(payment.rows, output, {
      scope: scope(), request: undefined, offSession: false, now: server.deps.clock.nowSeconds(), createdAt: Math.floor(Date.now() / 1000),
      publicUrl: server.deps.publicUrl, settlement,
      source: { id: attempt.id, connector: attempt.connector, configurationId: attempt.connector_configuration_id, changes: { status: output.status === 'authorized' ? 'authorized' : 'declined' }, routing: null },
    });
  }

  const eventTypesOf = async (objectId: string) =>
    (await server.db.query<{ type: string }>("SELECT type FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq", [objectId])).rows.map((row) => row.type);

  it('writes several payments\' outcomes in one statement, each with its ledger and events', async () => {
    const first = await processingPayment(2100, 'automatic');
    const second = await processingPayment(2200, 'manual');
    const results = await writeChanges(server.db, [
      await changeFor(first, { status: 'authorized', captured: true, processorReference: 'ref_first', riskScore: 10 }),
      await changeFor(second, { status: 'authorized', captured: false, processorReference: 'ref_second', riskScore: 10 }),
    ]);
    assert.deepEqual(results.map((result) => result.applied && result.intent.status), ['succeeded', 'requires_capture']);

    const firstIntent = await server.account.stripe.paymentIntents.retrieve(first.rows.intent.id, { expand: ['latest_charge.balance_transaction'] });
    assert.equal(firstIntent.status, 'succeeded');
    assert.equal(firstIntent.amount_received, 2100);
    const charge = firstIntent.latest_charge as { balance_transaction: { amount: number } | null };
    assert.equal(charge.balance_transaction?.amount, 2100);
    const secondIntent = await server.account.stripe.paymentIntents.retrieve(second.rows.intent.id);
    assert.equal(secondIntent.amount_capturable, 2200);
    assert.deepEqual(await eventTypesOf(first.rows.intent.id), ['payment_intent.created', 'payment_intent.succeeded']);
    assert.deepEqual(await eventTypesOf(second.rows.intent.id), ['payment_intent.created', 'payment_intent.amount_capturable_updated']);
    // The manual one's hold is on the ledger: capturing it later works as for any other payment.
    const captured = await server.account.stripe.paymentIntents.capture(second.rows.intent.id);
    assert.equal(captured.status, 'succeeded');
  });

  it('skips a change whose compare-and-set no longer matches without stopping the others in its batch', async () => {
    const stale = await processingPayment(2300, 'automatic');
    const fresh = await processingPayment(2400, 'automatic');
    const [applied] = await writeChanges(server.db, [await changeFor(stale, { status: 'declined', decline: { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.', blocked: false, networkStatus: 'declined_by_network' }, processorReference: null, riskScore: 5 })]);
    assert.equal(applied.applied, true);

    const results = await writeChanges(server.db, [
      await changeFor(stale, { status: 'authorized', captured: true, processorReference: 'ref_late', riskScore: 10 }),
      await changeFor(fresh, { status: 'authorized', captured: true, processorReference: 'ref_fresh', riskScore: 10 }),
    ]);
    assert.deepEqual(results.map((result) => result.applied), [false, true]);
    const staleIntent = await server.account.stripe.paymentIntents.retrieve(stale.rows.intent.id);
    assert.equal(staleIntent.status, 'requires_payment_method');
    assert.equal(staleIntent.amount_received, 0);
    assert.deepEqual(await eventTypesOf(stale.rows.intent.id), ['payment_intent.created', 'payment_intent.payment_failed']);
    const staleTransactions = await server.db.query('SELECT 1 FROM balance_transactions WHERE source_id = $1', [stale.rows.charge.id]);
    assert.equal(staleTransactions.rowCount, 0);
    assert.equal((await server.account.stripe.paymentIntents.retrieve(fresh.rows.intent.id)).status, 'succeeded');
  });

  it('refuses a batch that would change one payment twice', async () => {
    const payment = await processingPayment(2500, 'automatic');
    const change = await changeFor(payment, { status: 'authorized', captured: true, processorReference: 'ref_twice', riskScore: 10 });
    await assert.rejects(writeChanges(server.db, [change, change]), /once/);
    assert.equal((await server.account.stripe.paymentIntents.retrieve(payment.rows.intent.id)).status, 'processing');
  });
});
