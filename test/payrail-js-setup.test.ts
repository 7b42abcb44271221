import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { challengeCompletePath } from '../src/api/routes/challenge-complete-page.ts';
import { browserTestTimeoutMs, launchChromium, startMerchantSite, type MerchantSite } from './helpers/browser.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// SetupIntents from the browser, in Debian's Chromium: a merchant page on its own origin saves a card with
// payrail.confirmCardSetup / confirmSetup, the publishable key and the SetupIntent's client secret. A plain card is
// saved and then charged off-session through the stripe SDK; Stripe's card that asks for 3-D Secure on setup
// (4000 0025 0000 3155) is authenticated in the same dialog as a payment's challenge, without the page navigating; a
// declined card resolves { error } with the SetupIntent inside.

/** Bound on any one wait for the page (the machine may be busy with other test files). */
const conditionTimeoutMs = 60_000;
const plainCard = '4242424242424242';
const setupThreeDSecureCard = '4000002500003155';
const declinedCard = '4000000000000002';

/**
 * The merchant's page: a card element (or the payment element, for confirmSetup); on submit, per `flow`,
 * confirmCardSetup (default), confirmSetup with redirect: 'if_required', or retrieveSetupIntent. The result goes into
 * #result as text.
 */
function setupPage(payrailBase: string, publishableKey: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Save a card</title><script src="${payrailBase}/v1/payrail.js"></script></head>
<body><h1>Your card</h1><form id="setup-form"><div id="card-element"></div><button id="submit" type="submit">Save card</button></form>
<p id="result" role="status"></p>
<script>
  const params = new URLSearchParams(location.search);
  const secret = params.get('secret');
  const payrail = Payrail(${JSON.stringify(publishableKey)});
  const elements = payrail.elements({ clientSecret: secret, locale: 'en' });
  const element = elements.create(params.get('element') || 'card', { hidePostalCode: true });
  window.seen = { ready: false };
  element.on('ready', () => { window.seen.ready = true; });
  element.mount('#card-element');
  const show = ({ error, setupIntent }) => {
    document.getElementById('result').textContent = error
      ? 'error: ' + error.code + ': intent ' + (error.setup_intent ? error.setup_intent.status : 'none')
      : setupIntent.id + ' ' + setupIntent.status + ' ' + setupIntent.payment_method;
  };
  document.getElementById('setup-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const flow = params.get('flow');
    if (flow === 'setup') show(await payrail.confirmSetup({ elements, confirmParams: { return_url: location.origin + '/done', payment_method_data: { billing_details: { name: 'Ada Lovelace' } } }, redirect: 'if_required' }));
    else if (flow === 'retrieve') show(await payrail.retrieveSetupIntent(secret));
    else show(await payrail.confirmCardSetup(secret, { payment_method: { card: element, billing_details: { name: 'Ada Lovelace' } } }));
  });
