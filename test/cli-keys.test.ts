import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import { keyCacheTtlMs } from '../src/api-keys/resolver.ts';
import { buildApp } from '../src/api/app.ts';
import { TestProcessor } from '../src/connectors/test-processor/connector.ts';
import { buildDependencies } from '../src/dependencies.ts';
import { AdjustableClock } from '../src/platform/clock.ts';
import { SecretBox } from '../src/platform/crypto.ts';
import { payrailCli as cli } from './helpers/platform-process.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { createTestDatabase } from './helpers/server.ts';

/** `payrail keys` against a database a running API serves: what the CLI does applies there within a second. */
describe('payrail keys', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  let app: FastifyInstance;
  let port: number;
  let accountId: string;
  let secretKey: string;
  /** The server's clock: moved past the key cache lifetime instead of sleeping through it. */
  const clock = new AdjustableClock();

  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, DATABASE_URL: database.url, PAYRAIL_DATA_DIR: dataDirectory }, encoding: 'utf8',
  });
  const stripeFor = (key: string) => new Stripe(key, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });

  before(async () => {
    database = await createTestDatabase();
    dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-keys-'));
    const deps = buildDependencies({ db: database.db, secretBox: new SecretBox(randomBytes(32)), connector: new TestProcessor(), publicUrl: '', clock });
    app = buildApp(deps);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
    const created = run('account', 'create', '--name', 'Keys merchant');
    assert.equal(created.status, 0, created.stderr);
    accountId = /Account\s+(acct_\w+)/.exec(created.stdout)![1];
    secretKey = /Test secret key\s+(sk_test_\w+)/.exec(created.stdout)![1];
  });
  after(async () => {
    await app.close();
    await database.drop();
    fs.rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('lists, creates, rolls and revokes keys, and a running server follows within a second', async () => {
    const listed = run('keys', 'list', '--account', accountId);
    assert.equal(listed.status, 0, listed.stderr);
    const lines = listed.stdout.trim().split('\n');
    assert.equal(lines.length, 2, listed.stdout);
    assert.ok(lines.some((line) => line.includes('secret') && line.includes(secretKey.slice(0, 12)) && line.includes(secretKey.slice(-4))));
    assert.ok(!listed.stdout.includes(secretKey), 'keys are listed redacted');

    const created = run('keys', 'create', '--account', accountId, '--type', 'restricted', '--name', 'reports', '--permission', 'customer=read', '--permission', 'charge=write');
    assert.equal(created.status, 0, created.stderr);
    const [restrictedId, restrictedKey] = created.stdout.trim().split(/\s+/);
    assert.match(restrictedId, /^key_/);
    assert.match(restrictedKey, /^rk_test_/);
    const restricted = stripeFor(restrictedKey);
    await restricted.customers.list();
    await expectStripeError(restricted.customers.create({ name: 'no' }), { class: Stripe.errors.StripePermissionError, statusCode: 403 });

    // Bad input is a usage error naming the problem.
    const bad = run('keys', 'create', '--account', accountId, '--type', 'restricted', '--permission', 'customer=admin');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /customer=admin/);
    assert.equal(run('keys', 'create', '--account', 'acct_doesnotexist').status, 1);

    // Roll the secret key with an overlap: both work.
    const secretId = lines.find((line) => line.includes('secret'))!.split(/\s+/)[0];
    const rolled = run('keys', 'roll', secretId, '--expires-in', '600');
    assert.equal(rolled.status, 0, rolled.stderr);
    const newSecret = rolled.stdout.trim().split(/\s+/)[1];
    assert.match(newSecret, /^sk_test_/);
    await stripeFor(secretKey).customers.list();
    await stripeFor(newSecret).customers.list();

    // Revoke the old secret key and the restricted key: the running server refuses them within the cache lifetime
    // (its clock is moved past it, so the machine's speed does not matter).
    assert.equal(run('keys', 'revoke', secretId).status, 0);
    assert.equal(run('keys', 'revoke', restrictedId).status, 0);
    clock.advance(Math.ceil(keyCacheTtlMs / 1000));
    await expectStripeError(stripeFor(secretKey).customers.list(), { class: Stripe.errors.StripeAuthenticationError, statusCode: 401 });
    await expectStripeError(restricted.customers.list(), { class: Stripe.errors.StripeAuthenticationError, statusCode: 401 });
    await stripeFor(newSecret).customers.list();

    const all = run('keys', 'list', '--account', accountId, '--all');
    assert.match(all.stdout, new RegExp(`${secretId}.*revoked`));
    assert.equal(run('keys', 'revoke', 'key_doesnotexist').status, 1);
  });
});
