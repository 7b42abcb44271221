import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { accountLinkLifetimeSeconds } from '../src/connect/account-links.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * Account Links (POST /v1/account_links) through the official stripe SDK: a platform makes a one-time, expiring link
 * to the hosted onboarding page of its connected account; bad input gets Stripe's errors. The page itself, in
 * Chromium, is test/account-onboarding-page.test.ts.
 */

const urls = { refresh_url: 'https://platform.example.com/reauth', return_url: 'https://platform.example.com/return' };

describe('account links through the stripe SDK', () => {
  let server: TestServer;
  let platform: TestAccount;
  let stripe: Stripe;
  let other: TestAccount;
  let seller: Stripe.Account;

  before(async () => {
    server = await startTestServer();
    platform = server.account;
    stripe = platform.stripe;
    other = await server.createAccount('Other platform');
    seller = await stripe.accounts.create({ type: 'custom', country: 'US', business_type: 'individual', capabilities: { card_payments: { requested: true }, transfers: { requested: true } } });
  });
  after(async () => {
    await server.close();
  });

  it('creates an account_onboarding link: Stripe\'s account_link, a URL of Payrail\'s page, expiring in 300 seconds; the token is stored only hashed', async () => {
    const link = await stripe.accountLinks.create({ account: seller.id, type: 'account_onboarding', ...urls });
    assert.equal(link.object, 'account_link');
    assert.equal(link.expires_at - link.created, accountLinkLifetimeSeconds);
    assert.ok(Math.abs(link.created - Math.floor(Date.now() / 1000)) < 3600);
    const url = new URL(link.url);
    assert.equal(url.origin, new URL(server.baseUrl).origin);
    const token = /^\/connect\/onboarding\/([0-9A-Za-z]{32})$/.exec(url.pathname)?.[1];
    assert.ok(token, link.url);
    const stored = await server.db.query('SELECT * FROM account_links WHERE connected_account_id = $1', [seller.id]);
    assert.equal(stored.rows.length, 1);
    assert.equal(stored.rows[0].account_id, platform.accountId);
    assert.equal(stored.rows[0].collect, 'currently_due');
    assert.ok(!JSON.stringify(stored.rows[0]).includes(token), 'the token is not stored in clear');
    // Two links for the same account are two tokens.
    const second = await stripe.accountLinks.create({ account: seller.id, type: 'account_onboarding', collect: 'eventually_due', ...urls });
    assert.notEqual(second.url, link.url);
    const collections = await server.db.query('SELECT collect FROM account_links WHERE connected_account_id = $1 ORDER BY created, collect', [seller.id]);
    assert.deepEqual(collections.rows.map((row) => row.collect).sort(), ['currently_due', 'eventually_due']);
  });

  it('refuses another platform\'s account, the platform itself, an unknown or malformed id with the same 403 account_invalid', async () => {
    const foreign = await other.stripe.accounts.create({ type: 'custom', country: 'US' });
    for (const account of [foreign.id, platform.accountId, 'acct_1NoSuchAccount000000', 'not an id']) {
      await expectStripeError(stripe.accountLinks.create({ account, type: 'account_onboarding', ...urls }), { class: Stripe.errors.StripePermissionError, code: 'account_invalid', statusCode: 403 });
    }
    // A connected account cannot make links for its platform's other accounts (through Stripe-Account).
    await expectStripeError(stripe.accountLinks.create({ account: foreign.id, type: 'account_onboarding', ...urls }, { stripeAccount: seller.id }), { class: Stripe.errors.StripePermissionError, code: 'account_invalid', statusCode: 403 });
  });

  it('refuses URLs that are not absolute http(s) and missing or unknown parameters', async () => {
    for (const [param, value] of [['refresh_url', 'javascript:alert(1)'], ['return_url', '/relative/path'], ['return_url', 'ftp://platform.example.com/x']] as const) {
      await expectStripeError(stripe.accountLinks.create({ account: seller.id, type: 'account_onboarding', ...urls, [param]: value }), { class: Stripe.errors.StripeInvalidRequestError, code: 'url_invalid', param, statusCode: 400 });
    }
    for (const param of ['account', 'type', 'refresh_url', 'return_url'] as const) {
      const params: Record<string, string> = { account: seller.id, type: 'account_onboarding', ...urls };
      delete params[param];
      await expectStripeError(stripe.accountLinks.create(params as unknown as Stripe.AccountLinkCreateParams), { class: Stripe.errors.StripeInvalidRequestError, code: 'parameter_missing', param, statusCode: 400 });
    }
    await expectStripeError(stripe.accountLinks.create({ account: seller.id, type: 'account_setup' as 'account_onboarding', ...urls }), { class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', param: 'type', statusCode: 400 });
    await expectStripeError(stripe.accountLinks.create({ account: seller.id, type: 'account_onboarding', collect: 'everything' as 'currently_due', ...urls }), { class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', param: 'collect', statusCode: 400 });
    await expectStripeError(
      stripe.accountLinks.create({ account: seller.id, type: 'account_onboarding', collect: 'currently_due', collection_options: { fields: 'eventually_due' }, ...urls }),
      { class: Stripe.errors.StripeInvalidRequestError, code: 'parameters_exclusive', statusCode: 400 },
    );
  });

  it('makes account_update links only for accounts whose platform collects requirements, once their details are submitted', async () => {
    await expectStripeError(stripe.accountLinks.create({ account: seller.id, type: 'account_update', ...urls }), { class: Stripe.errors.StripeInvalidRequestError, code: 'account_link_type_unavailable', param: 'type', statusCode: 400 });
    const standard = await stripe.accounts.create({ type: 'standard', country: 'US' });
    await expectStripeError(stripe.accountLinks.create({ account: standard.id, type: 'account_update', ...urls }), { class: Stripe.errors.StripeInvalidRequestError, code: 'account_link_type_unavailable', param: 'type', statusCode: 400 });
    // A Standard account is onboarded through a link too.
    assert.equal((await stripe.accountLinks.create({ account: standard.id, type: 'account_onboarding', ...urls })).object, 'account_link');
    const submitted = await stripe.accounts.update(seller.id, {
      business_profile: { mcc: '5734', url: 'https://seller.example.com' },
      individual: { first_name: 'Jenny', last_name: 'Rosen', email: 'jenny@example.com', phone: '+15555550100', dob: { day: 1, month: 1, year: 1901 }, ssn_last_4: '0000', address: { line1: 'address_full_match', city: 'San Francisco', state: 'CA', postal_code: '94111', country: 'US' } },
    });
    assert.equal(submitted.details_submitted, true);
    const link = await stripe.accountLinks.create({ account: seller.id, type: 'account_update', ...urls });
    assert.equal(link.object, 'account_link');
  });

  it('needs account write from a restricted key (Stripe has no Account Link permission of its own)', async () => {
    const create = async (permissions: Record<string, string>) => (await stripe.rawRequest('POST', '/v1/payrail/api_keys', { type: 'restricted', name: 'links', permissions })) as unknown as { secret: string };
    const reader = server.stripeFor((await create({ account: 'read' })).secret);
    const refused = await expectStripeError(reader.accountLinks.create({ account: seller.id, type: 'account_onboarding', ...urls }), { class: Stripe.errors.StripePermissionError, statusCode: 403 });
    assert.match(refused.message, /rak_account_write/);
    const writer = server.stripeFor((await create({ account: 'write' })).secret);
    assert.equal((await writer.accountLinks.create({ account: seller.id, type: 'account_onboarding', ...urls })).object, 'account_link');
  });
});
