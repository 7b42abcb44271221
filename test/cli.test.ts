import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import { payrailCli as cli, startPlatform, stopPlatform } from './helpers/platform-process.ts';
import { createTestDatabase } from './helpers/server.ts';

function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!('DATABASE_URL' in extra)) delete env.DATABASE_URL;
  return env;
}

function stripeAt(key: string, port: number): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
}

describe('payrail CLI with the embedded database', () => {
  let dataDirectory: string;
  before(() => {
    dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-cli-'));
    fs.chmodSync(dataDirectory, 0o755);
  });
  after(() => fs.rmSync(dataDirectory, { recursive: true, force: true }));

  it('starts, serves payments, creates accounts beside the running server, stops cleanly and restarts with the same keys', async () => {
    const port = await findFreePort();
    const env = environment({ PAYRAIL_DATA_DIR: dataDirectory, PORT: String(port) });
    const first = await startPlatform(env);
    assert.match(first.output(), new RegExp(`running on http://localhost:${port}`));
    const intent = await stripeAt(first.secretKey, port).paymentIntents.create({ amount: 1000, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });
    assert.equal(intent.status, 'succeeded');

    // `account create` joins the embedded server the running platform owns.
    const created = spawnSync(process.execPath, [cli, 'account', 'create', '--name', 'Second merchant'], { env, encoding: 'utf8' });
    assert.equal(created.status, 0, created.stderr);
    const secondKey = /Test secret key\s+(sk_test_\w+)/.exec(created.stdout)![1];
    const customer = await stripeAt(secondKey, port).customers.create({ email: 'second@example.com' });
    assert.match(customer.id, /^cus_/);
    await assert.rejects(stripeAt(secondKey, port).paymentIntents.retrieve(intent.id), (error: { statusCode?: number }) => error.statusCode === 404);

    assert.equal(await stopPlatform(first), 0);
    assert.match(first.output(), /stopped cleanly/);
    assert.equal(fs.existsSync(path.join(dataDirectory, 'postgres', 'postmaster.pid')), false, 'embedded Postgres stopped');

    const second = await startPlatform(env);
    assert.equal(second.accountId, first.accountId);
    assert.equal(second.secretKey, first.secretKey);
    const again = await stripeAt(second.secretKey, port).paymentIntents.retrieve(intent.id);
    assert.equal(again.status, 'succeeded');
    assert.equal(await stopPlatform(second), 0);
  });

  it('migrate applies migrations and exits', () => {
    const result = spawnSync(process.execPath, [cli, 'migrate'], { env: environment({ PAYRAIL_DATA_DIR: dataDirectory }), encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /up to date/);
  });

  it('rejects unknown commands and a missing account name with exit code 2', () => {
    assert.equal(spawnSync(process.execPath, [cli, 'frobnicate'], { encoding: 'utf8' }).status, 2);
    assert.equal(spawnSync(process.execPath, [cli, 'account', 'create'], { env: environment({ PAYRAIL_DATA_DIR: dataDirectory }), encoding: 'utf8' }).status, 2);
  });
});

describe('payrail CLI with DATABASE_URL', () => {
  it('creates accounts in the external database', async () => {
    const database = await createTestDatabase();
    try {
      const result = spawnSync(process.execPath, [cli, 'account', 'create', '--name', 'External'], {
        env: environment({ DATABASE_URL: database.url, PAYRAIL_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-cli-ext-')) }),
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stderr);
      const accountId = /Account\s+(acct_\w+)/.exec(result.stdout)![1];
      const rows = await database.db.query('SELECT name FROM accounts WHERE id = $1', [accountId]);
      assert.equal(rows.rows[0].name, 'External');
      const keys = await database.db.query('SELECT kind, display_prefix, key_hash FROM api_keys WHERE account_id = $1 ORDER BY kind', [accountId]);
      assert.equal(keys.rowCount, 2);
      const secretKey = /Test secret key\s+(sk_test_\w+)/.exec(result.stdout)![1];
      // Only a display prefix and a hash are stored, never the key.
      const dump = JSON.stringify(keys.rows);
      assert.equal(dump.includes(secretKey), false);
    } finally {
      await database.drop();
    }
  });
});
