import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import Stripe from 'stripe';
import { fingerprint } from '../src/api/idempotency.ts';
import { requestBodyBytesMax, formParametersMax } from '../src/api/request-parsing.ts';
import { requestHeaderBytesMax } from '../src/api/connection-limits.ts';
import { challengeFormToken } from './helpers/challenge.ts';
import { rawExchange, writeAll, writeBody, type RawResponse } from './helpers/raw-http.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Hostile input at the HTTP layer, through raw sockets and the official SDK: nothing reaches the database that it
 * cannot store, refused bodies and header blocks are answered in a way the client can read, card data is never
 * echoed, pages carry security headers and a form token, and retryable answers say so.
 */

const formType = 'application/x-www-form-urlencoded';

/** Runs `body` with console.error captured, and returns what was written there. */
async function capturingErrors(body: () => Promise<void>): Promise<string[]> {
  const written: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => { written.push(args.map(String).join(' ')); };
  try {
    await body();
  } finally {
    console.error = original;
  }
  return written;
}

function assertStripeError(response: RawResponse, status: number, code?: string): { code?: string; param?: string; message: string } {
  assert.equal(response.status, status, `expected ${status}: ${response.body.slice(0, 300)}`);
  assert.match(response.headers['request-id'] ?? '', /^req_/, 'a Request-Id header');
  const parsed = JSON.parse(response.body) as { error?: { type: string; code?: string; param?: string; message: string } };
  assert.ok(parsed.error && typeof parsed.error.type === 'string' && typeof parsed.error.message === 'string', response.body);
  if (code !== undefined) assert.equal(parsed.error.code, code, response.body);
  return parsed.error;
}

