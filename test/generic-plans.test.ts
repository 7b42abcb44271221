import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chargeUpdateStatement, intentUpdateStatement } from '../src/payments/repository.ts';
import type { Statement } from '../src/platform/statements.ts';
import { createTestDatabase } from './helpers/server.ts';
import { repositoryRoot, sourceFiles } from './helpers/source-files.ts';

/**
 * Payrail's connections let PostgreSQL cache generic plans of its named statements (plan_cache_mode auto, issue 13).
 * A generic plan is costed without the parameters' values, often while the tables are still empty: a lookup by
 * primary key that also compares the tenant with `account_id = $2` then ties with the tenant's list index
 * (account_id, livemode, seq), and when the list index wins, every later execution scans all of the tenant's rows
 * (37.6 ms per payment in docs/benchmarks.md). Lookups by id therefore compare the tenant with IS NOT DISTINCT
 * FROM, which no index can serve, so the primary key is the only index path whatever the statistics say. The
 * set-based compare-and-sets (JSON rows reached through `id = ANY`) are never cached: planned at each run, they see
 * how many rows they carry.
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
});
