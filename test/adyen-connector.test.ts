import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { AuthorizeInput } from '../src/connectors/connector.ts';
import { AdyenConnector, AdyenRequestError } from '../src/connectors/adyen/connector.ts';
import { startAdyenSandbox, type AdyenSandbox } from '../src/sandbox/adyen/server.ts';
import { OpenApiSpec } from './helpers/openapi-spec.ts';

/*
 * The Adyen connector against the Adyen sandbox, in-process, over real HTTP. Every request the connector sends and
 * every response it reads is checked against Adyen's published OpenAPI spec (CheckoutService-v71.json).
 */

const apiKey = 'AQE_test_api_key_for_payrail';
const hmacKeyHex = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const merchantAccount = 'PayrailECOM';
const returnUrl = 'https://payrail.example/adyen/return';

// --- OpenAPI validation of the traffic -------------------------------------------------------------------------------

const checkout = OpenApiSpec.load('adyen/CheckoutService-v71.json');
const webhooksSpec = OpenApiSpec.load('adyen/Webhooks-v1.json');
/** Statuses the sandbox's fault injection produces that Adyen's spec does not document (an outage's 503). */
const undocumentedFaultStatuses = new Set([503]);

interface Exchange {
  path: string;
  headers: Record<string, string>;
  body: unknown;
  status: number | null;
  response: unknown;
}
const exchanges: Exchange[] = [];

/** Wraps fetch for the duration of the tests: records every Checkout API exchange and validates both sides. */
const realFetch = globalThis.fetch;
function recordingFetch(sandboxUrl: string): typeof fetch {
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.startsWith(sandboxUrl + '/v71/')) return realFetch(input, init);
    const path = new URL(url).pathname;
    const method = init?.method ?? 'GET';
    const operation = checkout.operationFor(method, path);
    const body = JSON.parse(String(init?.body));
    checkout.assertRequest(operation, body);
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const exchange: Exchange = { path, headers, body, status: null, response: null };
    exchanges.push(exchange);
    const response = await realFetch(input, init);
    exchange.status = response.status;
    const text = await response.clone().text();
    exchange.response = text === '' ? undefined : JSON.parse(text);
    if (!undocumentedFaultStatuses.has(response.status)) checkout.assertResponse(operation, response.status, exchange.response);
    return response;
  };
}

// --- Helpers -------------------------------------------------------------------------------------------------------

let attemptCounter = 0;
function attempt(overrides: Partial<AuthorizeInput> = {}): AuthorizeInput {
  attemptCounter += 1;
  return {
    attemptId: `ch_adyentest${process.pid}x${attemptCounter}`,
    amount: 2000,
    currency: 'usd',
    capture: false,
    card: { number: '4111111145551142', expMonth: 3, expYear: 2030, brand: 'visa' },
    ...overrides,
  };
}

/** The shopper's side of 3-D Secure: open the challenge page, submit it, and read the redirectResult Adyen returns. */
async function completeChallenge(url: string, password: string): Promise<string> {
  const page = await realFetch(url);
  assert.equal(page.status, 200);
  const location = (await realFetch(url, { method: 'POST', body: new URLSearchParams({ password }), redirect: 'manual' })).headers.get('location');
  assert.ok(location, 'the challenge redirects back to the return URL');
  assert.ok(location.startsWith(returnUrl), location);
  const redirectResult = new URL(location).searchParams.get('redirectResult');
  assert.ok(redirectResult);
  return redirectResult;
}

