import assert from 'node:assert/strict';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import { chargeUpdateStatement, intentUpdateStatement } from '../src/payments/repository.ts';
import type { MergeableQuery, Statement } from '../src/platform/statements.ts';
import { hotPathConnectionSettings } from '../src/platform/db.ts';
import { createTestDatabase, startTestServer } from './helpers/server.ts';
import { repositoryRoot, sourceFiles } from './helpers/source-files.ts';

/**
 * Payrail's connections let PostgreSQL cache generic plans of its named statements (plan_cache_mode auto, issue 13).
 * A generic plan is costed without the parameters' values, often while the tables are still empty: a lookup by
 * primary key that also compares the tenant with `account_id = $2` then ties with the tenant's list index
 * (account_id, livemode, seq), and when the list index wins, every later execution scans all of the tenant's rows
 * (37.6 ms per payment in docs/benchmarks.md). Lookups by id therefore compare the tenant with IS NOT DISTINCT
 * FROM, which no index can serve, so the primary key is the only index path whatever the statistics say. The
 * set-based compare-and-sets (JSON rows reached through `id = ANY`) are `oneShot` on the shared pool (planned at each
 * run); the group commit runs them, and every other mergeable statement, on its own connections with generic plans
 * and sequential scans disabled (`hotPathConnectionSettings`), where each table is reached by an index condition
 * whatever the statistics say.
 */
describe('generic plans of lookups by id', () => {
  it('no SQL in src compares the tenant with = beside an id lookup (the list index could serve it)', () => {
    const offending: string[] = [];
    for (const file of sourceFiles(path.join(repositoryRoot, 'src'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?<![a-z_])(?:[a-z_]+\.)?id = \$\d+ AND (?:[a-z_]+\.)?account_id = \$\d+/g)) {
        offending.push(`${path.relative(repositoryRoot, file)}: ${match[0]}`);
      }
    }
    assert.deepEqual(offending, []);
  });

  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
  });

  async function plan(statement: Statement): Promise<string> {
    const rows = (await database.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, statement.values)).rows;
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  }

  it('the outcome compare-and-sets are planned at each run, and reach the intent and the charge by primary key on empty, never analyzed tables', async () => {
    const current = { id: 'pi_1', account_id: 'acct_1', livemode: false };
    const intentUpdate = intentUpdateStatement(current, { status: 'succeeded', amount_received: 100 }, { status: 'processing', latestChargeId: 'ch_1', latestChargePending: true });
    const chargeUpdate = chargeUpdateStatement({ id: 'ch_1', account_id: 'acct_1' }, { status: 'succeeded' }, { status: 'pending' });
    // JSON rows joined to the table: a plan cached for one row count (or costed on empty tables) could scan the table.
    assert.equal(intentUpdate.oneShot, true);
    assert.equal(chargeUpdate.oneShot, true);
    const intent = await plan(intentUpdate);
    assert.match(intent, /Index Scan using payment_intents_pkey on payment_intents/, intent);
    assert.match(intent, /Index Scan using charges_pkey on charges pending_charge[^\n]*\n\s+Index Cond: [^\n]*id = ANY/, intent);
    assert.doesNotMatch(intent, /_list|Seq Scan on (payment_intents|charges)/, intent);
    const charge = await plan(chargeUpdate);
    assert.match(charge, /Index Scan using charges_pkey on charges/, charge);
    assert.doesNotMatch(charge, /_list|Seq Scan on charges/, charge);
  });

  it('every mergeable statement of a keyed payment, and its outcome, has a generic plan that reaches each table by an index condition, on empty, never analyzed tables, with the group commit\'s settings', async () => {
    const server = await startTestServer();
    const recorded: pg.QueryConfig[] = [];
    const original = pg.Client.prototype.query;
    // Test-only instrument: the statements the payment sends that the group commit may merge (JSON rows, a merge key),
    // and the outcome's, which stores the answer.
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const config = args[0] as MergeableQuery;
      if (typeof config === 'object' && config !== null && (config.merge || config.text?.includes('key_answer'))) recorded.push(config);
      return (original as (...inner: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    try {
      const intent = await server.account.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { idempotencyKey: randomUUID() });
      assert.equal(intent.status, 'succeeded');
    } finally {
      pg.Client.prototype.query = original;
    }
    const texts = [...new Set(recorded.map((config) => config.text))];
    const client = new pg.Client({ connectionString: server.databaseUrl, options: hotPathConnectionSettings });
    try {
      // Statement 1 takes the key (its insert with the recovery point); the outcome's statement stores the answer.
      assert.ok(texts.length >= 2, `${texts.length} statements`);
      assert.ok(texts.some((text) => text.includes('key_checkpoint AS (INSERT INTO idempotency_keys')), 'statement 1 takes the key');
      assert.ok(texts.some((text) => text.includes('key_held AS (SELECT') && text.includes('key_answer AS (UPDATE idempotency_keys')), 'the outcome stores the answer');
      await client.connect();
      for (const text of texts) {
        const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (GENERIC_PLAN) ${text}`)).rows.map((row) => row['QUERY PLAN']);
        const shown = `${text.slice(0, 80)}\n${plan.join('\n')}`;
        assert.doesNotMatch(plan.join('\n'), /Seq Scan on (?!pg_)/, shown);
        plan.forEach((line, index) => {
          // An index scan without an Index Cond reads the whole index: a sequential scan by another name.
          if (/Index (Only )?Scan/.test(line)) assert.match(plan.slice(index + 1, index + 4).join('\n'), /Index Cond/, shown);
        });
      }
    } finally {
      await client.end().catch(() => undefined);
      await server.close();
    }
  });
});
