import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Stripe's legacy card sources on customers (`source` on create/update, `/v1/customers/:id/sources`, `default_source`)
 * and charging them, through the official SDK.
 */

const nextYear = new Date().getUTCFullYear() + 1;

/** Fields of Stripe's `customer` object (spec3.json 2024-04-10, components.schemas.customer). */
const customerFields = [
  'address', 'balance', 'cash_balance', 'created', 'currency', 'default_source', 'delinquent', 'description', 'discount', 'email', 'id',
  'invoice_credit_balance', 'invoice_prefix', 'invoice_settings', 'livemode', 'metadata', 'name', 'next_invoice_sequence', 'object', 'phone',
  'preferred_locales', 'shipping', 'sources', 'subscriptions', 'tax', 'tax_exempt', 'tax_ids', 'test_clock',
];

describe('customer card sources through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  const cardToken = async (number = '4242424242424242', extra: Partial<Stripe.TokenCreateParams.Card> = {}) =>
    (await stripe.tokens.create({ card: { number, exp_month: '12', exp_year: String(nextYear), cvc: '123', ...extra } as Stripe.TokenCreateParams.Card })).id;

  it('creates a customer with a token as source: the card is attached and becomes default_source', async () => {
    const customer = await stripe.customers.create({ email: 'erp@example.com', source: await cardToken('4242424242424242', { name: 'Acme AP' }) });
    assert.match(customer.default_source as string, /^card_/);
    for (const key of Object.keys(customer)) assert.ok(customerFields.includes(key), `customer has no field ${key} at Stripe`);
    assert.equal(customer.sources, undefined, 'sources only when expanded, as at Stripe');

    const expanded = await stripe.customers.retrieve(customer.id, { expand: ['sources', 'default_source'] }) as Stripe.Customer;
    assert.equal(expanded.sources?.object, 'list');
    assert.equal(expanded.sources?.url, `/v1/customers/${customer.id}/sources`);
    assert.equal(expanded.sources?.data.length, 1);
    const card = expanded.sources!.data[0] as Stripe.Card;
    assert.equal(card.id, customer.default_source);
    assert.equal(card.customer, customer.id);
    assert.equal(card.name, 'Acme AP');
    assert.equal((expanded.default_source as Stripe.Card).last4, '4242');

    const listed = await stripe.customers.list({ email: 'erp@example.com', expand: ['data.sources'] });
    assert.equal(listed.data[0].sources?.data.length, 1);

    const created = await stripe.events.list({ type: 'customer.source.created', limit: 10 });
    assert.ok(created.data.some((event) => (event.data.object as Stripe.Card).id === customer.default_source));
  });

  it('adds, lists, retrieves, updates and deletes card sources', async () => {
    const customer = await stripe.customers.create({ name: 'Sources Ltd' });
    assert.equal(customer.default_source, null);
    const first = await stripe.customers.createSource(customer.id, { source: await cardToken('4242424242424242'), metadata: { slot: 'a' } }) as Stripe.Card;
    assert.equal(first.object, 'card');
    assert.equal(first.customer, customer.id);
    assert.deepEqual(first.metadata, { slot: 'a' });
    const second = await stripe.customers.createSource(customer.id, { source: await cardToken('5555555555554444') }) as Stripe.Card;
    assert.equal(second.brand, 'MasterCard');
    assert.equal((await stripe.customers.retrieve(customer.id) as Stripe.Customer).default_source, first.id, 'the first card stays the default');

    const list = await stripe.customers.listSources(customer.id, { object: 'card' });
    assert.deepEqual(list.data.map((card) => card.id), [second.id, first.id], 'newest first');
    assert.deepEqual((await stripe.customers.listSources(customer.id, { object: 'bank_account' })).data, []);
    const page = await stripe.customers.listSources(customer.id, { limit: 1 });
    assert.equal(page.has_more, true);

    const retrieved = await stripe.customers.retrieveSource(customer.id, first.id) as Stripe.Card;
    assert.equal(retrieved.last4, '4242');

    const updated = await stripe.customers.updateSource(customer.id, first.id, {
      exp_month: '3', exp_year: String(nextYear + 2), name: 'Jane Roe', address_line1: '5 Elm St', address_zip: '10001', metadata: { slot: '', role: 'primary' },
    }) as Stripe.Card;
    assert.equal(updated.exp_month, 3);
    assert.equal(updated.exp_year, nextYear + 2);
    assert.equal(updated.name, 'Jane Roe');
    assert.equal(updated.address_line1, '5 Elm St');
    assert.equal(updated.address_zip, '10001');
    assert.deepEqual(updated.metadata, { role: 'primary' });
    await expectStripeError(stripe.customers.updateSource(customer.id, first.id, { exp_month: '13' }), { class: Stripe.errors.StripeCardError, code: 'invalid_expiry_month', statusCode: 402 });

    // Another customer's card is no source of this one.
    const other = await stripe.customers.create({ source: 'tok_visa' });
    await expectStripeError(stripe.customers.retrieveSource(customer.id, other.default_source as string), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });

    const deleted = await stripe.customers.deleteSource(customer.id, first.id);
    assert.deepEqual({ id: deleted.id, object: deleted.object, deleted: (deleted as { deleted?: boolean }).deleted }, { id: first.id, object: 'card', deleted: true });
    assert.equal((await stripe.customers.retrieve(customer.id) as Stripe.Customer).default_source, second.id, 'the newest remaining card becomes the default');
    assert.deepEqual((await stripe.customers.listSources(customer.id)).data.map((card) => card.id), [second.id]);
    await stripe.customers.deleteSource(customer.id, second.id);
    assert.equal((await stripe.customers.retrieve(customer.id) as Stripe.Customer).default_source, null);
  });

  it('sets default_source to one of the customer\'s cards, and source on update replaces the default card', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const original = customer.default_source as string;
    const added = await stripe.customers.createSource(customer.id, { source: 'tok_mastercard' }) as Stripe.Card;
    const switched = await stripe.customers.update(customer.id, { default_source: added.id });
    assert.equal(switched.default_source, added.id);
    await expectStripeError(stripe.customers.update(customer.id, { default_source: 'card_nope' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'default_source', statusCode: 404 });

    const replaced = await stripe.customers.update(customer.id, { source: await cardToken('378282246310005', { cvc: '1234' }) });
    assert.notEqual(replaced.default_source, added.id);
    const ids = (await stripe.customers.listSources(customer.id)).data.map((card) => card.id);
    assert.ok(!ids.includes(added.id), 'the previous default card was replaced');
    assert.ok(ids.includes(original));
    assert.ok(ids.includes(replaced.default_source as string));
  });

  it('uses a token once: adding it to a customer uses it up', async () => {
    const token = await cardToken();
    const customer = await stripe.customers.create({});
    await stripe.customers.createSource(customer.id, { source: token });
    await expectStripeError(stripe.customers.createSource(customer.id, { source: token }), { class: Stripe.errors.StripeInvalidRequestError, code: 'token_already_used', param: 'source', statusCode: 400 });
    await expectStripeError(stripe.charges.create({ amount: 500, currency: 'usd', source: token }), { class: Stripe.errors.StripeInvalidRequestError, code: 'token_already_used', statusCode: 400 });
    await expectStripeError(stripe.customers.createSource('cus_missing', { source: 'tok_visa' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'customer', statusCode: 404 });
  });

  it("charges the customer's default source, or a named card of the customer", async () => {
    const customer = await stripe.customers.create({ source: await cardToken('4242424242424242') });
    const second = await stripe.customers.createSource(customer.id, { source: 'tok_mastercard' }) as Stripe.Card;

    const byDefault = await stripe.charges.create({ amount: 4200, currency: 'usd', customer: customer.id });
    assert.equal(byDefault.status, 'succeeded');
    assert.equal(byDefault.customer, customer.id);
    assert.equal((byDefault.source as Stripe.Card).id, customer.default_source);
    assert.equal((byDefault.source as Stripe.Card).customer, customer.id);
    assert.equal(byDefault.payment_method, customer.default_source);

    const byCard = await stripe.charges.create({ amount: 4300, currency: 'usd', customer: customer.id, source: second.id });
    assert.equal(byCard.payment_method, second.id);
    assert.equal((byCard.source as Stripe.Card).brand, 'MasterCard');
    assert.deepEqual((await stripe.charges.list({ customer: customer.id })).data.map((charge) => charge.id), [byCard.id, byDefault.id]);

    // A card without its customer, another customer's card, and a customer without cards.
    await expectStripeError(stripe.charges.create({ amount: 100, currency: 'usd', source: second.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'source', statusCode: 404 });
    const other = await stripe.customers.create({});
    await expectStripeError(stripe.charges.create({ amount: 100, currency: 'usd', customer: other.id, source: second.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'source', statusCode: 404 });
    await expectStripeError(stripe.charges.create({ amount: 100, currency: 'usd', customer: other.id }), { class: Stripe.errors.StripeCardError, type: 'card_error', code: 'missing', param: 'card', statusCode: 402 });
    await expectStripeError(stripe.charges.create({ amount: 100, currency: 'usd', customer: 'cus_missing' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'customer', statusCode: 404 });
  });

  it('charges a token on behalf of a customer without attaching it', async () => {
    const customer = await stripe.customers.create({});
    const charge = await stripe.charges.create({ amount: 900, currency: 'usd', customer: customer.id, source: await cardToken() });
    assert.equal(charge.customer, customer.id);
    assert.equal((await stripe.customers.listSources(customer.id)).data.length, 0);
  });

  it('takes a card source as the payment_method of a PaymentIntent, and lists it among the customer\'s PaymentMethods', async () => {
    const customer = await stripe.customers.create({ source: 'tok_visa' });
    const cardId = customer.default_source as string;
    const intent = await stripe.paymentIntents.create({ amount: 1800, currency: 'usd', customer: customer.id, payment_method: cardId, confirm: true });
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.payment_method, cardId);
    const paymentMethods = await stripe.customers.listPaymentMethods(customer.id);
    assert.ok(paymentMethods.data.some((paymentMethod) => paymentMethod.id === cardId && paymentMethod.type === 'card'));
    // Detaching the card as a PaymentMethod takes it off the customer's default source too.
    await stripe.paymentMethods.detach(cardId);
    assert.equal((await stripe.customers.retrieve(customer.id) as Stripe.Customer).default_source, null);
    await expectStripeError(stripe.charges.create({ amount: 100, currency: 'usd', customer: customer.id }), { class: Stripe.errors.StripeCardError, code: 'missing', statusCode: 402 });
    // Without its customer, the card is refused, as a customer's PaymentMethod is.
    const attached = await stripe.customers.createSource(customer.id, { source: 'tok_visa' }) as Stripe.Card;
    await expectStripeError(stripe.paymentIntents.create({ amount: 1800, currency: 'usd', payment_method: attached.id, confirm: true }), {
      class: Stripe.errors.StripeInvalidRequestError, code: 'payment_intent_invalid_parameter', param: 'payment_method', statusCode: 400,
    });
  });

  it('refuses a source that is not a token on customer create', async () => {
    const before = (await stripe.customers.list({ limit: 100 })).data.length;
    await expectStripeError(stripe.customers.create({ email: 'nosource@example.com', source: 'pm_card_visa' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'source', statusCode: 404 });
    // The customer is not created either: its insert and its source commit together.
    assert.equal((await stripe.customers.list({ limit: 100 })).data.length, before);
    assert.deepEqual((await stripe.customers.list({ email: 'nosource@example.com' })).data, []);
  });
});