</script></body></html>`;
}

describe('payrail.js SetupIntents: confirmCardSetup and confirmSetup', { timeout: browserTestTimeoutMs }, () => {
  let server: TestServer;
  let browser: Browser;
  let merchant: MerchantSite;

  before(async () => {
    server = await startTestServer();
    merchant = await startMerchantSite({
      heading: () => 'Saved',
      html: (path) => (path.startsWith('/setup') ? setupPage(server.baseUrl, server.account.publishableKey) : undefined),
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await server?.close();
  });

  async function openPage(query: Record<string, string>): Promise<{ page: Page; frame: Frame; navigations: string[]; url: string }> {
    const page = await browser.newPage();
    page.setDefaultTimeout(conditionTimeoutMs);
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    const url = `${merchant.url}/setup?${new URLSearchParams(query)}`;
    await page.goto(url);
    await page.waitForFunction('window.seen.ready === true');
    const frame = page.frames().find((candidate) => candidate.url().startsWith(`${server.baseUrl}/v1/elements/frame#`));
    assert.ok(frame);
    return { page, frame, navigations, url };
  }

  async function typeCard(page: Page, frame: Frame, number: string): Promise<void> {
    await frame.getByLabel('Card number').click();
    await page.keyboard.type(number);
    await page.keyboard.type('1234');
    await page.keyboard.type('123');
  }

  async function result(page: Page): Promise<string> {
    await page.waitForFunction('document.getElementById("result").textContent !== ""');
    return (await page.locator('#result').textContent())!;
  }

  it('confirmCardSetup saves a card: the SetupIntent succeeds, the card is attached, and the merchant charges it off-session', async () => {
    const customer = await server.account.stripe.customers.create({ email: 'ada@example.com' });
    const setupIntent = await server.account.stripe.setupIntents.create({ customer: customer.id, usage: 'off_session' });
    const { page, frame, navigations, url } = await openPage({ secret: setupIntent.client_secret! });
    await typeCard(page, frame, plainCard);
    await page.getByRole('button', { name: 'Save card' }).click();
    const shown = await result(page);
    const [id, status, paymentMethodId] = shown.split(' ');
    assert.equal(id, setupIntent.id);
    assert.equal(status, 'succeeded');
    assert.match(paymentMethodId!, /^pm_/);
    assert.deepEqual(navigations, [url], 'the page never navigated');

    const saved = await server.account.stripe.setupIntents.retrieve(setupIntent.id);
    assert.equal(saved.status, 'succeeded');
    assert.equal(saved.payment_method, paymentMethodId);
    const paymentMethod = await server.account.stripe.paymentMethods.retrieve(paymentMethodId!);
    assert.equal(paymentMethod.customer, customer.id);
    assert.equal(paymentMethod.billing_details.name, 'Ada Lovelace');
    assert.equal(paymentMethod.card?.last4, '4242');

    // The merchant, later, without the customer: an off-session payment with the saved card.
    const payment = await server.account.stripe.paymentIntents.create({
      amount: 1500, currency: 'usd', customer: customer.id, payment_method: paymentMethodId!, off_session: true, confirm: true,
    });
    assert.equal(payment.status, 'succeeded');

    // retrieveSetupIntent: the public fields, with the publishable key and the client secret.
    const again = await openPage({ secret: setupIntent.client_secret!, flow: 'retrieve' });
    await again.page.getByRole('button', { name: 'Save card' }).click();
    assert.equal(await result(again.page), `${setupIntent.id} succeeded ${paymentMethodId}`);
    await again.page.close();
    await page.close();
  });

  it('confirmCardSetup with a card that asks for 3-D Secure on setup: the challenge shows in the dialog, authenticating resolves { setupIntent }', async () => {
    const customer = await server.account.stripe.customers.create({ email: 'grace@example.com' });
    const setupIntent = await server.account.stripe.setupIntents.create({ customer: customer.id });
    const { page, frame, navigations, url } = await openPage({ secret: setupIntent.client_secret! });
    await typeCard(page, frame, setupThreeDSecureCard);
    await page.getByRole('button', { name: 'Save card' }).click();

    const dialog = page.getByRole('dialog', { name: 'Confirm your payment' });
    await dialog.waitFor();
    const challenge = await (await dialog.locator('iframe').elementHandle())!.contentFrame();
    assert.ok(challenge);
    await challenge.getByRole('button', { name: 'Complete authentication' }).waitFor();
    assert.ok(challenge.url().startsWith(`${server.baseUrl}/3ds/setup/auth_`), `the dialog shows Payrail's setup challenge: ${challenge.url()}`);
    // The SetupIntent comes back to Payrail's completion page for this origin, not to a page of the merchant.
    const waiting = await server.account.stripe.setupIntents.retrieve(setupIntent.id);
    assert.equal(waiting.status, 'requires_action');
    const returnUrl = new URL(waiting.next_action!.redirect_to_url!.return_url!);
    assert.equal(`${returnUrl.origin}${returnUrl.pathname}`, `${server.baseUrl}${challengeCompletePath}`);
    assert.equal(returnUrl.searchParams.get('origin'), merchant.url);
    // Framed by this origin only.
    const challengePage = await fetch(waiting.next_action!.redirect_to_url!.url!);
    assert.match(challengePage.headers.get('content-security-policy')!, new RegExp(`frame-ancestors ${merchant.url};`));
    assert.equal(challengePage.headers.get('x-frame-options'), null);

    await challenge.getByRole('button', { name: 'Complete authentication' }).click();
    const shown = await result(page);
    assert.match(shown, new RegExp(`^${setupIntent.id} succeeded pm_`));
    assert.equal(await page.getByRole('dialog').count(), 0, 'the dialog is gone');
    assert.deepEqual(navigations, [url], 'the page never navigated');
    assert.equal(await page.evaluate('document.activeElement.id'), 'submit', 'the focus is back on the button');
    const saved = await server.account.stripe.setupIntents.retrieve(setupIntent.id);
    assert.equal(saved.status, 'succeeded');
    assert.equal((await server.account.stripe.paymentMethods.retrieve(saved.payment_method as string)).customer, customer.id);
    await page.close();
  });

  it('confirmSetup with redirect: \'if_required\': a failed challenge resolves { error } setup_intent_authentication_failure', async () => {
    const setupIntent = await server.account.stripe.setupIntents.create({});
    const { page, frame, navigations, url } = await openPage({ secret: setupIntent.client_secret!, element: 'payment', flow: 'setup' });
    await typeCard(page, frame, setupThreeDSecureCard);
    await page.getByRole('button', { name: 'Save card' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm your payment' });
    await dialog.waitFor();
    const challenge = await (await dialog.locator('iframe').elementHandle())!.contentFrame();
    assert.ok(challenge);
    await challenge.getByRole('button', { name: 'Fail authentication' }).click();
    assert.equal(await result(page), 'error: setup_intent_authentication_failure: intent requires_payment_method');
    assert.equal(await page.getByRole('dialog').count(), 0);
    assert.deepEqual(navigations, [url]);
    const failed = await server.account.stripe.setupIntents.retrieve(setupIntent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_setup_error?.code, 'setup_intent_authentication_failure');
    await page.close();
  });

  it('a declined card resolves { error } card_declined with the SetupIntent, and nothing is saved', async () => {
    const customer = await server.account.stripe.customers.create({});
    const setupIntent = await server.account.stripe.setupIntents.create({ customer: customer.id });
    const { page, frame } = await openPage({ secret: setupIntent.client_secret! });
    await typeCard(page, frame, declinedCard);
    await page.getByRole('button', { name: 'Save card' }).click();
    assert.equal(await result(page), 'error: card_declined: intent requires_payment_method');
    const failed = await server.account.stripe.setupIntents.retrieve(setupIntent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_setup_error?.decline_code, 'generic_decline');
    assert.equal((await server.account.stripe.customers.listPaymentMethods(customer.id)).data.length, 0);
    await page.close();
  });
});
