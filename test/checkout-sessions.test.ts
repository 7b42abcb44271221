import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { sweepCheckoutSessions } from '../src/checkout/sweep.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// Checkout Sessions through the official stripe SDK: creation from prices and price_data, the totals, the line items,
// bad input answered with Stripe's errors and nothing written, expiry (by the API and by the sweep) with its event.

async function failsWith(call: Promise<unknown>, status: number, code: string, param?: string): Promise<Stripe.errors.StripeError> {
  const error = await stripeErrorOf(call);
  assert.equal(error.statusCode, status, error.message);
  assert.equal(error.code, code, error.message);
  if (param !== undefined) assert.equal(error.param, param, error.message);
  return error;
}

describe('Checkout Sessions through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  let shirt: Stripe.Price;
  let mug: Stripe.Price;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    const shirtProduct = await stripe.products.create({ name: 'T-shirt', default_price_data: { currency: 'usd', unit_amount: 2000, currency_options: { eur: { unit_amount: 1800 } } } });
    shirt = await stripe.prices.retrieve(shirtProduct.default_price as string);
    mug = await stripe.prices.create({ currency: 'usd', unit_amount: 1250, product_data: { name: 'Mug' } });
  });
  after(async () => {
    await server.close();
  });

  async function sessionCount(): Promise<number> {
    const result = await server.db.query('SELECT count(*)::int AS n FROM checkout_sessions WHERE account_id = $1', [server.account.accountId]);
    return result.rows[0].n;
  }

  it('creates a hosted payment session from prices, with its totals, url and line items', async () => {
    const before = Math.floor(Date.now() / 1000);
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: shirt.id, quantity: 2 }, { price: mug.id, quantity: 1 }],
      success_url: 'https://shop.example/thanks?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://shop.example/cart',
      client_reference_id: 'cart-6735',
      customer_email: 'jenny@example.com',
      metadata: { cart: '6735' },
      payment_intent_data: { description: 'Order 6735', metadata: { order: '6735' } },
    });
    assert.match(session.id, /^cs_/);
    assert.equal(session.object, 'checkout.session');
    assert.equal(session.mode, 'payment');
    assert.equal(session.status, 'open');
    assert.equal(session.payment_status, 'unpaid');
    assert.equal(session.currency, 'usd');
    assert.equal(session.amount_subtotal, 2 * 2000 + 1250);
    assert.equal(session.amount_total, 5250);
    assert.equal(session.payment_intent, null);
    assert.equal(session.customer_email, 'jenny@example.com');
    assert.equal(session.client_reference_id, 'cart-6735');
    assert.deepEqual(session.metadata, { cart: '6735' });
    assert.deepEqual(session.payment_method_types, ['card']);
    assert.equal(session.url, `${server.baseUrl}/c/pay/${session.id}`);
    assert.ok(session.expires_at >= before + 24 * 3600 - 5 && session.expires_at <= before + 24 * 3600 + 120);
    assert.equal(session.ui_mode, 'hosted');

    const items = await stripe.checkout.sessions.listLineItems(session.id);
    assert.equal(items.data.length, 2);
    assert.equal(items.data[0].object, 'item');
    assert.equal(items.data[0].description, 'T-shirt');
    assert.equal(items.data[0].quantity, 2);
    assert.equal(items.data[0].amount_subtotal, 4000);
    assert.equal(items.data[0].amount_total, 4000);
    assert.equal(items.data[0].price?.id, shirt.id);
    assert.equal(items.data[1].description, 'Mug');
    assert.equal(items.data[1].amount_total, 1250);
    const page = await stripe.checkout.sessions.listLineItems(session.id, { limit: 1 });
    assert.equal(page.has_more, true);
    const next = await stripe.checkout.sessions.listLineItems(session.id, { limit: 1, starting_after: page.data[0].id });
    assert.equal(next.data[0].description, 'Mug');
    assert.equal(next.has_more, false);

    assert.deepEqual(await stripe.checkout.sessions.retrieve(session.id), session);
    const listed = await stripe.checkout.sessions.list({ limit: 3 });
    assert.equal(listed.data[0].id, session.id);
  });

  it('makes prices and products from price_data, and sells in another currency through currency_options', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      currency: 'eur',
      line_items: [
        { price: shirt.id, quantity: 1 },
        { price_data: { currency: 'eur', unit_amount: 500, product_data: { name: 'Gift wrap', metadata: { kind: 'extra' } } }, quantity: 3 },
      ],
      success_url: 'https://shop.example/thanks',
    });
    assert.equal(session.currency, 'eur');
    assert.equal(session.amount_total, 1800 + 1500);
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    assert.equal(items.data[0].amount_total, 1800);
    assert.equal(items.data[0].currency, 'eur');
    const wrap = items.data[1];
    assert.equal(wrap.description, 'Gift wrap');
    assert.match(wrap.price!.id, /^price_/);
    const product = await stripe.products.retrieve(wrap.price!.product as string);
    assert.equal(product.name, 'Gift wrap');
    assert.deepEqual(product.metadata, { kind: 'extra' });
  });

  it('refuses bad input with Stripe\'s errors and writes nothing', async () => {
    const count = await sessionCount();
    const prices = await server.db.query('SELECT count(*)::int AS n FROM prices WHERE account_id = $1', [server.account.accountId]);
    const base = { mode: 'payment' as const, success_url: 'https://shop.example/ok' };
    await failsWith(stripe.checkout.sessions.create({ ...base, line_items: [{ price: shirt.id, quantity: 0 }] }), 400, 'invalid_value', 'line_items[0][quantity]');
    await failsWith(stripe.checkout.sessions.create({ ...base, line_items: [{ price: shirt.id, quantity: 1_000_000_000 }] }), 400, 'invalid_value', 'line_items[0][quantity]');
    await failsWith(stripe.checkout.sessions.create({ ...base, line_items: [{ price: shirt.id, quantity: 50_000 }] }), 400, 'amount_too_large', 'line_items[0][quantity]');
    await failsWith(stripe.checkout.sessions.create({ ...base, line_items: [] }), 400, 'parameter_missing', 'line_items');
    await failsWith(stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: shirt.id, quantity: 1 }], success_url: 'ftp://shop.example/ok' }), 400, 'url_invalid', 'success_url');
    await failsWith(stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: shirt.id, quantity: 1 }], success_url: 'javascript:alert(1)' }), 400, 'url_invalid', 'success_url');
    await failsWith(stripe.checkout.sessions.create({ ...base, line_items: [{ price: 'price_unknown', quantity: 1 }] }), 404, 'resource_missing', 'line_items[0][price]');
    await failsWith(stripe.checkout.sessions.create({ ...base, line_items: [{ quantity: 1 }] }), 400, 'invalid_value', 'line_items[0][price]');
    const yen = await stripe.prices.create({ currency: 'jpy', unit_amount: 1000, product_data: { name: 'Tea' } });
    await failsWith(stripe.checkout.sessions.create({ ...base, line_items: [{ price: shirt.id, quantity: 1 }, { price: yen.id, quantity: 1 }] }), 400, 'invalid_value', 'line_items[1][price]');
    const archived = await stripe.prices.create({ currency: 'usd', unit_amount: 900, product_data: { name: 'Old' } });
    await stripe.prices.update(archived.id, { active: false });
    await failsWith(stripe.checkout.sessions.create({ ...base, line_items: [{ price: archived.id, quantity: 1 }] }), 400, 'invalid_value', 'line_items[0][price]');
    await failsWith(stripe.checkout.sessions.create({ ...base, line_items: [{ price_data: { currency: 'usd', unit_amount: 10, product_data: { name: 'Sticker' } }, quantity: 1 }] }), 400, 'amount_too_small', 'line_items');
    await failsWith(stripe.checkout.sessions.create({ ...base, line_items: [{ price: shirt.id, quantity: 1 }], expires_at: Math.floor(Date.now() / 1000) + 60 }), 400, 'invalid_value', 'expires_at');
    await failsWith(stripe.checkout.sessions.create({ ...base, line_items: [{ price: shirt.id, quantity: 1 }], customer: 'cus_unknown' }), 404, 'resource_missing', 'customer');
    await failsWith(stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: shirt.id, quantity: 1 }] }), 400, 'invalid_value', 'mode');
    assert.equal(await sessionCount(), count);
    // A price_data item refused later in the same request leaves no price behind (one transaction).
    await failsWith(stripe.checkout.sessions.create({ ...base, line_items: [{ price_data: { currency: 'usd', unit_amount: 700, product_data: { name: 'Orphan' } }, quantity: 1 }, { price: 'price_unknown', quantity: 1 }] }), 404, 'resource_missing');
    const after = await server.db.query('SELECT count(*)::int AS n FROM prices WHERE account_id = $1', [server.account.accountId]);
    assert.equal(after.rows[0].n, prices.rows[0].n + 2, 'only the prices this test made on purpose (tea, old) and nothing from refused sessions');
  });

  it('expires an open session with checkout.session.expired, and refuses to expire it twice', async () => {
    const session = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: mug.id, quantity: 1 }], success_url: 'https://shop.example/ok' });
    const expired = await stripe.checkout.sessions.expire(session.id);
    assert.equal(expired.status, 'expired');
    assert.equal(expired.url, null);
    await failsWith(stripe.checkout.sessions.expire(session.id), 400, 'checkout_session_unexpected_state');
    const events = await stripe.events.list({ type: 'checkout.session.expired' });
    const event = events.data.find((candidate) => (candidate.data.object as { id: string }).id === session.id);
    assert.ok(event, 'checkout.session.expired');
    assert.equal((event.data.object as Stripe.Checkout.Session).status, 'expired');
    const page = await fetch(session.url!);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /expired/);
  });

  it('keeps sessions to their account and mode', async () => {
    const session = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: mug.id, quantity: 1 }], success_url: 'https://shop.example/ok' });
    const other = await server.createAccount('Another merchant');
    await failsWith(other.stripe.checkout.sessions.retrieve(session.id), 404, 'resource_missing');
    await failsWith(other.stripe.checkout.sessions.expire(session.id), 404, 'resource_missing');
    await failsWith(other.stripe.checkout.sessions.listLineItems(session.id), 404, 'resource_missing');
    await failsWith(other.stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: mug.id, quantity: 1 }] }), 404, 'resource_missing', 'line_items[0][price]');
    const live = await server.liveKeys(server.account.accountId);
    await failsWith(live.stripe.checkout.sessions.retrieve(session.id), 404, 'resource_missing');
  });

  it('has the sweep expire sessions past expires_at', async () => {
    const session = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: mug.id, quantity: 1 }], success_url: 'https://shop.example/ok', expires_at: Math.floor(Date.now() / 1000) + 3600 });
    await server.db.query('UPDATE checkout_sessions SET expires_at = $2 WHERE id = $1', [session.id, Math.floor(Date.now() / 1000) - 1]);
    const swept = await sweepCheckoutSessions(server.deps);
    assert.ok(swept.expired >= 1);
    assert.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'expired');
  });
});
