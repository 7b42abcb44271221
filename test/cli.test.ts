import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import Stripe from 'stripe';
import { findFreePort } from '../src/platform/embedded-postgres.ts';
import { clusterDirectoryOf, payrailCli as cli, postgresPidOf, removeDataDirectory, startPlatform, stopPlatform } from './helpers/platform-process.ts';
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
  after(() => removeDataDirectory(dataDirectory));

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

  it('stops the embedded database on SIGTERM even when its standard output has been closed', async () => {
    const env = environment({ PAYRAIL_DATA_DIR: dataDirectory, PORT: String(await findFreePort()) });
    const started = await startPlatform(env);
    const postgres = postgresPidOf(dataDirectory);
    assert.ok(postgres, 'the embedded database runs');
    // Whoever read Payrail's output went away: every later write to stdout fails with EPIPE.
    started.child.stdout!.destroy();
    const exited = once(started.child, 'exit');
    started.child.kill('SIGTERM');
    // Bounded only so that a shutdown that hangs fails the test instead of the run.
    const hung = setTimeout(() => started.child.kill('SIGKILL'), 60_000);
    const [code] = await exited;
    clearTimeout(hung);
    assert.equal(code, 0, started.output());
    assert.equal(postgresPidOf(dataDirectory), undefined, 'the embedded database was stopped');
    assert.equal(fs.existsSync(path.join(clusterDirectoryOf(dataDirectory), 'postmaster.pid')), false);
  });

  it('stops the embedded database it started when the start fails half-way (the port is taken)', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as net.AddressInfo).port;
      const result = spawnSync(process.execPath, [cli, 'start'], { env: environment({ PAYRAIL_DATA_DIR: dataDirectory, PORT: String(port) }), encoding: 'utf8' });
      assert.equal(result.status, 1);
      assert.match(result.stderr, /EADDRINUSE/);
      assert.equal(postgresPidOf(dataDirectory), undefined, 'the embedded database was stopped');
    } finally {
      taken.close();
    }
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
    const dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-cli-ext-'));
    try {
      const result = spawnSync(process.execPath, [cli, 'account', 'create', '--name', 'External'], {
        env: environment({ DATABASE_URL: database.url, PAYRAIL_DATA_DIR: dataDirectory }),
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
      fs.rmSync(dataDirectory, { recursive: true, force: true });
      await database.drop();
    }
  });
});

describe('payrail start in a data folder only root can enter', () => {
  // `mktemp -d` gives mode 700: the `postgres` user PostgreSQL runs as (on a root machine) cannot enter it as it is.
  let dataDirectory: string;
  before(() => {
    dataDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-cli-private-'));
  });
  after(() => removeDataDirectory(dataDirectory));

  it('keeps the cluster inside the data folder, says where it is, and shows no FATAL or ERROR lines on first start', async () => {
    const env = environment({ PAYRAIL_DATA_DIR: dataDirectory, PORT: String(await findFreePort()) });
    const first = await startPlatform(env);
    const cluster = clusterDirectoryOf(dataDirectory);
    try {
      assert.ok(fs.existsSync(path.join(cluster, 'PG_VERSION')), `the cluster is in ${cluster}:\n${first.output()}`);
      assert.ok(first.output().includes(`initialising the database cluster at ${cluster}`), first.output());
      assert.deepEqual(first.output().split('\n').filter((line) => /FATAL|ERROR|PANIC/.test(line)), []);
      // The cluster the previous version put outside the data folder (and left behind when the folder was deleted).
      const outside = path.join('/var/lib/payrail/clusters', createHash('sha256').update(path.resolve(dataDirectory)).digest('hex').slice(0, 16));
      assert.equal(fs.existsSync(outside), false);
      // Reaching the cluster took the search permission on the data folder, nothing more: the secrets stay private.
      assert.equal(fs.statSync(path.join(dataDirectory, 'secrets.json')).mode & 0o777, 0o600);
    } finally {
      assert.equal(await stopPlatform(first), 0, first.output());
    }
    assert.equal(postgresPidOf(dataDirectory), undefined);
    assert.equal(fs.existsSync(path.join(cluster, 'postmaster.pid')), false, 'embedded Postgres stopped');
  });
});

