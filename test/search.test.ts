import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import Stripe from 'stripe';
import { searchFields, searchResources } from '../src/search/fields.ts';
import { printQuery, type Clause, type Query } from '../src/search/query-parser.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;
const nextYear = new Date().getUTCFullYear() + 1;

/** A marker unique to one test, so the tests of this file never see each other's objects. */
function newTag(): string {
  return randomBytes(6).toString('hex');
}

const ids = (objects: { id: string }[]) => objects.map((object) => object.id);

describe('search through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  describe('customers', () => {
    it('finds by exact email (ignoring case) and answers the search_result envelope', async () => {
      const tag = newTag();
      const jenny = await stripe.customers.create({ email: `jenny.${tag}@example.com`, name: 'Jenny Rosen', metadata: { tag } });
      await stripe.customers.create({ email: `jenny.${tag}@example.org`, metadata: { tag } });
      const result = await stripe.customers.search({ query: `email:"JENNY.${tag}@EXAMPLE.COM"` });
      assert.equal(result.object, 'search_result');
      assert.equal(result.url, '/v1/customers/search');
      assert.equal(result.has_more, false);
      assert.equal(result.next_page, null);
      assert.equal('total_count' in result, false, 'total_count only when expanded');
      assert.deepEqual(result.data, [jenny], 'the customer object exactly as retrieve renders it');
    });

    it('finds by substring of email, name and phone, and refuses substrings under 3 characters', async () => {
      const tag = newTag();
      const jenny = await stripe.customers.create({ email: `jr.${tag}@rocket.example`, name: `Jenny ${tag} Rosen`, phone: `+1555${tag.slice(0, 4)}`, metadata: { tag } });
      const other = await stripe.customers.create({ email: `other.${tag}@example.com`, name: 'Someone Else', metadata: { tag } });
      assert.deepEqual(ids((await stripe.customers.search({ query: `email~"${tag}@ROCKET"` })).data), [jenny.id]);
      assert.deepEqual(ids((await stripe.customers.search({ query: `name~"${tag.toUpperCase()} ros"` })).data), [jenny.id]);
      assert.deepEqual(ids((await stripe.customers.search({ query: `phone~"555${tag.slice(0, 4)}"` })).data), [jenny.id]);
      assert.deepEqual(ids((await stripe.customers.search({ query: `email~"${tag}"` })).data), [other.id, jenny.id], 'newest first');
      // % and _ are literal characters in a substring search, not LIKE wildcards.
      assert.deepEqual((await stripe.customers.search({ query: `email~"${tag}%" metadata["tag"]:"${tag}"` })).data, []);
      assert.deepEqual((await stripe.customers.search({ query: `email~"${tag.slice(0, 2)}_" metadata["tag"]:"${tag}"` })).data, []);
      const error = await expectStripeError(stripe.customers.search({ query: 'email~"jr"' }), { class: invalidRequest, type: 'invalid_request_error', code: 'invalid_value', param: 'query', statusCode: 400 });
      assert.match(error.message, /at least 3 characters/);
    });

    it('combines clauses with AND, OR and negation, compares created, and matches null', async () => {
      const tag = newTag();
      const a = await stripe.customers.create({ name: 'Ann', email: `ann.${tag}@example.com`, metadata: { tag, tier: 'gold' } });
      const b = await stripe.customers.create({ name: 'Bob', metadata: { tag, tier: 'silver' } });
      const c = await stripe.customers.create({ name: 'Cat', email: `cat.${tag}@example.com`, metadata: { tag } });
      const search = async (query: string) => ids((await stripe.customers.search({ query })).data);
      assert.deepEqual(await search(`metadata["tag"]:"${tag}" metadata["tier"]:"gold"`), [a.id]);
      assert.deepEqual(await search(`metadata["tag"]:"${tag}" AND -metadata["tier"]:"gold"`), [c.id, b.id], 'negation includes objects without the key');
      assert.deepEqual(await search(`name:"ann" OR name:"cat"`).then((found) => found.filter((id) => [a.id, b.id, c.id].includes(id))), [c.id, a.id]);
      assert.deepEqual(await search(`metadata["tag"]:"${tag}" email:null`), [b.id]);
      assert.deepEqual(await search(`metadata["tag"]:"${tag}" -email:null`), [c.id, a.id]);
      assert.deepEqual(await search(`metadata["tag"]:"${tag}" metadata["tier"]:null`), [c.id]);
      assert.deepEqual(await search(`metadata["tag"]:"${tag}" created>=${a.created} created<=${c.created}`), [c.id, b.id, a.id]);
      assert.deepEqual(await search(`metadata["tag"]:"${tag}" created>${c.created}`), []);
      assert.deepEqual(await search(`metadata["tag"]:"${tag}" created<${a.created}`), []);
    });

    it('reads its own writes: a new or updated customer is found at once, a deleted one no longer', async () => {
      const tag = newTag();
      const customer = await stripe.customers.create({ metadata: { tag } });
      assert.deepEqual(ids((await stripe.customers.search({ query: `metadata["tag"]:"${tag}"` })).data), [customer.id]);
      await stripe.customers.update(customer.id, { metadata: { stage: 'vip' }, email: `vip.${tag}@example.com` });
      assert.deepEqual(ids((await stripe.customers.search({ query: `metadata["stage"]:"vip" email:"vip.${tag}@example.com"` })).data), [customer.id]);
      await stripe.customers.del(customer.id);
      assert.deepEqual((await stripe.customers.search({ query: `metadata["tag"]:"${tag}"` })).data, []);
    });

    it('treats quotes, backslashes and SQL in values as data', async () => {
      const tag = newTag();
      const tricky = await stripe.customers.create({ name: `O'Brien "the \\ one" ${tag}`, metadata: { [`k'"${tag}`]: `v') OR 1=1 --` } });
      assert.deepEqual(ids((await stripe.customers.search({ query: `name:"O'Brien \\"the \\\\ one\\" ${tag}"` })).data), [tricky.id]);
      assert.deepEqual(ids((await stripe.customers.search({ query: `metadata['k\\'"${tag}']:'v\\') OR 1=1 --'` })).data), [tricky.id]);
      assert.deepEqual((await stripe.customers.search({ query: `name:"x' OR '1'='1" metadata["tag"]:"${tag}"` })).data, []);
    });
  });

  describe('payment intents and charges', () => {
    it('finds PaymentIntents by amount, currency, status, customer and metadata', async () => {
      const tag = newTag();
      const customer = await stripe.customers.create({ metadata: { tag } });
      const small = await stripe.paymentIntents.create({ amount: 500, currency: 'usd', metadata: { tag } });
      const large = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true, metadata: { tag } });
      const euro = await stripe.paymentIntents.create({ amount: 5000, currency: 'eur', metadata: { tag } });
      const search = async (query: string) => ids((await stripe.paymentIntents.search({ query: `metadata["tag"]:"${tag}" AND ${query}` })).data);
      assert.deepEqual(await search('amount>1000'), [euro.id, large.id]);
      assert.deepEqual(await search('amount:500'), [small.id]);
      assert.deepEqual(await search('amount<=500'), [small.id]);
      assert.deepEqual(await search('-currency:"usd"'), [euro.id]);
      assert.deepEqual(await search('status:"succeeded"'), [large.id]);
      assert.deepEqual(await search(`customer:"${customer.id}"`), [large.id]);
      const result = await stripe.paymentIntents.search({ query: `customer:"${customer.id}"`, expand: ['data.customer', 'total_count'] });
      assert.equal(result.url, '/v1/payment_intents/search');
      assert.equal(result.total_count, 1);
      assert.equal((result.data[0].customer as Stripe.Customer).id, customer.id);
    });

    it('finds charges by card details, billing postal code, status, refunded and disputed', async () => {
      const tag = newTag();
      // Payrail's charges do not copy their PaymentIntent's metadata, so this test's charges are told apart by customer.
      const customer = await stripe.customers.create({ metadata: { tag } });
      const paymentMethod = await stripe.paymentMethods.create({
        type: 'card',
        card: { number: '5555555555554444', exp_month: 7, exp_year: nextYear, cvc: '123' },
        billing_details: { name: 'Jenny Rosen', address: { line1: '1 Main St', postal_code: `P${tag}`, country: 'US' } },
      });
      const pay = (amount: number, payment_method: string) => stripe.paymentIntents.create({ amount, currency: 'usd', customer: customer.id, payment_method, confirm: true });
      const mastercard = await pay(2500, paymentMethod.id);
      const visa = await pay(1200, 'pm_card_visa');
      await assert.rejects(pay(1300, 'pm_card_chargeDeclined'));
      const mastercardCharge = mastercard.latest_charge as string;
      const visaCharge = visa.latest_charge as string;
      const search = async (query: string) => ids((await stripe.charges.search({ query: `customer:"${customer.id}" ${query}` })).data);
      const all = await search('');
      assert.equal(all.length, 3);
      const declinedCharge = all.find((id) => id !== mastercardCharge && id !== visaCharge)!;
      assert.deepEqual(await search('payment_method_details.card.last4:4444'), [mastercardCharge]);
      assert.deepEqual(await search('payment_method_details.card.last4:"4242"'), [visaCharge]);
      assert.deepEqual(await search('payment_method_details.card.brand:"mastercard"'), [mastercardCharge]);
      assert.deepEqual(await search(`payment_method_details.card.exp_month:7 payment_method_details.card.exp_year:${nextYear}`), [mastercardCharge]);
      assert.deepEqual(await search(`payment_method_details.card.fingerprint:"${paymentMethod.card!.fingerprint}"`), [mastercardCharge]);
      assert.deepEqual(await search(`billing_details.address.postal_code:"P${tag}"`), [mastercardCharge]);
      assert.deepEqual(await search('status:"failed"'), [declinedCharge]);
      assert.deepEqual(await search('amount>=1200 status:"succeeded"'), [visaCharge, mastercardCharge]);
      assert.deepEqual(await search('disputed:"true"'), []);
      assert.equal((await search('disputed:false')).length, 3);
      assert.deepEqual(await search('refunded:true'), []);
      await stripe.refunds.create({ charge: visaCharge });
      assert.deepEqual(await search('refunded:true'), [visaCharge]);
      assert.deepEqual(await search('refunded:false status:"succeeded"'), [mastercardCharge]);
      const charge = (await stripe.charges.search({ query: `customer:"${customer.id}" refunded:true` })).data[0];
      assert.equal(charge.refunded, true, 'search and the charge object agree on refunded');
      // Payrail has no endpoint that sets a charge's metadata yet (no POST /v1/charges/:id), so it is written directly.
      await server.db.query('UPDATE charges SET metadata = $2 WHERE id = $1', [mastercardCharge, { tag, order: '6735' }]);
      assert.deepEqual(ids((await stripe.charges.search({ query: `metadata["tag"]:"${tag}" metadata["order"]:"6735"` })).data), [mastercardCharge]);
      assert.deepEqual(await search(`metadata["order"]:null`), [declinedCharge, visaCharge]);
    });
  });

  describe('pagination', () => {
    it('pages with limit and next_page, and autoPagingEach walks every match once, newest first', async () => {
      const tag = newTag();
      const created: string[] = [];
      for (let index = 0; index < 23; index += 1) created.push((await stripe.customers.create({ metadata: { tag, index: String(index) } })).id);
      const newestFirst = [...created].reverse();
      const query = `metadata["tag"]:"${tag}"`;

      const first = await stripe.customers.search({ query, limit: 10 });
      assert.equal(first.has_more, true);
      assert.equal(typeof first.next_page, 'string');
      assert.deepEqual(ids(first.data), newestFirst.slice(0, 10));
      const second = await stripe.customers.search({ query, limit: 10, page: first.next_page! });
      assert.deepEqual(ids(second.data), newestFirst.slice(10, 20));
      const third = await stripe.customers.search({ query, limit: 10, page: second.next_page! });
      assert.deepEqual(ids(third.data), newestFirst.slice(20));
      assert.equal(third.has_more, false);
      assert.equal(third.next_page, null);

      const walked: string[] = [];
      await stripe.customers.search({ query, limit: 4 }).autoPagingEach((customer) => {
        walked.push(customer.id);
      });
      assert.deepEqual(walked, newestFirst);
      assert.equal((await stripe.customers.search({ query, limit: 1, expand: ['total_count'] })).total_count, 23);
      assert.equal((await stripe.customers.search({ query })).data.length, 10, 'default limit');
    });

    it('refuses a page cursor of another query, a forged cursor, and limits outside 1-100', async () => {
      const tag = newTag();
      for (let index = 0; index < 3; index += 1) await stripe.customers.create({ metadata: { tag } });
      const first = await stripe.customers.search({ query: `metadata["tag"]:"${tag}"`, limit: 1 });
      const other = await expectStripeError(stripe.customers.search({ query: `metadata["tag"]:"x${tag}"`, page: first.next_page! }), { class: invalidRequest, code: 'invalid_value', param: 'page', statusCode: 400 });
      assert.match(other.message, /different query/);
      await expectStripeError(stripe.charges.search({ query: `metadata["tag"]:"${tag}"`, page: first.next_page! }), { class: invalidRequest, param: 'page', statusCode: 400 });
      await expectStripeError(stripe.customers.search({ query: `metadata["tag"]:"${tag}"`, page: 'bm90IGEgY3Vyc29y' }), { class: invalidRequest, param: 'page', statusCode: 400 });
      await expectStripeError(stripe.customers.search({ query: 'email:"x"', limit: 0 }), { class: invalidRequest, param: 'limit', statusCode: 400 });
      await expectStripeError(stripe.customers.search({ query: 'email:"x"', limit: 101 }), { class: invalidRequest, param: 'limit', statusCode: 400 });
    });
  });

  describe('tenancy', () => {
    it("never finds another account's objects, or the other mode's", async () => {
      const tag = newTag();
      const accountA = server.account;
      const accountB = await server.createAccount('Account B');
      const mine = await accountA.stripe.customers.create({ email: `private.${tag}@example.com`, metadata: { tag } });
      const intent = await accountA.stripe.paymentIntents.create({ amount: 4242, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: { tag } });
      for (let index = 0; index < 3; index += 1) await accountB.stripe.customers.create({ metadata: { tag: `b${tag}` } });

      assert.deepEqual(ids((await accountA.stripe.customers.search({ query: `email:"private.${tag}@example.com"` })).data), [mine.id]);
      assert.deepEqual((await accountB.stripe.customers.search({ query: `email:"private.${tag}@example.com"` })).data, []);
      assert.deepEqual((await accountB.stripe.customers.search({ query: `email~"${tag}" OR metadata["tag"]:"${tag}"` })).data, []);
      assert.deepEqual((await accountB.stripe.paymentIntents.search({ query: `metadata["tag"]:"${tag}"` })).data, []);
      assert.deepEqual(ids((await accountA.stripe.charges.search({ query: 'amount:4242' })).data), [intent.latest_charge as string]);
      assert.deepEqual((await accountB.stripe.charges.search({ query: 'amount:4242' })).data, []);
      assert.deepEqual((await accountB.stripe.paymentIntents.search({ query: 'amount:4242' })).data, []);
      assert.deepEqual((await accountB.stripe.customers.search({ query: `-email:"nobody@example.com"`, expand: ['total_count'] })).total_count, 3);

      const live = await server.liveKeys(accountA.accountId);
      assert.deepEqual((await live.stripe.customers.search({ query: `metadata["tag"]:"${tag}"` })).data, []);
      assert.deepEqual((await live.stripe.charges.search({ query: 'amount:4242' })).data, []);
      assert.equal(intent.status, 'succeeded');

      // A cursor made by account A positions account B's search among B's own objects only.
      await accountA.stripe.customers.create({ metadata: { tag: 'shared-query' } });
      await accountA.stripe.customers.create({ metadata: { tag: 'shared-query' } });
      const cursor = (await accountA.stripe.customers.search({ query: 'metadata["tag"]:"shared-query"', limit: 1 })).next_page!;
      assert.deepEqual((await accountB.stripe.customers.search({ query: 'metadata["tag"]:"shared-query"', page: cursor })).data, []);
    });
  });

  describe('properties', () => {
    /** What a customer search should find, computed in JavaScript from the customer objects themselves. */
    function matches(customer: Stripe.Customer, clause: Clause): boolean {
      const { field, value } = clause;
      let result: boolean;
      if (field === 'metadata') {
        const stored = customer.metadata[clause.key!];
        result = value.kind === 'null' ? stored === undefined : stored === (value as { text: string }).text;
      } else if (field === 'created') {
        const bound = Number((value as { text: string }).text);
        result = { ':': customer.created === bound, '>': customer.created > bound, '<': customer.created < bound, '>=': customer.created >= bound, '<=': customer.created <= bound }[clause.operator as ':']!;
      } else {
        const stored = customer[field as 'email' | 'name' | 'phone'] ?? null;
        if (value.kind === 'null') result = stored === null;
        else if (stored === null) result = false;
        else if (clause.operator === '~') result = stored.toLowerCase().includes((value as { text: string }).text.toLowerCase());
        else result = stored.toLowerCase() === (value as { text: string }).text.toLowerCase();
      }
      return clause.negated ? !result : result;
    }

    it('finds exactly the customers a JavaScript model of the query language finds', async () => {
      // An account of its own, so a query with OR (which cannot be scoped by another clause) sees only these customers.
      const account = await server.createAccount('Search model');
      const emails = ['ann@rocket.example', 'ANN.lee@rides.example', 'bob_smith@rocket.example', 'cat%50@off.example', null];
      const names = ['Ann Lee', 'Bob Smith', 'ann-marie', 'Catherine', null];
      const phones = ['+15550100', '+15550199', '020 7946 0000', null];
      const tiers = ['gold', 'silver', 'a "quoted" tier', undefined];
      const customers: Stripe.Customer[] = [];
      for (let index = 0; index < 16; index += 1) {
        const tier = tiers[index % tiers.length];
        customers.push(await account.stripe.customers.create({
          ...(emails[index % emails.length] === null ? {} : { email: emails[index % emails.length]! }),
          ...(names[(index * 3) % names.length] === null ? {} : { name: names[(index * 3) % names.length]! }),
          ...(phones[(index * 7) % phones.length] === null ? {} : { phone: phones[(index * 7) % phones.length]! }),
          metadata: tier === undefined ? { index: String(index) } : { tier, index: String(index) },
        }));
      }
      const createdValues = [...new Set(customers.map((customer) => customer.created))];
      const caseVariant = (text: string) => fc.constantFrom(text, text.toUpperCase(), text.toLowerCase());
      const stringValues = [...emails, ...names, ...phones].filter((text): text is string => text !== null);
      const stringClause = fc.record({
        negated: fc.boolean(),
        field: fc.constantFrom('email', 'name', 'phone'),
        operator: fc.constantFrom(':' as const, '~' as const),
        pick: fc.constantFrom(...stringValues),
        start: fc.nat(),
        length: fc.integer({ min: 3, max: 8 }),
        isNull: fc.boolean(),
      }).chain(({ pick, start, length, operator, isNull, ...rest }): fc.Arbitrary<Omit<Clause, 'position'>> => {
        if (isNull && operator === ':') return fc.constant({ ...rest, operator, value: { kind: 'null' as const } });
        const from = start % Math.max(1, pick.length - 2);
        const text = operator === '~' ? pick.slice(from, from + length).padEnd(3, 'x') : pick;
        return caseVariant(text).map((variant) => ({ ...rest, operator, value: { kind: 'string' as const, text: variant } }));
      });
      const metadataClause = fc.record({
        negated: fc.boolean(),
        field: fc.constant('metadata'),
        key: fc.constantFrom('tier', 'index'),
        operator: fc.constant(':' as const),
        value: fc.oneof(fc.constantFrom(...tiers.filter((tier) => tier !== undefined), '3', '7').map((text) => ({ kind: 'string' as const, text })), fc.constant({ kind: 'null' as const })),
      });
      const createdClause = fc.record({
        negated: fc.boolean(),
        field: fc.constant('created'),
        operator: fc.constantFrom(':' as const, '>' as const, '<' as const, '>=' as const, '<=' as const),
        value: fc.constantFrom(...createdValues.flatMap((created) => [created - 1, created, created + 1])).map((created) => ({ kind: 'number' as const, text: String(created) })),
      });
      const query = fc.record({
        combinator: fc.constantFrom('and' as const, 'or' as const),
        clauses: fc.array(fc.oneof(stringClause, metadataClause, createdClause), { minLength: 1, maxLength: 4 }),
      });
      let nonEmpty = 0;
      let partial = 0;
      await fc.assert(fc.asyncProperty(query, async (generated) => {
        const clauses = generated.clauses.map((clause: Omit<Clause, 'position'>): Clause => ({ ...clause, position: 0 }));
        const text = printQuery({ combinator: generated.combinator, clauses } satisfies Query);
        const expected = customers
          .filter((customer) => (generated.combinator === 'or' ? clauses.some((clause) => matches(customer, clause)) : clauses.every((clause) => matches(customer, clause))))
          .map((customer) => customer.id)
          .reverse();
        const found = await account.stripe.customers.search({ query: text, limit: 100 });
        assert.deepEqual(ids(found.data), expected, text);
        if (expected.length > 0) nonEmpty += 1;
        if (expected.length > 0 && expected.length < customers.length) partial += 1;
      }), { numRuns: 80 });
      // The generated queries must tell customers apart, or the comparison above proves little.
      assert.ok(nonEmpty >= 20 && partial >= 10, `only ${nonEmpty} queries found anything, ${partial} a strict subset`);
    });

    it('answers any query over any documented field with results or a 400, never a server error', async () => {
      const fieldOf = fc.constantFrom(...searchResources).chain((resource) => fc.record({
        resource: fc.constant(resource),
        clauses: fc.array(fc.record({
          negated: fc.boolean(),
          field: fc.constantFrom(...Object.keys(searchFields[resource]), 'metadata'),
          operator: fc.constantFrom(':' as const, '~' as const, '>' as const, '<' as const, '>=' as const, '<=' as const, '=' as const),
          value: fc.oneof(
            fc.string({ maxLength: 8 }).map((text) => ({ kind: 'string' as const, text })),
            fc.oneof(fc.integer(), fc.constantFrom('99999999999999999999', '1.5', '-0', '007')).map((number) => ({ kind: 'number' as const, text: String(number) })),
            fc.boolean().map((value) => ({ kind: 'boolean' as const, value })),
            fc.constant({ kind: 'null' as const }),
          ),
        }), { minLength: 1, maxLength: 3 }),
      }));
      const paths = { customer: '/v1/customers/search', payment_intent: '/v1/payment_intents/search', charge: '/v1/charges/search', product: '/v1/products/search', price: '/v1/prices/search' };
      const statuses = { 200: 0, 400: 0 };
      await fc.assert(fc.asyncProperty(fieldOf, fc.string({ maxLength: 6 }), async ({ resource, clauses }, key) => {
        const query = printQuery({ combinator: 'and', clauses: clauses.map((clause) => ({ ...clause, ...(clause.field === 'metadata' ? { key } : {}), position: 0 })) });
        const response = await server.request('GET', `${paths[resource]}?query=${encodeURIComponent(query)}`, { key: server.account.secretKey });
        assert.ok(response.status === 200 || response.status === 400, `${resource} ${query}: ${response.status} ${response.text.slice(0, 300)}`);
        if (response.status === 400) assert.equal(response.json.error.param, 'query', `${query}: ${response.text}`);
        else assert.equal(response.json.object, 'search_result');
        statuses[response.status as 200 | 400] += 1;
      }), { numRuns: 150 });
      // Both kinds of answer were exercised (the random mix gives about 5-10% valid queries over 150 runs).
      assert.ok(statuses[200] >= 3 && statuses[400] >= 3, `answers: ${JSON.stringify(statuses)}`);
    });
  });

  describe('routing and bad queries', () => {
    it('serves /search instead of treating "search" as an id, and leaves retrieve by id alone', async () => {
      const customer = await stripe.customers.create({});
      assert.equal((await stripe.customers.retrieve(customer.id)).id, customer.id);
      const missingQuery = await server.request('GET', '/v1/customers/search', { key: server.account.secretKey });
      assert.equal(missingQuery.status, 400);
      assert.equal(missingQuery.json.error.code, 'parameter_missing');
      assert.equal(missingQuery.json.error.param, 'query');
      for (const path of ['/v1/payment_intents/search', '/v1/charges/search']) {
        const response = await server.request('GET', `${path}?query=${encodeURIComponent('amount>0')}&limit=1`, { key: server.account.secretKey });
        assert.equal(response.status, 200, path);
        assert.equal(response.json.object, 'search_result');
      }
      const trailing = await server.request('GET', '/v1/customers/search/?query=email%3A%22x%22', { key: server.account.secretKey });
      assert.equal(trailing.json.object, 'search_result');
    });

    it('answers a 400 on query that says what is wrong and where', async () => {
      const cases: [() => Promise<unknown>, RegExp][] = [
        [() => stripe.customers.search({ query: 'email:"a" AND name:"b" OR phone:"c"' }), /AND and OR cannot be combined.*character 24/],
        [() => stripe.customers.search({ query: 'description:"vip"' }), /customers cannot be searched by "description"/],
        [() => stripe.customers.search({ query: 'email:jenny@example.com' }), /must be quoted.*character 7/],
        [() => stripe.customers.search({ query: 'email:"unterminated' }), /missing its closing/],
        [() => stripe.paymentIntents.search({ query: 'status>"a"' }), /applies only to numeric fields/],
        [() => stripe.paymentIntents.search({ query: 'amount:"ten"' }), /whole number/],
        [() => stripe.charges.search({ query: 'payment_method_details.card_present.last4:"4242"' }), /charges cannot be searched by/],
        [() => stripe.charges.search({ query: Array.from({ length: 11 }, (_, index) => `amount:${index}`).join(' OR ') }), /at most 10 clauses/],
        [() => stripe.customers.search({ query: '' }), /./],
      ];
      for (const [call, pattern] of cases) {
        const error = await expectStripeError(call(), { class: invalidRequest, type: 'invalid_request_error', param: 'query', statusCode: 400 });
        assert.match(error.message, pattern);
      }
    });
  });
});
