import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;

/** A marker unique to one test, so the tests of this file never see each other's objects. */
function newTag(): string {
  return randomBytes(6).toString('hex');
}

const ids = (objects: { id: string }[]) => objects.map((object) => object.id);
/** A decimal string as sent on the wire (the SDK's types want its Decimal; the string is what it sends either way). */
const decimal = (text: string) => text as unknown as Stripe.Decimal;
/** A price as plain JSON (the SDK hands `unit_amount_decimal` over as its Decimal type). */
const plain = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

async function eventsFor(server: TestServer, objectId: string): Promise<{ type: string; data: any }[]> {
  const result = await server.db.query(
    "SELECT type, data FROM events WHERE account_id = $1 AND data->'object'->>'id' = $2 ORDER BY seq",
    [server.account.accountId, objectId],
  );
  return result.rows;
}

describe('prices through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  let product: Stripe.Product;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    product = await stripe.products.create({ name: 'Catalogue item' });
  });
  after(async () => {
    await server.close();
  });

  it('creates a one-time price with every field and retrieves it unchanged', async () => {
    const price = await stripe.prices.create({
      product: product.id, currency: 'usd', unit_amount: 1999, nickname: 'Launch price', metadata: { plan: 'basic' }, tax_behavior: 'exclusive',
      lookup_key: `basic-${newTag()}`, billing_scheme: 'per_unit', active: true,
    });
    assert.match(price.id, /^price_[0-9A-Za-z]{24}$/);
    assert.deepEqual(plain({ ...price, id: 'x', created: 0, lookup_key: 'k' }), {
      id: 'x',
      object: 'price',
      active: true,
      billing_scheme: 'per_unit',
      created: 0,
      currency: 'usd',
      custom_unit_amount: null,
      livemode: false,
      lookup_key: 'k',
      metadata: { plan: 'basic' },
      nickname: 'Launch price',
      product: product.id,
      recurring: null,
      tax_behavior: 'exclusive',
      tiers_mode: null,
      transform_quantity: null,
      type: 'one_time',
      unit_amount: 1999,
      unit_amount_decimal: '1999',
    });
    assert.equal('currency_options' in price, false, 'currency_options only when expanded');
    assert.ok(Math.abs(price.created - Date.now() / 1000) < 120);
    assert.deepEqual(plain(await stripe.prices.retrieve(price.id)), plain(price));
    const stored = await server.db.query('SELECT unit_amount, currency, product_id, account_id, livemode FROM prices WHERE id = $1', [price.id]);
    assert.deepEqual(stored.rows[0], { unit_amount: 1999, currency: 'usd', product_id: product.id, account_id: server.account.accountId, livemode: false });
    assert.deepEqual((await eventsFor(server, price.id)).map((event) => event.type), ['price.created']);
  });

  it('defaults: active, tax_behavior unspecified, no lookup key or nickname; a free price and whole decimals are fine', async () => {
    const free = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 0 });
    assert.equal(free.active, true);
    assert.equal(free.tax_behavior, 'unspecified');
    assert.equal(free.lookup_key, null);
    assert.equal(free.nickname, null);
    assert.deepEqual(free.metadata, {});
    assert.equal(free.unit_amount, 0);
    const whole = await stripe.prices.create({ product: product.id, currency: 'USD', unit_amount_decimal: decimal('1250.000') });
    assert.equal(whole.currency, 'usd');
    assert.equal(whole.unit_amount, 1250);
    assert.equal(String(whole.unit_amount_decimal), '1250');
    // Minor units follow the currency: 500 yen is 500 (zero-decimal), 1.250 KWD is 1250 (three decimals).
    assert.equal((await stripe.prices.create({ product: product.id, currency: 'jpy', unit_amount: 500 })).unit_amount, 500);
    assert.equal((await stripe.prices.create({ product: product.id, currency: 'kwd', unit_amount: 1250 })).unit_amount, 1250);
    const inactive = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100, active: false });
    assert.equal(inactive.active, false);
  });

  it('creates the product from product_data in the same transaction (product.created, then price.created)', async () => {
    const chosen = `plan-${newTag()}`;
    const price = await stripe.prices.create({ currency: 'gbp', unit_amount: 800, product_data: { name: 'Made with its price', id: chosen, metadata: { from: 'price' }, unit_label: 'seat', statement_descriptor: 'PAYRAIL SEAT', tax_code: 'txcd_10000000', active: false } });
    assert.equal(price.product, chosen);
    const made = await stripe.products.retrieve(chosen);
    assert.equal(made.name, 'Made with its price');
    assert.deepEqual(made.metadata, { from: 'price' });
    assert.equal(made.unit_label, 'seat');
    assert.equal(made.statement_descriptor, 'PAYRAIL SEAT');
    assert.equal(made.tax_code, 'txcd_10000000');
    assert.equal(made.active, false);
    assert.equal(made.default_price, null);
    const order = await server.db.query("SELECT type FROM events WHERE account_id = $1 AND data->'object'->>'id' IN ($2, $3) ORDER BY seq", [server.account.accountId, chosen, price.id]);
    assert.deepEqual(order.rows.map((row) => row.type), ['product.created', 'price.created']);
    const generated = await stripe.prices.create({ currency: 'usd', unit_amount: 100, product_data: { name: 'Generated id' } });
    assert.match(generated.product as string, /^prod_/);
    // A product_data id already used: nothing is written.
    const before = await server.db.query('SELECT count(*)::int AS n FROM prices WHERE account_id = $1', [server.account.accountId]);
    await expectStripeError(stripe.prices.create({ currency: 'usd', unit_amount: 100, product_data: { name: 'Again', id: chosen } }), { class: invalidRequest, code: 'resource_already_exists', param: 'product_data[id]', statusCode: 400 });
    const after = await server.db.query('SELECT count(*)::int AS n FROM prices WHERE account_id = $1', [server.account.accountId]);
    assert.equal(after.rows[0].n, before.rows[0].n);
  });

  it('refuses bad input with Stripe-shaped 400s naming the parameter', async () => {
    const cases: [Stripe.PriceCreateParams, string, string, number?][] = [
      [{ currency: 'usd', unit_amount: 100 }, 'parameter_missing', 'product'],
      [{ currency: 'usd', unit_amount: 100, product: product.id, product_data: { name: 'x' } }, 'parameters_exclusive', 'product_data'],
      [{ currency: 'usd', unit_amount: 100, product: 'prod_unknown' }, 'resource_missing', 'product', 404],
      [{ currency: 'usd', product: product.id }, 'parameter_missing', 'unit_amount'],
      [{ product: product.id, unit_amount: 100 } as Stripe.PriceCreateParams, 'parameter_missing', 'currency'],
      [{ currency: 'xyz', unit_amount: 100, product: product.id }, 'invalid_currency', 'currency'],
      [{ currency: 'usd', unit_amount: -1, product: product.id }, 'invalid_value', 'unit_amount'],
      [{ currency: 'usd', unit_amount: 100_000_000, product: product.id }, 'amount_too_large', 'unit_amount'],
      [{ currency: 'usd', unit_amount: 1.5 as number, product: product.id }, 'parameter_invalid_integer', 'unit_amount'],
      [{ currency: 'usd', unit_amount: 100, unit_amount_decimal: decimal('100'), product: product.id }, 'parameters_exclusive', 'unit_amount_decimal'],
      [{ currency: 'usd', unit_amount_decimal: decimal('10.5'), product: product.id }, 'invalid_value', 'unit_amount_decimal'],
      [{ currency: 'usd', unit_amount_decimal: decimal('1e5'), product: product.id }, 'invalid_value', 'unit_amount_decimal'],
      [{ currency: 'usd', unit_amount_decimal: decimal('100000000'), product: product.id }, 'amount_too_large', 'unit_amount_decimal'],
      [{ currency: 'usd', unit_amount: 100, product: product.id, currency_options: { zzz: { unit_amount: 100 } } }, 'invalid_currency', 'currency_options[zzz]'],
      [{ currency: 'usd', unit_amount: 100, product: product.id, currency_options: { eur: { unit_amount: -1 } } }, 'invalid_value', 'currency_options[eur][unit_amount]'],
      [{ currency: 'usd', unit_amount: 100, product: product.id, currency_options: { eur: { unit_amount_decimal: decimal('9.5') } } }, 'invalid_value', 'currency_options[eur][unit_amount_decimal]'],
      [{ currency: 'usd', unit_amount: 100, product: product.id, currency_options: { eur: { tax_behavior: 'inclusive' } } }, 'parameter_missing', 'currency_options[eur][unit_amount]'],
      [{ currency: 'usd', unit_amount: 100, product: product.id, currency_options: { usd: { unit_amount: 90 } } }, 'invalid_value', 'currency_options[usd]'],
      [{ currency: 'usd', unit_amount: 100, product: product.id, billing_scheme: 'tiered' }, 'invalid_value', 'billing_scheme'],
      [{ currency: 'usd', unit_amount: 100, product: product.id, recurring: { interval: 'month' } }, 'parameter_unknown', 'recurring'],
      [{ currency: 'usd', unit_amount: 100, product: product.id, tax_behavior: 'sometimes' as 'inclusive' }, 'invalid_value', 'tax_behavior'],
      [{ currency: 'usd', unit_amount: 100, product: product.id, lookup_key: 'x'.repeat(201) }, 'invalid_string_length', 'lookup_key'],
      [{ currency: 'usd', unit_amount: 100, product_data: { name: 'x', id: 'bad id' } }, 'invalid_value', 'product_data[id]'],
      [{ currency: 'usd', unit_amount: 100, product_data: { unit_label: 'seat' } as unknown as { name: string } }, 'parameter_missing', 'product_data[name]'],
    ];
    const before = await server.db.query('SELECT count(*)::int AS n FROM prices WHERE account_id = $1', [server.account.accountId]);
    for (const [params, code, param, status = 400] of cases) {
      await expectStripeError(stripe.prices.create(params), { class: invalidRequest, code, param, statusCode: status }).catch((error: Error) => {
        throw new Error(`${JSON.stringify(params)}: ${error.message}`);
      });
    }
    const after = await server.db.query('SELECT count(*)::int AS n FROM prices WHERE account_id = $1', [server.account.accountId]);
    assert.equal(after.rows[0].n, before.rows[0].n, 'nothing half-written');
  });

  it('refuses bad amounts before taking the idempotency key, so the key may be retried with corrected parameters', async () => {
    const idempotencyKey = `price-${newTag()}`;
    await expectStripeError(stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: -5 }, { idempotencyKey }), { class: invalidRequest, param: 'unit_amount', statusCode: 400 });
    await expectStripeError(stripe.prices.create({ product: product.id, product_data: { name: 'x' }, currency: 'usd', unit_amount: 5 }, { idempotencyKey }), { class: invalidRequest, code: 'parameters_exclusive', statusCode: 400 });
    const created = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 5 }, { idempotencyKey });
    const replayed = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 5 }, { idempotencyKey });
    assert.equal(replayed.id, created.id);
    const productKey = `product-${newTag()}`;
    await expectStripeError(stripe.products.create({ name: 'Keyed', default_price_data: { currency: 'usd', unit_amount_decimal: decimal('1.5') } }, { idempotencyKey: productKey }), { class: invalidRequest, param: 'default_price_data[unit_amount_decimal]', statusCode: 400 });
    const keyed = await stripe.products.create({ name: 'Keyed', default_price_data: { currency: 'usd', unit_amount: 150 } }, { idempotencyKey: productKey });
    assert.equal((await stripe.prices.retrieve(keyed.default_price as string)).unit_amount, 150);
  });

  it('keeps a lookup key on one price: refuses a taken key, and transfers it with transfer_lookup_key', async () => {
    const key = `gold-${newTag()}`;
    const first = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1000, lookup_key: key });
    const taken = await expectStripeError(stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1100, lookup_key: key }), { class: invalidRequest, code: 'invalid_value', param: 'lookup_key', statusCode: 400 });
    assert.match(taken.message, new RegExp(`A price \\(\`${first.id}\`\\) already uses that lookup key`));
    const second = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1100, lookup_key: key, transfer_lookup_key: true });
    assert.equal(second.lookup_key, key);
    assert.equal((await stripe.prices.retrieve(first.id)).lookup_key, null);
    const firstEvents = await eventsFor(server, first.id);
    assert.deepEqual(firstEvents.map((event) => event.type), ['price.created', 'price.updated']);
    assert.deepEqual(firstEvents[1].data.previous_attributes, { lookup_key: key });
    assert.deepEqual(ids((await stripe.prices.list({ lookup_keys: [key] })).data), [second.id]);
    // Through an update, the same rules.
    await expectStripeError(stripe.prices.update(first.id, { lookup_key: key }), { class: invalidRequest, code: 'invalid_value', param: 'lookup_key', statusCode: 400 });
    const moved = await stripe.prices.update(first.id, { lookup_key: key, transfer_lookup_key: true });
    assert.equal(moved.lookup_key, key);
    assert.equal((await stripe.prices.retrieve(second.id)).lookup_key, null);
    // Setting a price's own key again changes nothing; '' clears it.
    assert.equal((await stripe.prices.update(first.id, { lookup_key: key })).lookup_key, key);
    assert.equal((await stripe.prices.update(first.id, { lookup_key: '' })).lookup_key, null);
    // Two keys are independent, and another account may use the same key.
    const other = await server.createAccount('other');
    const otherProduct = await other.stripe.products.create({ name: 'Theirs' });
    assert.equal((await other.stripe.prices.create({ product: otherProduct.id, currency: 'usd', unit_amount: 5, lookup_key: key })).lookup_key, key);
  });

  it('under concurrency: one of several creates takes a lookup key, the rest get the 400; a delete and a price never both win', async () => {
    const key = `race-${newTag()}`;
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, index) => stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100 + index, lookup_key: key })));
    const won = results.filter((result) => result.status === 'fulfilled');
    assert.equal(won.length, 1, JSON.stringify(results.map((result) => result.status === 'rejected' ? (result.reason as Error).message : 'ok')));
    for (const result of results) {
      if (result.status === 'rejected') {
        const error = result.reason as Stripe.errors.StripeError;
        assert.equal(error.statusCode, 400);
        assert.equal(error.code, 'invalid_value');
        assert.equal(error.param, 'lookup_key');
      }
    }
    const stored = await server.db.query('SELECT count(*)::int AS n FROM prices WHERE account_id = $1 AND lookup_key = $2', [server.account.accountId, key]);
    assert.equal(stored.rows[0].n, 1);

    for (let round = 0; round < 4; round += 1) {
      const doomed = await stripe.products.create({ name: `Doomed ${round}` });
      const [deleted, priced] = await Promise.allSettled([stripe.products.del(doomed.id), stripe.prices.create({ product: doomed.id, currency: 'usd', unit_amount: 100 })]);
      if (deleted.status === 'fulfilled') {
        assert.equal(priced.status, 'rejected');
        assert.equal((priced.reason as Stripe.errors.StripeError).code, 'resource_missing');
      } else {
        assert.equal((deleted.reason as Stripe.errors.StripeError).code, 'product_has_prices');
        assert.equal(priced.status, 'fulfilled');
      }
    }
  });

  it('updates nickname, metadata, active, tax_behavior (once) and currency_options, with price.updated', async () => {
    const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 2000, nickname: 'first', metadata: { a: '1' }, currency_options: { eur: { unit_amount: 1800 } } });
    const updated = await stripe.prices.update(price.id, { nickname: 'second', metadata: { a: '', b: '2' }, tax_behavior: 'inclusive', currency_options: { gbp: { unit_amount: 1600, tax_behavior: 'exclusive' }, eur: { unit_amount: 1850 } }, expand: ['currency_options'] });
    assert.equal(updated.nickname, 'second');
    assert.deepEqual(updated.metadata, { b: '2' });
    assert.equal(updated.tax_behavior, 'inclusive');
    assert.deepEqual(plain(updated.currency_options), {
      usd: { custom_unit_amount: null, tax_behavior: 'inclusive', unit_amount: 2000, unit_amount_decimal: '2000' },
      eur: { custom_unit_amount: null, tax_behavior: 'unspecified', unit_amount: 1850, unit_amount_decimal: '1850' },
      gbp: { custom_unit_amount: null, tax_behavior: 'exclusive', unit_amount: 1600, unit_amount_decimal: '1600' },
    });
    const removed = await stripe.prices.update(price.id, { currency_options: { eur: '' } as unknown as Stripe.PriceUpdateParams['currency_options'], expand: ['currency_options'] });
    assert.deepEqual(Object.keys(removed.currency_options!), ['usd', 'gbp']);
    await expectStripeError(stripe.prices.update(price.id, { tax_behavior: 'exclusive' }), { class: invalidRequest, code: 'invalid_value', param: 'tax_behavior', statusCode: 400 });
    await expectStripeError(stripe.prices.update(price.id, { unit_amount: 5 } as Stripe.PriceUpdateParams), { class: invalidRequest, code: 'parameter_unknown', param: 'unit_amount', statusCode: 400 });
    await expectStripeError(stripe.prices.update('price_unknown', { nickname: 'x' }), { class: invalidRequest, code: 'resource_missing', param: 'id', statusCode: 404 });
    const archived = await stripe.prices.update(price.id, { active: false, nickname: '' });
    assert.equal(archived.active, false);
    assert.equal(archived.nickname, null);
    const events = await eventsFor(server, price.id);
    assert.deepEqual(events.map((event) => event.type), ['price.created', 'price.updated', 'price.updated', 'price.updated']);
    assert.deepEqual(events[1].data.previous_attributes, { metadata: { a: '1', b: null }, nickname: 'first', tax_behavior: 'unspecified' });
    assert.deepEqual(events[3].data.previous_attributes, { active: true, nickname: 'second' });
    // An update that changes nothing records nothing.
    await stripe.prices.update(price.id, { active: false });
    assert.equal((await eventsFor(server, price.id)).length, 4);
  });

  it('lists newest first with cursors and filters by active, currency, product, type, lookup_keys and created', async () => {
    const tag = newTag();
    const own = await stripe.products.create({ name: `List ${tag}` });
    const made: Stripe.Price[] = [];
    for (let index = 0; index < 5; index += 1) {
      made.push(await stripe.prices.create({ product: own.id, currency: index % 2 === 0 ? 'usd' : 'eur', unit_amount: 100 + index, active: index !== 4, lookup_key: `${tag}-${index}` }));
    }
    const newest = [...made].reverse();
    const first = await stripe.prices.list({ product: own.id, limit: 2 });
    assert.equal(first.url, '/v1/prices');
    assert.equal(first.has_more, true);
    assert.deepEqual(ids(first.data), ids(newest.slice(0, 2)));
    const second = await stripe.prices.list({ product: own.id, limit: 2, starting_after: first.data[1].id });
    assert.deepEqual(ids(second.data), ids(newest.slice(2, 4)));
    assert.deepEqual(ids((await stripe.prices.list({ product: own.id, limit: 2, ending_before: second.data[0].id })).data), ids(newest.slice(0, 2)));
    assert.deepEqual(ids((await stripe.prices.list({ product: own.id, currency: 'eur' })).data), [made[3].id, made[1].id]);
    assert.deepEqual(ids((await stripe.prices.list({ product: own.id, currency: 'usd', active: false })).data), [made[4].id]);
    assert.deepEqual(ids((await stripe.prices.list({ product: own.id, type: 'one_time', limit: 100 })).data), ids(newest));
    assert.deepEqual((await stripe.prices.list({ product: own.id, type: 'recurring' })).data, []);
    assert.deepEqual(ids((await stripe.prices.list({ lookup_keys: [`${tag}-0`, `${tag}-3`, 'nothing'] })).data), [made[3].id, made[0].id]);
    assert.deepEqual(ids((await stripe.prices.list({ product: own.id, created: { gte: made[0].created } })).data).length, 5);
    assert.deepEqual((await stripe.prices.list({ product: own.id, created: { lt: made[0].created } })).data, []);
    const all = await stripe.prices.list({ product: own.id, limit: 100, expand: ['data.product'] });
    assert.ok(all.data.every((price) => (price.product as Stripe.Product).id === own.id));
    await expectStripeError(stripe.prices.list({ lookup_keys: Array.from({ length: 11 }, (_, index) => `k${index}`) }), { class: invalidRequest, code: 'invalid_value', param: 'lookup_keys', statusCode: 400 });
    await expectStripeError(stripe.prices.list({ type: 'monthly' as 'one_time' }), { class: invalidRequest, code: 'invalid_value', param: 'type', statusCode: 400 });
    await expectStripeError(stripe.prices.list({ starting_after: own.id }), { class: invalidRequest, code: 'resource_missing', param: 'starting_after', statusCode: 404 });
  });

  it('searches by active, currency, lookup_key, product, type, created and metadata', async () => {
    const tag = newTag();
    const own = await stripe.products.create({ name: `Search ${tag}` });
    const usd = await stripe.prices.create({ product: own.id, currency: 'usd', unit_amount: 500, lookup_key: `${tag}-standard`, metadata: { tag } });
    const eur = await stripe.prices.create({ product: own.id, currency: 'eur', unit_amount: 450, active: false, metadata: { tag } });
    const search = async (query: string) => ids((await stripe.prices.search({ query })).data);
    assert.deepEqual(await search(`product:"${own.id}"`), [eur.id, usd.id]);
    assert.deepEqual(await search(`product:"${own.id}" AND currency:"usd"`), [usd.id]);
    assert.deepEqual(await search(`product:"${own.id}" AND active:"false"`), [eur.id]);
    assert.deepEqual(await search(`lookup_key:"${tag.toUpperCase()}-STANDARD"`), [usd.id], 'lookup_key is a string field: case-insensitive');
    assert.deepEqual(await search(`lookup_key~"${tag}"`), [usd.id]);
    assert.deepEqual(await search(`metadata["tag"]:"${tag}" AND type:"one_time"`), [eur.id, usd.id]);
    assert.deepEqual(await search(`metadata["tag"]:"${tag}" AND type:"recurring"`), []);
    assert.deepEqual(await search(`metadata["tag"]:"${tag}" AND lookup_key:null`), [eur.id]);
    assert.deepEqual(await search(`metadata["tag"]:"${tag}" AND created>0`), [eur.id, usd.id]);
    const page = await stripe.prices.search({ query: `metadata["tag"]:"${tag}"`, limit: 1, expand: ['total_count', 'data.product'] });
    assert.equal(page.url, '/v1/prices/search');
    assert.equal(page.has_more, true);
    assert.equal((page as unknown as { total_count: number }).total_count, 2);
    assert.equal((page.data[0].product as Stripe.Product).name, `Search ${tag}`);
    assert.deepEqual(ids((await stripe.prices.search({ query: `metadata["tag"]:"${tag}"`, page: page.next_page! })).data), [usd.id]);
    const refused = await expectStripeError(stripe.prices.search({ query: 'unit_amount>100' }), { class: invalidRequest, code: 'invalid_value', param: 'query', statusCode: 400 });
    assert.match(refused.message, /prices cannot be searched by "unit_amount"; the fields are active, created, currency, lookup_key, metadata, product, type/);
  });

  it('restricted keys need rak_product_* and rak_price_* as Stripe names them', async () => {
    const create = await server.request('POST', '/v1/payrail/api_keys', {
      key: server.account.secretKey, contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ type: 'restricted', 'permissions[product]': 'read', 'permissions[price]': 'write' }).toString(),
    });
    assert.equal(create.status, 200, create.text);
    const limited = server.stripeFor(create.json.secret);
    assert.equal((await limited.products.retrieve(product.id)).id, product.id);
    assert.equal((await limited.products.list({ limit: 1 })).object, 'list');
    assert.equal((await limited.products.search({ query: `name:"${product.name}"` })).object, 'search_result');
    const refused = await expectStripeError(limited.products.create({ name: 'no' }), { class: Stripe.errors.StripePermissionError, code: 'insufficient_permissions', statusCode: 403 });
    assert.match(refused.message, /rak_product_write/);
    const price = await limited.prices.create({ product: product.id, currency: 'usd', unit_amount: 300 });
    assert.equal((await limited.prices.update(price.id, { nickname: 'by a restricted key' })).nickname, 'by a restricted key');
    const none = await server.request('POST', '/v1/payrail/api_keys', {
      key: server.account.secretKey, contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ type: 'restricted', 'permissions[customer]': 'read' }).toString(),
    });
    const noAccess = server.stripeFor(none.json.secret);
    assert.match((await expectStripeError(noAccess.prices.list(), { class: Stripe.errors.StripePermissionError, code: 'insufficient_permissions', statusCode: 403 })).message, /rak_price_read/);
  });
});