describe('Adyen connector against the Adyen sandbox', () => {
  let sandbox: AdyenSandbox;
  let connector: AdyenConnector;

  before(async () => {
    sandbox = await startAdyenSandbox({ apiKey, hmacKeyHex, merchantAccounts: [merchantAccount] });
    // A generous timeout: the sandbox answers, slowly only on a loaded machine. The timeout test has a connector of its own.
    connector = new AdyenConnector({ baseUrl: sandbox.url, apiKey, merchantAccount, hmacKeyHex, timeoutMs: 30_000, returnUrl });
    globalThis.fetch = recordingFetch(sandbox.url);
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await sandbox.close();
  });
  afterEach(() => {
    sandbox.setFaults({ errorRate: 0, timeoutRate: 0, status5xxRate: 0, outage: false, latencyMs: 0 });
  });

  it('authorizes a card with X-API-Key and an Idempotency-Key derived from the attempt', async () => {
    const input = attempt({ capture: true });
    const output = await connector.authorize(input);
    assert.equal(output.status, 'authorized');
    if (output.status !== 'authorized') return;
    assert.equal(output.captured, true);
    const exchange = exchanges.at(-1)!;
    assert.equal(exchange.path, '/v71/payments');
    assert.equal(exchange.headers['x-api-key'], apiKey);
    assert.equal(exchange.headers['idempotency-key'], `payrail.${input.attemptId}.authorize`);
    const payment = sandbox.records().payments.find((record) => record.pspReference === output.processorReference);
    assert.ok(payment);
    assert.equal(payment.merchantReference, input.attemptId);
    assert.deepEqual(payment.amount, { currency: 'USD', value: 2000 });
    assert.equal(payment.captureMode, 'immediate');
  });

  it('sends JPY and KWD amounts in Adyen minor units', async () => {
    for (const [amount, currency, value] of [[1500, 'jpy', 1500], [12345, 'kwd', 12345]] as const) {
      const output = await connector.authorize(attempt({ amount, currency }));
      assert.equal(output.status, 'authorized');
      if (output.status !== 'authorized') continue;
      const payment = sandbox.records().payments.find((record) => record.pspReference === output.processorReference);
      assert.deepEqual(payment?.amount, { currency: currency.toUpperCase(), value });
    }
  });

  it('maps refusals to Stripe decline codes', async () => {
    const expired = await connector.authorize(attempt({ card: { number: '4111111145551142', expMonth: 1, expYear: 2020, brand: 'visa' } }));
    assert.equal(expired.status, 'declined');
    if (expired.status !== 'declined') return;
    assert.deepEqual([expired.decline.code, expired.decline.declineCode, expired.decline.networkStatus], ['expired_card', 'expired_card', 'declined_by_network']);
    assert.ok(expired.processorReference);
    // Stripe's 4242 test card is not one of Adyen's test cards: Adyen's test platform refuses it as an invalid number.
    const unknown = await connector.authorize(attempt({ card: { number: '4242424242424242', expMonth: 3, expYear: 2030, brand: 'visa' } }));
    assert.equal(unknown.status, 'declined');
    if (unknown.status === 'declined') assert.equal(unknown.decline.declineCode, 'incorrect_number');
  });

  it('returns a 3-D Secure redirect as requires_authentication and completes it through /payments/details', async () => {
    const input = attempt({ card: { number: '4917610000000000', expMonth: 3, expYear: 2030, brand: 'visa' } });
    const first = await connector.authorize(input);
    assert.equal(first.status, 'requires_authentication');
    if (first.status !== 'requires_authentication') return;
    assert.ok(first.nextAction);
    assert.equal(first.nextAction.type, 'redirect_to_url');
    assert.equal(first.nextAction.method, 'GET');
    assert.ok(first.nextAction.url.startsWith(sandbox.url + '/sandbox/3ds/'));

    // Asking again before the shopper returns replays the same challenge.
    const again = await connector.sync(input);
    assert.deepEqual(again, first);

    const redirectResult = await completeChallenge(first.nextAction.url, 'password');
    const completed = await connector.authorize({ ...input, authentication: { status: 'succeeded', details: { redirectResult } } });
    assert.equal(completed.status, 'authorized');
    const details = exchanges.at(-1)!;
    assert.equal(details.path, '/v71/payments/details');
    assert.equal(details.headers['idempotency-key'], `payrail.${input.attemptId}.details`);
    // sync after the return replays /payments/details and gets the same answer, without a second authorisation.
    const synced = await connector.sync({ ...input, authentication: { status: 'succeeded', details: { redirectResult } } });
    assert.deepEqual(synced, completed);
    assert.equal(sandbox.records().payments.filter((payment) => payment.merchantReference === input.attemptId).length, 1);
  });

  it('declines a failed 3-D Secure challenge with authentication_required', async () => {
    const input = attempt({ card: { number: '4212345678910006', expMonth: 3, expYear: 2030, brand: 'visa' } });
    const first = await connector.authorize(input);
    assert.equal(first.status, 'requires_authentication');
    if (first.status !== 'requires_authentication' || !first.nextAction) return;
    const redirectResult = await completeChallenge(first.nextAction.url, 'wrong');
    const output = await connector.authorize({ ...input, authentication: { status: 'failed', details: { redirectResult } } });
    assert.equal(output.status, 'declined');
    if (output.status === 'declined') assert.equal(output.decline.declineCode, 'authentication_required');
  });

  it('strong customer authentication: an exemption claimed skips the 3-D Secure card\'s challenge; the mandate asks for one on any card (docs/sca.md)', async () => {
    const secureCard = { number: '4917610000000000', expMonth: 3, expYear: 2030, brand: 'visa' };
    const lowValue = await connector.authorize(attempt({ card: secureCard, strongCustomerAuthentication: { authenticate: false, exemption: 'low_value' } }));
    assert.equal(lowValue.status, 'authorized', 'the sandbox issuer grants the low-value exemption');
    let sent = exchanges.at(-1)!.body as Record<string, Record<string, string> | undefined>;
    assert.equal(sent.additionalData?.scaExemption, 'lowValue');
    assert.equal(sent.authenticationData, undefined);

    const riskAnalysis = await connector.authorize(attempt({ card: secureCard, strongCustomerAuthentication: { authenticate: false, exemption: 'transaction_risk_analysis' } }));
    assert.equal(riskAnalysis.status, 'authorized');
    sent = exchanges.at(-1)!.body as Record<string, Record<string, string> | undefined>;
    assert.equal(sent.additionalData?.scaExemption, 'transactionRiskAnalysis');
    assert.equal(sent.threeDS2RequestData?.threeDSRequestorChallengeInd, '05');

    // The mandate on a card Adyen would not challenge by itself: attemptAuthentication=always, challenge indicator 04.
    const mandated = await connector.authorize(attempt({ strongCustomerAuthentication: { authenticate: true, exemption: null } }));
    assert.equal(mandated.status, 'requires_authentication');
    sent = exchanges.at(-1)!.body as Record<string, Record<string, string> | undefined>;
    assert.deepEqual(sent.authenticationData, { attemptAuthentication: 'always' });
    assert.deepEqual(sent.threeDS2RequestData, { threeDSRequestorChallengeInd: '04' });
    assert.equal(sent.additionalData?.scaExemption, undefined);

    // request_three_d_secure=challenge: the requestor's own preference (03), whatever the decision.
    const forced = await connector.authorize(attempt({ requestThreeDSecure: 'challenge', strongCustomerAuthentication: { authenticate: false, exemption: 'low_value' } }));
    assert.equal(forced.status, 'requires_authentication');
    sent = exchanges.at(-1)!.body as Record<string, Record<string, string> | undefined>;
    assert.deepEqual(sent.threeDS2RequestData, { threeDSRequestorChallengeInd: '03' });
    assert.equal(sent.additionalData?.scaExemption, undefined);
  });

  it('captures part of an authorization, then refunds part of the capture', async () => {
    const input = attempt({ amount: 5000 });
    const authorized = await connector.authorize(input);
    assert.equal(authorized.status, 'authorized');
    if (authorized.status !== 'authorized') return;
    assert.equal(authorized.captured, false);
    const reference = { attemptId: input.attemptId, processorReference: authorized.processorReference, amount: 3000, currency: 'usd' };
    const capture = await connector.capture(reference);
    assert.equal(capture.status, 'succeeded');
    const captureExchange = exchanges.at(-1)!;
    assert.equal(captureExchange.path, `/v71/payments/${authorized.processorReference}/captures`);
    assert.deepEqual((captureExchange.body as { amount: unknown }).amount, { currency: 'USD', value: 3000 });
    assert.equal(captureExchange.headers['idempotency-key'], `payrail.${input.attemptId}.capture`);
    // A retried capture replays Adyen's stored answer rather than capturing twice.
    assert.deepEqual(await connector.capture(reference), capture);
    const captures = sandbox.records().modifications.filter((modification) => modification.paymentPspReference === authorized.processorReference && modification.kind === 'capture');
    assert.equal(captures.length, 1);
    assert.equal(captures[0].amount.value, 3000);

    const refundId = `re_adyentest${process.pid}x${attemptCounter}`;
    const refund = await connector.refund({ ...reference, refundId, amount: 1000 });
    // Received, not done: its own pspReference is what Adyen's REFUND webhook will name.
    assert.ok(refund.status === 'pending' && typeof refund.processorReference === 'string');
    assert.equal(exchanges.at(-1)!.headers['idempotency-key'], `payrail.${refundId}.refund`);
    assert.deepEqual(await connector.syncRefund({ ...reference, refundId, amount: 1000 }), refund, 'the replay answers the same refund');
    const refunds = sandbox.records().modifications.filter((modification) => modification.paymentPspReference === authorized.processorReference && modification.kind === 'refund');
    assert.equal(refunds.length, 1);
    assert.equal(refunds[0].reference, refundId);
    assert.deepEqual(refunds[0].amount, { currency: 'USD', value: 1000 });
  });

  it('voids an authorization', async () => {
    const input = attempt();
    const authorized = await connector.authorize(input);
    if (authorized.status !== 'authorized') assert.fail(`expected authorized, got ${authorized.status}`);
    const output = await connector.void({ attemptId: input.attemptId, processorReference: authorized.processorReference, amount: input.amount, currency: input.currency });
    assert.equal(output.status, 'succeeded');
    assert.equal(exchanges.at(-1)!.path, `/v71/payments/${authorized.processorReference}/cancels`);
    const cancels = sandbox.records().modifications.filter((modification) => modification.paymentPspReference === authorized.processorReference && modification.kind === 'cancel');
    assert.equal(cancels.length, 1);
  });

  it('treats a 5xx after processing as pending, and sync replays the original answer without a second payment', async () => {
    const input = attempt();
    sandbox.setFaults({ status5xxRate: 1 });
    assert.deepEqual(await connector.authorize(input), { status: 'pending' });
    sandbox.setFaults({ status5xxRate: 0 });
    const synced = await connector.sync(input);
    assert.equal(synced.status, 'authorized');
    const payments = sandbox.records().payments.filter((payment) => payment.merchantReference === input.attemptId);
    assert.equal(payments.length, 1);
    if (synced.status === 'authorized') assert.equal(synced.processorReference, payments[0].pspReference);
  });

  it('treats a timeout as pending, and sync resolves it to the one authorization that happened', async () => {
    const input = attempt();
    // A connector that gives up sooner: the sandbox never answers this request, and the wait is all the test costs.
    const impatient = new AdyenConnector({ baseUrl: sandbox.url, apiKey, merchantAccount, hmacKeyHex, timeoutMs: 5_000, returnUrl });
    sandbox.setFaults({ timeoutRate: 1 });
    assert.deepEqual(await impatient.authorize(input), { status: 'pending' });
    sandbox.setFaults({ timeoutRate: 0 });
    const synced = await connector.sync(input);
    assert.equal(synced.status, 'authorized');
    assert.equal(sandbox.records().payments.filter((payment) => payment.merchantReference === input.attemptId).length, 1);
  });

  it('treats an outage (503) as pending for payments and modifications', async () => {
    const input = attempt();
    const authorized = await connector.authorize(input);
    if (authorized.status !== 'authorized') assert.fail(`expected authorized, got ${authorized.status}`);
    sandbox.setFaults({ outage: true });
    assert.deepEqual(await connector.authorize(attempt()), { status: 'pending' });
    assert.deepEqual(await connector.capture({ attemptId: input.attemptId, processorReference: authorized.processorReference, amount: 2000, currency: 'usd' }), { status: 'pending' });
    sandbox.setFaults({ outage: false });
    const capture = await connector.capture({ attemptId: input.attemptId, processorReference: authorized.processorReference, amount: 2000, currency: 'usd' });
    assert.equal(capture.status, 'succeeded');
  });

  it('throws typed errors for a bad API key and for an unreachable endpoint', async () => {
    const wrongKey = new AdyenConnector({ baseUrl: sandbox.url, apiKey: 'wrong', merchantAccount, hmacKeyHex, timeoutMs: 30_000, returnUrl });
    await assert.rejects(wrongKey.authorize(attempt()), (error: unknown) => error instanceof AdyenRequestError && error.kind === 'configuration' && error.httpStatus === 401);
    // A port nothing listens on (one just freed): the connection is refused before anything is sent, so failover is safe.
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const freedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const unreachable = new AdyenConnector({ baseUrl: `http://127.0.0.1:${freedPort}`, apiKey, merchantAccount, hmacKeyHex, timeoutMs: 2_000, returnUrl });
    await assert.rejects(unreachable.authorize(attempt()), (error: unknown) => error instanceof AdyenRequestError && error.kind === 'not_sent');
    assert.deepEqual(await unreachable.refund({ attemptId: 'ch_x', processorReference: 'PSP', refundId: 're_x', amount: 100, currency: 'usd' }), { status: 'failed', reason: 'unknown' });
  });

  it('parses a webhook the sandbox signed', async () => {
    const received: Buffer[] = [];
    const { createServer } = await import('node:http');
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push(Buffer.concat(chunks));
        response.end('[accepted]');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const address = receiver.address();
      assert.ok(address && typeof address === 'object');
      sandbox.setWebhookTarget({ url: `http://127.0.0.1:${address.port}/adyen` });
      const input = attempt({ capture: true, amount: 700, currency: 'jpy' });
      const authorized = await connector.authorize(input);
      assert.equal(authorized.status, 'authorized');
      await sandbox.webhooksIdle();
      for (const body of received) {
        const notification = JSON.parse(body.toString('utf8'));
        webhooksSpec.assertWebhook(notification.notificationItems[0].NotificationRequestItem.eventCode, notification);
      }
      const notifications = (await Promise.all(received.map((body) => connector.parseWebhook({}, body)))).flat();
      const authorisation = notifications.find((notification) => notification.kind === 'authorization' && notification.attemptId === input.attemptId);
      assert.ok(authorisation && authorisation.kind === 'authorization', JSON.stringify(notifications));
      assert.equal(authorisation.result.status, 'authorized');
      if (authorized.status === 'authorized') assert.equal(authorisation.processorReference, authorized.processorReference);
    } finally {
      sandbox.setWebhookTarget(undefined);
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
