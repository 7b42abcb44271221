import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import type { AuthorizeOutput } from '../src/connectors/connector.ts';
import { attemptOutcomeChannel, type AttemptOutcomeMessage } from '../src/orchestration/attempt-outcome.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { submitChallengePage } from './helpers/challenge.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Every origin of an attempt's outcome (the confirming request, the customer's return, the janitor) goes through
 * applyAttemptOutcome, which publishes each application on its diagnostics channel. The provider webhook origin is
 * covered in test/orchestration-stripe.test.ts (the built-in processor sends no webhooks).
 */
describe('one attempt-outcome path', () => {
  let server: TestServer;
  const messages: AttemptOutcomeMessage[] = [];
  const listener = (message: unknown) => messages.push(message as AttemptOutcomeMessage);
  before(async () => {
    subscribe(attemptOutcomeChannel.name, listener);
    server = await startTestServer();
  });
  after(async () => {
    unsubscribe(attemptOutcomeChannel.name, listener);
    await server.close();
  });

  const outcomesOf = (intentId: string) => messages.filter((message) => message.paymentIntentId === intentId);
  const attemptsOf = async (intentId: string) =>
    (await server.db.query<{ id: string; status: string }>('SELECT id, status FROM payment_attempts WHERE payment_intent_id = $1 ORDER BY position', [intentId])).rows;

  it('the confirming request applies its answer through it', async () => {
    const intent = await server.account.stripe.paymentIntents.create({ amount: 1800, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    assert.equal(intent.status, 'succeeded');
    const [attempt] = await attemptsOf(intent.id);
    assert.deepEqual(outcomesOf(intent.id), [{ attemptId: attempt.id, paymentIntentId: intent.id, origin: 'confirming_request', outputStatus: 'authorized', applied: true }]);
  });

  it("the customer's return from a 3-D Secure challenge applies the answer through it", async () => {
    const intent = await server.account.stripe.paymentIntents.create({
      amount: 1900, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required', confirm: true, return_url: 'https://shop.example.com/return',
    });
    assert.equal(intent.status, 'requires_action');
    const url = intent.next_action?.redirect_to_url?.url;
    assert.ok(url);
    const response = await submitChallengePage(url, 'complete');
    assert.equal(response.status, 303);
    assert.equal((await server.account.stripe.paymentIntents.retrieve(intent.id)).status, 'succeeded');
    const [attempt] = await attemptsOf(intent.id);
    assert.deepEqual(outcomesOf(intent.id).map(({ attemptId, origin, outputStatus, applied }) => ({ attemptId, origin, outputStatus, applied })), [
      { attemptId: attempt.id, origin: 'confirming_request', outputStatus: 'requires_authentication', applied: true },
      { attemptId: attempt.id, origin: 'redirect_return', outputStatus: 'authorized', applied: true },
    ]);
  });

  it("the janitor applies the provider's answer to a payment left in doubt through it", async () => {
    const connector = server.deps.connectors.builtIn;
    const originalAuthorize = connector.authorize;
    const originalSync = connector.sync;
    // The provider's answers are lost (the request and its inline syncs learn nothing), as after a timeout.
    connector.authorize = async (): Promise<AuthorizeOutput> => { throw new Error('socket hang up'); };
    connector.sync = async (): Promise<AuthorizeOutput> => ({ status: 'pending' });
    let intentId: string;
    try {
      const intent = await server.account.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      assert.equal(intent.status, 'processing');
      intentId = intent.id;
    } finally {
      connector.authorize = originalAuthorize;
      connector.sync = originalSync;
    }
    const [attempt] = await attemptsOf(intentId);
    assert.deepEqual(outcomesOf(intentId).map(({ origin, outputStatus, applied }) => ({ origin, outputStatus, applied })), [
      { origin: 'confirming_request', outputStatus: 'pending', applied: false },
    ]);

    assert.equal(await resolveStuckAttempts(server.deps, 0), 1);
    assert.equal((await server.account.stripe.paymentIntents.retrieve(intentId)).status, 'succeeded');
    assert.deepEqual(outcomesOf(intentId).at(-1), { attemptId: attempt.id, paymentIntentId: intentId, origin: 'janitor', outputStatus: 'authorized', applied: true });
  });
});
