import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { attemptUpdateStatement } from '../src/orchestration/attempts-repository.ts';
import { chargeUpdateStatement, intentUpdateStatement } from '../src/payments/repository.ts';
import { combine, queryOf, type Statement } from '../src/platform/statements.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * The set-based compare-and-sets (JSON rows joined to their table, platform/statements.ts) under a concurrent change
 * of the same row. PostgreSQL then waits for the other transaction and rechecks the conditions on the row's new
 * version (EvalPlanQual); a subquery that refers to the JSON rows no longer matches in that recheck, which once left
 * an attempt unresolved while its intent had its outcome (the janitor then voided an authorization Payrail held).
 */
describe('set-based compare-and-sets under a concurrent change of the row', () => {
  let server: TestServer;
  let other: pg.Client;
  let ids: { intent: string; charge: string; attempt: string };
  before(async () => {
    server = await startTestServer();
    other = new pg.Client({ connectionString: server.databaseUrl });
    await other.connect();
    const intent = await server.account.stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
    const charge = (await server.db.query<{ id: string; attempt_id: string }>('SELECT id, attempt_id FROM charges WHERE payment_intent_id = $1', [intent.id])).rows[0];
    ids = { intent: intent.id, charge: charge.id, attempt: charge.attempt_id };
  });
  after(async () => {
    await other.end();
    await server.close();
  });

  /** Runs `statement` while `other` holds a change of `table`'s row `id`, commits that change, and returns the rows. */
  async function underConcurrentChange(table: string, id: string, change: string, statement: Statement): Promise<unknown[]> {
    await other.query('BEGIN');
    await other.query(`UPDATE ${table} SET ${change} WHERE id = $1`, [id]);
    const running = server.db.query(queryOf(statement));
    // The statement now waits for the row lock; the other transaction commits its change.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await other.query('COMMIT');
    return (await running).rows;
  }

  /** `part` as a part named `name` of a statement whose earlier part `intent` returns the intent (its gate). */
  const gated = (name: string, part: Statement) => combine([
    { name: 'intent', statement: { text: 'SELECT id FROM payment_intents WHERE id = $1', values: [ids.intent] } },
    { name, statement: part },
  ], `SELECT * FROM ${name}`);

  it('an attempt gated by its intent is updated after a concurrent change of it', async () => {
    await server.db.query("UPDATE payment_attempts SET status = 'pending' WHERE id = $1", [ids.attempt]);
    const update = attemptUpdateStatement(ids.attempt, { status: 'authorized', processor_reference: 'ref', next_sync_in_seconds: null }, ['pending', 'unknown'], { onlyIfRowsIn: 'intent', gateKey: ids.intent });
    const rows = await underConcurrentChange('payment_attempts', ids.attempt, "status = 'unknown', sync_count = sync_count + 1", gated('attempt_update', update));
    assert.equal(rows.length, 1);
    assert.deepEqual((await server.db.query('SELECT status, sync_count FROM payment_attempts WHERE id = $1', [ids.attempt])).rows, [{ status: 'authorized', sync_count: 1 }]);
  });

  it('a charge gated by its intent is updated after a concurrent change of it', async () => {
    const update = chargeUpdateStatement({ id: ids.charge, account_id: server.account.accountId }, { description: 'after' }, { status: 'succeeded' }, { onlyIfRowsIn: 'intent', gateKey: ids.intent });
    const rows = await underConcurrentChange('charges', ids.charge, "metadata = '{\"k\": \"v\"}'", gated('charge_update', update));
    assert.equal(rows.length, 1);
    assert.deepEqual((await server.db.query('SELECT description, metadata FROM charges WHERE id = $1', [ids.charge])).rows, [{ description: 'after', metadata: { k: 'v' } }]);
  });

  it("an intent's compare-and-set on its pending charge applies after a concurrent change of the intent", async () => {
    await server.db.query("UPDATE charges SET status = 'pending' WHERE id = $1", [ids.charge]);
    await server.db.query("UPDATE payment_intents SET status = 'processing' WHERE id = $1", [ids.intent]);
    const current = { id: ids.intent, account_id: server.account.accountId, livemode: false };
    const update = intentUpdateStatement(current, { status: 'requires_capture' }, { status: 'processing', latestChargeId: ids.charge, latestChargePending: true });
    const rows = await underConcurrentChange('payment_intents', ids.intent, "metadata = '{\"k\": \"v\"}'", update);
    assert.equal(rows.length, 1);
    assert.deepEqual((await server.db.query('SELECT status, metadata FROM payment_intents WHERE id = $1', [ids.intent])).rows, [{ status: 'requires_capture', metadata: { k: 'v' } }]);
  });

  it('a compare-and-set that no longer matches after the concurrent change is not applied', async () => {
    const current = { id: ids.intent, account_id: server.account.accountId, livemode: false };
    const update = intentUpdateStatement(current, { status: 'canceled' }, { status: 'requires_capture', latestChargeId: ids.charge });
    const rows = await underConcurrentChange('payment_intents', ids.intent, "status = 'succeeded'", update);
    assert.equal(rows.length, 0);
  });
});
