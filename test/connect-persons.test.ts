import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Stripe from 'stripe';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * The Persons API of connected accounts (Stripe's /v1/accounts/:account/persons) through the official stripe SDK:
 * create, retrieve, update, list with relationship filters and pagination, delete; only the account's platform reaches
 * them; bad input is a Stripe-shaped 400 with nothing written; the id number is never echoed nor stored in clear.
 */

describe('persons of connected accounts through the stripe SDK', () => {
  let server: TestServer;
  let platform: TestAccount;
  let stripe: Stripe;
  let other: TestAccount;
  let company: Stripe.Account;

  before(async () => {
    server = await startTestServer();
    platform = server.account;
    stripe = platform.stripe;
    other = await server.createAccount('Other platform');
    company = await stripe.accounts.create({ type: 'custom', country: 'US', business_type: 'company', company: { name: 'Seller Inc' }, capabilities: { transfers: { requested: true } } });
  });
  after(async () => {
    await server.close();
  });

  async function personCount(accountId: string): Promise<number> {
    const result = await server.db.query<{ count: string }>('SELECT count(*) FROM connect_persons WHERE account_id = $1', [accountId]);
    return Number(result.rows[0].count);
  }

  it('creates a representative with its requirements, never echoing the id number, and records person.created', async () => {
    const person = await stripe.accounts.createPerson(company.id, {
      first_name: 'Jenny', last_name: 'Rosen', email: 'jenny@example.com', relationship: { representative: true, title: 'CEO', executive: true }, id_number: '000000000', metadata: { role: 'ceo' },
    });
    assert.match(person.id, /^person_/);
    assert.equal(person.object, 'person');
    assert.equal(person.account, company.id);
    assert.equal(person.id_number_provided, true);
    assert.equal(person.ssn_last_4_provided, true);
    assert.equal(person.relationship?.representative, true);
    assert.equal(person.relationship?.title, 'CEO');
    assert.equal(person.verification?.status, 'unverified');
    assert.ok(person.requirements?.currently_due.includes('dob.day'));
    assert.ok(!person.requirements?.currently_due.includes('first_name'));
    assert.equal(JSON.stringify(person).includes('000000000'), false);
    const stored = await server.db.query('SELECT * FROM connect_persons WHERE id = $1', [person.id]);
    assert.equal(JSON.stringify(stored.rows[0].details).includes('000000000'), false);
    assert.ok(Buffer.isBuffer(stored.rows[0].secrets_encrypted));
    assert.equal(stored.rows[0].secrets_encrypted.toString('latin1').includes('000000000'), false);
    const events = await stripe.events.list({ type: 'person.created' }, { stripeAccount: company.id });
    assert.equal(events.data[0].data.object && (events.data[0].data.object as Stripe.Person).id, person.id);
    assert.equal(JSON.stringify(events.data).includes('000000000'), false);

    const retrieved = await stripe.accounts.retrievePerson(company.id, person.id);
    assert.deepEqual(retrieved, person);

    const updated = await stripe.accounts.updatePerson(company.id, person.id, { dob: { day: 1, month: 1, year: 1902 }, address: { line1: 'address_full_match', city: 'San Francisco', state: 'CA', postal_code: '94111' }, phone: '+15555550100' });
    assert.equal(updated.verification?.status, 'verified');
    assert.deepEqual(updated.requirements?.currently_due, []);
    assert.equal(updated.metadata?.role, 'ceo');
    const updates = await stripe.events.list({ type: 'person.updated' }, { stripeAccount: company.id });
    assert.equal(updates.data.length, 1);
  });

  it("counts a company's representative toward the account's requirements, and leaves accounts without persons as they were", async () => {
    const account = await stripe.accounts.create({
      type: 'custom', country: 'US', business_type: 'company', company: { name: 'Rep Inc' }, capabilities: { transfers: { requested: true } },
    });
    const without = account.requirements?.currently_due ?? [];
    assert.equal(without.some((field) => field.startsWith('person_')), false);
    const representative = await stripe.accounts.createPerson(account.id, { first_name: 'Rita', last_name: 'Rep', relationship: { representative: true } });
    const withPerson = await stripe.accounts.retrieve(account.id);
    assert.ok(withPerson.requirements?.currently_due?.includes(`${representative.id}.dob.day`));
    assert.ok(withPerson.requirements?.currently_due?.includes(`${representative.id}.ssn_last_4`));
    assert.equal(withPerson.requirements?.currently_due?.includes(`${representative.id}.first_name`), false);
    assert.equal(withPerson.capabilities?.transfers, 'inactive');
    await stripe.accounts.updatePerson(account.id, representative.id, {
      dob: { day: 1, month: 1, year: 1902 }, id_number: '222222222', email: 'rita@example.com', phone: '+15555550100',
      address: { line1: 'address_full_match', city: 'San Francisco', state: 'CA', postal_code: '94111' },
    });
    const completed = await stripe.accounts.retrieve(account.id);
    assert.equal(completed.requirements?.currently_due?.some((field) => field.startsWith(representative.id)), false);
    await stripe.accounts.deletePerson(account.id, representative.id);
    assert.deepEqual((await stripe.accounts.retrieve(account.id)).requirements?.currently_due, without);
  });

  it('lists newest first with relationship filters and pagination', async () => {
    const account = await stripe.accounts.create({ type: 'custom', country: 'GB', business_type: 'company', capabilities: { transfers: { requested: true } } });
    const owner = await stripe.accounts.createPerson(account.id, { first_name: 'Owen', relationship: { owner: true, percent_ownership: 60 } });
    const director = await stripe.accounts.createPerson(account.id, { first_name: 'Dora', relationship: { director: true } });
    const both = await stripe.accounts.createPerson(account.id, { first_name: 'Bo', relationship: { owner: true, director: true } });
    const all = await stripe.accounts.listPersons(account.id);
    assert.deepEqual(all.data.map((person) => person.id), [both.id, director.id, owner.id]);
    const owners = await stripe.accounts.listPersons(account.id, { relationship: { owner: true } });
    assert.deepEqual(owners.data.map((person) => person.id), [both.id, owner.id]);
    const notDirectors = await stripe.accounts.listPersons(account.id, { relationship: { director: false } });
    assert.deepEqual(notDirectors.data.map((person) => person.id), [owner.id]);
    const first = await stripe.accounts.listPersons(account.id, { limit: 2 });
    assert.equal(first.has_more, true);
    const second = await stripe.accounts.listPersons(account.id, { limit: 2, starting_after: first.data[1].id });
    assert.deepEqual(second.data.map((person) => person.id), [owner.id]);
    assert.equal(second.has_more, false);
    const deleted = await stripe.accounts.deletePerson(account.id, director.id);
    assert.deepEqual({ id: deleted.id, object: deleted.object, deleted: deleted.deleted }, { id: director.id, object: 'person', deleted: true });
    assert.equal((await stripe.accounts.listPersons(account.id)).data.length, 2);
    assert.equal((await stripeErrorOf(stripe.accounts.retrievePerson(account.id, director.id))).code, 'resource_missing');
  });

  it('answers a foreign platform exactly as a missing id', async () => {
    const person = await stripe.accounts.createPerson(company.id, { first_name: 'Private' });
    const foreignAccount = await stripeErrorOf(other.stripe.accounts.retrievePerson(company.id, person.id));
    const unknownAccount = await stripeErrorOf(other.stripe.accounts.retrievePerson('acct_1NoSuchAccount0000000', person.id));
    assert.equal(foreignAccount.code, 'account_invalid');
    assert.equal(foreignAccount.statusCode, unknownAccount.statusCode);
    assert.equal(foreignAccount.message.replace(company.id, 'X'), unknownAccount.message.replace('acct_1NoSuchAccount0000000', 'X'));
    // The other platform's own connected account, naming this one's person: the same as an unknown person.
    const theirs = await other.stripe.accounts.create({ type: 'custom', country: 'US', capabilities: { transfers: { requested: true } } });
    const foreignPerson = await stripeErrorOf(other.stripe.accounts.retrievePerson(theirs.id, person.id));
    const unknownPerson = await stripeErrorOf(other.stripe.accounts.retrievePerson(theirs.id, 'person_1NoSuchPerson00000000'));
    assert.equal(foreignPerson.code, 'resource_missing');
    assert.deepEqual([foreignPerson.statusCode, foreignPerson.code, foreignPerson.param], [unknownPerson.statusCode, unknownPerson.code, unknownPerson.param]);
    assert.equal(foreignPerson.message.replace(person.id, 'X'), unknownPerson.message.replace('person_1NoSuchPerson00000000', 'X'));
    assert.equal((await stripeErrorOf(other.stripe.accounts.updatePerson(theirs.id, person.id, { first_name: 'Stolen' }))).code, 'resource_missing');
    assert.equal((await stripeErrorOf(other.stripe.accounts.deletePerson(theirs.id, person.id))).code, 'resource_missing');
    assert.equal((await stripe.accounts.retrievePerson(company.id, person.id)).first_name, 'Private');
    assert.deepEqual((await other.stripe.accounts.listPersons(theirs.id)).data, []);
  });

  it('refuses bad input with a Stripe-shaped 400 and writes nothing', async () => {
    const before = await personCount(company.id);
    const cases: [Stripe.AccountCreatePersonParams, string][] = [
      [{ ssn_last_4: '12' }, 'ssn_last_4'],
      [{ email: 'not-an-email' }, 'email'],
      [{ relationship: { percent_ownership: 101 } }, 'relationship[percent_ownership]'],
      [{ dob: { day: 40, month: 1, year: 1990 } }, 'dob[day]'],
    ];
    for (const [params, param] of cases) {
      const error = await stripeErrorOf(stripe.accounts.createPerson(company.id, params));
      assert.equal(error.statusCode, 400, param);
      assert.equal(error.type, 'StripeInvalidRequestError');
      assert.equal(error.param, param);
    }
    assert.equal(await personCount(company.id), before);
  });
});