describe('payrail command line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

  it('--version prints the version of package.json', () => {
    const { version } = JSON.parse(fs.readFileSync(path.resolve(path.dirname(cli), '../package.json'), 'utf8')) as { version: string };
    const result = run('--version');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), version);
  });

  it('answers --help for every command and subcommand', () => {
    const expected: [string[], RegExp][] = [
      [[], /start[\s\S]*migrate[\s\S]*worker[\s\S]*account[\s\S]*ledger[\s\S]*sandbox/],
      [['start'], /Usage: payrail start/],
      [['migrate'], /Usage: payrail migrate/],
      [['worker'], /Usage: payrail worker/],
      [['account'], /create/],
      [['account', 'create'], /--name <name>[\s\S]*--live/],
      [['ledger'], /verify/],
      [['ledger', 'verify'], /--seal[\s\S]*--json/],
      [['sandbox'], /adyen[\s\S]*paypal[\s\S]*mollie/],
      [['sandbox', 'adyen'], /--merchant-account <name>[\s\S]*--capture <mode>/],
      [['sandbox', 'paypal'], /--client-id <id>[\s\S]*--webhook-id/],
      [['sandbox', 'mollie'], /--api-key <key>[\s\S]*--tls-cert <file>[\s\S]*--direct-debit-settle-ms/],
    ];
    for (const [words, pattern] of expected) {
      const result = run(...words, '--help');
      assert.equal(result.status, 0, `${words.join(' ')} --help: ${result.stderr}`);
      assert.match(result.stdout, /Usage: payrail/);
      assert.match(result.stdout, pattern, words.join(' '));
    }
    // The sandboxes' former flag still lists their options.
    assert.match(run('sandbox', 'adyen', '--help-sandbox').stdout, /--hmac-key/);
  });

  it('names the unknown command or option and exits 2', () => {
    const unknownCommand = run('frobnicate');
    assert.equal(unknownCommand.status, 2);
    assert.match(unknownCommand.stderr, /unknown command 'frobnicate'/);
    const unknownSubcommand = run('account', 'delete');
    assert.equal(unknownSubcommand.status, 2);
    assert.match(unknownSubcommand.stderr, /unknown command 'delete'/);
    const unknownOption = run('account', 'create', '--nmae', 'Acme');
    assert.equal(unknownOption.status, 2);
    assert.match(unknownOption.stderr, /unknown option '--nmae'/);
  });

  it('answers --help and --version without loading the application', () => {
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'payrail-imports-')), 'imports.log');
    try {
      const recorder = pathToFileURL(path.resolve(path.dirname(cli), '../test/helpers/record-imports.mjs')).href;
      for (const args of [['account', 'create', '--help'], ['--version'], ['sandbox', 'adyen', '--help']]) {
        fs.rmSync(log, { force: true });
        const result = spawnSync(process.execPath, ['--import', recorder, cli, ...args], { encoding: 'utf8', env: { ...process.env, PAYRAIL_IMPORT_LOG: log } });
        assert.equal(result.status, 0, result.stderr);
        const loaded = fs.readFileSync(log, 'utf8').split('\n');
        assert.ok(loaded.some((url) => url.includes('/node_modules/commander/')), 'the recorder sees the modules the CLI loads');
        const heavy = loaded.filter((url) => /\/node_modules\/(fastify|pg|graphile-worker)\/|\/src\/(runtime|server|dependencies)\.ts$/.test(url));
        assert.deepEqual(heavy, [], `${args.join(' ')} loads no part of the application`);
      }
    } finally {
      fs.rmSync(path.dirname(log), { recursive: true, force: true });
    }
  });
});
