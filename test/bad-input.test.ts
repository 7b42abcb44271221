import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { stripeErrorOf as sdkError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Every bad input gets a Stripe-shaped 4xx error ({error: {type, code, message, param?}}), never a 5xx, and leaves
 * no trace in the database. Raw HTTP is used where the SDK would refuse to send the input or would encode it away.
 */

type RawResponse = Awaited<ReturnType<TestServer['request']>>;

const formType = 'application/x-www-form-urlencoded';
const jsonType = 'application/json';
// Stripe's error types (API 2024-04-10): authentication and permission failures are invalid_request_error with 401/403.
const errorTypes = new Set(['api_error', 'card_error', 'idempotency_error', 'invalid_request_error']);
/** Tables whose row counts must not move while bad input is thrown at the API. */
const domainTables = ['customers', 'payment_methods', 'payment_intents', 'charges', 'refunds', 'events'] as const;

interface Expected {
  type?: string;
  code?: string;
  /** A string to match exactly, or null to require that no param is present. */
  param?: string | null;
}

/** Asserts a Stripe error envelope with the given status (and code/param/type when given). */
function assertError(response: RawResponse, status: number, expected: Expected = {}): { type: string; code?: string; message: string; param?: string } {
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${response.text.slice(0, 500)}`);
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  assert.ok(response.json && typeof response.json === 'object' && response.json.error && typeof response.json.error === 'object', `no error envelope: ${response.text.slice(0, 500)}`);
  const error = response.json.error;
  assert.ok(errorTypes.has(error.type), `unknown error type ${error.type}`);
  assert.equal(typeof error.message, 'string');
  assert.ok(error.message.length > 0);
  assert.equal(typeof error.code, 'string', `error without code: ${response.text}`);
  if (expected.type !== undefined) assert.equal(error.type, expected.type, response.text);
  if (expected.code !== undefined) assert.equal(error.code, expected.code, response.text);
  if (expected.param === null) assert.equal(error.param, undefined, response.text);
  else if (expected.param !== undefined) assert.equal(error.param, expected.param, response.text);
  return error;
}

function assertInvalidRequest(error: Stripe.errors.StripeError, statusCode: number, code: string, param?: string): void {
  assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError, `expected StripeInvalidRequestError, got ${error.type}: ${error.message}`);
  assert.equal(error.statusCode, statusCode, error.message);
  assert.equal(error.rawType, 'invalid_request_error');
  assert.equal(error.code, code, error.message);
  if (param !== undefined) assert.equal(error.param, param, error.message);
}

describe('bad input', () => {
  let server: TestServer;
  let stripe: Stripe;
  let key: string;
  let countsBefore: Record<string, number>;
  let intentId: string;
  let chargeId: string;
  let customerId: string;
  let fullCustomerId: string;
  let paymentMethodId: string;

  const post = (path: string, body: string | Buffer, options: { contentType?: string; headers?: Record<string, string> } = {}) =>
    server.request('POST', path, { key, body, contentType: options.contentType ?? formType, headers: options.headers });
  const get = (path: string) => server.request('GET', path, { key });

  async function tableCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of domainTables) counts[table] = Number((await server.db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    return counts;
  }

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    key = server.account.secretKey;
    // A few real objects so that paths with real ids and list cursors have something to find.
    const customer = await stripe.customers.create({ email: 'buyer@example.com' });
    customerId = customer.id;
    const intent = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    assert.equal(intent.status, 'succeeded');
    intentId = intent.id;
    chargeId = intent.latest_charge as string;
    paymentMethodId = (await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2040 } })).id;
    // Exactly at the metadata limits is fine: 50 keys of 40 characters with 500-character values.
    const atLimit: Record<string, string> = {};
    for (let index = 0; index < 50; index += 1) atLimit[`${String(index).padStart(2, '0')}${'k'.repeat(38)}`] = 'v'.repeat(500);
    fullCustomerId = (await stripe.customers.create({ metadata: atLimit })).id;
    countsBefore = await tableCounts();
  });

  after(async () => {
    await server?.close();
  });

  describe('wrong types', () => {
    it('rejects non-integer amounts in form bodies', async () => {
      for (const body of ['amount=abc&currency=usd', 'amount=1.5&currency=usd', 'amount=1e3&currency=usd', 'amount=%201000&currency=usd', 'amount=&currency=usd', 'amount=0x10&currency=usd']) {
        assertError(await post('/v1/payment_intents', body), 400, { type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'amount' });
      }
    });

    it('rejects arrays and objects where an integer is expected', async () => {
      assertError(await post('/v1/payment_intents', 'amount[]=1&currency=usd'), 400, { code: 'parameter_invalid_integer', param: 'amount' });
      assertError(await post('/v1/payment_intents', 'amount[x]=1&currency=usd'), 400, { code: 'parameter_invalid_integer', param: 'amount' });
      assertError(await post('/v1/payment_intents', 'amount[0]=1&amount[1]=2&currency=usd'), 400, { code: 'parameter_invalid_integer', param: 'amount' });
    });

    it('rejects wrongly typed JSON values', async () => {
      for (const amount of ['"abc"', '1.5', '[1]', '{"x":1}', 'true', 'null']) {
        const response = await post('/v1/payment_intents', `{"amount":${amount},"currency":"usd"}`, { contentType: jsonType });
        assertError(response, 400, { code: 'parameter_invalid_integer', param: 'amount' });
      }
      assertError(await post('/v1/payment_intents', '{"amount":1000,"currency":840}', { contentType: jsonType }), 400, { param: 'currency' });
      assertError(await post('/v1/payment_intents', '{"amount":1000,"currency":["usd"]}', { contentType: jsonType }), 400, { code: 'invalid_value', param: 'currency' });
      assertError(await post('/v1/customers', '{"address":"somewhere"}', { contentType: jsonType }), 400, { code: 'invalid_value', param: 'address' });
      assertError(await post('/v1/customers', '{"address":{"city":{"name":"x"}}}', { contentType: jsonType }), 400, { code: 'invalid_value', param: 'address[city]' });
    });

    it('rejects a boolean that is not true or false', async () => {
      assertError(await post('/v1/payment_intents', 'amount=1000&currency=usd&confirm=maybe'), 400, { code: 'invalid_value', param: 'confirm' });
      assertError(await post('/v1/payment_intents', 'amount=1000&currency=usd&confirm=1'), 400, { code: 'invalid_value', param: 'confirm' });
      assertError(await post('/v1/payment_intents', '{"amount":1000,"currency":"usd","confirm":"yes"}', { contentType: jsonType }), 400, { code: 'invalid_value', param: 'confirm' });
      const error = await sdkError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: 'maybe' as unknown as boolean }));
      assertInvalidRequest(error, 400, 'invalid_value', 'confirm');
    });

    it('rejects an enumeration value outside its set', async () => {
      const error = await sdkError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', capture_method: 'later' as 'manual' }));
      assertInvalidRequest(error, 400, 'invalid_value', 'capture_method');
    });

    it('rejects metadata that is not an object of strings', async () => {
      assertError(await post('/v1/customers', 'metadata=string'), 400, { code: 'invalid_metadata', param: 'metadata' });
      assertError(await post('/v1/customers', 'metadata[]=a'), 400, { code: 'invalid_metadata', param: 'metadata' });
      assertError(await post('/v1/customers', 'metadata[a][b]=c'), 400, { code: 'invalid_metadata', param: 'metadata[a]' });
      assertError(await post('/v1/customers', '{"metadata":["a"]}', { contentType: jsonType }), 400, { code: 'invalid_metadata', param: 'metadata' });
      assertError(await post('/v1/customers', '{"metadata":{"a":{"b":"c"}}}', { contentType: jsonType }), 400, { code: 'invalid_metadata', param: 'metadata[a]' });
      assertError(await post('/v1/customers', '{"metadata":7}', { contentType: jsonType }), 400, { code: 'invalid_metadata', param: 'metadata' });
      const brackets = assertError(await post('/v1/customers', 'metadata[a[b]=c'), 400, { code: 'invalid_metadata' });
      assert.match(brackets.param ?? '', /^metadata\[/);
    });

    it('rejects expand given as a string instead of an array', async () => {
      assertError(await get(`/v1/payment_intents/${intentId}?expand=latest_charge`), 400, { code: 'invalid_value', param: 'expand' });
      assertError(await post('/v1/customers', 'expand=address'), 400, { code: 'invalid_value', param: 'expand' });
      assertError(await post('/v1/customers', '{"expand":"address"}', { contentType: jsonType }), 400, { code: 'invalid_value', param: 'expand' });
      assertError(await get(`/v1/payment_intents/${intentId}?expand[0][x]=latest_charge`), 400, { code: 'invalid_value', param: 'expand[0]' });
      assertError(await get(`/v1/payment_intents/${intentId}?expand[]=nothing_here`), 400, { code: 'invalid_expand', param: 'expand[0]' });
      // Names of Object.prototype's members are not fields (one gave a 500, found by the hostile-input fuzz).
      for (const name of ['__proto__', 'constructor', 'toString', 'data.__proto__', 'latest_charge.__proto__']) {
        assertError(await get(`/v1/payment_intents/${intentId}?expand[]=${name}`), 400, { code: 'invalid_expand', param: 'expand[0]' });
        assertError(await get(`/v1/customers/${customerId}?expand[]=${name}`), 400, { code: 'invalid_expand', param: 'expand[0]' });
      }
    });

    it('rejects wrongly typed card fields', async () => {
      const error = await sdkError(stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 'twelve' as unknown as number, exp_year: 2040 } }));
      assertInvalidRequest(error, 400, 'parameter_invalid_integer', 'card[exp_month]');
      assertError(await post('/v1/payment_methods', 'type=card&card=4242424242424242'), 400, { code: 'invalid_value', param: 'card' });
    });
  });

  describe('missing parameters', () => {
    it('names the missing required parameter', async () => {
      assertInvalidRequest(await sdkError(stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams)), 400, 'parameter_missing', 'amount');
      assertInvalidRequest(await sdkError(stripe.paymentIntents.create({ amount: 1000 } as Stripe.PaymentIntentCreateParams)), 400, 'parameter_missing', 'currency');
      assertInvalidRequest(await sdkError(stripe.paymentMethods.create({ type: 'card', card: { exp_month: 12, exp_year: 2040 } as Stripe.PaymentMethodCreateParams.Card })), 400, 'parameter_missing', 'card[number]');
      assertInvalidRequest(await sdkError(stripe.paymentMethods.create({ card: { number: '4242424242424242', exp_month: 12, exp_year: 2040 } } as Stripe.PaymentMethodCreateParams)), 400, 'parameter_missing', 'type');
      assertInvalidRequest(await sdkError(stripe.paymentMethods.create({ type: 'card' })), 400, 'parameter_missing', 'card');
      assertInvalidRequest(await sdkError(stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_year: 2040 } as Stripe.PaymentMethodCreateParams.Card })), 400, 'parameter_missing', 'card[exp_month]');
      assertInvalidRequest(await sdkError(stripe.paymentMethods.attach(paymentMethodId, {} as Stripe.PaymentMethodAttachParams)), 400, 'parameter_missing', 'customer');
      // GET /v1/payment_methods without customer lists the account's PaymentMethods, as at Stripe (test/stripe-operations.test.ts).
      assertInvalidRequest(await sdkError(stripe.refunds.create({})), 400, 'parameter_missing', 'charge');
      assertInvalidRequest(await sdkError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true })), 400, 'parameter_missing', 'payment_method');
    });

    it('treats an empty body on create as missing parameters', async () => {
      assertError(await post('/v1/payment_intents', ''), 400, { code: 'parameter_missing', param: 'amount' });
      assertError(await post('/v1/payment_intents', '', { contentType: jsonType }), 400, { code: 'parameter_missing', param: 'amount' });
      assertError(await post('/v1/payment_intents', '{}', { contentType: jsonType }), 400, { code: 'parameter_missing', param: 'amount' });
      assertError(await server.request('POST', '/v1/payment_intents', { key }), 400, { code: 'parameter_missing', param: 'amount' });
      assertError(await post('/v1/payment_methods', ''), 400, { code: 'parameter_missing', param: 'type' });
    });
  });

  describe('unknown parameters', () => {
    it('names an unknown top-level parameter', async () => {
      assertInvalidRequest(await sdkError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', colour: 'blue' } as Stripe.PaymentIntentCreateParams)), 400, 'parameter_unknown', 'colour');
      assertInvalidRequest(await sdkError(stripe.customers.list({ sort: 'name' } as Stripe.CustomerListParams)), 400, 'parameter_unknown', 'sort');
      assertError(await post('/v1/customers', '{"nme":"typo"}', { contentType: jsonType }), 400, { code: 'parameter_unknown', param: 'nme' });
      assertError(await post(`/v1/payment_intents/${intentId}/cancel`, 'reason=duplicate'), 400, { code: 'parameter_unknown', param: 'reason' });
      assertError(await get(`/v1/charges/${chargeId}?include=all`), 400, { code: 'parameter_unknown', param: 'include' });
    });

    it('names unknown nested parameters in bracket notation', async () => {
      const card = { number: '4242424242424242', exp_month: 12, exp_year: 2040, foo: 'bar' };
      assertInvalidRequest(await sdkError(stripe.paymentMethods.create({ type: 'card', card } as Stripe.PaymentMethodCreateParams)), 400, 'parameter_unknown', 'card[foo]');
      const billing = { address: { line1: '1 Main St', zip: '12345' } };
      assertInvalidRequest(
        await sdkError(stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2040 }, billing_details: billing } as Stripe.PaymentMethodCreateParams)),
        400, 'parameter_unknown', 'billing_details[address][zip]',
      );
      assertError(await post('/v1/customers', 'shipping[name]=A&shipping[address][line1]=x&shipping[address][planet]=Mars'), 400, { code: 'parameter_unknown', param: 'shipping[address][planet]' });
      assertError(await get('/v1/charges?created[foo]=1'), 400, { code: 'parameter_unknown', param: 'created[foo]' });
    });
  });

  describe('huge values', () => {
    it('rejects amounts beyond any integer or the maximum', async () => {
      assertError(await post('/v1/payment_intents', 'amount=100000000000000000000&currency=usd'), 400, { code: 'parameter_invalid_integer', param: 'amount' });
      assertError(await post('/v1/payment_intents', '{"amount":100000000000000000000,"currency":"usd"}', { contentType: jsonType }), 400, { code: 'parameter_invalid_integer', param: 'amount' });
      assertError(await post('/v1/payment_intents', '{"amount":1e400,"currency":"usd"}', { contentType: jsonType }), 400, { code: 'parameter_invalid_integer', param: 'amount' });
      // 16 digits: a safe integer, but above the maximum amount (Stripe's amount_too_large); 17 digits: not even a safe integer.
      assertError(await post('/v1/payment_intents', 'amount=1234567890123456&currency=usd'), 400, { code: 'amount_too_large', param: 'amount' });
      assertError(await post('/v1/payment_intents', 'amount=100000000&currency=usd'), 400, { code: 'amount_too_large', param: 'amount' });
      assertError(await post('/v1/payment_intents', 'amount=9999999999999999&currency=usd'), 400, { code: 'parameter_invalid_integer', param: 'amount' });
      assertError(await post('/v1/payment_intents', `amount=${'9'.repeat(400)}&currency=usd`), 400, { code: 'parameter_invalid_integer', param: 'amount' });
      assertError(await post('/v1/payment_intents', 'amount=-5&currency=usd'), 400, { param: 'amount' });
      assertError(await post(`/v1/payment_intents/${intentId}/capture`, 'amount_to_capture=99999999999999999999'), 400, { code: 'parameter_invalid_integer', param: 'amount_to_capture' });
      assertError(await post('/v1/refunds', `charge=${chargeId}&amount=18446744073709551617`), 400, { code: 'parameter_invalid_integer', param: 'amount' });
      assertError(await get('/v1/charges?limit=99999999999999999999'), 400, { code: 'parameter_invalid_integer', param: 'limit' });
      assertError(await get('/v1/charges?created=99999999999999999999'), 400, { code: 'parameter_invalid_integer', param: 'created' });
    });

    it('rejects long digit strings in card fields with a card or parameter error', async () => {
      const error = await sdkError(stripe.paymentMethods.create({ type: 'card', card: { number: '4'.repeat(30), exp_month: 12, exp_year: 2040 } }));
      assert.ok(error instanceof Stripe.errors.StripeCardError);
      assert.equal(error.code, 'invalid_number');
      assert.equal(error.param, 'card[number]');
      assertError(await post('/v1/payment_methods', `type=card&card[number]=${'4'.repeat(41)}&card[exp_month]=12&card[exp_year]=2040`), 400, { code: 'invalid_string_length', param: 'card[number]' });
      assertError(await post('/v1/payment_methods', 'type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=20400000000000000000'), 400, { code: 'parameter_invalid_integer', param: 'card[exp_year]' });
    });

    it('answers 413 to a 1 MB body', async () => {
      const big = 'description=' + 'a'.repeat(1024 * 1024);
      assertError(await post('/v1/customers', big), 413, { type: 'invalid_request_error', code: 'request_too_large' });
      assertError(await post('/v1/customers', JSON.stringify({ description: 'a'.repeat(1024 * 1024) }), { contentType: jsonType }), 413, { code: 'request_too_large' });
    });

    it('rejects strings over their maximum length', async () => {
      assertInvalidRequest(await sdkError(stripe.customers.create({ description: 'd'.repeat(5001) })), 400, 'invalid_string_length', 'description');
      assertInvalidRequest(await sdkError(stripe.customers.create({ name: 'n'.repeat(257) })), 400, 'invalid_string_length', 'name');
      assertInvalidRequest(await sdkError(stripe.customers.create({ address: { city: 'c'.repeat(201) } })), 400, 'invalid_string_length', 'address[city]');
      assertInvalidRequest(await sdkError(stripe.paymentIntents.create({ amount: 1000, currency: 'usdollars' })), 400, 'invalid_string_length', 'currency');
      assertInvalidRequest(await sdkError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', statement_descriptor: 's'.repeat(23) })), 400, 'invalid_string_length', 'statement_descriptor');
      assertInvalidRequest(await sdkError(stripe.paymentIntents.retrieve(intentId, { expand: ['x'.repeat(201)] })), 400, 'invalid_string_length', 'expand[0]');
      assertInvalidRequest(await sdkError(stripe.customers.list({ starting_after: 'cus_' + 'x'.repeat(300) })), 400, 'invalid_string_length', 'starting_after');
    });

    it('rejects metadata over the limits with invalid_metadata naming the parameter', async () => {
      const tooMany: Record<string, string> = {};
      for (let index = 0; index < 51; index += 1) tooMany[`key${index}`] = 'value';
      assertInvalidRequest(await sdkError(stripe.customers.create({ metadata: tooMany })), 400, 'invalid_metadata', 'metadata');
      const longKey = 'k'.repeat(41);
      assertInvalidRequest(await sdkError(stripe.customers.create({ metadata: { [longKey]: 'value' } })), 400, 'invalid_metadata', `metadata[${longKey}]`);
      assertInvalidRequest(await sdkError(stripe.customers.create({ metadata: { order: 'v'.repeat(501) } })), 400, 'invalid_metadata', 'metadata[order]');
      assertInvalidRequest(await sdkError(stripe.paymentIntents.update(intentId, { metadata: { order: 'v'.repeat(501) } })), 400, 'invalid_metadata', 'metadata[order]');
      // One more key on top of 50 stored keys goes over the limit on the merged result, and nothing is written.
      assertInvalidRequest(await sdkError(stripe.customers.update(fullCustomerId, { metadata: { extra: 'x' } })), 400, 'invalid_metadata', 'metadata');
      const reloaded = await stripe.customers.retrieve(fullCustomerId);
      assert.ok(!reloaded.deleted);
      assert.equal(Object.keys(reloaded.metadata).length, 50);
      assert.equal(reloaded.metadata.extra, undefined);
    });

    it('rejects deep nesting', async () => {
      assertError(await post('/v1/customers', 'a[b][c][d][e][f][g][h]=1'), 400, { code: 'invalid_request_body' });
      assertError(await post('/v1/customers', 'metadata[b][c][d][e][f][g][h]=1'), 400, { type: 'invalid_request_error' });
      assertError(await get('/v1/customers?a[b][c][d][e][f][g][h]=1'), 400, { code: 'invalid_request_body' });
      const deepJson = '{"a":'.repeat(50) + '1' + '}'.repeat(50);
      assertError(await post('/v1/customers', deepJson, { contentType: jsonType }), 400, { code: 'invalid_request_body' });
      const veryDeepJson = '['.repeat(100_000) + ']'.repeat(100_000);
      assertError(await post('/v1/customers', `{"a":${veryDeepJson}}`, { contentType: jsonType }), 400, { type: 'invalid_request_error' });
    });

    it('rejects 2000 parameters', async () => {
      const many = Array.from({ length: 2000 }, (_, index) => `metadata[k${index}]=v`).join('&');
      assertError(await post('/v1/customers', many), 400, { code: 'invalid_request_body' });
      assertError(await get(`/v1/customers?${Array.from({ length: 2000 }, (_, index) => `p${index}=1`).join('&')}`), 400, { code: 'invalid_request_body' });
      const manyJson = JSON.stringify(Object.fromEntries(Array.from({ length: 2000 }, (_, index) => [`k${index}`, 'v'])));
      assertError(await post('/v1/customers', `{"metadata":${manyJson}}`, { contentType: jsonType }), 400, { code: 'invalid_metadata', param: 'metadata' });
      const manyItems = Array.from({ length: 2000 }, (_, index) => `payment_method_types[${index}]=card`).join('&');
      assertError(await post('/v1/payment_intents', `amount=1000&currency=usd&${manyItems}`), 400, { type: 'invalid_request_error' });
    });
  });

  describe('malformed bodies', () => {
    it('rejects invalid JSON and JSON that is not an object', async () => {
      for (const body of ['{', '{"amount":', "{'amount':1000}", '{"amount":1000,}', 'undefined', '[]', '[{"amount":1000}]', '42', '"text"', 'null', 'true']) {
        assertError(await post('/v1/payment_intents', body, { contentType: jsonType }), 400, { type: 'invalid_request_error', code: 'invalid_request_body' });
      }
    });

    it('rejects invalid percent-encoding', async () => {
      for (const body of ['amount=%ZZ&currency=usd', 'amount=1000&currency=%E0%A4', 'description=%', 'description=%2', 'metadata[%ZZ]=x', 'descr%E0iption=x']) {
        assertError(await post('/v1/customers', body), 400, { code: 'invalid_request_body' });
      }
      assertError(await get('/v1/customers?email=%ZZ'), 400, { code: 'invalid_request_body' });
      assertError(await get('/v1/customers?email=%E0%A4'), 400, { code: 'invalid_request_body' });
    });

    it('rejects invalid UTF-8 bytes', async () => {
      assertError(await post('/v1/customers', Buffer.from([0xff, 0xfe])), 400, { code: 'invalid_request_body' });
      assertError(await post('/v1/customers', Buffer.concat([Buffer.from('name='), Buffer.from([0xc3, 0x28])])), 400, { code: 'invalid_request_body' });
      assertError(await post('/v1/customers', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), { contentType: jsonType }), 400, { code: 'invalid_request_body' });
      // Percent-encoded bytes that are not UTF-8 are just as bad as raw ones.
      assertError(await post('/v1/customers', 'name=%FF%FE'), 400, { code: 'invalid_request_body' });
    });

    it('rejects NUL characters and unpaired surrogates', async () => {
      assertError(await post('/v1/customers', 'name=a%00b'), 400, { code: 'invalid_request_body' });
      assertError(await post('/v1/customers', 'metadata[a%00]=b'), 400, { code: 'invalid_request_body' });
      assertError(await post('/v1/customers', '{"name":"a\\u0000b"}', { contentType: jsonType }), 400, { code: 'invalid_request_body' });
      assertError(await post('/v1/customers', '{"name":"\\ud800"}', { contentType: jsonType }), 400, { code: 'invalid_request_body' });
      assertError(await post('/v1/customers', '{"metadata":{"\\udc00":"x"}}', { contentType: jsonType }), 400, { code: 'invalid_request_body' });
      assertError(await post('/v1/customers', 'name=%ED%A0%80'), 400, { code: 'invalid_request_body' });
      assertError(await get('/v1/customers?email=a%00b'), 400, { code: 'invalid_request_body' });
      assertError(await get(`/v1/payment_intents/${intentId}?expand[]=%00`), 400, { code: 'invalid_request_body' });
      // Through the SDK too: a NUL in a value must come back as a 400, not a database error.
      assertInvalidRequest(await sdkError(stripe.customers.create({ name: 'nul\u0000name' })), 400, 'invalid_request_body');
      // (The SDK cannot even encode an unpaired surrogate: it fails before sending anything.)
      await assert.rejects(stripe.customers.create({ metadata: { note: '\ud800' } }), URIError);
    });

    it('refuses unsupported content types', async () => {
      assertError(await post('/v1/customers', 'name=x', { contentType: 'text/plain' }), 415, { type: 'invalid_request_error', code: 'unsupported_media_type' });
      assertError(await post('/v1/customers', '<customer/>', { contentType: 'application/xml' }), 415, { code: 'unsupported_media_type' });
      const multipart = '--boundary\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--boundary--\r\n';
      assertError(await post('/v1/customers', multipart, { contentType: 'multipart/form-data; boundary=boundary' }), 415, { code: 'unsupported_media_type' });
      assertError(await post('/v1/customers', 'name=x', { contentType: 'garbage' }), 415, { code: 'unsupported_media_type' });
      // A body without any Content-Type is not guessed at either.
      const response = await server.request('POST', '/v1/customers', { key, body: Buffer.from('name=x'), headers: { 'content-type': '' } });
      assert.ok(response.status === 415 || response.status === 400, `status ${response.status}`);
      assertError(response, response.status, { type: 'invalid_request_error' });
    });

    it('rejects a form body sent as JSON', async () => {
      assertError(await post('/v1/payment_intents', 'amount=1000&currency=usd', { contentType: jsonType }), 400, { code: 'invalid_request_body' });
    });

    it('treats a JSON body sent as a form as one unknown parameter', async () => {
      const response = await post('/v1/customers', '{"name":"x"}');
      assertError(response, 400, { code: 'parameter_unknown', param: '{"name":"x"}' });
    });
  });

  describe('bad headers', () => {
    it('refuses an Idempotency-Key longer than 255 characters', async () => {
      const error = await sdkError(stripe.customers.create({ name: 'too long key' }, { idempotencyKey: 'k'.repeat(256) }));
      assertInvalidRequest(error, 400, 'idempotency_key_invalid');
      assertError(await post('/v1/customers', 'name=x', { headers: { 'idempotency-key': 'k'.repeat(10_000) } }), 400, { code: 'idempotency_key_invalid' });
      const stored = await server.db.query('SELECT count(*) AS n FROM idempotency_keys WHERE length(key) > 255');
      assert.equal(Number(stored.rows[0].n), 0);
    });

    it('answers malformed Authorization headers with 401 authentication errors', async () => {
      const cases: Record<string, string>[] = [
        { authorization: 'Basic !!!not-base64!!!' },
        { authorization: `Basic ${Buffer.from([0xff, 0xfe, 0x3a]).toString('base64')}` },
        { authorization: 'Basic ' },
        { authorization: 'Bearer ' },
        { authorization: 'Bearer' },
        { authorization: `Token ${key}` },
        { authorization: key },
        { authorization: `Bearer ${key}x` },
        { authorization: `Bearer ${key.slice(0, -1)}` },
        { authorization: `Bearer ${'sk_test_' + 'A'.repeat(5000)}` },
        { authorization: 'Bearer sk_test_%00%00' },
      ];
      for (const headers of cases) {
        const response = await server.request('GET', '/v1/customers', { headers });
        const error = assertError(response, 401, { type: 'invalid_request_error' });
        assert.ok(error.code === 'api_key_missing' || error.code === 'api_key_invalid', error.code);
        assert.ok(!error.message.includes(key), 'the message must not echo a whole key');
      }
      // A valid key through Basic auth works, as with Stripe.
      const basic = await server.request('GET', '/v1/customers', { headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` } });
      assert.equal(basic.status, 200);
    });

    it('answers unknown URLs and wrong methods with a 404 error envelope', async () => {
      for (const [method, path] of [['GET', '/v1/nothing'], ['GET', '/'], ['POST', '/v1/balance'], ['PUT', `/v1/customers/${customerId}`], ['DELETE', `/v1/payment_intents/${intentId}`], ['PATCH', '/v1/customers'], ['GET', '/v2/customers'], ['POST', `/v1/charges/${chargeId}/dispute`]] as const) {
        assertError(await server.request(method, path, { key }), 404, { type: 'invalid_request_error', code: 'url_not_found' });
      }
      // An unknown URL is 404 even without a key.
      assertError(await server.request('GET', '/v1/nothing'), 404, { code: 'url_not_found' });
    });
  });

  describe('bad ids in paths', () => {
    it('answers 404 resource_missing for ids that do not exist', async () => {
      const ids = [
        'pi_' + 'x'.repeat(5000),
        'pi_does_not_exist',
        'pi_%2F..%2F..%2Fcharges',
        '..%2F..%2Fcustomers',
        '%20',
        'pi_%22%27%3B--',
        "pi_'or'1'='1",
        'pi_%F0%9F%92%B3',
        'pi_%C3%A9',
        '%2A',
        chargeId,
        customerId,
      ];
      for (const id of ids) {
        assertError(await get(`/v1/payment_intents/${id}`), 404, { type: 'invalid_request_error', code: 'resource_missing', param: 'id' });
      }
      for (const path of [`/v1/charges/${intentId}`, `/v1/customers/${chargeId}`, `/v1/payment_methods/${customerId}`, `/v1/refunds/${chargeId}`, `/v1/events/${intentId}`]) {
        assertError(await get(path), 404, { code: 'resource_missing', param: 'id' });
      }
      assertError(await post(`/v1/payment_intents/${chargeId}/capture`, ''), 404, { code: 'resource_missing' });
      assertError(await post(`/v1/payment_intents/${chargeId}/confirm`, ''), 404, { code: 'resource_missing' });
      assertError(await post(`/v1/payment_methods/${intentId}/attach`, `customer=${customerId}`), 404, { code: 'resource_missing' });
      assertError(await server.request('DELETE', `/v1/customers/${intentId}`, { key }), 404, { code: 'resource_missing' });
      const error = await sdkError(stripe.paymentIntents.retrieve(chargeId));
      assertInvalidRequest(error, 404, 'resource_missing', 'id');
    });

    it('answers ids that cannot be text with 404 error envelopes', async () => {
      // A NUL decodes but can be no id; undecodable percent-encoding makes the whole URL unrecognized.
      for (const [path, code] of [
        ['/v1/payment_intents/pi_%00', 'resource_missing'],
        ['/v1/payment_intents/pi_%00/capture', 'resource_missing'],
        ['/v1/customers/cus_%00', 'resource_missing'],
        ['/v1/customers/cus_%00/payment_methods', 'resource_missing'],
        ['/v1/payment_intents/pi_%E0%A4', 'url_not_found'],
        ['/v1/payment_intents/pi_%ED%A0%80', 'url_not_found'],
        ['/v1/payment_intents/pi_%FF', 'url_not_found'],
        ['/v1/payment_intents/%', 'url_not_found'],
        ['/v1/%E0%A4', 'url_not_found'],
      ] as const) {
        const method = path.endsWith('/capture') ? 'POST' : 'GET';
        const response = await server.request(method, path, { key });
        const error = assertError(response, 404, { type: 'invalid_request_error', code });
        if (code === 'resource_missing') assert.equal(error.param, 'id');
        assert.ok(response.headers.get('request-id')?.startsWith('req_'));
      }
      assertError(await post('/v1/customers/cus_%00', 'name=x'), 404, { code: 'resource_missing', param: 'id' });
      assertError(await server.request('DELETE', '/v1/customers/cus_%00', { key }), 404, { code: 'resource_missing', param: 'id' });
      // Ids up to the documented 255 characters reach the lookup; longer ones are refused by the router, same answer.
      assertError(await get(`/v1/customers/cus_${'x'.repeat(251)}`), 404, { code: 'resource_missing', param: 'id' });
      assertError(await get(`/v1/customers/cus_${'x'.repeat(252)}`), 404, { code: 'resource_missing', param: 'id' });
    });
  });

  describe('list parameters', () => {
    it('rejects limits outside 1 to 100 and non-integers', async () => {
      assertError(await get('/v1/customers?limit=0'), 400, { param: 'limit' });
      assertError(await get('/v1/customers?limit=101'), 400, { param: 'limit' });
      assertError(await get('/v1/customers?limit=-1'), 400, { param: 'limit' });
      assertError(await get('/v1/customers?limit=abc'), 400, { code: 'parameter_invalid_integer', param: 'limit' });
      assertError(await get('/v1/customers?limit[]=1'), 400, { code: 'parameter_invalid_integer', param: 'limit' });
      assertInvalidRequest(await sdkError(stripe.charges.list({ limit: 101 })), 400, 'invalid_value', 'limit');
      const ok = await stripe.charges.list({ limit: 100 });
      assert.equal(ok.object, 'list');
    });

    it('answers an unknown cursor with 404 resource_missing naming the cursor', async () => {
      assertInvalidRequest(await sdkError(stripe.customers.list({ starting_after: 'cus_unknown' })), 404, 'resource_missing', 'starting_after');
      assertInvalidRequest(await sdkError(stripe.paymentIntents.list({ ending_before: 'pi_unknown' })), 404, 'resource_missing', 'ending_before');
      // A real id of another type is still unknown as a cursor for this list.
      assertInvalidRequest(await sdkError(stripe.paymentIntents.list({ starting_after: chargeId })), 404, 'resource_missing', 'starting_after');
      assertError(await get('/v1/charges?starting_after=ch_%00'), 400, { code: 'invalid_request_body' });
    });

    it('refuses starting_after together with ending_before', async () => {
      assertInvalidRequest(await sdkError(stripe.paymentIntents.list({ starting_after: intentId, ending_before: intentId })), 400, 'parameters_exclusive');
    });

    it('rejects malformed created filters', async () => {
      assertError(await get('/v1/charges?created[gte]=abc'), 400, { code: 'parameter_invalid_integer', param: 'created[gte]' });
      assertError(await get('/v1/charges?created[foo]=1'), 400, { code: 'parameter_unknown', param: 'created[foo]' });
      assertError(await get('/v1/charges?created=yesterday'), 400, { code: 'parameter_invalid_integer', param: 'created' });
      assertError(await get('/v1/charges?created[lt][x]=1'), 400, { code: 'parameter_invalid_integer', param: 'created[lt]' });
      assertError(await get('/v1/charges?created[gt]=-1'), 400, { code: 'invalid_value', param: 'created[gt]' });
      const ok = await stripe.charges.list({ created: { gte: 0 } });
      assert.ok(ok.data.some((charge) => charge.id === chargeId));
    });

    it('rejects bad filters of specific lists', async () => {
      assertError(await get('/v1/events?types=charge.succeeded'), 400, { code: 'invalid_value', param: 'types' });
      assertError(await get(`/v1/events?types[]=${'x'.repeat(101)}`), 400, { code: 'invalid_string_length', param: 'types[0]' });
      assertError(await get(`/v1/events?${Array.from({ length: 21 }, () => 'types[]=charge.succeeded').join('&')}`), 400, { param: 'types' });
      assertError(await get('/v1/payment_methods?customer[]=x'), 400, { code: 'invalid_value', param: 'customer' });
      assertError(await get(`/v1/payment_methods?customer=${customerId}&type=bank`), 400, { code: 'invalid_value', param: 'type' });
      // Wildcards and SQL-looking filters are plain values, not patterns for the database.
      const events = await stripe.events.list({ type: "%' OR '1'='1" });
      assert.equal(events.data.length, 0);
    });
  });

  describe('every operation of the OpenAPI document', () => {
    interface Operation {
      method: string;
      path: string;
      parameters: Record<string, Record<string, unknown>>;
      hasPathId: boolean;
    }
    let operations: Operation[];
    let errorCodes: Set<string>;

    before(async () => {
      const response = await server.request('GET', '/v1/openapi.json');
      assert.equal(response.status, 200);
      const document = response.json;
      // Stripe's envelope: `error` holds an `api_errors`, whose `code` the document narrows to Payrail's catalogue.
      errorCodes = new Set(document.components.schemas.api_errors.properties.code.enum);
      operations = [];
      for (const [path, item] of Object.entries<Record<string, any>>(document.paths)) {
        if (!path.startsWith('/v1/') || path === '/v1/openapi.json') continue;
        for (const [method, operation] of Object.entries<any>(item)) {
          const parameters: Record<string, Record<string, unknown>> = {};
          if (method === 'post') {
            // A file upload (POST /v1/files) takes a multipart body; its parts are its parameters.
            const content = operation.requestBody.content;
            const schema = (content['application/x-www-form-urlencoded'] ?? content['multipart/form-data']).schema;
            Object.assign(parameters, schema.properties);
          } else {
            for (const parameter of operation.parameters ?? []) if (parameter.in === 'query') parameters[parameter.name] = parameter.schema;
          }
          operations.push({ method: method.toUpperCase(), path, parameters, hasPathId: path.includes('{') });
        }
      }
      assert.ok(operations.length >= 20, `only ${operations.length} operations`);
    });

    /** Does the JSON schema accept an object (so a string is the wrong type), or should it get an object? */
    function acceptsObject(schema: Record<string, unknown>): boolean {
      if (schema.type === 'object') return true;
      const anyOf = schema.anyOf as Record<string, unknown>[] | undefined;
      return anyOf?.some((branch) => branch.type === 'object') ?? false;
    }

    function acceptsArray(schema: Record<string, unknown>): boolean {
      if (schema.type === 'array') return true;
      const anyOf = schema.anyOf as Record<string, unknown>[] | undefined;
      return anyOf?.some((branch) => branch.type === 'array') ?? false;
    }

    /** Garbage for one parameter, in form encoding and as a JSON value. */
    function garbageFor(name: string, schema: Record<string, unknown>): { form: string; json: unknown }[] {
      const cases: { form: string; json: unknown }[] = [];
      if (acceptsArray(schema)) cases.push({ form: `${name}[not_an_index]=x`, json: { not_an_index: 'x' } });
      else if (acceptsObject(schema)) cases.push({ form: `${name}=not-an-object`, json: 'not-an-object' }, { form: `${name}[]=x`, json: [['x']] });
      else cases.push({ form: `${name}[zz_key]=x`, json: { zz_key: 'x' } }, { form: `${name}[]=x`, json: [{}] });
      cases.push({ form: `${name}=${'z'.repeat(6000)}`, json: 'z'.repeat(6000) });
      return cases;
    }

    function pathFor(operation: Operation): string {
      return operation.path.replace(/\{[a-z_]+\}/g, 'zz_made_up_id');
    }

    async function send(operation: Operation, form: string, json: Record<string, unknown> | undefined): Promise<RawResponse[]> {
      const path = pathFor(operation);
      if (operation.method === 'POST') {
        return [await post(path, form), await post(path, JSON.stringify(json ?? {}), { contentType: jsonType })];
      }
      return [await server.request(operation.method, `${path}?${form}`, { key })];
    }

    function check(operation: Operation, label: string, response: RawResponse): void {
      const where = `${operation.method} ${operation.path} ${label}`;
      assert.ok(response.status >= 400 && response.status < 500, `${where}: status ${response.status} ${response.text.slice(0, 300)}`);
      if (response.status === 404) assert.ok(operation.hasPathId, `${where}: 404 without a path id: ${response.text.slice(0, 300)}`);
      const error = assertError(response, response.status);
      assert.ok(errorCodes.has(error.code!), `${where}: undocumented code ${error.code}`);
    }

    it('answers an unknown parameter with parameter_unknown everywhere', async () => {
      for (const operation of operations) {
        for (const response of await send(operation, 'zz_unknown_parameter=1', { zz_unknown_parameter: 1 })) {
          check(operation, 'unknown parameter', response);
          assert.equal(response.json.error.code, 'parameter_unknown', `${operation.method} ${operation.path}`);
          assert.equal(response.json.error.param, 'zz_unknown_parameter');
        }
      }
    });

    it('answers a garbage value for every declared parameter with a 4xx error', async () => {
      let sent = 0;
      for (const operation of operations) {
        for (const [name, schema] of Object.entries(operation.parameters)) {
          for (const garbage of garbageFor(name, schema)) {
            for (const response of await send(operation, garbage.form, { [name]: garbage.json })) {
              check(operation, `${name}=${garbage.form.slice(0, 60)}`, response);
              sent += 1;
            }
          }
        }
      }
      assert.ok(sent > 100, `only ${sent} requests sent`);
    });

    it('answers every operation with a 401 envelope when no key is given', async () => {
      for (const operation of operations) {
        const response = await server.request(operation.method, pathFor(operation));
        assertError(response, 401, { type: 'invalid_request_error', code: 'api_key_missing' });
      }
    });
  });

  describe('afterwards', () => {
    it('has created, changed or lost nothing', async () => {
      assert.deepEqual(await tableCounts(), countsBefore);
      const intent = await stripe.paymentIntents.retrieve(intentId);
      assert.equal(intent.status, 'succeeded');
      assert.equal(intent.amount_received, 1500);
      const charge = await stripe.charges.retrieve(chargeId);
      assert.equal(charge.amount_refunded, 0);
      assert.equal(charge.captured, true);
    });

    it('still serves a normal payment, refund and customer', async () => {
      const customer = await stripe.customers.create({ name: 'Still here', metadata: { ok: 'yes' } });
      assert.equal(customer.metadata.ok, 'yes');
      const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'eur', customer: customer.id, payment_method: 'pm_card_visa', confirm: true, expand: ['latest_charge'] }, { idempotencyKey: 'after-bad-input' });
      assert.equal(intent.status, 'succeeded');
      const charge = intent.latest_charge as Stripe.Charge;
      assert.equal(charge.amount_captured, 2500);
      const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 500 });
      assert.equal(refund.status, 'succeeded');
      const list = await stripe.paymentIntents.list({ customer: customer.id });
      assert.deepEqual(list.data.map((item) => item.id), [intent.id]);
    });
  });
});
