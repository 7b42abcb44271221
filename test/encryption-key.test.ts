import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import { startPlatform, stopPlatform, type PlatformProcess } from './helpers/platform-process.ts';
import { createTestDatabase } from './helpers/server.ts';

/**
 * Two `payrail start` processes on one DATABASE_URL must encrypt with one key. The database records the key's id and
 * check value; a process with another key refuses to start and says what to set, instead of answering 500 on the first
 * card the other process saved.
 */

function stripeAt(key: string, port: number): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
}

describe('one encryption key per database', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const folders: string[] = [];
  const running: PlatformProcess[] = [];
  const folder = () => {
    const made = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-key-'));
    folders.push(made);
    return made;
  };
  const environment = async (extra: Record<string, string>) => ({ ...process.env, DATABASE_URL: database.url, PORT: String(await findFreePort()), PAYRAIL_WEBHOOK_WORKER: '0', ...extra });

  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    for (const started of running) if (started.child.exitCode === null) await stopPlatform(started);
    await database.drop();
    for (const made of folders) fs.rmSync(made, { recursive: true, force: true });
  });

  it('refuses a second process with another key, and serves the first one\'s cards once given its key', async () => {
    const firstFolder = folder();
    const firstEnv = await environment({ PAYRAIL_DATA_DIR: firstFolder });
    const first = await startPlatform(firstEnv);
    running.push(first);
    const firstPort = Number(firstEnv.PORT);
    const paymentMethod = await stripeAt(first.secretKey, firstPort).paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: '123' } });
    const recorded = await database.db.query<{ key_id: string; check_value: Buffer }>('SELECT key_id, check_value FROM encryption_keys');
    assert.equal(recorded.rows.length, 1);
    const firstKey = (JSON.parse(fs.readFileSync(path.join(firstFolder, 'secrets.json'), 'utf8')) as { encryptionKey: string }).encryptionKey;
    assert.ok(!recorded.rows[0].check_value.equals(Buffer.from(firstKey, 'base64')), 'the database never holds the key');
    const stored = await database.db.query<{ card_number_encrypted: Buffer }>('SELECT card_number_encrypted FROM payment_methods WHERE id = $1', [paymentMethod.id]);
    assert.equal(stored.rows[0].card_number_encrypted.subarray(1, 9).toString('hex'), recorded.rows[0].key_id, 'the ciphertext names its key');

    // A second process with a data folder of its own generates another key: it must not start.
    await assert.rejects(startPlatform(await environment({ PAYRAIL_DATA_DIR: folder() })), (error: Error) => {
      assert.match(error.message, /exited with 1/);
      assert.match(error.message, /PAYRAIL_ENCRYPTION_KEY/);
      assert.match(error.message, new RegExp(recorded.rows[0].key_id));
      assert.doesNotMatch(error.message, /Unsupported state|at .*\.ts:\d+/, 'a clear message, no stack trace');
      return true;
    });
    // A wrong PAYRAIL_ENCRYPTION_KEY is refused the same way.
    await assert.rejects(startPlatform(await environment({ PAYRAIL_DATA_DIR: folder(), PAYRAIL_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') })), /PAYRAIL_ENCRYPTION_KEY/);

    // With the first installation's key it starts, and confirms the card the first process saved.
    const secondEnv = await environment({ PAYRAIL_DATA_DIR: folder(), PAYRAIL_ENCRYPTION_KEY: firstKey });
    const second = await startPlatform(secondEnv);
    running.push(second);
    const intent = await stripeAt(second.secretKey, Number(secondEnv.PORT)).paymentIntents.create({ amount: 1200, currency: 'usd', payment_method: paymentMethod.id, confirm: true });
    assert.equal(intent.status, 'succeeded');
    assert.equal(Number((await database.db.query('SELECT count(*) AS n FROM encryption_keys')).rows[0].n), 1);
    assert.equal(await stopPlatform(second), 0);
    assert.equal(await stopPlatform(first), 0);
  });
});