describe('hostile input at the HTTP layer', () => {
  let server: TestServer;
  let stripe: Stripe;
  let key: string;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    key = server.account.secretKey;
  });
  after(async () => {
    await server?.close();
  });

  const post = (path: string, body: string | Buffer, contentType = formType, headers: Record<string, string> = {}) =>
    server.request('POST', path, { key, body, contentType, headers });

  describe('NUL bytes and invalid UTF-8 never reach the database (defect 4)', () => {
    it('answers the unauthenticated PayPal cancel page with a 400 page, without a stack trace', async () => {
      const logged = await capturingErrors(async () => {
        for (const query of ['token=%00', 'token=a%00b', 'token=%ED%A0%80', 'token=%FF', 'token=' + 'x'.repeat(300), 'token[]=x', '']) {
          const response = await fetch(`${server.baseUrl}/payrail/cancel/pcc_AAAAAAAAAAAAAAAAAAAAAAAA?${query}`, { redirect: 'manual' });
          assert.ok(response.status === 400 || response.status === 404, `${query}: ${response.status}`);
          assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
          assert.doesNotMatch(await response.text(), /at .*\.ts:\d+/);
        }
        for (const path of ['/payrail/return/pa_AAAAAAAAAAAAAAAAAAAAAAAA?redirectResult=%00', '/payrail/return/pa_AAAAAAAAAAAAAAAAAAAAAAAA?x%00=1', '/payrail/redirect/pa_%00', '/3ds/auth_%00']) {
          const response = await fetch(server.baseUrl + path, { redirect: 'manual' });
          assert.ok(response.status === 400 || response.status === 404, `${path}: ${response.status}`);
        }
        const posted = await fetch(`${server.baseUrl}/payrail/return/pa_AAAAAAAAAAAAAAAAAAAAAAAA`, { method: 'POST', headers: { 'content-type': formType }, body: 'redirectResult=%00', redirect: 'manual' });
        assert.equal(posted.status, 400);
        assert.match(posted.headers.get('content-type') ?? '', /^text\/html/);
        const challenge = await fetch(`${server.baseUrl}/3ds/auth_AAAAAAAAAAAAAAAAAAAAAAAA`, { method: 'POST', headers: { 'content-type': formType }, body: 'action=%00&csrf_token=%ED%A0%80', redirect: 'manual' });
        assert.equal(challenge.status, 400);
      });
      assert.deepEqual(logged, [], 'no error was logged');
    });

    it('names the parameter that holds NUL, an unpaired surrogate or bytes that are not UTF-8', async () => {
      const cases: [string | Buffer, string, string][] = [
        ['name=a%00b', formType, 'name'],
        ['description=%ED%A0%80', formType, 'description'],
        ['name=%FF%FE', formType, 'name'],
        [Buffer.concat([Buffer.from('email=a@b.co&name=x'), Buffer.from([0xc3, 0x28])]), formType, 'name'],
        ['metadata[note]=a%00', formType, 'metadata[note]'],
        ['{"name":"a\\u0000b"}', 'application/json', 'name'],
        ['{"address":{"city":"\\ud800"}}', 'application/json', 'address[city]'],
        [Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), 'application/json', 'name'],
        [Buffer.concat([Buffer.from('{"metadata":{"k":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}}')]), 'application/json', 'metadata[k]'],
      ];
      for (const [body, type, param] of cases) {
        const response = await post('/v1/customers', body, type);
        assert.equal(response.status, 400, `${String(body)}: ${response.text}`);
        assert.equal(response.json.error.param, param, response.text);
      }
      const key = await post('/v1/customers', 'metadata[a%00]=b');
      assert.equal(key.status, 400);
      assert.match(key.json.error.param, /^metadata\[/);
      const query = await server.request('GET', '/v1/customers?email=a%00b', { key: server.account.secretKey });
      assert.equal(query.status, 400);
      assert.equal(query.json.error.param, 'email');
      // Through the SDK: a NUL is a 400 naming the parameter, not a database error.
      const error = await stripe.customers.create({ name: 'nul\u0000name' }).then(() => undefined, (caught: Stripe.errors.StripeError) => caught);
      assert.equal(error?.statusCode, 400);
      assert.equal(error?.param, 'name');
    });

    it('refuses an Idempotency-Key or API key carrying bytes the database cannot hold', async () => {
      const logged = await capturingErrors(async () => {
        for (const header of [Buffer.from([0x00]), Buffer.from('key\u0000x', 'latin1'), Buffer.from([0x01, 0x7f])]) {
          const exchange = await rawExchange(server.port, (socket) => writeAll(socket, Buffer.concat([
            Buffer.from(`POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: ${formType}\r\nContent-Length: 6\r\nIdempotency-Key: `),
            header,
            Buffer.from('\r\n\r\nname=x'),
          ])), { expectResponses: 1 });
          assert.equal(exchange.error, undefined);
          assert.equal(exchange.responses.length, 1);
          assert.equal(exchange.responses[0].status, 400);
          assertStripeError(exchange.responses[0], 400);
        }
        // A latin-1 key is text PostgreSQL can hold: accepted.
        const latin = await rawExchange(server.port, (socket) => writeAll(socket, Buffer.concat([
          Buffer.from(`POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: ${formType}\r\nContent-Length: 6\r\nConnection: close\r\nIdempotency-Key: cl\u00e9-`, 'latin1'),
          Buffer.from(`${randomUUID()}\r\n\r\nname=x`),
        ])), { expectResponses: 1 });
        assert.equal(latin.responses[0]?.status, 200, latin.responses[0]?.body);
        const basic = await server.request('GET', '/v1/customers', { headers: { authorization: `Basic ${Buffer.from('\u0000:').toString('base64')}` } });
        assert.equal(basic.status, 401);
      });
      assert.deepEqual(logged, []);
    });
  });

  describe('over-limit bodies on keep-alive connections get a readable 413 (defect 5)', () => {
    async function oversized(size: number, chunked: boolean): Promise<void> {
      const exchange = await rawExchange(server.port, async (socket) => {
        // A request that succeeds first, so the connection is a reused keep-alive one.
        await writeAll(socket, `GET /v1/customers?limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n\r\n`);
        const framing = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`;
        await writeAll(socket, `POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: ${formType}\r\nConnection: keep-alive\r\n${framing}\r\n\r\n`);
        await writeBody(socket, size, chunked);
      });
      assert.equal(exchange.error, undefined, `the client saw ${exchange.error} (${size} bytes, ${chunked ? 'chunked' : 'Content-Length'})`);
      assert.equal(exchange.responses.length, 2, 'both answers arrive');
      assert.equal(exchange.responses[0].status, 200);
      const error = assertStripeError(exchange.responses[1], 413, 'request_too_large');
      assert.match(error.message, new RegExp(String(requestBodyBytesMax)));
      assert.equal(exchange.responses[1].headers.connection, 'close');
      assert.equal(exchange.closed, true);
    }

    for (const [size, chunked, tries] of [[8 * 1024 * 1024, false, 20], [1024 * 1024, true, 20], [2 * 1024 * 1024, false, 20], [2 * 1024 * 1024, true, 10]] as const) {
      it(`${size / 1024 / 1024} MiB ${chunked ? 'chunked' : 'with Content-Length'}: the 413 is read every time (${tries} tries)`, async () => {
        for (let attempt = 0; attempt < tries; attempt += 1) await oversized(size, chunked);
      });
    }

    it('answers an unsupported content type or an unrecognized URL with a large body the same way', async () => {
      for (const [path, type, status, code] of [['/v1/customers', 'text/plain', 415, 'unsupported_media_type'], ['/v1/%E0%A4', formType, 404, 'url_not_found'], ['/payrail/return/pa_AAAAAAAAAAAAAAAAAAAAAAAA', 'text/plain', 415, undefined]] as const) {
        for (let attempt = 0; attempt < 10; attempt += 1) {
          const exchange = await rawExchange(server.port, async (socket) => {
            await writeAll(socket, `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: ${type}\r\nContent-Length: ${1024 * 1024}\r\n\r\n`);
            await writeBody(socket, 1024 * 1024, false);
            await writeAll(socket, `GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
          });
          assert.equal(exchange.error, undefined, path);
          assert.equal(exchange.responses[0]?.status, status, path);
          assert.match(exchange.responses[0].headers['request-id'] ?? '', /^req_/);
          if (code) assertStripeError(exchange.responses[0], status, code);
          // The body was read to its end, so the connection is still usable.
          assert.equal(exchange.responses[1]?.status, 200, path);
        }
      }
    });
  });

  describe('header blocks and URLs over the limit (defect 6)', () => {
    it('answers headers over the limit with a Stripe-shaped 431, Request-Id and Connection: close, and closes', async () => {
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const exchange = await rawExchange(server.port, async (socket) => {
          await writeAll(socket, `GET /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nX-Filler: ${'a'.repeat(requestHeaderBytesMax + 1024)}\r\n\r\n`);
          await writeAll(socket, `GET /health HTTP/1.1\r\nHost: x\r\n\r\n`);
        });
        assert.equal(exchange.error, undefined);
        assert.equal(exchange.responses.length, 1);
        assertStripeError(exchange.responses[0], 431, 'request_headers_too_large');
        assert.equal(exchange.responses[0].headers.connection, 'close');
        assert.equal(exchange.closed, true, 'the connection is closed, so a client does not wait on it');
      }
      const longUrl = await rawExchange(server.port, (socket) => writeAll(socket, `GET /v1/customers?email=${'b'.repeat(requestHeaderBytesMax + 10)} HTTP/1.1\r\nHost: x\r\n\r\n`));
      assert.equal(longUrl.error, undefined);
      assertStripeError(longUrl.responses[0], 431, 'request_headers_too_large');
    });

    it(`answers a GET with ${formParametersMax + 1} query parameters (over 16 KiB) with the documented 400`, async () => {
      const query = (count: number) => Array.from({ length: count }, (_, index) => `parameter${String(index).padStart(5, '0')}=value`).join('&');
      assert.ok(query(formParametersMax + 1).length > 16 * 1024);
      const over = await server.request('GET', `/v1/customers?${query(formParametersMax + 1)}`, { key });
      assert.equal(over.status, 400, over.text);
      assert.equal(over.json.error.code, 'invalid_request_body');
      assert.match(over.json.error.message, /1000 parameters/);
      const at = await server.request('GET', `/v1/customers?${query(formParametersMax)}`, { key });
      assert.equal(at.status, 400);
      assert.equal(at.json.error.code, 'parameter_unknown', 'exactly the limit is parsed, and its first unknown parameter named');
    });

    it('answers malformed HTTP with a Stripe-shaped 400 and closes', async () => {
      for (const request of ['GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', `POST /v1/customers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`]) {
        const exchange = await rawExchange(server.port, (socket) => writeAll(socket, request));
        assert.equal(exchange.error, undefined);
        assertStripeError(exchange.responses[0], 400, 'request_malformed');
        assert.equal(exchange.responses[0].headers.connection, 'close');
      }
    });
  });

  describe('card data is never echoed (defect 7)', () => {
    const card = '4242424242424242';
    const digitRuns = (text: string) => text.match(/\d{12,}/g) ?? [];

    it('keeps card numbers, CVCs and card-number-like strings out of every error body', async () => {
      const bodies = [
        `type=card&card[number]=${card}${'%20'.repeat(30)}&card[exp_month]=12&card[exp_year]=2040`,
        `type=card&card[number]=${card}x&card[exp_month]=12&card[exp_year]=2040`,
        `type=card&card[number][]=${card}&card[exp_month]=12&card[exp_year]=2040`,
        `type=card&card[number]=${card}&card[exp_month]=12&card[exp_year]=2040&card[cvc]=12a4567890123`,
        `type=card&card[number]=${card}&card[exp_month]=12&card[exp_year]=2040&card[cvc][x]=1234`,
        `type=card&card[number]=${'4'.repeat(6000)}&card[exp_month]=12&card[exp_year]=2040`,
        `${card}=1`,
        `type=card&card[${card}]=1`,
        `type=card&card[number]=${card}&card[exp_month]=${card}&card[exp_year]=2040`,
        `type=card&billing_details[name]=${card}${'%20'.repeat(5000)}&card[number]=${card}&card[exp_month]=12&card[exp_year]=2040`,
      ];
      for (const body of bodies) {
        const response = await post('/v1/payment_methods', body);
        assert.ok(response.status >= 400 && response.status < 500, `${body.slice(0, 80)}: ${response.status}`);
        assert.deepEqual(digitRuns(response.text), [], `${body.slice(0, 80)} echoed ${response.text}`);
      }
      for (const body of [`{"type":"card","card":{"number":"${card}                              ","exp_month":12,"exp_year":2040}}`, `{"type":"card","card":{"number":${card}0000,"exp_month":12,"exp_year":2040}}`]) {
        const response = await post('/v1/payment_methods', body, 'application/json');
        assert.ok(response.status >= 400 && response.status < 500, response.text);
        assert.deepEqual(digitRuns(response.text), [], response.text);
      }
      for (const path of [`/v1/customers/${card}`, `/v1/payment_intents/pi_${card}`, `/v1/customers?starting_after=${card}`]) {
        const response = await server.request('GET', path, { key });
        assert.ok(response.status >= 400 && response.status < 500);
        assert.deepEqual(digitRuns(response.text), [], response.text);
      }
      // Through the SDK, as the tester found it.
      const error = await stripe.paymentMethods.create({ type: 'card', card: { number: `${card}${' '.repeat(30)}`, exp_month: 12, exp_year: 2040, cvc: '12x' } }).then(() => undefined, (caught: Stripe.errors.StripeError) => caught);
      assert.ok(error);
      assert.equal(error.param, 'card[number]');
      assert.doesNotMatch(error.message, /4242/);
      assert.deepEqual(digitRuns(JSON.stringify(error.raw)), []);
    });
  });

  describe('security headers (defect 9)', () => {
    it('sends nosniff everywhere and no-store on API answers, including those that carry secrets', async () => {
      for (const [method, path] of [['GET', '/v1/customers'], ['GET', '/v1/nothing'], ['GET', '/health'], ['GET', '/v1/openapi.json']] as const) {
        const response = await server.request(method, path, { key });
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
        if (path.startsWith('/v1')) assert.equal(response.headers.get('cache-control'), 'no-store', path);
      }
      const created = await post('/v1/webhook_endpoints', 'url=https://example.com/hook&enabled_events[]=*');
      assert.equal(created.status, 200, created.text);
      assert.match(created.json.secret, /^whsec_/);
      assert.equal(created.headers.get('cache-control'), 'no-store');
      const rolled = await post(`/v1/webhook_endpoints/${created.json.id}/roll_secret`, '');
      assert.equal(rolled.status, 200, rolled.text);
      assert.match(rolled.json.secret, /^whsec_/);
      assert.notEqual(rolled.json.secret, created.json.secret);
      assert.equal(rolled.headers.get('cache-control'), 'no-store');
      // Through the SDK, as an integrator creates one.
      const viaSdk = await stripe.webhookEndpoints.create({ url: 'https://example.com/sdk', enabled_events: ['*'] });
      assert.match(viaSdk.secret ?? '', /^whsec_/);
      assert.equal(viaSdk.lastResponse.headers['cache-control'], 'no-store');
    });

    it('protects the 3-D Secure page from framing and referrer leaks, and requires its form token', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: 'pm_card_authenticationRequired', confirm: true, return_url: 'https://shop.example.com/return' });
      const url = intent.next_action?.redirect_to_url?.url ?? '';
      const page = await fetch(url);
      assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      assert.equal(page.headers.get('x-frame-options'), 'DENY');
      assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
      const token = challengeFormToken(await page.text());

      const other = await stripe.paymentIntents.create({ amount: 100, currency: 'usd', payment_method: 'pm_card_authenticationRequired', confirm: true, return_url: 'https://shop.example.com/return' });
      const otherToken = challengeFormToken(await (await fetch(other.next_action?.redirect_to_url?.url ?? '')).text());

      // A cross-site form can post, but cannot know the token: refused, and nothing changes.
      for (const body of ['action=complete', `action=complete&csrf_token=${'0'.repeat(token.length)}`, `action=complete&csrf_token=${otherToken}`, `action=fail&csrf_token=`]) {
        const forged = await fetch(url, { method: 'POST', headers: { 'content-type': formType, origin: 'https://evil.example' }, body, redirect: 'manual' });
        assert.equal(forged.status, 403, body);
        assert.match(forged.headers.get('content-type') ?? '', /^text\/html/);
      }
      assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'requires_action');

      const answered = await fetch(url, { method: 'POST', headers: { 'content-type': formType }, body: `action=complete&csrf_token=${token}`, redirect: 'manual' });
      assert.equal(answered.status, 303);
      assert.equal(answered.headers.get('referrer-policy'), 'no-referrer');
      assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'succeeded');
    });

    it('sends the same headers on the redirect pages', async () => {
      const response = await fetch(`${server.baseUrl}/payrail/return/pa_AAAAAAAAAAAAAAAAAAAAAAAA`, { redirect: 'manual' });
      assert.equal(response.status, 404);
      assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    });
  });

  describe('webhook URLs: every spelling of a forbidden host is refused (defect 10)', () => {
    it('refuses loopback and private hosts however they are written, in live mode', async () => {
      const live = await server.liveKeys(server.account.accountId);
      for (const url of ['http://LOCALHOST./', 'http://localhost../hook', 'http://0x7f.1/', 'http://2130706433/', 'http://127.1/', 'http://0177.0.0.1/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:a00:1]/', 'http://[::127.0.0.1]/', 'http://127.0.0.1./', 'http://Api.LocalHost./']) {
        const error = await live.stripe.webhookEndpoints.create({ url, enabled_events: ['*'] }).then(() => undefined, (caught: Stripe.errors.StripeError) => caught);
        assert.equal(error?.statusCode, 400, url);
        assert.equal(error?.code, 'url_invalid', url);
      }
    });
  });

  describe('Stripe-Should-Retry', () => {
    it('tells clients to retry a lock timeout (the SDK retries it and succeeds) and an in-flight key, and not other 4xx', async () => {
      const idempotencyKey = randomUUID();
      const holder = new pg.Client({ connectionString: server.databaseUrl });
      await holder.connect();
      // Another request holds the key: its row is inserted but not committed, so this request waits for the lock.
      await holder.query('BEGIN');
      await holder.query(
        `INSERT INTO idempotency_keys (account_id, livemode, key, request_method, request_path, request_fingerprint, locked_at, lock_token) VALUES ($1, false, $2, 'POST', '/v1/customers', 'x', now(), $3)`,
        [server.account.accountId, idempotencyKey, randomUUID()],
      );
      const sdk = new Stripe(key, { host: '127.0.0.1', port: server.port, protocol: 'http', maxNetworkRetries: 1, telemetry: false });
      let attempts = 0;
      sdk.on('request', () => {
        attempts += 1;
        // The first attempt met the lock and got 429 with Stripe-Should-Retry: true (without the header the SDK
        // would give up there). When the SDK retries, the other request ends and the retry goes through.
        if (attempts === 2) void holder.query('ROLLBACK');
      });
      const customer = await sdk.customers.create({ name: 'retried' }, { idempotencyKey });
      assert.equal(customer.name, 'retried');
      assert.equal(attempts, 2);
      await holder.end();

      // A request in flight under the same key: 409, retryable.
      const inFlight = randomUUID();
      await server.db.query(
        `INSERT INTO idempotency_keys (account_id, livemode, key, request_method, request_path, request_fingerprint, locked_at, lock_token) VALUES ($1, false, $2, 'POST', '/v1/customers', $3, now(), $4)`,
        [server.account.accountId, inFlight, fingerprint(server.deps.secretBox, { name: 'busy', expand: [] }), randomUUID()],
      );
      const conflict = await post('/v1/customers', 'name=busy', formType, { 'idempotency-key': inFlight });
      assert.equal(conflict.status, 409, conflict.text);
      assert.equal(conflict.json.error.code, 'idempotency_key_in_use');
      assert.equal(conflict.headers.get('stripe-should-retry'), 'true');

      const bad = await post('/v1/customers', 'email=nope');
      assert.equal(bad.status, 400);
      assert.equal(bad.headers.get('stripe-should-retry'), 'false');
      const missing = await server.request('GET', '/v1/customers/cus_missing', { key });
      assert.equal(missing.headers.get('stripe-should-retry'), 'false');
    });
  });
});
