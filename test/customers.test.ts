import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

async function eventsFor(server: TestServer, accountId: string, objectId: string): Promise<{ type: string; data: any; request_id: string | null }[]> {
  const result = await server.db.query(
    "SELECT type, data, request_id FROM events WHERE account_id = $1 AND data->'object'->>'id' = $2 ORDER BY seq",
    [accountId, objectId],
  );
  return result.rows;
}

const fullAddress = { line1: '1 Market St', line2: 'Suite 200', city: 'San Francisco', state: 'CA', postal_code: '94105', country: 'US' };

describe('customers through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  it('creates a customer with every field and retrieves it unchanged', async () => {
    const customer = await stripe.customers.create({
      email: 'jenny.rosen@example.com',
      name: 'Jenny Rosen',
      phone: '+15555550123',
      description: 'A loyal customer',
      address: fullAddress,
      shipping: { name: 'Jenny at work', phone: '+15555550199', address: { line1: '500 Howard St', city: 'San Francisco', state: 'CA', postal_code: '94105', country: 'US' } },
      metadata: { order_id: '6735', tier: 'gold' },
    });
    assert.match(customer.id, /^cus_/);
    assert.equal(customer.object, 'customer');
    assert.equal(customer.email, 'jenny.rosen@example.com');
    assert.equal(customer.name, 'Jenny Rosen');
    assert.equal(customer.phone, '+15555550123');
    assert.equal(customer.description, 'A loyal customer');
    assert.deepEqual(customer.address, fullAddress);
    assert.equal(customer.shipping?.name, 'Jenny at work');
    assert.equal(customer.shipping?.phone, '+15555550199');
    assert.equal(customer.shipping?.address?.line1, '500 Howard St');
    assert.equal(customer.shipping?.address?.country, 'US');
    assert.deepEqual(customer.metadata, { order_id: '6735', tier: 'gold' });
    assert.equal(customer.livemode, false);
    assert.equal(typeof customer.created, 'number');
    assert.ok(Math.abs(customer.created - Date.now() / 1000) < 120);
    assert.equal(customer.balance, 0);
    assert.equal(customer.delinquent, false);

    const retrieved = await stripe.customers.retrieve(customer.id);
    assert.deepEqual(retrieved, customer);

    const stored = await server.db.query('SELECT email, name, metadata, deleted, account_id FROM customers WHERE id = $1', [customer.id]);
    assert.equal(stored.rows[0].email, 'jenny.rosen@example.com');
    assert.deepEqual(stored.rows[0].metadata, { order_id: '6735', tier: 'gold' });
    assert.equal(stored.rows[0].deleted, false);
    assert.equal(stored.rows[0].account_id, server.account.accountId);
  });

  it('creates a customer with no fields, all of them null', async () => {
    const customer = await stripe.customers.create();
    assert.equal(customer.email, null);
    assert.equal(customer.name, null);
    assert.equal(customer.phone, null);
    assert.equal(customer.description, null);
    assert.equal(customer.address, null);
    assert.equal(customer.shipping, null);
    assert.deepEqual(customer.metadata, {});
  });

  it('rejects invalid fields with the parameter named', async () => {
    await expectStripeError(stripe.customers.create({ email: 'not-an-email' }), { class: Stripe.errors.StripeInvalidRequestError, param: 'email', statusCode: 400 });
    await expectStripeError(stripe.customers.create({ address: { country: 'USA' } }), { class: Stripe.errors.StripeInvalidRequestError, param: 'address[country]', statusCode: 400 });
    await expectStripeError(
      stripe.customers.create({ shipping: { address: { line1: 'x' } } as Stripe.CustomerCreateParams.Shipping }),
      { class: Stripe.errors.StripeInvalidRequestError, code: 'parameter_missing', param: 'shipping[name]', statusCode: 400 },
    );
    await expectStripeError(stripe.customers.create({ nickname: 'x' } as Stripe.CustomerCreateParams), { class: Stripe.errors.StripeInvalidRequestError, code: 'parameter_unknown', param: 'nickname', statusCode: 400 });
  });

  it('updates fields, clears a field with an empty string and leaves the others alone', async () => {
    const customer = await stripe.customers.create({ email: 'a@example.com', name: 'Ann', phone: '+15555550100', description: 'first', address: fullAddress });
    const updated = await stripe.customers.update(customer.id, { name: 'Ann Lee', description: '' });
    assert.equal(updated.name, 'Ann Lee');
    assert.equal(updated.description, null);
    assert.equal(updated.email, 'a@example.com');
    assert.equal(updated.phone, '+15555550100');
    assert.deepEqual(updated.address, fullAddress);
    assert.equal(updated.created, customer.created);

    const cleared = await stripe.customers.update(customer.id, { address: '', email: '', phone: '' });
    assert.equal(cleared.address, null);
    assert.equal(cleared.email, null);
    assert.equal(cleared.phone, null);
    assert.equal(cleared.name, 'Ann Lee');

    const retrieved = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    assert.deepEqual(retrieved, cleared);
    const stored = await server.db.query('SELECT email, description, address FROM customers WHERE id = $1', [customer.id]);
    assert.deepEqual(stored.rows[0], { email: null, description: null, address: null });
  });

  it('merges metadata, unsets one key with an empty string and clears all with metadata=""', async () => {
    const customer = await stripe.customers.create({ metadata: { a: '1', b: '2' } });
    const merged = await stripe.customers.update(customer.id, { metadata: { b: '20', c: '3' } });
    assert.deepEqual(merged.metadata, { a: '1', b: '20', c: '3' });
    const unset = await stripe.customers.update(customer.id, { metadata: { a: '' } });
    assert.deepEqual(unset.metadata, { b: '20', c: '3' });
    const untouched = await stripe.customers.update(customer.id, { name: 'No metadata change' });
    assert.deepEqual(untouched.metadata, { b: '20', c: '3' });
    const clearedAll = await stripe.customers.update(customer.id, { metadata: '' });
    assert.deepEqual(clearedAll.metadata, {});
    const stored = await server.db.query('SELECT metadata FROM customers WHERE id = $1', [customer.id]);
    assert.deepEqual(stored.rows[0].metadata, {});
  });

  it('enforces the metadata limits', async () => {
    const tooMany: Record<string, string> = {};
    for (let index = 0; index < 51; index += 1) tooMany[`key${index}`] = 'v';
    await expectStripeError(stripe.customers.create({ metadata: tooMany }), { class: Stripe.errors.StripeInvalidRequestError, param: 'metadata', statusCode: 400 });
    await expectStripeError(stripe.customers.create({ metadata: { ['k'.repeat(41)]: 'v' } }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400 });
    await expectStripeError(stripe.customers.create({ metadata: { k: 'v'.repeat(501) } }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400 });
  });

  it('deletes a customer: retrieve shows deleted, update and delete again are 404', async () => {
    const customer = await stripe.customers.create({ email: 'gone@example.com', name: 'Gone' });
    const deleted = await stripe.customers.del(customer.id);
    assert.deepEqual(deleted, { id: customer.id, object: 'customer', deleted: true });

    const retrieved = await stripe.customers.retrieve(customer.id);
    assert.equal(retrieved.id, customer.id);
    assert.equal(retrieved.deleted, true);

    await expectStripeError(stripe.customers.update(customer.id, { name: 'Back' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(stripe.customers.del(customer.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });

    const stored = await server.db.query('SELECT deleted, name FROM customers WHERE id = $1', [customer.id]);
    assert.deepEqual(stored.rows[0], { deleted: true, name: 'Gone' });

    // A deleted customer no longer appears in lists, even filtered by its email.
    const listed = await stripe.customers.list({ email: 'gone@example.com' });
    assert.deepEqual(listed.data, []);
  });

  it('answers 404 for an unknown customer and for a customer of another account', async () => {
    await expectStripeError(stripe.customers.retrieve('cus_doesnotexist'), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'id', statusCode: 404 });
    const other = await server.createAccount('Other account');
    const theirs = await other.stripe.customers.create({ name: 'Theirs' });
    await expectStripeError(stripe.customers.retrieve(theirs.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(stripe.customers.update(theirs.id, { name: 'Mine now' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(stripe.customers.del(theirs.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    const stillThere = (await other.stripe.customers.retrieve(theirs.id)) as Stripe.Customer;
    assert.equal(stillThere.name, 'Theirs');
    assert.equal(stillThere.deleted, undefined);
  });

  it('records customer.created, customer.updated and customer.deleted events', async () => {
    const customer = await stripe.customers.create({ name: 'Evented', metadata: { step: 'one' } });
    const updated = await stripe.customers.update(customer.id, { name: 'Evented twice', metadata: { step: 'two' } });
    // An update that changes nothing is no state change and records no event.
    const unchanged = await stripe.customers.update(customer.id, { name: 'Evented twice', metadata: { step: 'two' } });
    assert.deepEqual(unchanged, updated);
    await stripe.customers.update(customer.id, {});
    await stripe.customers.del(customer.id);

    const events = await eventsFor(server, server.account.accountId, customer.id);
    assert.deepEqual(events.map((event) => event.type), ['customer.created', 'customer.updated', 'customer.deleted']);
    assert.deepEqual(events[0].data.object, customer);
    assert.deepEqual(events[1].data.object, updated);
    assert.deepEqual(events[1].data.previous_attributes, { name: 'Evented', metadata: { step: 'one' } });
    assert.equal(events[2].data.object.id, customer.id);
    assert.equal(events[2].data.object.name, 'Evented twice');

    const listed = await stripe.events.list({ type: 'customer.*', limit: 100 });
    const ours = listed.data.filter((event) => (event.data.object as { id: string }).id === customer.id);
    assert.deepEqual(ours.map((event) => event.type), ['customer.deleted', 'customer.updated', 'customer.created']);

    // Failed requests change nothing and so record nothing.
    await assert.rejects(stripe.customers.update(customer.id, { name: 'After deletion' }));
    assert.equal((await eventsFor(server, server.account.accountId, customer.id)).length, 3);
  });

  describe('lists', () => {
    let account: TestAccount;
    const created: Stripe.Customer[] = [];

    before(async () => {
      // A fresh account, so the list holds exactly these customers.
      account = await server.createAccount('List account');
      for (let index = 0; index < 25; index += 1) {
        created.push(await account.stripe.customers.create({ name: `Customer ${index}`, email: index % 5 === 0 ? 'shared@example.com' : `c${index}@example.com` }));
      }
    });

    it('lists newest first with a default page of 10', async () => {
      const page = await account.stripe.customers.list();
      assert.equal(page.object, 'list');
      assert.equal(page.url, '/v1/customers');
      assert.equal(page.data.length, 10);
      assert.equal(page.has_more, true);
      assert.deepEqual(page.data.map((customer) => customer.id), created.slice(-10).reverse().map((customer) => customer.id));
    });

    it('pages forward with starting_after and back with ending_before', async () => {
      const newestFirst = created.map((customer) => customer.id).reverse();
      const first = await account.stripe.customers.list({ limit: 7 });
      assert.deepEqual(first.data.map((c) => c.id), newestFirst.slice(0, 7));
      assert.equal(first.has_more, true);
      const second = await account.stripe.customers.list({ limit: 7, starting_after: first.data[6].id });
      assert.deepEqual(second.data.map((c) => c.id), newestFirst.slice(7, 14));
      assert.equal(second.has_more, true);
      const third = await account.stripe.customers.list({ limit: 7, starting_after: second.data[6].id });
      assert.deepEqual(third.data.map((c) => c.id), newestFirst.slice(14, 21));
      const last = await account.stripe.customers.list({ limit: 7, starting_after: third.data[6].id });
      assert.deepEqual(last.data.map((c) => c.id), newestFirst.slice(21, 25));
      assert.equal(last.has_more, false);

      // ending_before returns the page just newer than the cursor, still newest first.
      const back = await account.stripe.customers.list({ limit: 7, ending_before: last.data[0].id });
      assert.deepEqual(back.data.map((c) => c.id), newestFirst.slice(14, 21));
      assert.equal(back.has_more, true);
      const head = await account.stripe.customers.list({ limit: 7, ending_before: newestFirst[3] });
      assert.deepEqual(head.data.map((c) => c.id), newestFirst.slice(0, 3));
      assert.equal(head.has_more, false);

      const exact = await account.stripe.customers.list({ limit: 25 });
      assert.equal(exact.data.length, 25);
      assert.equal(exact.has_more, false);
    });

    it('auto-pagination in the SDK visits every customer once', async () => {
      const seen: string[] = [];
      for await (const customer of account.stripe.customers.list({ limit: 4 })) seen.push(customer.id);
      assert.deepEqual(seen, created.map((customer) => customer.id).reverse());
    });

    it('rejects bad list parameters', async () => {
      await expectStripeError(account.stripe.customers.list({ limit: 0 }), { class: Stripe.errors.StripeInvalidRequestError, param: 'limit', statusCode: 400 });
      await expectStripeError(account.stripe.customers.list({ limit: 101 }), { class: Stripe.errors.StripeInvalidRequestError, param: 'limit', statusCode: 400 });
      await expectStripeError(account.stripe.customers.list({ starting_after: 'cus_missing' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'starting_after', statusCode: 404 });
      await expectStripeError(
        account.stripe.customers.list({ starting_after: created[3].id, ending_before: created[5].id }),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'parameters_exclusive', statusCode: 400 },
      );
      // Another account's customer is not a valid cursor here.
      const foreign = await stripe.customers.create({ name: 'Foreign cursor' });
      await expectStripeError(account.stripe.customers.list({ starting_after: foreign.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    });

    it('filters by email', async () => {
      const shared = await account.stripe.customers.list({ email: 'shared@example.com' });
      assert.deepEqual(shared.data.map((c) => c.id), created.filter((_, index) => index % 5 === 0).map((c) => c.id).reverse());
      const one = await account.stripe.customers.list({ email: 'c7@example.com' });
      assert.deepEqual(one.data.map((c) => c.id), [created[7].id]);
      const none = await account.stripe.customers.list({ email: 'nobody@example.com' });
      assert.deepEqual(none.data, []);
      assert.equal(none.has_more, false);
      const paged = await account.stripe.customers.list({ email: 'shared@example.com', limit: 2 });
      assert.equal(paged.data.length, 2);
      assert.equal(paged.has_more, true);
      const rest = await account.stripe.customers.list({ email: 'shared@example.com', limit: 5, starting_after: paged.data[1].id });
      assert.deepEqual(rest.data.map((c) => c.id), [created[10].id, created[5].id, created[0].id]);
      assert.equal(rest.has_more, false);
    });

    it('filters by created', async () => {
      // Give the customers known creation times, 100 seconds apart, so the bounds are exact.
      const base = 1_700_000_000;
      for (let index = 0; index < created.length; index += 1) {
        await server.db.query('UPDATE customers SET created = $2 WHERE id = $1', [created[index].id, base + index * 100]);
      }
      const ids = (list: Stripe.ApiList<Stripe.Customer>) => list.data.map((c) => c.id);
      const newestFirst = (from: number, to: number) => created.slice(from, to).map((c) => c.id).reverse();

      assert.deepEqual(ids(await account.stripe.customers.list({ created: { gte: base + 2000 }, limit: 100 })), newestFirst(20, 25));
      assert.deepEqual(ids(await account.stripe.customers.list({ created: { gt: base + 2000 }, limit: 100 })), newestFirst(21, 25));
      assert.deepEqual(ids(await account.stripe.customers.list({ created: { lt: base + 300 }, limit: 100 })), newestFirst(0, 3));
      assert.deepEqual(ids(await account.stripe.customers.list({ created: { lte: base + 300 }, limit: 100 })), newestFirst(0, 4));
      assert.deepEqual(ids(await account.stripe.customers.list({ created: { gte: base + 500, lt: base + 800 }, limit: 100 })), newestFirst(5, 8));
      assert.deepEqual(ids(await account.stripe.customers.list({ created: base + 1200, limit: 100 })), [created[12].id]);
      assert.deepEqual(ids(await account.stripe.customers.list({ created: { gt: base + 1_000_000 } })), []);

      const firstPage = await account.stripe.customers.list({ created: { gte: base + 1000 }, limit: 10 });
      assert.deepEqual(ids(firstPage), newestFirst(15, 25));
      assert.equal(firstPage.has_more, true);
      const secondPage = await account.stripe.customers.list({ created: { gte: base + 1000 }, limit: 10, starting_after: firstPage.data[9].id });
      assert.deepEqual(ids(secondPage), newestFirst(10, 15));
      assert.equal(secondPage.has_more, false);

      await expectStripeError(
        account.stripe.customers.list({ created: { gte: 'yesterday' as unknown as number } }),
        { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400 },
      );
    });

    it('pages stably while customers are inserted concurrently: no duplicates, no skips', async () => {
      const preExisting = created.map((customer) => customer.id);
      const seen: string[] = [];
      const inserted: string[] = [];
      let cursor: string | undefined;
      for (let pageNumber = 0; pageNumber < 20; pageNumber += 1) {
        const [page, ...fresh] = await Promise.all([
          account.stripe.customers.list({ limit: 4, ...(cursor ? { starting_after: cursor } : {}) }),
          account.stripe.customers.create({ name: `Concurrent ${pageNumber}a` }),
          account.stripe.customers.create({ name: `Concurrent ${pageNumber}b` }),
        ]);
        inserted.push(...fresh.map((customer) => customer.id));
        seen.push(...page.data.map((customer) => customer.id));
        if (!page.has_more) break;
        cursor = page.data[page.data.length - 1].id;
      }
      assert.equal(new Set(seen).size, seen.length, 'no customer appears twice');
      for (const id of preExisting) assert.ok(seen.includes(id), `pre-existing customer ${id} was skipped`);
      // Past the first page, only customers older than the cursor appear: the concurrent inserts land at the head.
      const firstPageSize = 4;
      for (const id of seen.slice(firstPageSize)) assert.ok(preExisting.includes(id), `${id} appeared after the first page`);
      // What was seen is in strictly newest-first order.
      const order = await server.db.query<{ id: string; seq: string }>('SELECT id, seq FROM customers WHERE id = ANY($1)', [seen]);
      const seqOf = new Map(order.rows.map((row) => [row.id, Number(row.seq)]));
      for (let index = 1; index < seen.length; index += 1) assert.ok(seqOf.get(seen[index - 1])! > seqOf.get(seen[index])!);
      assert.ok(inserted.length >= 2);

      // Deleting customers while paging does not skip the remaining ones either.
      const before = await account.stripe.customers.list({ limit: 100 });
      const all = before.data.map((customer) => customer.id);
      const firstPage = await account.stripe.customers.list({ limit: 5 });
      await account.stripe.customers.del(firstPage.data[4].id);
      await account.stripe.customers.del(all[7]);
      const next = await account.stripe.customers.list({ limit: 5, starting_after: firstPage.data[4].id });
      assert.deepEqual(next.data.map((customer) => customer.id), [all[5], all[6], all[8], all[9], all[10]]);
    });
  });
});
