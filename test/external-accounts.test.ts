import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;
const usNumber = '000123456789';
const iban = 'DE89370400440532013000';

describe('external accounts (bank accounts) through the official stripe SDK', () => {
  let server: TestServer;
  let account: TestAccount;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    account = server.account;
    stripe = account.stripe;
  });
  after(async () => {
    await server.close();
  });

  function usAccount(accountNumber = usNumber, extra: Record<string, unknown> = {}) {
    return { external_account: { object: 'bank_account' as const, country: 'US', currency: 'usd', account_number: accountNumber, routing_number: '110000000', account_holder_name: 'Jenny Rosen', account_holder_type: 'individual' as const }, ...extra };
  }

  async function eventsFor(id: string): Promise<{ type: string; data: string }[]> {
    const result = await server.db.query("SELECT type, data::text AS data FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq", [id]);
    return result.rows;
  }

  it('adds a US bank account: Stripe bank_account object, first of its currency is the default, number stored only encrypted', async () => {
    const created = await stripe.accounts.createExternalAccount(account.accountId, { ...usAccount(), metadata: { purpose: 'payouts' } }) as Stripe.BankAccount;
    assert.match(created.id, /^ba_/);
    assert.equal(created.object, 'bank_account');
    assert.equal(created.account, account.accountId);
    assert.equal(created.country, 'US');
    assert.equal(created.currency, 'usd');
    assert.equal(created.last4, '6789');
    assert.equal(created.routing_number, '110000000');
    assert.equal(created.account_holder_name, 'Jenny Rosen');
    assert.equal(created.account_holder_type, 'individual');
    assert.equal(created.default_for_currency, true);
    assert.equal(created.status, 'new');
    assert.equal(created.bank_name, 'STRIPE TEST BANK');
    assert.deepEqual(created.metadata, { purpose: 'payouts' });
    assert.match(created.fingerprint!, /^[A-Za-z0-9_-]{16}$/);
    assert.ok(!JSON.stringify(created).includes(usNumber), 'the response never carries the account number');

    const stored = await server.db.query('SELECT * FROM external_accounts WHERE id = $1', [created.id]);
    const row = stored.rows[0];
    for (const [column, value] of Object.entries(row)) {
      if (column === 'account_number_encrypted') continue;
      assert.ok(!JSON.stringify(value).includes('123456789'), `column ${column} holds no part of the number beyond last4`);
    }
    assert.ok(Buffer.isBuffer(row.account_number_encrypted));
    assert.ok(!row.account_number_encrypted.toString('latin1').includes(usNumber), 'the number is encrypted at rest');
    const events = await eventsFor(created.id);
    assert.deepEqual(events.map((event) => event.type), ['account.external_account.created']);
    assert.ok(!events[0].data.includes(usNumber));

    const retrieved = await stripe.accounts.retrieveExternalAccount(account.accountId, created.id) as Stripe.BankAccount;
    assert.deepEqual(JSON.parse(JSON.stringify(retrieved)), JSON.parse(JSON.stringify(created)));
  });

  it('gives the same fingerprint to the same account number and another to a different one', async () => {
    const other = await server.createAccount('fingerprints');
    const first = await other.stripe.accounts.createExternalAccount(other.accountId, usAccount()) as Stripe.BankAccount;
    const same = await other.stripe.accounts.createExternalAccount(other.accountId, usAccount()) as Stripe.BankAccount;
    const different = await other.stripe.accounts.createExternalAccount(other.accountId, usAccount('000111111116')) as Stripe.BankAccount;
    assert.equal(first.fingerprint, same.fingerprint);
    assert.notEqual(first.fingerprint, different.fingerprint);
    assert.equal(first.default_for_currency, true);
    assert.equal(same.default_for_currency, false);
  });

  it('adds an IBAN account in euros and keeps defaults per currency', async () => {
    const other = await server.createAccount('iban');
    const euro = await other.stripe.accounts.createExternalAccount(other.accountId, {
      external_account: { object: 'bank_account', country: 'DE', currency: 'eur', account_number: 'DE89 3704 0044 0532 0130 00', account_holder_name: 'Max Muster', account_holder_type: 'company' },
    }) as Stripe.BankAccount;
    assert.equal(euro.country, 'DE');
    assert.equal(euro.currency, 'eur');
    assert.equal(euro.last4, '3000');
    assert.equal(euro.routing_number, null);
    assert.equal(euro.default_for_currency, true);
    const dollars = await other.stripe.accounts.createExternalAccount(other.accountId, usAccount()) as Stripe.BankAccount;
    assert.equal(dollars.default_for_currency, true, 'the first usd account is the usd default, independent of eur');
    const row = (await server.db.query('SELECT account_number_encrypted FROM external_accounts WHERE id = $1', [euro.id])).rows[0];
    assert.ok(!row.account_number_encrypted.toString('latin1').includes(iban));
  });

  it('refuses a bad IBAN checksum, a wrong IBAN length and a bad routing checksum with Stripe-shaped 400s', async () => {
    await expectStripeError(stripe.accounts.createExternalAccount(account.accountId, {
      external_account: { object: 'bank_account', country: 'DE', currency: 'eur', account_number: 'DE89370400440532013001' },
    }), { class: invalidRequest, statusCode: 400, type: 'invalid_request_error', code: 'account_number_invalid', param: 'external_account[account_number]' });
    await expectStripeError(stripe.accounts.createExternalAccount(account.accountId, {
      external_account: { object: 'bank_account', country: 'DE', currency: 'eur', account_number: 'DE8937040044053201300' },
    }), { class: invalidRequest, statusCode: 400, code: 'account_number_invalid', param: 'external_account[account_number]' });
    await expectStripeError(stripe.accounts.createExternalAccount(account.accountId, {
      external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: usNumber, routing_number: '110000001' },
    }), { class: invalidRequest, statusCode: 400, code: 'routing_number_invalid', param: 'external_account[routing_number]' });
    await expectStripeError(stripe.accounts.createExternalAccount(account.accountId, {
      external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: '12', routing_number: '110000000' },
    }), { class: invalidRequest, statusCode: 400, code: 'account_number_invalid', param: 'external_account[account_number]' });
    await expectStripeError(stripe.accounts.createExternalAccount(account.accountId, {
      external_account: { object: 'bank_account', country: 'BR', currency: 'brl', account_number: '12345678' },
    }), { class: invalidRequest, statusCode: 400, code: 'country_unsupported', param: 'external_account[country]' });
    await expectStripeError(stripe.accounts.createExternalAccount(account.accountId, {
      external_account: { object: 'bank_account', country: 'US', account_number: usNumber },
    } as Stripe.AccountCreateExternalAccountParams), { class: invalidRequest, statusCode: 400, code: 'parameter_missing', param: 'external_account[routing_number]' });
    const count = await server.db.query('SELECT count(*)::int AS count FROM external_accounts WHERE account_id = $1', [account.accountId]);
    assert.equal(count.rows[0].count, 1, 'nothing was stored by the refused requests');
  });

  it("refuses another account's id in the path", async () => {
    const other = await server.createAccount('other');
    await expectStripeError(stripe.accounts.createExternalAccount(other.accountId, usAccount()), { class: Stripe.errors.StripeError, statusCode: 403, code: 'account_invalid', param: 'account' });
    await expectStripeError(stripe.accounts.listExternalAccounts(other.accountId), { class: Stripe.errors.StripeError, statusCode: 403, code: 'account_invalid' });
  });

  it('updates holder details and metadata, moves the default with default_for_currency, lists and filters', async () => {
    const other = await server.createAccount('updates');
    const first = await other.stripe.accounts.createExternalAccount(other.accountId, usAccount()) as Stripe.BankAccount;
    const second = await other.stripe.accounts.createExternalAccount(other.accountId, usAccount('000111111113')) as Stripe.BankAccount;
    const updated = await other.stripe.accounts.updateExternalAccount(other.accountId, second.id, {
      account_holder_name: 'Acme Inc', account_holder_type: 'company', metadata: { a: '1' }, default_for_currency: true,
    }) as Stripe.BankAccount;
    assert.equal(updated.account_holder_name, 'Acme Inc');
    assert.equal(updated.account_holder_type, 'company');
    assert.deepEqual(updated.metadata, { a: '1' });
    assert.equal(updated.default_for_currency, true);
    const firstAfter = await other.stripe.accounts.retrieveExternalAccount(other.accountId, first.id) as Stripe.BankAccount;
    assert.equal(firstAfter.default_for_currency, false);
    const [event] = await eventsFor(second.id).then((events) => events.filter((entry) => entry.type === 'account.external_account.updated'));
    assert.deepEqual(JSON.parse(event.data).previous_attributes, { account_holder_name: 'Jenny Rosen', account_holder_type: 'individual', default_for_currency: false, metadata: { a: null } });

    const list = await other.stripe.accounts.listExternalAccounts(other.accountId, { object: 'bank_account', limit: 1 });
    assert.equal(list.data.length, 1);
    assert.equal(list.has_more, true);
    assert.equal(list.data[0].id, second.id);
    const all = await other.stripe.accounts.listExternalAccounts(other.accountId);
    assert.deepEqual(all.data.map((entry) => entry.id), [second.id, first.id]);
    const cards = await other.stripe.accounts.listExternalAccounts(other.accountId, { object: 'card' });
    assert.deepEqual(cards.data, []);
  });

  it('deletes a bank account, but not the default of the default currency', async () => {
    const other = await server.createAccount('deletes');
    const first = await other.stripe.accounts.createExternalAccount(other.accountId, usAccount()) as Stripe.BankAccount;
    const second = await other.stripe.accounts.createExternalAccount(other.accountId, usAccount('000222222227')) as Stripe.BankAccount;
    await expectStripeError(other.stripe.accounts.deleteExternalAccount(other.accountId, first.id), { class: invalidRequest, statusCode: 400, code: 'default_external_account_deletion' });
    const deleted = await other.stripe.accounts.deleteExternalAccount(other.accountId, second.id);
    assert.equal(deleted.id, second.id);
    assert.equal(deleted.deleted, true);
    assert.equal(deleted.object, 'bank_account');
    await expectStripeError(other.stripe.accounts.retrieveExternalAccount(other.accountId, second.id), { class: invalidRequest, statusCode: 404, code: 'resource_missing' });
    const list = await other.stripe.accounts.listExternalAccounts(other.accountId);
    assert.deepEqual(list.data.map((entry) => entry.id), [first.id]);
    // A non-default-currency default that is alone in its currency may go.
    const euro = await other.stripe.accounts.createExternalAccount(other.accountId, { external_account: { object: 'bank_account', country: 'NL', account_number: 'NL91ABNA0417164300' } }) as Stripe.BankAccount;
    assert.equal(euro.currency, 'eur');
    assert.equal((await other.stripe.accounts.deleteExternalAccount(other.accountId, euro.id)).deleted, true);
    assert.deepEqual((await eventsFor(second.id)).map((event) => event.type), ['account.external_account.created', 'account.external_account.deleted']);
  });

  it('makes exactly one default when the first accounts of a currency are added concurrently', async () => {
    const other = await server.createAccount('concurrent defaults');
    const created = await Promise.all(Array.from({ length: 6 }, () => other.stripe.accounts.createExternalAccount(other.accountId, usAccount()) as Promise<Stripe.BankAccount>));
    assert.equal(created.filter((entry) => entry.default_for_currency).length, 1);
  });
});
