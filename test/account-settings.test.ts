import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { defaultPricing, effectivePricing } from '../src/fees/pricing.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;
const permission = Stripe.errors.StripePermissionError;

/** The account object with the Payrail extension, which the SDK's types do not know. */
type PayrailAccount = Stripe.Account & {
  payrail_settings: { country: string; settlement_currencies: string[]; pricing_overrides: Record<string, unknown>; pricing: typeof defaultPricing };
};

describe('account settings through the official stripe SDK', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  /** An update that carries the Payrail extension (sent as form fields, like any other parameter). */
  function update(account: TestAccount, params: Record<string, unknown>, options?: Stripe.RequestOptions): Promise<PayrailAccount> {
    return account.stripe.accounts.update(account.accountId, params as Stripe.AccountUpdateParams, options) as Promise<unknown> as Promise<PayrailAccount>;
  }

  async function accountEvents(accountId: string): Promise<{ type: string; data: { object: PayrailAccount; previous_attributes?: Record<string, unknown> } }[]> {
    const result = await server.db.query("SELECT type, data FROM events WHERE account_id = $1 AND type LIKE 'account.%' ORDER BY seq", [accountId]);
    return result.rows;
  }

  it('retrieves the caller\'s account as a Stripe account object with the defaults', async () => {
    const account = await server.createAccount('Bakery Ltd');
    const retrieved = (await account.stripe.accounts.retrieveCurrent()) as unknown as PayrailAccount;
    assert.equal(retrieved.id, account.accountId);
    assert.equal(retrieved.object, 'account');
    assert.equal(retrieved.type, 'standard');
    assert.equal(retrieved.country, 'US');
    assert.equal(retrieved.default_currency, 'usd');
    assert.equal(retrieved.business_profile?.name, 'Bakery Ltd');
    assert.equal(retrieved.charges_enabled, true);
    assert.equal(retrieved.payouts_enabled, true);
    assert.equal(retrieved.details_submitted, true);
    assert.equal(typeof retrieved.created, 'number');
    const stored = await server.db.query('SELECT created FROM accounts WHERE id = $1', [account.accountId]);
    assert.equal(retrieved.created, stored.rows[0].created);
    assert.deepEqual(retrieved.settings?.payouts, { debit_negative_balances: true, schedule: { delay_days: 2, interval: 'daily' }, statement_descriptor: null });
    assert.deepEqual(retrieved.payrail_settings, { country: 'US', settlement_currencies: [], pricing_overrides: {}, pricing: defaultPricing, transaction_risk_analysis: null });

    const byId = await account.stripe.accounts.retrieve(account.accountId);
    assert.deepEqual(byId, retrieved);
    // Nothing was written for an account that never changed its settings.
    const rows = await server.db.query('SELECT count(*)::int AS count FROM account_settings WHERE account_id = $1', [account.accountId]);
    assert.equal(rows.rows[0].count, 0);
  });

  it('updates the payout schedule and records account.updated with previous_attributes', async () => {
    const account = await server.createAccount();
    const updated = await account.stripe.accounts.update(account.accountId, {
      settings: { payouts: { schedule: { interval: 'weekly', weekly_anchor: 'friday', delay_days: 5 }, debit_negative_balances: false } },
    });
    assert.deepEqual(updated.settings?.payouts?.schedule, { delay_days: 5, interval: 'weekly', weekly_anchor: 'friday' });
    assert.equal(updated.settings?.payouts?.debit_negative_balances, false);

    const row = (await server.db.query('SELECT * FROM account_settings WHERE account_id = $1', [account.accountId])).rows[0];
    assert.equal(row.payout_interval, 'weekly');
    assert.equal(row.payout_weekly_anchor, 'friday');
    assert.equal(row.payout_delay_days, 5);
    assert.equal(row.debit_negative_balances, false);
    // `updated` comes from the server's (adjustable) clock.
    assert.ok(Math.abs(row.updated - server.clock.nowSeconds()) <= 5, `updated ${row.updated}`);

    const events = await accountEvents(account.accountId);
    assert.deepEqual(events.map((event) => event.type), ['account.updated']);
    assert.equal(events[0].data.object.id, account.accountId);
    assert.deepEqual(events[0].data.object.settings?.payouts?.schedule, { delay_days: 5, interval: 'weekly', weekly_anchor: 'friday' });
    assert.deepEqual(events[0].data.previous_attributes, {
      settings: { payouts: { debit_negative_balances: true, schedule: { delay_days: 2, interval: 'daily', weekly_anchor: null } } },
    });

    // A monthly schedule shows monthly_anchor only; the weekly anchor is kept for later but not shown.
    const monthly = await account.stripe.accounts.update(account.accountId, { settings: { payouts: { schedule: { interval: 'monthly', monthly_anchor: 31 } } } });
    assert.deepEqual(monthly.settings?.payouts?.schedule, { delay_days: 5, interval: 'monthly', monthly_anchor: 31 });
    const minimum = await account.stripe.accounts.update(account.accountId, { settings: { payouts: { schedule: { delay_days: 'minimum', interval: 'weekly' } } } });
    assert.deepEqual(minimum.settings?.payouts?.schedule, { delay_days: 2, interval: 'weekly', weekly_anchor: 'friday' });
    assert.equal((await accountEvents(account.accountId)).length, 3);
  });

  it('records no event and writes nothing when an update changes nothing', async () => {
    const account = await server.createAccount();
    const same = await account.stripe.accounts.update(account.accountId, { default_currency: 'usd', settings: { payouts: { schedule: { interval: 'daily' } } } });
    assert.equal(same.default_currency, 'usd');
    assert.deepEqual(await accountEvents(account.accountId), []);
    const rows = await server.db.query('SELECT count(*)::int AS count FROM account_settings WHERE account_id = $1', [account.accountId]);
    assert.equal(rows.rows[0].count, 0);
  });

  it('changes the default currency, and the next read of the settings cache sees it at once', async () => {
    const account = await server.createAccount();
    // Warm the cache the payment path reads; the update must evict it rather than wait for it to expire.
    assert.equal((await server.deps.settings.get(account.accountId)).default_currency, 'usd');
    const updated = await account.stripe.accounts.update(account.accountId, { default_currency: 'EUR' });
    assert.equal(updated.default_currency, 'eur');
    assert.equal((await server.deps.settings.get(account.accountId)).default_currency, 'eur');
    const balance = await account.stripe.balance.retrieve();
    assert.deepEqual(balance.available, [{ amount: 0, currency: 'eur', source_types: { card: 0 } }]);
    const events = await accountEvents(account.accountId);
    assert.deepEqual(events.map((event) => event.data.previous_attributes), [{ default_currency: 'usd' }]);
  });

  it('sets the Payrail extension: country, settlement currencies and pricing overrides merged rule by rule', async () => {
    const account = await server.createAccount();
    let updated = await update(account, {
      payrail_settings: {
        country: 'gb',
        settlement_currencies: ['EUR', 'usd', 'eur'],
        pricing: { rules: { card: { usd: { percent_bps: 250, fixed: 20 }, '*': { percent_bps: 300 } } }, international_bps: 0 },
      },
    });
    assert.equal(updated.country, 'GB');
    assert.equal(updated.payrail_settings.country, 'GB');
    assert.deepEqual(updated.payrail_settings.settlement_currencies, ['eur', 'usd']);
    assert.deepEqual(updated.payrail_settings.pricing_overrides, { rules: { card: { usd: { percent_bps: 250, fixed: 20 }, '*': { percent_bps: 300 } } }, international_bps: 0 });
    const expected = effectivePricing(defaultPricing, { rules: { card: { usd: { percent_bps: 250, fixed: 20 }, '*': { percent_bps: 300 } } }, international_bps: 0 });
    assert.deepEqual(updated.payrail_settings.pricing, expected);
    assert.deepEqual(updated.payrail_settings.pricing.rules.card.usd, { percent_bps: 250, fixed: 20 });
    assert.deepEqual(updated.payrail_settings.pricing.rules.card['*'], { percent_bps: 300, fixed: 0 });
    assert.equal(updated.payrail_settings.pricing.rules.card.eur.percent_bps, 290, 'rules not named keep the platform default');
    assert.equal(updated.payrail_settings.pricing.international_bps, 0);
    assert.equal(updated.payrail_settings.pricing.currency_conversion_bps, defaultPricing.currency_conversion_bps);

    // A later update changes only what it names.
    updated = await update(account, { payrail_settings: { pricing: { rules: { card: { usd: { fixed: 10 } } } } } });
    assert.deepEqual(updated.payrail_settings.pricing.rules.card.usd, { percent_bps: 250, fixed: 10 });
    assert.equal(updated.payrail_settings.pricing.international_bps, 0);
    assert.equal((await server.deps.settings.get(account.accountId)).pricing.rules?.card.usd.fixed, 10);

    // Empty strings clear the settlement currencies and all pricing overrides.
    updated = await update(account, { payrail_settings: { settlement_currencies: '', pricing: '' } });
    assert.deepEqual(updated.payrail_settings.settlement_currencies, []);
    assert.deepEqual(updated.payrail_settings.pricing_overrides, {});
    assert.deepEqual(updated.payrail_settings.pricing, defaultPricing);
    const row = (await server.db.query('SELECT country, settlement_currencies, pricing FROM account_settings WHERE account_id = $1', [account.accountId])).rows[0];
    assert.deepEqual(row, { country: 'GB', settlement_currencies: [], pricing: {} });
    assert.equal((await accountEvents(account.accountId)).length, 3);
  });

  it('refuses bad schedule, currency and country parameters with the param at fault', async () => {
    const account = await server.createAccount();
    const { stripe, accountId } = account;
    const cases: { params: Record<string, unknown>; code: string; param: string }[] = [
      { params: { settings: { payouts: { schedule: { interval: 'hourly' } } } }, code: 'invalid_value', param: 'settings[payouts][schedule][interval]' },
      { params: { settings: { payouts: { schedule: { delay_days: 366 } } } }, code: 'invalid_value', param: 'settings[payouts][schedule][delay_days]' },
      { params: { settings: { payouts: { schedule: { delay_days: -1 } } } }, code: 'invalid_value', param: 'settings[payouts][schedule][delay_days]' },
      { params: { settings: { payouts: { schedule: { delay_days: 'soon' } } } }, code: 'parameter_invalid_integer', param: 'settings[payouts][schedule][delay_days]' },
      { params: { settings: { payouts: { schedule: { weekly_anchor: 'funday' } } } }, code: 'invalid_value', param: 'settings[payouts][schedule][weekly_anchor]' },
      { params: { settings: { payouts: { schedule: { monthly_anchor: 32 } } } }, code: 'invalid_value', param: 'settings[payouts][schedule][monthly_anchor]' },
      { params: { settings: { payouts: { debit_negative_balances: 'maybe' } } }, code: 'invalid_value', param: 'settings[payouts][debit_negative_balances]' },
      { params: { settings: { branding: { primary_color: 'black' } } }, code: 'invalid_value', param: 'settings[branding][primary_color]' },
      { params: { settings: { branding: { icon: 'file_123' } } }, code: 'invalid_value', param: 'settings[branding][icon]' },
      { params: { default_currency: 'xyz' }, code: 'invalid_currency', param: 'default_currency' },
      // As at Stripe, the country of an account cannot be changed through the Stripe parameters.
      { params: { country: 'GB' }, code: 'parameter_unknown', param: 'country' },
      { params: { payrail_settings: { country: 'G1' } }, code: 'invalid_value', param: 'payrail_settings[country]' },
      { params: { payrail_settings: { settlement_currencies: ['eur', 'xyz'] } }, code: 'invalid_currency', param: 'payrail_settings[settlement_currencies][1]' },
    ];
    for (const { params, code, param } of cases) {
      await expectStripeError(stripe.accounts.update(accountId, params as Stripe.AccountUpdateParams), { class: invalidRequest, type: 'invalid_request_error', code, param, statusCode: 400 });
    }
    const retrieved = await stripe.accounts.retrieveCurrent();
    assert.deepEqual(retrieved.settings?.payouts?.schedule, { delay_days: 2, interval: 'daily' });
    assert.deepEqual(await accountEvents(accountId), []);
  });

  it('validates pricing overrides field by field, naming the exact parameter', async () => {
    const account = await server.createAccount();
    const prefix = 'payrail_settings[pricing]';
    const cases: { pricing: Record<string, unknown>; code: string; param: string }[] = [
      { pricing: { rules: { card: { usd: { percent_bps: 5001 } } } }, code: 'invalid_value', param: `${prefix}[rules][card][usd][percent_bps]` },
      { pricing: { rules: { card: { usd: { percent_bps: 100, fixed: 100_001 } } } }, code: 'invalid_value', param: `${prefix}[rules][card][usd][fixed]` },
      { pricing: { rules: { card: { eur: { fixed: -1 } } } }, code: 'invalid_value', param: `${prefix}[rules][card][eur][fixed]` },
      { pricing: { rules: { card: { usd: { percent_bps: 'lots' } } } }, code: 'parameter_invalid_integer', param: `${prefix}[rules][card][usd][percent_bps]` },
      { pricing: { rules: { card: { usd: { minimum: 5 } } } }, code: 'parameter_unknown', param: `${prefix}[rules][card][usd][minimum]` },
      { pricing: { rules: { card: { xyz: { fixed: 5 } } } }, code: 'invalid_currency', param: `${prefix}[rules][card][xyz]` },
      { pricing: { rules: { card: { US1: { fixed: 5 } } } }, code: 'invalid_value', param: `${prefix}[rules][card][US1]` },
      { pricing: { rules: { 'Card!': { usd: { fixed: 5 } } } }, code: 'invalid_value', param: `${prefix}[rules][Card!]` },
      { pricing: { international_bps: 5001 }, code: 'invalid_value', param: `${prefix}[international_bps]` },
      { pricing: { currency_conversion_bps: -5 }, code: 'invalid_value', param: `${prefix}[currency_conversion_bps]` },
    ];
    for (const { pricing, code, param } of cases) {
      const error = await expectStripeError(update(account, { payrail_settings: { pricing } }), { class: invalidRequest, type: 'invalid_request_error', code, param, statusCode: 400 });
      assert.ok(error.message.length > 0);
    }
    // The limits themselves are accepted.
    const edge = await update(account, { payrail_settings: { pricing: { rules: { card: { usd: { percent_bps: 5000, fixed: 100_000 } } }, international_bps: 0, currency_conversion_bps: 5000 } } });
    assert.deepEqual(edge.payrail_settings.pricing.rules.card.usd, { percent_bps: 5000, fixed: 100_000 });
  });

  it('applies concurrent updates one after the other, losing none', async () => {
    const account = await server.createAccount();
    const currencies = ['usd', 'eur', 'gbp', 'jpy', 'cad', 'aud', 'chf', 'sek'];
    await Promise.all(currencies.map((currency, index) => update(account, { payrail_settings: { pricing: { rules: { card: { [currency]: { percent_bps: 100 + index } } } } } })));
    const final = (await account.stripe.accounts.retrieveCurrent()) as unknown as PayrailAccount;
    const overrides = final.payrail_settings.pricing_overrides as { rules: { card: Record<string, { percent_bps: number }> } };
    assert.deepEqual(Object.keys(overrides.rules.card).sort(), [...currencies].sort());
    currencies.forEach((currency, index) => assert.equal(overrides.rules.card[currency].percent_bps, 100 + index));
    assert.equal((await accountEvents(account.accountId)).length, currencies.length);
  });

  it('refuses another account\'s id, existing or not, for retrieve and update', async () => {
    const mine = await server.createAccount();
    const other = await server.createAccount('Other');
    for (const id of [other.accountId, 'acct_doesnotexist']) {
      const error = await expectStripeError(mine.stripe.accounts.retrieve(id), { class: permission, type: 'invalid_request_error', code: 'account_invalid', statusCode: 403 });
      assert.match(error.message, new RegExp(id));
      await expectStripeError(mine.stripe.accounts.update(id, { default_currency: 'eur' }), { class: permission, type: 'invalid_request_error', code: 'account_invalid', statusCode: 403 });
    }
    const untouched = await other.stripe.accounts.retrieveCurrent();
    assert.equal(untouched.default_currency, 'usd');
    assert.deepEqual(await accountEvents(other.accountId), []);
    assert.deepEqual(await accountEvents(mine.accountId), []);
  });

  it('needs a secret key, and replays an update under its idempotency key', async () => {
    const account = await server.createAccount();
    const publishable = server.stripeFor(account.publishableKey);
    await expectStripeError(publishable.accounts.retrieveCurrent(), { class: Stripe.errors.StripeAuthenticationError, code: 'secret_key_required', statusCode: 401 });
    const first = await account.stripe.accounts.update(account.accountId, { settings: { payouts: { schedule: { delay_days: 7 } } } }, { idempotencyKey: 'schedule-7' });
    const replay = await account.stripe.accounts.update(account.accountId, { settings: { payouts: { schedule: { delay_days: 7 } } } }, { idempotencyKey: 'schedule-7' });
    assert.deepEqual(replay, first);
    assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal((await accountEvents(account.accountId)).length, 1);
  });

  it('is served for live-mode keys too, with the same settings (settings belong to the account, not the mode)', async () => {
    const account = await server.createAccount();
    await account.stripe.accounts.update(account.accountId, { default_currency: 'gbp' });
    const live = await server.liveKeys(account.accountId);
    const retrieved = await live.stripe.accounts.retrieveCurrent();
    assert.equal(retrieved.id, account.accountId);
    assert.equal(retrieved.default_currency, 'gbp');
  });
});
