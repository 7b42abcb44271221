import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { fingerprint } from '../src/api/idempotency.ts';
import { parseForm } from '../src/api/request-parsing.ts';
import type { AuthorizeOutput } from '../src/connectors/connector.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { stripeErrorOf as rejection } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Stripe's idempotency semantics end to end: replays, conflicts, per-account scoping, concurrent duplicates, and
 * recovery after a process died mid-request.
 */
describe('idempotent requests', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  const newKey = () => `key-${randomUUID()}`;
  /** A marker in metadata lets a test count exactly the intents its own requests created. */
  const newMarker = () => `marker-${randomUUID()}`;

  async function intentsWithMarker(marker: string): Promise<{ id: string; status: string; amount_received: number }[]> {
    return (await server.db.query(`SELECT id, status, amount_received FROM payment_intents WHERE metadata->>'marker' = $1`, [marker])).rows;
  }

  async function chargesOf(intentId: string): Promise<{ id: string; status: string; captured: boolean; amount_captured: number }[]> {
    return (await server.db.query('SELECT id, status, captured, amount_captured FROM charges WHERE payment_intent_id = $1', [intentId])).rows;
  }

  async function eventCount(type: string, objectId: string): Promise<number> {
    const result = await server.db.query(`SELECT count(*)::int AS n FROM events WHERE type = $1 AND data->'object'->>'id' = $2`, [type, objectId]);
    return result.rows[0].n;
  }

  /** The stored response body, decrypted (responses are stored encrypted, bound to account, mode and key). */
  function storedBody(row: { response_encrypted: Buffer | null }, accountId: string, key: string): any {
    return row.response_encrypted ? JSON.parse(server.deps.secretBox.decrypt(row.response_encrypted, `idempotency:${accountId}:false:${key}`)) : null;
  }

  async function keyRow(accountId: string, key: string): Promise<{ response_status: number | null; response_body: any; locked_at: Date | null } | undefined> {
    const row = (await server.db.query('SELECT response_status, response_encrypted, response_body, locked_at FROM idempotency_keys WHERE account_id = $1 AND key = $2', [accountId, key])).rows[0];
    if (!row) return undefined;
    assert.equal(row.response_body, null, 'no response is stored in plain text');
    return { response_status: row.response_status, response_body: storedBody(row, accountId, key), locked_at: row.locked_at };
  }

  function formBody(params: Record<string, string>): string {
    return new URLSearchParams(params).toString();
  }

  function postForm(path: string, params: Record<string, string>, key: string | undefined, secretKey = server.account.secretKey) {
    return server.request('POST', path, {
      key: secretKey,
      body: formBody(params),
      contentType: 'application/x-www-form-urlencoded',
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });
  }

  /** The error envelope as sent, without what the SDK adds to `raw` (response headers, status, request id). */
  function errorBody(error: Stripe.errors.StripeError): Record<string, unknown> {
    const { headers: _headers, statusCode: _statusCode, requestId: _requestId, ...body } = error.raw as Record<string, unknown>;
    return body;
  }

  describe('replays', () => {
    it('replays a confirmed create: same body and status, one intent and one charge, Idempotent-Replayed header', async () => {
      const { stripe } = server.account;
      const idempotencyKey = newKey();
      const marker = newMarker();
      const params = { amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: { marker } };

      const first = await stripe.paymentIntents.create(params, { idempotencyKey });
      assert.equal(first.status, 'succeeded');
      assert.equal(first.lastResponse.statusCode, 200);
      assert.equal(first.lastResponse.headers['idempotent-replayed'], undefined);

      const second = await stripe.paymentIntents.create(params, { idempotencyKey });
      assert.equal(second.lastResponse.statusCode, 200);
      assert.equal(second.lastResponse.headers['idempotent-replayed'], 'true');
      assert.equal(second.lastResponse.headers['idempotency-key'], idempotencyKey);
      assert.equal(second.id, first.id);
      const { lastResponse: _first, ...firstBody } = first;
      const { lastResponse: _second, ...secondBody } = second;
      assert.deepEqual(secondBody, firstBody);

      const intents = await intentsWithMarker(marker);
      assert.equal(intents.length, 1);
      assert.equal(intents[0].id, first.id);
      assert.equal((await chargesOf(first.id)).length, 1);
      assert.equal(await eventCount('payment_intent.succeeded', first.id), 1);
    });

    it('replays a card decline (402) with the same error body', async () => {
      const { stripe } = server.account;
      const idempotencyKey = newKey();
      const marker = newMarker();
      const params = { amount: 1500, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true, metadata: { marker } };

      const first = await rejection(stripe.paymentIntents.create(params, { idempotencyKey }));
      assert.ok(first instanceof Stripe.errors.StripeCardError);
      assert.equal(first.statusCode, 402);
      assert.equal(first.code, 'card_declined');
      assert.equal(first.decline_code, 'generic_decline');
      assert.equal(first.headers?.['idempotent-replayed'], undefined);

      const second = await rejection(stripe.paymentIntents.create(params, { idempotencyKey }));
      assert.ok(second instanceof Stripe.errors.StripeCardError);
      assert.equal(second.statusCode, 402);
      assert.equal(second.headers?.['idempotent-replayed'], 'true');
      assert.deepEqual(errorBody(second), errorBody(first));
      const intent = (first.raw as { payment_intent: { id: string; status: string } }).payment_intent;
      assert.equal(intent.status, 'requires_payment_method');

      const intents = await intentsWithMarker(marker);
      assert.deepEqual(intents.map((row) => row.id), [intent.id]);
      const charges = await chargesOf(intent.id);
      assert.equal(charges.length, 1);
      assert.equal(charges[0].status, 'failed');
      assert.equal(await eventCount('charge.failed', charges[0].id), 1);
    });

    it('replays a processing-time 400 (unexpected state) rather than running the request again', async () => {
      const { stripe } = server.account;
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const idempotencyKey = newKey();
      const first = await rejection(stripe.paymentIntents.confirm(intent.id, {}, { idempotencyKey }));
      assert.equal(first.statusCode, 400);
      assert.equal(first.code, 'payment_intent_unexpected_state');
      const second = await rejection(stripe.paymentIntents.confirm(intent.id, {}, { idempotencyKey }));
      assert.equal(second.code, 'payment_intent_unexpected_state');
      assert.equal(second.headers?.['idempotent-replayed'], 'true');
      assert.deepEqual(errorBody(second), errorBody(first));
      assert.equal((await keyRow(server.account.accountId, idempotencyKey))?.response_status, 400);
    });

    it('does not store a request that failed validation: the key can then be used with corrected parameters', async () => {
      const { stripe, accountId } = server.account;
      const idempotencyKey = newKey();
      const marker = newMarker();

      // Parameters the schema rejects before the endpoint starts executing: nothing is saved under the key.
      const notInteger = await postForm('/v1/payment_intents', { amount: 'twelve', currency: 'usd', 'metadata[marker]': marker }, idempotencyKey);
      assert.equal(notInteger.status, 400);
      assert.equal(notInteger.json.error.type, 'invalid_request_error');
      assert.equal(notInteger.json.error.code, 'parameter_invalid_integer');
      assert.equal(notInteger.json.error.param, 'amount');
      assert.equal(await keyRow(accountId, idempotencyKey), undefined);

      const unknown = await postForm('/v1/payment_intents', { amount: '500', currency: 'usd', colour: 'blue', 'metadata[marker]': marker }, idempotencyKey);
      assert.equal(unknown.status, 400);
      assert.equal(unknown.json.error.code, 'parameter_unknown');
      assert.equal(unknown.json.error.param, 'colour');
      assert.equal(unknown.headers.get('idempotent-replayed'), null);
      assert.equal(await keyRow(accountId, idempotencyKey), undefined);

      // Amount and currency rules are checked before the key is taken too (Stripe's validation errors are not saved).
      const tooSmall = await postForm('/v1/payment_intents', { amount: '10', currency: 'usd', 'metadata[marker]': marker }, idempotencyKey);
      assert.equal(tooSmall.status, 400);
      assert.equal(tooSmall.json.error.code, 'amount_too_small');
      const badCurrency = await postForm('/v1/payment_intents', { amount: '500', currency: 'zzz', 'metadata[marker]': marker }, idempotencyKey);
      assert.equal(badCurrency.json.error.code, 'invalid_currency');
      assert.equal(await keyRow(accountId, idempotencyKey), undefined);

      const corrected = await stripe.paymentIntents.create({ amount: 500, currency: 'usd', metadata: { marker } }, { idempotencyKey });
      assert.equal(corrected.amount, 500);
      assert.equal(corrected.lastResponse.headers['idempotent-replayed'], undefined);
      assert.equal((await intentsWithMarker(marker)).length, 1);
      assert.equal((await keyRow(accountId, idempotencyKey))?.response_status, 200);
    });

    it('rejects an empty or over-long Idempotency-Key', async () => {
      const tooLong = await postForm('/v1/payment_intents', { amount: '500', currency: 'usd' }, 'k'.repeat(256));
      assert.equal(tooLong.status, 400);
      assert.equal(tooLong.json.error.type, 'invalid_request_error');
      assert.equal(tooLong.json.error.code, 'idempotency_key_invalid');
      const longest = await postForm('/v1/payment_intents', { amount: '500', currency: 'usd' }, 'k'.repeat(255));
      assert.equal(longest.status, 200);
    });
  });

  describe('conflicts', () => {
    it('the same key with different parameters is an idempotency_error', async () => {
      const { stripe } = server.account;
      const idempotencyKey = newKey();
      const marker = newMarker();
      const created = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', metadata: { marker } }, { idempotencyKey });

      const error = await rejection(stripe.paymentIntents.create({ amount: 701, currency: 'usd', metadata: { marker } }, { idempotencyKey }));
      assert.ok(error instanceof Stripe.errors.StripeIdempotencyError);
      assert.equal(error.type, 'StripeIdempotencyError');
      assert.equal((error.raw as { type: string }).type, 'idempotency_error');
      assert.equal(error.statusCode, 400);
      assert.match(error.message, /same parameters/);
      assert.deepEqual((await intentsWithMarker(marker)).map((row) => row.id), [created.id]);

      // The conflict did not disturb the stored response.
      const replay = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', metadata: { marker } }, { idempotencyKey });
      assert.equal(replay.id, created.id);
      assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');
    });

    it('the same key on another endpoint is an idempotency_error', async () => {
      const { stripe } = server.account;
      const idempotencyKey = newKey();
      await stripe.customers.create({ email: 'same-key@example.com' }, { idempotencyKey });
      const error = await rejection(stripe.paymentIntents.create({ amount: 700, currency: 'usd' }, { idempotencyKey }));
      assert.ok(error instanceof Stripe.errors.StripeIdempotencyError);
      assert.equal((error.raw as { type: string }).type, 'idempotency_error');
      assert.equal(error.statusCode, 400);

      // Same method and body shape but another object's path is another endpoint too.
      const intentA = await stripe.paymentIntents.create({ amount: 800, currency: 'usd' });
      const intentB = await stripe.paymentIntents.create({ amount: 800, currency: 'usd' });
      const updateKey = newKey();
      await stripe.paymentIntents.update(intentA.id, { description: 'first' }, { idempotencyKey: updateKey });
      const other = await rejection(stripe.paymentIntents.update(intentB.id, { description: 'first' }, { idempotencyKey: updateKey }));
      assert.ok(other instanceof Stripe.errors.StripeIdempotencyError);
      assert.equal((await stripe.paymentIntents.retrieve(intentB.id)).description, null);
    });

    it('keys belong to one account: two accounts with one key create two objects', async () => {
      const other = await server.createAccount('Second account');
      const idempotencyKey = newKey();
      const marker = newMarker();
      const params = { amount: 900, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: { marker } };
      const mine = await server.account.stripe.paymentIntents.create(params, { idempotencyKey });
      const theirs = await other.stripe.paymentIntents.create(params, { idempotencyKey });
      assert.notEqual(mine.id, theirs.id);
      assert.equal(theirs.lastResponse.headers['idempotent-replayed'], undefined);
      assert.equal(theirs.status, 'succeeded');
      const rows = (await server.db.query(`SELECT account_id FROM payment_intents WHERE metadata->>'marker' = $1 ORDER BY account_id`, [marker])).rows;
      assert.deepEqual(rows.map((row) => row.account_id), [server.account.accountId, other.accountId].sort());
      // Each account replays its own object.
      assert.equal((await other.stripe.paymentIntents.create(params, { idempotencyKey })).id, theirs.id);
      assert.equal((await server.account.stripe.paymentIntents.create(params, { idempotencyKey })).id, mine.id);
    });
  });

  describe('concurrency and crashes', () => {
    it('concurrent duplicates create exactly one intent; the others replay or get 409, never 5xx', async () => {
      const idempotencyKey = newKey();
      const marker = newMarker();
      const params = { amount: '2500', currency: 'usd', payment_method: 'pm_card_visa', confirm: 'true', 'metadata[marker]': marker };
      const responses = await Promise.all(Array.from({ length: 10 }, () => postForm('/v1/payment_intents', params, idempotencyKey)));

      const intents = await intentsWithMarker(marker);
      assert.equal(intents.length, 1);
      const intent = intents[0];
      assert.equal(intent.status, 'succeeded');
      assert.equal(intent.amount_received, 2500);
      assert.equal((await chargesOf(intent.id)).length, 1);

      let originals = 0;
      for (const response of responses) {
        assert.ok(response.status < 500, `unexpected ${response.status}: ${response.text}`);
        if (response.status === 200) {
          assert.equal(response.json.id, intent.id);
          assert.equal(response.json.status, 'succeeded');
          if (response.headers.get('idempotent-replayed') !== 'true') originals += 1;
        } else {
          assert.equal(response.status, 409);
          assert.equal(response.json.error.type, 'idempotency_error');
          assert.equal(response.json.error.code, 'idempotency_key_in_use');
        }
      }
      assert.equal(originals, 1);

      // Once the first request finished, a retry replays it.
      const retry = await postForm('/v1/payment_intents', params, idempotencyKey);
      assert.equal(retry.status, 200);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.equal(retry.json.id, intent.id);
    });

    it('a key locked by a process that died long ago is taken over; a freshly locked key gets 409', async () => {
      const { accountId } = server.account;
      const marker = newMarker();
      const params = { amount: '1200', currency: 'usd', payment_method: 'pm_card_visa', confirm: 'true', 'metadata[marker]': marker };
      const requestFingerprint = fingerprint(server.deps.secretBox, { ...parseForm(formBody(params)), expand: [] });
      const insertLocked = (key: string, lockedAt: string) =>
        server.db.query(
          `INSERT INTO idempotency_keys (account_id, livemode, key, request_method, request_path, request_fingerprint, locked_at)
           VALUES ($1, false, $2, 'POST', '/v1/payment_intents', $3, ${lockedAt})`,
          [accountId, key, requestFingerprint],
        );

      const freshKey = newKey();
      await insertLocked(freshKey, 'now()');
      const busy = await postForm('/v1/payment_intents', params, freshKey);
      assert.equal(busy.status, 409);
      assert.equal(busy.json.error.type, 'idempotency_error');
      assert.equal(busy.json.error.code, 'idempotency_key_in_use');
      assert.equal((await intentsWithMarker(marker)).length, 0);
      // The 409 must not release a lock that belongs to the other (live) request.
      const stillLocked = await keyRow(accountId, freshKey);
      assert.ok(stillLocked && stillLocked.locked_at !== null && stillLocked.response_status === null);

      const staleKey = newKey();
      await insertLocked(staleKey, `now() - interval '5 minutes'`);
      const mismatch = await postForm('/v1/payment_intents', { ...params, amount: '1300' }, staleKey);
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.json.error.type, 'idempotency_error');

      const takenOver = await postForm('/v1/payment_intents', params, staleKey);
      assert.equal(takenOver.status, 200, takenOver.text);
      assert.equal(takenOver.headers.get('idempotent-replayed'), null);
      assert.equal(takenOver.json.status, 'succeeded');
      const intents = await intentsWithMarker(marker);
      assert.deepEqual(intents.map((row) => row.id), [takenOver.json.id]);
      const stored = await keyRow(accountId, staleKey);
      assert.equal(stored?.response_status, 200);
      assert.equal(stored?.response_body.id, takenOver.json.id);
      assert.equal(stored?.locked_at, null);

      const replay = await postForm('/v1/payment_intents', params, staleKey);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.json.id, takenOver.json.id);
    });

    it(
      'a key taken over after a crash between the two halves of create+confirm resumes that intent and does not charge twice',
      async () => {
        const { accountId } = server.account;
        const idempotencyKey = newKey();
        const marker = newMarker();
        const params = { amount: '2700', currency: 'usd', payment_method: 'pm_card_visa', confirm: 'true', 'metadata[marker]': marker };
        const connector = server.deps.connectors.builtIn;
        const original = connector.authorize;
        let answer!: (output: AuthorizeOutput) => void;
        // The provider call starts only after the first transaction (intent + pending charge) has committed.
        const providerCalled = new Promise<void>((entered) => {
          connector.authorize = () => {
            entered();
            return new Promise<AuthorizeOutput>((resolve) => {
              answer = resolve;
            });
          };
        });
        const firstRequest = postForm('/v1/payment_intents', params, idempotencyKey);
        try {
          await providerCalled;
        } finally {
          connector.authorize = original;
        }
        // The process "died" here: its work so far is committed and its lock on the key has long expired.
        await server.db.query(`UPDATE idempotency_keys SET locked_at = now() - interval '5 minutes' WHERE account_id = $1 AND key = $2`, [accountId, idempotencyKey]);
        const retry = await postForm('/v1/payment_intents', params, idempotencyKey);
        // Let the orphaned handler finish with an ambiguous answer, as a dead process would never have applied one.
        answer({ status: 'pending' });
        await firstRequest;
        await resolveStuckAttempts(server.deps, 0);

        assert.equal(retry.status, 200, retry.text);
        const intents = await intentsWithMarker(marker);
        assert.equal(intents.length, 1, 'the retry resumed the first intent instead of creating another');
        assert.equal(retry.json.id, intents[0].id);
        assert.equal(retry.json.status, 'succeeded');
        // The orphaned handler lost the key: it could not overwrite the retry's stored answer.
        const stored = await keyRow(accountId, idempotencyKey);
        assert.equal(stored?.response_body.id, intents[0].id);
        assert.equal(stored?.response_status, 200);
        const charged = intents.filter((intent) => intent.amount_received > 0);
        assert.equal(charged.length, 1, `one idempotent request charged ${charged.length} times: ${intents.map((intent) => `${intent.id}=${intent.status}`).join(', ')}`);
      },
    );

    it('a request whose key was taken over while the provider answered applies nothing of the outcome and answers 409', async () => {
      const { accountId } = server.account;
      const idempotencyKey = newKey();
      const marker = newMarker();
      const params = { amount: '2900', currency: 'usd', payment_method: 'pm_card_visa', confirm: 'true', 'metadata[marker]': marker };
      const connector = server.deps.connectors.builtIn;
      const original = connector.authorize;
      let release!: () => void;
      const providerCalled = new Promise<void>((entered) => {
        connector.authorize = async function (this: typeof connector, ...args: Parameters<typeof original>) {
          entered();
          await new Promise<void>((resolve) => (release = resolve));
          return original.apply(this, args);
        };
      });
      const firstRequest = postForm('/v1/payment_intents', params, idempotencyKey);
      try {
        await providerCalled;
        // Another request takes the key over while the provider is asked (as after the lock's expiry).
        await server.db.query(`UPDATE idempotency_keys SET lock_token = 'another-request' WHERE account_id = $1 AND key = $2`, [accountId, idempotencyKey]);
        release();
        const response = await firstRequest;
        assert.equal(response.status, 409, response.text);
        assert.equal(response.json.error.code, 'idempotency_key_in_use');
      } finally {
        connector.authorize = original;
      }
      // The outcome's statement wrote nothing: the intent still waits for its attempt, and the key has no answer.
      const [intent] = await intentsWithMarker(marker);
      assert.equal(intent.status, 'processing');
      assert.equal(intent.amount_received, 0);
      const row = (await server.db.query('SELECT lock_token, response_status FROM idempotency_keys WHERE account_id = $1 AND key = $2', [accountId, idempotencyKey])).rows[0];
      assert.deepEqual(row, { lock_token: 'another-request', response_status: null });
      // The janitor resolves the attempt the lost request left, once.
      await resolveStuckAttempts(server.deps, 0);
      const [resolved] = await intentsWithMarker(marker);
      assert.equal(resolved.status, 'succeeded');
      assert.equal(resolved.amount_received, 2900);
    });

    it('a create whose key another request takes just before its first write writes nothing of it and answers 409', async () => {
      const { accountId } = server.account;
      const idempotencyKey = newKey();
      const marker = newMarker();
      const params = { amount: '2300', currency: 'usd', payment_method: 'pm_card_visa', confirm: 'true', 'metadata[marker]': marker };
      const commits = server.deps.commits;
      const original = commits.query;
      let takenOver = false;
      // Just before the first write (the key, the intent, its charge, attempt and event, in one statement), another
      // request with the same key and parameters takes the key: its row, as this request's would be, with its token.
      commits.query = async function (this: typeof commits, config, lockKey) {
        if (!takenOver && config.text.includes('key_checkpoint')) {
          takenOver = true;
          const [keyRow] = JSON.parse(config.values![0] as string) as Record<string, unknown>[];
          assert.equal(keyRow.key, idempotencyKey);
          await server.db.query(
            `INSERT INTO idempotency_keys (account_id, livemode, key, request_method, request_path, request_fingerprint, locked_at, lock_token)
             VALUES ($1, $2, $3, $4, $5, $6, now(), 'another-request')`,
            [keyRow.account_id, keyRow.livemode, keyRow.key, keyRow.request_method, keyRow.request_path, keyRow.request_fingerprint],
          );
        }
        return original.call(this, config, lockKey);
      };
      let response: Awaited<ReturnType<typeof postForm>>;
      try {
        response = await postForm('/v1/payment_intents', params, idempotencyKey);
      } finally {
        commits.query = original;
      }
      assert.ok(takenOver, 'the first write carried the key');
      assert.equal(response.status, 409, response.text);
      assert.equal(response.json.error.code, 'idempotency_key_in_use');
      assert.equal((await intentsWithMarker(marker)).length, 0);
      const writes = await server.db.query(
        `SELECT (SELECT count(*)::int FROM charges c JOIN payment_intents p ON p.id = c.payment_intent_id WHERE p.metadata->>'marker' = $1) AS charges,
                (SELECT count(*)::int FROM events WHERE type = 'payment_intent.created' AND data->'object'->'metadata'->>'marker' = $1) AS events`,
        [marker],
      );
      assert.deepEqual(writes.rows[0], { charges: 0, events: 0 });
      // The other request's hold on the key is untouched.
      const row = (await server.db.query('SELECT lock_token, recovery_resource FROM idempotency_keys WHERE account_id = $1 AND key = $2', [accountId, idempotencyKey])).rows[0];
      assert.deepEqual(row, { lock_token: 'another-request', recovery_resource: null });
    });

    it('a keyed create-and-confirm takes its key with its first write and stores its answer with its outcome: two statements', async () => {
      const { accountId } = server.account;
      const idempotencyKey = newKey();
      const commits = server.deps.commits;
      const original = commits.query;
      const keyStatements: string[] = [];
      commits.query = async function (this: typeof commits, config, lockKey) {
        if (config.text.includes('idempotency_keys')) {
          keyStatements.push(config.text.includes('key_checkpoint') ? 'first write' : config.text.includes('key_answer') ? 'outcome and answer' : config.text.trim().split(/\s+/).slice(0, 3).join(' '));
        }
        return original.call(this, config, lockKey);
      };
      let response: Awaited<ReturnType<typeof postForm>>;
      try {
        response = await postForm('/v1/payment_intents', { amount: '2400', currency: 'usd', payment_method: 'pm_card_visa', confirm: 'true' }, idempotencyKey);
      } finally {
        commits.query = original;
      }
      assert.equal(response.status, 200, response.text);
      // The first write inserts the key; the outcome's statement stores the answer: two statements, as without a key.
      assert.deepEqual(keyStatements, ['first write', 'outcome and answer']);
      const row = (await server.db.query('SELECT recovery_resource, response_status, locked_at FROM idempotency_keys WHERE account_id = $1 AND key = $2', [accountId, idempotencyKey])).rows[0];
      assert.deepEqual(row, { recovery_resource: response.json.id, response_status: 200, locked_at: null });
      const replay = await postForm('/v1/payment_intents', { amount: '2400', currency: 'usd', payment_method: 'pm_card_visa', confirm: 'true' }, idempotencyKey);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(replay.json, response.json);
    });

    it('a keyed create-and-confirm stores, in its outcome statement, the answer a retrieve gives: succeeded, declined, 3-D Secure, manual capture', async () => {
      const { stripe } = server.account;
      const cases: Record<string, string>[] = [
        { payment_method: 'pm_card_visa' },
        { payment_method: 'pm_card_chargeDeclined' },
        { payment_method: 'pm_card_threeDSecure2Required', return_url: 'https://shop.example/back' },
        { payment_method: 'pm_card_visa', capture_method: 'manual', 'metadata[order]': 'o-1', description: 'manual' },
      ];
      for (const extra of cases) {
        const key = newKey();
        const params = { amount: '2800', currency: 'eur', confirm: 'true', ...extra };
        const first = await postForm('/v1/payment_intents', params, key);
        assert.ok(first.status === 200 || first.status === 402, first.text);
        const intent = first.status === 200 ? first.json : first.json.error.payment_intent;
        const retrieved = await stripe.paymentIntents.retrieve(intent.id);
        const { lastResponse: _lastResponse, ...asRetrieved } = retrieved as unknown as Record<string, unknown>;
        assert.deepStrictEqual(intent, JSON.parse(JSON.stringify(asRetrieved)), `${extra.payment_method}: the answer is the intent as written`);
        const replay = await postForm('/v1/payment_intents', params, key);
        assert.equal(replay.headers.get('idempotent-replayed'), 'true');
        assert.equal(replay.status, first.status);
        assert.deepStrictEqual(replay.json, first.json);
      }
    });

    it('a keyed create that fails before its first write stores the error under the key; a replay gets it, other parameters get 400', async () => {
      const idempotencyKey = newKey();
      const params = { amount: '2500', currency: 'usd', payment_method: 'pm_does_not_exist', confirm: 'true' };
      const first = await postForm('/v1/payment_intents', params, idempotencyKey);
      assert.equal(first.status, 404, first.text);
      assert.equal(first.json.error.code, 'resource_missing');
      const replay = await postForm('/v1/payment_intents', params, idempotencyKey);
      assert.equal(replay.status, 404);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(replay.json, first.json);
      // A completed key is checked before anything else: other parameters are a reuse even where they would fail too.
      const reused = await postForm('/v1/payment_intents', { ...params, amount: '2600' }, idempotencyKey);
      assert.equal(reused.status, 400);
      assert.equal(reused.json.error.code, 'idempotency_key_reused');
      // A replay of a successful create whose customer was deleted since still answers the stored intent.
      const okKey = newKey();
      const { stripe } = server.account;
      const customer = await stripe.customers.create({ email: 'replay@example.com' });
      const okParams = { amount: '2700', currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: 'true' };
      const created = await postForm('/v1/payment_intents', okParams, okKey);
      assert.equal(created.status, 200, created.text);
      await stripe.customers.del(customer.id);
      const fresh = await postForm('/v1/payment_intents', okParams, newKey());
      assert.ok(fresh.status >= 400 && fresh.status < 500, `a new request with the deleted customer fails: ${fresh.text}`);
      const replayed = await postForm('/v1/payment_intents', okParams, okKey);
      assert.equal(replayed.status, 200, replayed.text);
      assert.equal(replayed.headers.get('idempotent-replayed'), 'true');
      assert.equal(replayed.json.id, created.json.id);
    });

    it('an attempt left processing by a crash is resolved once by the recovery sweep, never charged again', async () => {
      const { stripe, accountId } = server.account;
      const intent = await stripe.paymentIntents.create({ amount: 3100, currency: 'usd', payment_method: 'pm_card_visa' });
      assert.equal(intent.status, 'requires_confirmation');
      // The first half of a confirmation committed (pending charge, intent processing) and the process died.
      const chargeId = `ch_crash${randomUUID().replace(/-/g, '').slice(0, 16)}`;
      await server.db.query(
        `INSERT INTO charges (id, account_id, livemode, payment_intent_id, payment_method_id, amount, currency, status, payment_method_details, created)
         SELECT $1, pi.account_id, pi.livemode, pi.id, pi.payment_method_id, pi.amount, pi.currency, 'pending',
                jsonb_build_object('billing_details', pm.billing_details, 'card', pm.card), extract(epoch FROM now())::bigint
           FROM payment_intents pi JOIN payment_methods pm ON pm.id = pi.payment_method_id
          WHERE pi.id = $2 AND pi.account_id = $3`,
        [chargeId, intent.id, accountId],
      );
      await server.db.query(
        `UPDATE payment_intents SET status = 'processing', latest_charge_id = $2, updated_at = now() - interval '10 minutes' WHERE id = $1`,
        [intent.id, chargeId],
      );
      // With it, its first connector attempt (recorded in the same statement as the charge), due for the janitor.
      await server.db.query(
        `INSERT INTO payment_attempts (id, account_id, livemode, payment_intent_id, charge_id, position, connector, status, routing_reason, started_at, next_sync_at)
         VALUES ($1, $2, false, $3, $4, 1, 'test_processor', 'pending', 'priority 0', now() - interval '10 minutes', now() - interval '9 minutes')`,
        [`pa_crash${randomUUID().replace(/-/g, '').slice(0, 16)}`, accountId, intent.id, chargeId],
      );
      const processing = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(processing.status, 'processing');
      const confirmWhileProcessing = await rejection(stripe.paymentIntents.confirm(intent.id));
      assert.equal(confirmWhileProcessing.code, 'payment_intent_unexpected_state');

      // Two sweeps racing (two workers) must still apply the outcome once.
      const resolvedCounts = await Promise.all([resolveStuckAttempts(server.deps, 0), resolveStuckAttempts(server.deps, 0)]);
      assert.equal(resolvedCounts[0] + resolvedCounts[1], 1, 'exactly one sweep applied the outcome');
      assert.equal(await resolveStuckAttempts(server.deps, 0), 0);

      const resolved = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(resolved.status, 'succeeded');
      assert.equal(resolved.amount_received, 3100);
      assert.equal(resolved.latest_charge, chargeId);
      const charges = await chargesOf(intent.id);
      assert.equal(charges.length, 1);
      assert.equal(charges[0].status, 'succeeded');
      assert.equal(charges[0].captured, true);
      assert.equal(charges[0].amount_captured, 3100);
      assert.equal(await eventCount('charge.succeeded', chargeId), 1);
      assert.equal(await eventCount('payment_intent.succeeded', intent.id), 1);
    });

    it('an ambiguous provider answer that asking again cannot resolve leaves the attempt processing until the janitor asks', async () => {
      const { stripe } = server.account;
      const connector = server.deps.connectors.builtIn;
      const original = connector.authorize;
      const originalSync = connector.sync;
      let calls = 0;
      let syncs = 0;
      connector.authorize = async (): Promise<AuthorizeOutput> => {
        calls += 1;
        throw new Error('socket hang up');
      };
      // The inline syncs get no definite answer either.
      connector.sync = async (): Promise<AuthorizeOutput> => {
        syncs += 1;
        return { status: 'pending' };
      };
      let intent: Stripe.PaymentIntent;
      const idempotencyKey = newKey();
      try {
        intent = await stripe.paymentIntents.create({ amount: 4200, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { idempotencyKey });
      } finally {
        connector.authorize = original;
        connector.sync = originalSync;
      }
      assert.equal(calls, 1);
      assert.equal(syncs, server.deps.orchestration.inlineSyncs, 'asked again before giving up, never authorized twice');
      assert.equal(intent.status, 'processing');
      const [attempt] = (await server.db.query(`SELECT status, next_sync_at > now() AS scheduled FROM payment_attempts WHERE payment_intent_id = $1`, [intent.id])).rows;
      assert.deepEqual(attempt, { status: 'unknown', scheduled: true });

      // A retry with the key replays "processing"; it does not authorize again.
      const replay = await stripe.paymentIntents.create({ amount: 4200, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }, { idempotencyKey });
      assert.equal(replay.id, intent.id);
      assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');

      assert.ok((await resolveStuckAttempts(server.deps, 0)) >= 1);
      const resolved = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(resolved.status, 'succeeded');
      assert.equal(resolved.amount_received, 4200);
      const charges = await chargesOf(intent.id);
      assert.equal(charges.length, 1);
      assert.equal(charges[0].status, 'succeeded');
      assert.equal(await eventCount('payment_intent.succeeded', intent.id), 1);
    });
  });

  describe('storage', () => {
    it('stores the response in the same transaction as the state change', async () => {
      const { stripe, accountId } = server.account;
      for (const confirm of [false, true]) {
        const idempotencyKey = newKey();
        const created = await stripe.paymentIntents.create({ amount: 1100, currency: 'usd', payment_method: 'pm_card_visa', confirm }, { idempotencyKey });
        const row = (await server.db.query(
          `SELECT response_status, response_encrypted, locked_at, xmin::text AS xid FROM idempotency_keys WHERE account_id = $1 AND key = $2`,
          [accountId, idempotencyKey],
        )).rows[0];
        row.response_body = storedBody(row, accountId, idempotencyKey);
        assert.equal(row.response_status, 200);
        assert.equal(row.response_body.id, created.id);
        assert.equal(row.response_body.status, confirm ? 'succeeded' : 'requires_confirmation');
        assert.equal(row.locked_at, null);
        const intentRow = (await server.db.query('SELECT status, xmin::text AS xid FROM payment_intents WHERE id = $1', [created.id])).rows[0];
        assert.equal(intentRow.status, row.response_body.status);
        // The same writing transaction id: the intent's last change and the stored response committed together.
        assert.equal(intentRow.xid, row.xid);
      }
    });

    it('records the idempotency key on the events the request caused', async () => {
      const idempotencyKey = newKey();
      const created = await server.account.stripe.paymentIntents.create({ amount: 1400, currency: 'usd' }, { idempotencyKey });
      const events = await server.account.stripe.events.list({ type: 'payment_intent.created', limit: 10 });
      const event = events.data.find((candidate) => (candidate.data.object as { id: string }).id === created.id);
      assert.ok(event);
      assert.equal(event.request?.idempotency_key, idempotencyKey);
    });

    it('GET requests ignore Idempotency-Key', async () => {
      const { stripe, secretKey, accountId } = server.account;
      const intent = await stripe.paymentIntents.create({ amount: 1600, currency: 'usd' });
      const idempotencyKey = newKey();
      const get = () => server.request('GET', `/v1/payment_intents/${intent.id}`, { key: secretKey, headers: { 'idempotency-key': idempotencyKey } });
      const first = await get();
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      await stripe.paymentIntents.update(intent.id, { description: 'changed after the first GET' });
      const second = await get();
      assert.equal(second.status, 200);
      assert.equal(second.headers.get('idempotent-replayed'), null);
      assert.equal(second.json.description, 'changed after the first GET');
      assert.equal(await keyRow(accountId, idempotencyKey), undefined);

      // A GET-used key stays free for a POST.
      const post = await postForm(`/v1/payment_intents/${intent.id}`, { description: 'posted' }, idempotencyKey);
      assert.equal(post.status, 200);
      assert.equal(post.json.description, 'posted');
    });
  });
});
