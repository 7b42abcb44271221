import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import { clusterDirectoryOf, postgresPidOf, removeDataDirectory, startPlatform, stopPlatform, type PlatformProcess } from './helpers/platform-process.ts';

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
  after(() => removeDataDirectory(dataDirectory));

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
      // Wait (bounded, by time rather than rounds, generously: a loaded machine sweeps slowly) for the sweep to resolve
      // attempts that were in flight at the kill.
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
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

/**
 * Fault test: Payrail and its embedded PostgreSQL die together (kill -9 of both, as in a power loss). The cluster keeps
 * a stale postmaster.pid, whose pid may by then belong to another process. The next start must see that no server of
 * this cluster runs, let PostgreSQL recover from its write-ahead log, and come up with every committed payment.
 */
describe('Payrail and its PostgreSQL killed together', () => {
  let dataDirectory: string;
  let running: PlatformProcess | undefined;
  before(() => {
    dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-power-loss-'));
    fs.chmodSync(dataDirectory, 0o755);
  });
  after(() => {
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
    removeDataDirectory(dataDirectory);
  });

  /** SIGKILL to Payrail and to the whole process group of its PostgreSQL at once; returns when Payrail is gone. */
  async function powerLoss(platform: PlatformProcess): Promise<void> {
    const postgres = postgresPidOf(dataDirectory);
    assert.ok(postgres, 'the embedded database runs');
    const exited = once(platform.child, 'exit');
    platform.child.kill('SIGKILL');
    process.kill(-postgres, 'SIGKILL');
    await exited;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && postgresPidOf(dataDirectory) !== undefined;) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(postgresPidOf(dataDirectory), undefined, 'no postgres of the cluster is left');
    assert.ok(fs.existsSync(path.join(clusterDirectoryOf(dataDirectory), 'postmaster.pid')), 'the pid file is stale');
  }

  async function pay(platform: PlatformProcess, port: number): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${port}/v1/payment_intents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'amount=1500&currency=usd&payment_method=pm_card_visa&confirm=true',
    });
    const body = (await response.json()) as { id: string; status: string };
    assert.equal(body.status, 'succeeded');
    return body.id;
  }

  async function status(platform: PlatformProcess, port: number, id: string): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${port}/v1/payment_intents/${id}`, { headers: { authorization: `Bearer ${platform.secretKey}` } });
    return ((await response.json()) as { status: string }).status;
  }

  it('comes up again with its payments, also when the stale pid file names a live unrelated process', async () => {
    const port = await findFreePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PAYRAIL_DATA_DIR: dataDirectory, PORT: String(port) };
    delete env.DATABASE_URL;
    running = await startPlatform(env);
    const first = await pay(running, port);
    await powerLoss(running);

    running = await startPlatform(env);
    assert.match(running.output(), /PostgreSQL was not shut down last time/);
    assert.equal(await status(running, port, first), 'succeeded');
    const second = await pay(running, port);
    await powerLoss(running);

    // The pid in the file now belongs to another live process of the user PostgreSQL runs as (pids are reused).
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    const identity = root ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : {};
    const unrelated = spawn('sleep', ['600'], { ...identity, stdio: 'ignore' });
    try {
      const pidFile = path.join(clusterDirectoryOf(dataDirectory), 'postmaster.pid');
      const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
      lines[0] = String(unrelated.pid);
      fs.writeFileSync(pidFile, lines.join('\n'));

      running = await startPlatform(env);
      assert.equal(await status(running, port, first), 'succeeded');
      assert.equal(await status(running, port, second), 'succeeded');
      assert.equal(unrelated.exitCode, null, 'the unrelated process was left alone');
      assert.equal(await stopPlatform(running), 0, running.output());
      running = undefined;
      assert.equal(postgresPidOf(dataDirectory), undefined, 'the database was stopped');
    } finally {
      unrelated.kill('SIGKILL');
    }
  });
});
