import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import { requiredPermission } from '../src/api-keys/permissions.ts';
import { keyCacheTtlMs } from '../src/api-keys/resolver.ts';
import { buildApp } from '../src/api/app.ts';
import { allRoutes } from '../src/api/routes/index.ts';
import { TestProcessor } from '../src/connectors/test-processor/connector.ts';
import { buildDependencies } from '../src/dependencies.ts';
import { AdjustableClock } from '../src/platform/clock.ts';
import { SecretBox } from '../src/platform/crypto.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

const keysPath = '/v1/payrail/api_keys';

interface ApiKey {
  id: string;
  object: string;
  type: string;
  name: string | null;
  secret: string | null;
  redacted: string;
  livemode: boolean;
  permissions: Record<string, string> | null;
  expires_at: number | null;
  revoked_at: number | null;
  rolled_to: string | null;
}

/** A second Payrail process on the same database: its own key cache and clock. */
async function startSecondProcess(server: TestServer): Promise<{ app: FastifyInstance; clock: AdjustableClock; stripeFor: (key: string) => Stripe }> {
  const clock = new AdjustableClock();
  const deps = buildDependencies({ db: server.db, secretBox: new SecretBox(randomBytes(32)), connector: new TestProcessor(), publicUrl: '', clock });
  const app = buildApp(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return { app, clock, stripeFor: (key) => new Stripe(key, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, telemetry: false }) };
}

