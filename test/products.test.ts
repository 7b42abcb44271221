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

async function eventsFor(server: TestServer, objectId: string): Promise<{ type: string; data: any; request_id: string | null }[]> {
  const result = await server.db.query(
    "SELECT type, data, request_id FROM events WHERE account_id = $1 AND data->'object'->>'id' = $2 ORDER BY seq",
    [server.account.accountId, objectId],
  );
  return result.rows;
}

describe('products through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  it('creates a product with every field and retrieves it unchanged', async () => {
    const product = await stripe.products.create({
      name: 'T-shirt',
      description: 'A soft cotton T-shirt',
      images: ['https://example.com/shirt-front.png', 'http://example.com/shirt-back.png'],
      marketing_features: [{ name: 'Organic cotton' }, { name: 'Made in Portugal' }],
      metadata: { sku: 'TS-1', color: 'blue' },
      url: 'https://shop.example.com/t-shirt',
      statement_descriptor: 'PAYRAIL SHIRT',
      unit_label: 'shirt',
      shippable: true,
      tax_code: 'txcd_99999999',
    });
    assert.match(product.id, /^prod_[0-9A-Za-z]{24}$/);
    assert.deepEqual({ ...product, id: 'x', created: 0, updated: 0 }, {
      id: 'x',
      object: 'product',
      active: true,
      created: 0,
      default_price: null,
      description: 'A soft cotton T-shirt',
      images: ['https://example.com/shirt-front.png', 'http://example.com/shirt-back.png'],
      livemode: false,
      marketing_features: [{ name: 'Organic cotton' }, { name: 'Made in Portugal' }],
      metadata: { sku: 'TS-1', color: 'blue' },
      name: 'T-shirt',
      package_dimensions: null,
      shippable: true,
      statement_descriptor: 'PAYRAIL SHIRT',
      tax_code: 'txcd_99999999',
      tax_details: null,
      type: 'service',
      unit_label: 'shirt',
      updated: 0,
      url: 'https://shop.example.com/t-shirt',
    });
    assert.ok(Math.abs(product.created - Date.now() / 1000) < 120);
    assert.equal(product.updated, product.created);
    assert.deepEqual(await stripe.products.retrieve(product.id), product);
  });

  it('creates a product with only a name: everything else empty or null', async () => {
    const product = await stripe.products.create({ name: 'Plain' });
    assert.equal(product.active, true);
    assert.equal(product.description, null);
    assert.deepEqual(product.images, []);
    assert.deepEqual(product.marketing_features, []);
    assert.deepEqual(product.metadata, {});
    assert.equal(product.shippable, null);
    assert.equal(product.url, null);
    assert.equal(product.unit_label, null);
    assert.equal(product.statement_descriptor, null);
    assert.equal(product.tax_code, null);
    assert.equal(product.default_price, null);
  });

  it('takes a caller-chosen id, validates it, and refuses one already used', async () => {
    const id = `shirt-${newTag()}_XL`;
    const product = await stripe.products.create({ id, name: 'Chosen' });
    assert.equal(product.id, id);
    assert.equal((await stripe.products.retrieve(id)).name, 'Chosen');
    const taken = await expectStripeError(stripe.products.create({ id, name: 'Again' }), { class: invalidRequest, code: 'resource_already_exists', param: 'id', statusCode: 400 });
    assert.equal(taken.message, 'Product already exists.');
    assert.equal((await stripe.products.retrieve(id)).name, 'Chosen', 'the first product is unchanged');
    for (const bad of ['has space', 'slash/path', 'dot.ted', 'ünï', '']) {
      await expectStripeError(stripe.products.create({ id: bad, name: 'Bad id' }), { class: invalidRequest, param: 'id', statusCode: 400 });
    }
    await expectStripeError(stripe.products.create({ id: 'x'.repeat(256), name: 'Long id' }), { class: invalidRequest, code: 'invalid_string_length', param: 'id', statusCode: 400 });
  });

  it('creates the default price from default_price_data, with product.created then price.created', async () => {
    const product = await stripe.products.create({ name: 'Mug', default_price_data: { currency: 'EUR', unit_amount: 1250, currency_options: { usd: { unit_amount: 1400 } } } });
    assert.match(String(product.default_price), /^price_/);
    const price = await stripe.prices.retrieve(product.default_price as string, { expand: ['currency_options'] });
    assert.equal(price.product, product.id);
    assert.equal(price.currency, 'eur');
    assert.equal(price.unit_amount, 1250);
    // The SDK hands decimal strings over as its Decimal type.
    assert.equal(String(price.unit_amount_decimal), '1250');
    assert.equal(price.type, 'one_time');
    assert.equal(price.active, true);
    assert.deepEqual(JSON.parse(JSON.stringify(price.currency_options)), {
      eur: { custom_unit_amount: null, tax_behavior: 'unspecified', unit_amount: 1250, unit_amount_decimal: '1250' },
      usd: { custom_unit_amount: null, tax_behavior: 'unspecified', unit_amount: 1400, unit_amount_decimal: '1400' },
    });
    const expanded = await stripe.products.retrieve(product.id, { expand: ['default_price', 'default_price.product'] });
    const defaultPrice = expanded.default_price as Stripe.Price;
    assert.equal(defaultPrice.id, price.id);
    assert.equal((defaultPrice.product as Stripe.Product).id, product.id);
    const productEvents = await eventsFor(server, product.id);
    const priceEvents = await eventsFor(server, price.id);
    assert.deepEqual(productEvents.map((event) => event.type), ['product.created']);
    assert.equal(productEvents[0].data.object.default_price, price.id);
    assert.deepEqual(priceEvents.map((event) => event.type), ['price.created']);
    const order = await server.db.query("SELECT type FROM events WHERE account_id = $1 AND data->'object'->>'id' IN ($2, $3) ORDER BY seq", [server.account.accountId, product.id, price.id]);
    assert.deepEqual(order.rows.map((row) => row.type), ['product.created', 'price.created']);
  });

  it('refuses bad default_price_data, naming the parameter inside the hash, and writes nothing', async () => {
    const before = await server.db.query('SELECT count(*)::int AS n FROM products WHERE account_id = $1', [server.account.accountId]);
    await expectStripeError(stripe.products.create({ name: 'x', default_price_data: { currency: 'zzz', unit_amount: 100 } }), { class: invalidRequest, code: 'invalid_currency', param: 'default_price_data[currency]', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', default_price_data: { currency: 'usd', unit_amount: -1 } }), { class: invalidRequest, code: 'invalid_value', param: 'default_price_data[unit_amount]', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', default_price_data: { currency: 'usd', unit_amount: 100_000_000 } }), { class: invalidRequest, code: 'amount_too_large', param: 'default_price_data[unit_amount]', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', default_price_data: { currency: 'usd' } }), { class: invalidRequest, code: 'parameter_missing', param: 'default_price_data[unit_amount]', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', default_price_data: { currency: 'usd', unit_amount: 1, currency_options: { eur: { unit_amount: -5 } } } }), { class: invalidRequest, param: 'default_price_data[currency_options][eur][unit_amount]', statusCode: 400 });
    const after = await server.db.query('SELECT count(*)::int AS n FROM products WHERE account_id = $1', [server.account.accountId]);
    assert.equal(after.rows[0].n, before.rows[0].n);
  });

  it('refuses bad fields with the parameter named', async () => {
    await expectStripeError(stripe.products.create({} as Stripe.ProductCreateParams), { class: invalidRequest, code: 'parameter_missing', param: 'name', statusCode: 400 });
    const named = await stripe.products.create({ name: 'Named' });
    await expectStripeError(stripe.products.update(named.id, { name: '' }), { class: invalidRequest, code: 'invalid_string_length', param: 'name', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', images: ['ftp://example.com/a.png'] }), { class: invalidRequest, code: 'url_invalid', param: 'images[0]', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', images: ['https://example.com/ok.png', 'not a url'] }), { class: invalidRequest, code: 'url_invalid', param: 'images[1]', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', images: Array.from({ length: 9 }, (_, index) => `https://example.com/${index}.png`) }), { class: invalidRequest, code: 'invalid_value', param: 'images', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', url: 'javascript:alert(1)' }), { class: invalidRequest, code: 'url_invalid', param: 'url', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', statement_descriptor: 'THIS IS FAR TOO LONG FOR A CARD' }), { class: invalidRequest, code: 'invalid_string_length', param: 'statement_descriptor', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', statement_descriptor: '<script>' }), { class: invalidRequest, code: 'invalid_value', param: 'statement_descriptor', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', tax_code: 'general' }), { class: invalidRequest, code: 'invalid_value', param: 'tax_code', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', unit_label: 'a very long unit label' }), { class: invalidRequest, code: 'invalid_string_length', param: 'unit_label', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', marketing_features: [{ name: 'ok' }, { name: 'x'.repeat(81) }] }), { class: invalidRequest, code: 'invalid_string_length', param: 'marketing_features[1][name]', statusCode: 400 });
    await expectStripeError(stripe.products.create({ name: 'x', type: 'good' } as Stripe.ProductCreateParams), { class: invalidRequest, code: 'parameter_unknown', param: 'type', statusCode: 400 });
  });

  it('updates fields, clears them with empty strings, and records product.updated with previous_attributes', async () => {
    const product = await stripe.products.create({ name: 'Poster', description: 'A3', url: 'https://example.com/poster', images: ['https://example.com/p.png'], metadata: { a: '1', b: '2' }, unit_label: 'sheet' });
    const updated = await stripe.products.update(product.id, { name: 'Poster A2', description: '', url: '', images: '' as unknown as string[], metadata: { a: '', c: '3' }, unit_label: '', shippable: true, active: false });
    assert.equal(updated.name, 'Poster A2');
    assert.equal(updated.description, null);
    assert.equal(updated.url, null);
    assert.deepEqual(updated.images, []);
    assert.deepEqual(updated.metadata, { b: '2', c: '3' });
    assert.equal(updated.unit_label, null);
    assert.equal(updated.shippable, true);
    assert.equal(updated.active, false);
    assert.ok(updated.updated >= product.updated);
    assert.deepEqual(await stripe.products.retrieve(product.id), updated);
    // An update that changes nothing records nothing.
    const same = await stripe.products.update(product.id, { name: 'Poster A2' });
    assert.deepEqual(same, updated);
    const events = await eventsFor(server, product.id);
    assert.deepEqual(events.map((event) => event.type), ['product.created', 'product.updated']);
    const previous = events[1].data.previous_attributes;
    assert.equal(previous.name, 'Poster');
    assert.equal(previous.description, 'A3');
    assert.equal(previous.url, 'https://example.com/poster');
    assert.deepEqual(previous.images, ['https://example.com/p.png']);
    assert.deepEqual(previous.metadata, { a: '1', c: null });
    assert.equal(previous.active, true);
    assert.equal(previous.shippable, null);
    assert.deepEqual(events[1].data.object, updated);
  });

  it('sets default_price to one of its own active prices only, and unsets it', async () => {
    const product = await stripe.products.create({ name: 'Lamp', default_price_data: { currency: 'usd', unit_amount: 3000 } });
    const second = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 2500 });
    const updated = await stripe.products.update(product.id, { default_price: second.id });
    assert.equal(updated.default_price, second.id);
    const other = await stripe.products.create({ name: 'Other', default_price_data: { currency: 'usd', unit_amount: 100 } });
    const foreign = await expectStripeError(stripe.products.update(product.id, { default_price: other.default_price as string }), { class: invalidRequest, code: 'invalid_value', param: 'default_price', statusCode: 400 });
    assert.match(foreign.message, /belongs to another product/);
    await expectStripeError(stripe.products.update(product.id, { default_price: 'price_missing' }), { class: invalidRequest, code: 'resource_missing', param: 'default_price', statusCode: 404 });
    const archived = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 2000, active: false });
    await expectStripeError(stripe.products.update(product.id, { default_price: archived.id }), { class: invalidRequest, code: 'invalid_value', param: 'default_price', statusCode: 400 });
    // The default price cannot be archived while it is the default.
    await expectStripeError(stripe.prices.update(second.id, { active: false }), { class: invalidRequest, code: 'invalid_value', param: 'active', statusCode: 400 });
    const unset = await stripe.products.update(product.id, { default_price: '' });
    assert.equal(unset.default_price, null);
    assert.equal((await stripe.prices.update(second.id, { active: false })).active, false);
  });

  it('deletes a product without prices, and refuses one with prices as Stripe does', async () => {
    const lone = await stripe.products.create({ name: 'Lone' });
    const deleted = await stripe.products.del(lone.id);
    assert.deepEqual(deleted, { id: lone.id, object: 'product', deleted: true });
    await expectStripeError(stripe.products.retrieve(lone.id), { class: invalidRequest, code: 'resource_missing', param: 'id', statusCode: 404 });
    await expectStripeError(stripe.products.del(lone.id), { class: invalidRequest, code: 'resource_missing', param: 'id', statusCode: 404 });
    await expectStripeError(stripe.products.update(lone.id, { name: 'x' }), { class: invalidRequest, code: 'resource_missing', param: 'id', statusCode: 404 });
    const events = await eventsFor(server, lone.id);
    assert.deepEqual(events.map((event) => event.type), ['product.created', 'product.deleted']);
    assert.equal(events[1].data.object.name, 'Lone');
    // A price cannot be made for the deleted product.
    await expectStripeError(stripe.prices.create({ product: lone.id, currency: 'usd', unit_amount: 100 }), { class: invalidRequest, code: 'resource_missing', param: 'product', statusCode: 404 });

    const priced = await stripe.products.create({ name: 'Priced', default_price_data: { currency: 'usd', unit_amount: 500 } });
    const refused = await expectStripeError(stripe.products.del(priced.id), { class: invalidRequest, code: 'product_has_prices', statusCode: 400 });
    assert.match(refused.message, /^This product cannot be deleted because it has one or more user-created prices/);
    assert.equal((await stripe.products.retrieve(priced.id)).name, 'Priced');
  });

  it('lists newest first, pages with cursors, and filters by active, ids, shippable, url and created', async () => {
    const tag = newTag();
    const made: Stripe.Product[] = [];
    for (let index = 0; index < 5; index += 1) {
      made.push(await stripe.products.create({ name: `List ${index}`, url: `https://example.com/${tag}/${index % 2}`, shippable: index % 2 === 0, active: index !== 3, metadata: { tag } }));
    }
    const newest = [...made].reverse();
    const first = await stripe.products.list({ limit: 2 });
    assert.equal(first.object, 'list');
    assert.equal(first.url, '/v1/products');
    assert.equal(first.has_more, true);
    assert.deepEqual(ids(first.data), ids(newest.slice(0, 2)));
    const second = await stripe.products.list({ limit: 2, starting_after: first.data[1].id });
    assert.deepEqual(ids(second.data), ids(newest.slice(2, 4)));
    const back = await stripe.products.list({ limit: 2, ending_before: second.data[0].id });
    assert.deepEqual(ids(back.data), ids(newest.slice(0, 2)));
    assert.deepEqual(ids((await stripe.products.list({ url: `https://example.com/${tag}/1` })).data), [made[3].id, made[1].id]);
    assert.deepEqual(ids((await stripe.products.list({ url: `https://example.com/${tag}/1`, active: true })).data), [made[1].id]);
    assert.deepEqual(ids((await stripe.products.list({ url: `https://example.com/${tag}/0`, shippable: false })).data), []);
    assert.deepEqual(ids((await stripe.products.list({ ids: [made[0].id, made[2].id, 'prod_nothing'] })).data), [made[2].id, made[0].id]);
    assert.deepEqual(ids((await stripe.products.list({ ids: [made[4].id], created: { gte: made[4].created, lte: made[4].created } })).data), [made[4].id]);
    assert.deepEqual((await stripe.products.list({ ids: [made[4].id], created: { lt: made[4].created } })).data, []);
    await expectStripeError(stripe.products.list({ ids: [made[0].id], starting_after: made[1].id }), { class: invalidRequest, code: 'parameters_exclusive', param: 'ids', statusCode: 400 });
    await expectStripeError(stripe.products.list({ starting_after: 'prod_unknown' }), { class: invalidRequest, code: 'resource_missing', param: 'starting_after', statusCode: 404 });
    await expectStripeError(stripe.products.list({ limit: 101 }), { class: invalidRequest, param: 'limit', statusCode: 400 });
  });

  it('searches by name, description, url, active, shippable, created and metadata', async () => {
    const tag = newTag();
    const shirt = await stripe.products.create({ name: `Shirt ${tag}`, description: `Blue ${tag} cotton`, url: `https://example.com/${tag}`, shippable: true, metadata: { tag, kind: 'apparel' } });
    const ebook = await stripe.products.create({ name: `Ebook ${tag}`, description: 'Digital', shippable: false, active: false, metadata: { tag } });
    const search = async (query: string) => ids((await stripe.products.search({ query })).data);
    assert.deepEqual(await search(`name:"SHIRT ${tag}"`), [shirt.id]);
    assert.deepEqual(await search(`name~"${tag}"`), [ebook.id, shirt.id]);
    assert.deepEqual(await search(`description~"${tag} cot"`), [shirt.id]);
    assert.deepEqual(await search(`url:"https://example.com/${tag}"`), [shirt.id]);
    assert.deepEqual(await search(`metadata["tag"]:"${tag}" AND active:"false"`), [ebook.id]);
    assert.deepEqual(await search(`metadata["tag"]:"${tag}" AND shippable:"true"`), [shirt.id]);
    assert.deepEqual(await search(`metadata["tag"]:"${tag}" AND -url:null`), [shirt.id]);
    assert.deepEqual(await search(`metadata["tag"]:"${tag}" AND created>=${shirt.created}`), [ebook.id, shirt.id]);
    assert.deepEqual(await search(`metadata["kind"]:"apparel" AND metadata["tag"]:"${tag}"`), [shirt.id]);
    const page = await stripe.products.search({ query: `metadata["tag"]:"${tag}"`, limit: 1, expand: ['total_count'] });
    assert.equal(page.object, 'search_result');
    assert.equal(page.url, '/v1/products/search');
    assert.equal(page.has_more, true);
    assert.equal((page as unknown as { total_count: number }).total_count, 2);
    assert.deepEqual(page.data, [await stripe.products.retrieve(ebook.id)]);
    const next = await stripe.products.search({ query: `metadata["tag"]:"${tag}"`, limit: 1, page: page.next_page! });
    assert.deepEqual(ids(next.data), [shirt.id]);
    assert.equal(next.has_more, false);
    const refused = await expectStripeError(stripe.products.search({ query: 'unit_label:"x"' }), { class: invalidRequest, code: 'invalid_value', param: 'query', statusCode: 400 });
    assert.match(refused.message, /products cannot be searched by "unit_label"; the fields are active, created, description, metadata, name, shippable, url/);
  });
});
