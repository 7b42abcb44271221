import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import { startPlatform } from './helpers/platform-process.ts';

/**
 * Fault test: the Payrail process is killed (SIGKILL, no shutdown) in the middle of a burst of create-and-confirm
 * payments, then started again. Whatever was in flight must end consistent: no payment half-written, none left
 * processing once the recovery sweep has run, none charged twice, and every payment the client saw succeed still
 * succeeded.
 */
const burstSize = 150;

describe('a Payrail process killed mid-payment', () => {
  let dataDirectory: string;
  before(() => {
    dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-crash-'));
    fs.chmodSync(dataDirectory, 0o755);
  });
  after(() => fs.rmSync(dataDirectory, { recursive: true, force: true }));

  it('leaves every payment consistent after a restart, with in-flight attempts resolved once', async () => {
    const port = await findFreePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PAYRAIL_DATA_DIR: dataDirectory,
      PORT: String(port),
      PAYRAIL_STUCK_ATTEMPT_SECONDS: '1',
      PAYRAIL_MAINTENANCE_INTERVAL_MS: '200',
    };
    delete env.DATABASE_URL;
    const first = await startPlatform(env);

    const succeededBeforeKill = new Set<string>();
    let killed = false;
    const pay = async (index: number) => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/v1/payment_intents`, {
          method: 'POST',
          headers: { authorization: `Bearer ${first.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: `amount=${1000 + index}&currency=usd&payment_method=pm_card_visa&confirm=true`,
        });
        const body = (await response.json()) as { id?: string; status?: string };
        if (response.status === 200 && body.status === 'succeeded' && body.id) succeededBeforeKill.add(body.id);
        if (!killed && succeededBeforeKill.size >= 20) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      } catch {
        // Connections cut by the kill.
      }
    };
    const exited = new Promise((resolve) => first.child.on('exit', resolve));
    await Promise.all(Array.from({ length: burstSize }, (_, index) => pay(index)));
    if (!killed) first.child.kill('SIGKILL');
    await exited;

    // The embedded database outlived its owner; the next start adopts it.
    const second = await startPlatform(env);
    const secrets = JSON.parse(fs.readFileSync(path.join(dataDirectory, 'secrets.json'), 'utf8')) as { postgresPassword: string };
    const pid = fs.readFileSync(path.join(dataDirectory, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
    const db = new pg.Client({ connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${pid[3]}/payrail` });
    await db.connect();
    try {
      // Wait (bounded) for the sweep to resolve attempts that were in flight at the kill.
      for (let round = 0; round < 100; round += 1) {
        const processing = await db.query(`SELECT count(*)::int AS n FROM payment_intents WHERE status = 'processing'`);
        if (processing.rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const intents = (await db.query(`SELECT id, status, amount::int, amount_received::int, amount_capturable::int, latest_charge_id FROM payment_intents`)).rows;
      assert.ok(intents.length >= succeededBeforeKill.size);
      assert.equal(intents.filter((intent) => intent.status === 'processing').length, 0, 'no attempt left in flight');
      for (const id of succeededBeforeKill) assert.equal(intents.find((intent) => intent.id === id)?.status, 'succeeded', id);

      const charges = (await db.query(`SELECT id, payment_intent_id, status, captured, amount::int, amount_captured::int FROM charges`)).rows;
      for (const intent of intents) {
        const own = charges.filter((charge) => charge.payment_intent_id === intent.id);
        assert.equal(own.length, 1, `${intent.id} has exactly one attempt`);
        const [charge] = own;
        assert.equal(charge.id, intent.latest_charge_id);
        assert.equal(intent.status, 'succeeded', 'pm_card_visa always succeeds once resolved');
        assert.equal(charge.status, 'succeeded');
        assert.equal(charge.captured, true);
        assert.equal(charge.amount_captured, intent.amount);
        assert.equal(intent.amount_received, intent.amount);
        assert.equal(intent.amount_capturable, 0);
      }
      const events = (await db.query(
        `SELECT type, data->'object'->>'id' AS object_id, count(*)::int AS n FROM events GROUP BY 1, 2 HAVING count(*) > 1`,
      )).rows;
      assert.deepEqual(events, [], 'no event written twice');
      const succeededEvents = await db.query(`SELECT count(*)::int AS n FROM events WHERE type = 'payment_intent.succeeded'`);
      assert.equal(succeededEvents.rows[0].n, intents.length);
    } catch (error) {
      second.child.kill('SIGKILL');
      throw error;
    } finally {
      await db.end();
    }
    const stopped = new Promise<number | null>((resolve) => second.child.on('exit', (code) => resolve(code)));
    second.child.kill('SIGTERM');
    assert.equal(await stopped, 0);
    assert.equal(fs.existsSync(path.join(dataDirectory, 'postgres', 'postmaster.pid')), false, 'the adopted database was stopped too');
  });
});