describe('API keys: list, create, roll, revoke, restricted keys', () => {
  let server: TestServer;
  let account: TestAccount;

  const createKey = async (params: Record<string, unknown>, stripe = account.stripe) => (await stripe.rawRequest('POST', keysPath, params)) as unknown as ApiKey;

  before(async () => {
    server = await startTestServer();
    account = await server.createAccount('keys');
  });
  after(async () => {
    await server.close();
  });

  it('creates keys of each type, shows the key once, and lists them redacted', async () => {
    const secret = await createKey({ type: 'secret', name: 'backend' });
    assert.equal(secret.object, 'payrail.api_key');
    assert.match(secret.id, /^key_/);
    assert.match(secret.secret!, /^sk_test_[0-9A-Za-z]{99}$/);
    assert.equal(secret.redacted, `${secret.secret!.slice(0, 12)}...${secret.secret!.slice(-4)}`);
    assert.equal(secret.permissions, null);
    const publishable = await createKey({ type: 'publishable' });
    assert.match(publishable.secret!, /^pk_test_/);
    const restricted = await createKey({ type: 'restricted', name: 'reporting', permissions: { customer: 'read', charge: 'write', refund: 'none' } });
    assert.match(restricted.secret!, /^rk_test_/);
    assert.deepEqual(restricted.permissions, { customer: 'read', charge: 'write' });

    const listed = await account.stripe.rawRequest('GET', `${keysPath}?limit=100`);
    const ids = (listed.data as ApiKey[]).map((key) => key.id);
    for (const key of [secret, publishable, restricted]) assert.ok(ids.includes(key.id));
    assert.ok((listed.data as ApiKey[]).every((key) => key.secret === null), 'a listed key never shows the key itself');
    assert.ok(!JSON.stringify(listed).includes(secret.secret!));
    const retrieved = (await account.stripe.rawRequest('GET', `${keysPath}/${secret.id}`)) as unknown as ApiKey;
    assert.equal(retrieved.secret, null);
    assert.equal(retrieved.name, 'backend');

    // The new secret key works at once.
    assert.ok(Array.isArray((await server.stripeFor(secret.secret!).customers.list()).data));
  });

  it('refuses bad creations with Stripe-shaped 400s', async () => {
    await expectStripeError(createKey({ type: 'restricted' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'parameter_missing', param: 'permissions', statusCode: 400 });
    await expectStripeError(createKey({ type: 'restricted', permissions: { customer: 'none' } }), { class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', param: 'permissions', statusCode: 400 });
    await expectStripeError(createKey({ type: 'secret', permissions: { customer: 'read' } }), { class: Stripe.errors.StripeInvalidRequestError, param: 'permissions', statusCode: 400 });
    await expectStripeError(createKey({ type: 'restricted', permissions: { customer: 'admin' } }), { class: Stripe.errors.StripeInvalidRequestError, param: 'permissions[customer]', statusCode: 400 });
    await expectStripeError(createKey({ type: 'restricted', permissions: { issuing_card: 'read' } }), { class: Stripe.errors.StripeInvalidRequestError, code: 'parameter_unknown', param: 'permissions[issuing_card]', statusCode: 400 });
    await expectStripeError(createKey({ type: 'root' }), { class: Stripe.errors.StripeInvalidRequestError, param: 'type', statusCode: 400 });
  });

  it('lets a restricted key do what its permissions give, and answers the rest with 403 naming the permission', async () => {
    const restricted = await createKey({ type: 'restricted', permissions: { customer: 'read', payment_intent: 'write' } });
    const limited = server.stripeFor(restricted.secret!);
    const customer = await account.stripe.customers.create({ name: 'read me' });
    assert.equal((await limited.customers.retrieve(customer.id)).id, customer.id);
    assert.ok(Array.isArray((await limited.customers.list()).data));

    const refused = await expectStripeError(limited.customers.create({ name: 'no' }), { class: Stripe.errors.StripePermissionError, type: 'invalid_request_error', code: 'insufficient_permissions', statusCode: 403 });
    assert.match(refused.message, /Having the 'rak_customer_write' permission would allow this request to continue\./);
    assert.ok(!refused.message.includes(restricted.secret!), 'the key is shown redacted');
    assert.match(refused.message, new RegExp(`account '${account.accountId}'`));
    await expectStripeError(limited.refunds.list(), { class: Stripe.errors.StripePermissionError, statusCode: 403 });
    const noCharges = await expectStripeError(limited.charges.retrieve('ch_doesnotexist'), { class: Stripe.errors.StripePermissionError, statusCode: 403 });
    assert.match(noCharges.message, /rak_charge_read/);

    // Write implies read, and nested routes need their own resource (a customer's payment methods: payment_method).
    const intent = await limited.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    assert.equal(intent.status, 'succeeded');
    assert.equal((await limited.paymentIntents.retrieve(intent.id)).id, intent.id);
    const nested = await expectStripeError(limited.customers.listPaymentMethods(customer.id), { class: Stripe.errors.StripePermissionError, statusCode: 403 });
    assert.match(nested.message, /rak_payment_method_read/);
    const capture = await expectStripeError(limited.charges.list(), { class: Stripe.errors.StripePermissionError, statusCode: 403 });
    assert.match(capture.message, /rak_charge_read/);

    // Key management needs a secret key: a leaked restricted key cannot mint itself more power.
    const management = await expectStripeError(createKey({ type: 'secret' }, limited), { class: Stripe.errors.StripePermissionError, code: 'insufficient_permissions', statusCode: 403 });
    assert.match(management.message, /needs a secret key/);
    await expectStripeError(limited.rawRequest('GET', keysPath), { class: Stripe.errors.StripePermissionError, statusCode: 403 });
    // A publishable key still gets Stripe's 401.
    const publishable = server.stripeFor(account.publishableKey);
    await expectStripeError(publishable.rawRequest('GET', keysPath), { class: Stripe.errors.StripeAuthenticationError, code: 'secret_key_required', statusCode: 401 });
  });

  it('maps every API route to a permission, so no route is open to restricted keys by accident', () => {
    for (const route of allRoutes()) {
      const needed = requiredPermission(route.method, route.path);
      if (route.path.includes('/api_keys')) assert.equal(needed, undefined, `${route.path} is for secret keys only`);
      else assert.ok(needed, `${route.method} ${route.path} names no permission resource`);
      if (needed) assert.equal(needed.access, route.method === 'GET' ? 'read' : 'write');
    }
  });

  it('rolls a key with an overlap during which both work, then only the new one', async () => {
    const original = await createKey({ type: 'secret', name: 'deploy' });
    const oldClient = server.stripeFor(original.secret!);
    await oldClient.customers.list();
    const rolled = (await account.stripe.rawRequest('POST', `${keysPath}/${original.id}/roll`, { expires_in: 3600 })) as unknown as ApiKey;
    assert.match(rolled.secret!, /^sk_test_/);
    assert.notEqual(rolled.secret, original.secret);
    assert.equal(rolled.name, 'deploy');
    const before = (await account.stripe.rawRequest('GET', `${keysPath}/${original.id}`)) as unknown as ApiKey;
    assert.equal(before.rolled_to, rolled.id);
    const now = server.clock.nowSeconds();
    assert.ok(before.expires_at! > now && before.expires_at! <= now + 3600, `expires an hour after the roll (${before.expires_at} at ${now})`);
    // Both keys work during the overlap.
    await oldClient.customers.list();
    await server.stripeFor(rolled.secret!).customers.list();
    // Rolling again is refused: the old key already has its successor.
    await expectStripeError(account.stripe.rawRequest('POST', `${keysPath}/${original.id}/roll`), { class: Stripe.errors.StripeInvalidRequestError, code: 'api_key_unexpected_state', statusCode: 400 });
    // After the overlap only the new one does.
    server.clock.advance(3601);
    await expectStripeError(oldClient.customers.list(), { class: Stripe.errors.StripeAuthenticationError, code: 'api_key_invalid', statusCode: 401 });
    await server.stripeFor(rolled.secret!).customers.list();
    const listed = await account.stripe.rawRequest('GET', `${keysPath}?limit=100`);
    assert.ok(!(listed.data as ApiKey[]).some((key) => key.id === original.id), 'an expired key is not listed as active');
    const all = await account.stripe.rawRequest('GET', `${keysPath}?limit=100&include_inactive=true`);
    assert.ok((all.data as ApiKey[]).some((key) => key.id === original.id));
  });

  it('rolls a restricted key with its permissions, ending the old one at once without an overlap', async () => {
    const restricted = await createKey({ type: 'restricted', permissions: { event: 'read' } });
    await server.stripeFor(restricted.secret!).events.list();
    const rolled = (await account.stripe.rawRequest('POST', `${keysPath}/${restricted.id}/roll`)) as unknown as ApiKey;
    assert.match(rolled.secret!, /^rk_test_/);
    assert.deepEqual(rolled.permissions, { event: 'read' });
    await expectStripeError(server.stripeFor(restricted.secret!).events.list(), { class: Stripe.errors.StripeAuthenticationError, statusCode: 401 });
    await server.stripeFor(rolled.secret!).events.list();
  });

  it('revokes a key at once in this process and within the key cache lifetime in every other', async () => {
    const second = await startSecondProcess(server);
    try {
      const victim = await createKey({ type: 'secret', name: 'leaked' });
      const here = server.stripeFor(victim.secret!);
      const there = second.stripeFor(victim.secret!);
      await here.customers.list();
      await there.customers.list(); // now cached in the second process
      const revoked = (await account.stripe.rawRequest('POST', `${keysPath}/${victim.id}/revoke`)) as unknown as ApiKey;
      assert.ok(revoked.revoked_at !== null);
      await expectStripeError(here.customers.create({ name: 'after' }), { class: Stripe.errors.StripeAuthenticationError, code: 'api_key_invalid', statusCode: 401 });
      // The other process trusts its cache for at most keyCacheTtlMs (1 s): after that, the key is refused there too.
      // Its clock is moved past the lifetime rather than slept through, so the machine's speed does not matter.
      assert.equal(keyCacheTtlMs, 1000);
      second.clock.advance(Math.ceil(keyCacheTtlMs / 1000));
      await expectStripeError(there.customers.create({ name: 'after' }), { class: Stripe.errors.StripeAuthenticationError, code: 'api_key_invalid', statusCode: 401 });
      const written = await server.db.query("SELECT count(*) AS n FROM customers WHERE account_id = $1 AND name = 'after'", [account.accountId]);
      assert.equal(Number(written.rows[0].n), 0, 'nothing was written with the revoked key');
      // Revoking again is harmless.
      await account.stripe.rawRequest('POST', `${keysPath}/${victim.id}/revoke`);
    } finally {
      await second.app.close();
    }
  });

  it('refuses to let a key revoke itself, and keeps keys to their account and mode', async () => {
    const self = await createKey({ type: 'secret' });
    const selfClient = server.stripeFor(self.secret!);
    await expectStripeError(selfClient.rawRequest('POST', `${keysPath}/${self.id}/revoke`), { class: Stripe.errors.StripeInvalidRequestError, code: 'api_key_unexpected_state', statusCode: 400 });
    await selfClient.customers.list();

    const other = await server.createAccount('other');
    for (const path of [`${keysPath}/${self.id}`]) {
      await expectStripeError(other.stripe.rawRequest('GET', path), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    }
    await expectStripeError(other.stripe.rawRequest('POST', `${keysPath}/${self.id}/revoke`), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(other.stripe.rawRequest('POST', `${keysPath}/${self.id}/roll`), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    await selfClient.customers.list();
    const otherList = await other.stripe.rawRequest('GET', `${keysPath}?limit=100`);
    assert.ok(!(otherList.data as ApiKey[]).some((key) => key.id === self.id));

    const live = await server.liveKeys(account.accountId);
    const liveKey = await createKey({ type: 'restricted', permissions: { customer: 'read' } }, live.stripe);
    assert.match(liveKey.secret!, /^rk_live_/);
    assert.equal(liveKey.livemode, true);
    await expectStripeError(account.stripe.rawRequest('GET', `${keysPath}/${liveKey.id}`), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    const liveList = await live.stripe.rawRequest('GET', `${keysPath}?limit=100`);
    assert.ok((liveList.data as ApiKey[]).every((key) => key.livemode));
  });
});
