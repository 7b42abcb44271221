import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { challengeCompletePath } from '../src/api/routes/challenge-complete-page.ts';
import { challengeCompletePath as clientChallengeCompletePath } from '../client/payrail-js/protocol.ts';
import { browserTestTimeoutMs, launchChromium, startMerchantSite, within, type MerchantSite } from './helpers/browser.ts';
import { challengeFormToken } from './helpers/challenge.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// 3-D Secure in payrail.js's dialog, in Debian's Chromium: a merchant page on its own origin confirms with Stripe's
// 3-D Secure test card (4000 0027 6000 3184); the test processor's challenge page shows in a dialog over the page, the
// shopper answers there, and the promise resolves with the intent while the page stays where it is. Then the headers
// that make it safe: who may frame the challenge and the completion page, and the form token that still guards it.

/** Bound on any one wait for the page (the machine may be busy with other test files). */
const conditionTimeoutMs = 60_000;
/** Every key press is bounded too (Playwright waits for the browser's acknowledgement of a key without a timeout). */
const press = (page: Page, key: string) => within(`pressing ${key}`, page.keyboard.press(key));

/**
 * A key pressed in the challenge's frame that ends with the dialog removing that frame (Escape, or Enter on its
 * Complete button). Playwright's press is a keydown, then (once the browser acknowledged it) a keyup, and Chromium
 * answers DevTools' Input.dispatchKeyEvent only when the frame it went to acknowledges the event: when the dialog
 * removes the frame before that (the keydown's postMessage raced the keyup, which a loaded machine decides either way),
 * the command is never answered and the press, which has no timeout, waits forever. So the test does not wait for the
 * acknowledgement; it waits, bounded, for what the key does (the caller's next step: the result on the page).
 */
function pressEndingTheChallenge(page: Page, key: string): void {
  page.keyboard.press(key).catch(() => undefined);
}

const threeDSecureCard = '4000002760003184';

/**
 * The merchant's checkout: a card (or payment) element; on submit, per `flow`, confirmCardPayment without a return_url,
 * confirmPayment with redirect: 'if_required', or handleNextAction for an intent confirmed before. The result goes into
 * #result as text.
 */
function checkoutPage(payrailBase: string, publishableKey: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout</title><script src="${payrailBase}/v1/payrail.js"></script></head>
<body><h1>Shop</h1><form id="payment-form"><div id="card-element"></div><button id="submit" type="submit">Pay</button></form>
<p id="result" role="status"></p>
<script>
  const params = new URLSearchParams(location.search);
  const secret = params.get('secret');
  const payrail = Payrail(${JSON.stringify(publishableKey)});
  const elements = payrail.elements({ clientSecret: secret, locale: params.get('locale') || 'en' });
  const element = elements.create(params.get('element') || 'card', { hidePostalCode: true });
  window.seen = { ready: false };
  element.on('ready', () => { window.seen.ready = true; });
  element.mount('#card-element');
  const show = ({ error, paymentIntent }) => {
    document.getElementById('result').textContent = error
      ? 'error: ' + error.code + ': intent ' + (error.payment_intent ? error.payment_intent.status : 'none')
      : paymentIntent.id + ' ' + paymentIntent.status;
  };
  document.getElementById('payment-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const flow = params.get('flow');
    if (flow === 'payment') show(await payrail.confirmPayment({ elements, confirmParams: { return_url: location.origin + '/done' }, redirect: 'if_required' }));
    else if (flow === 'next-action') show(await payrail.handleNextAction({ clientSecret: secret }));
    else show(await payrail.confirmCardPayment(secret, { payment_method: { card: element } }));
  });
</script></body></html>`;
}

describe('payrail.js 3-D Secure in a dialog', { timeout: browserTestTimeoutMs }, () => {
  let server: TestServer;
  let browser: Browser;
  let merchant: MerchantSite;

  before(async () => {
    server = await startTestServer();
    merchant = await startMerchantSite({
      heading: () => 'Thank you',
      html: (path) => (path.startsWith('/checkout') ? checkoutPage(server.baseUrl, server.account.publishableKey) : undefined),
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await server?.close();
  });

  /** Opens the checkout and records every navigation of the top window (there must be only the first). */
  async function openCheckout(query: Record<string, string>): Promise<{ page: Page; frame: Frame; navigations: string[]; url: string }> {
    const page = await browser.newPage();
    page.setDefaultTimeout(conditionTimeoutMs);
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    const url = `${merchant.url}/checkout?${new URLSearchParams(query)}`;
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

  /**
   * Waits until an expression holds in the challenge's frame. Not frame.waitForFunction: the challenge page's policy
   * (a nonce'd script only, no eval) refuses the way it evaluates; an evaluation through the devtools protocol is not
   * governed by the page's policy.
   */
  async function waitInFrame(frame: Frame, expression: string): Promise<void> {
    const deadline = Date.now() + conditionTimeoutMs;
    // Each evaluation is bounded too, so that a frame that stops answering fails the test instead of stalling it.
    const evaluate = () => within(`the challenge frame answering ${expression}`, frame.evaluate(expression), conditionTimeoutMs);
    while (!(await evaluate())) {
      if (Date.now() > deadline) assert.fail(`never true in the challenge frame: ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The challenge page in the dialog, once it shows its buttons. */
  async function challengeFrame(page: Page): Promise<Frame> {
    const dialog = page.getByRole('dialog', { name: 'Confirm your payment' });
    await dialog.waitFor();
    const handle = await dialog.locator('iframe').elementHandle();
    const frame = await handle!.contentFrame();
    assert.ok(frame);
    await frame.getByRole('button', { name: 'Complete authentication' }).waitFor();
    assert.ok(frame.url().startsWith(`${server.baseUrl}/3ds/auth_`), `the dialog shows Payrail's challenge page: ${frame.url()}`);
    return frame;
  }

  it('confirmCardPayment: the challenge shows in a dialog, the focus goes into it, and authenticating resolves { paymentIntent } without leaving the page', async () => {
    const intent = await server.account.stripe.paymentIntents.create({ amount: 2500, currency: 'usd' });
    const { page, frame, navigations, url } = await openCheckout({ secret: intent.client_secret! });
    await typeCard(page, frame, threeDSecureCard);
    await page.getByRole('button', { name: 'Pay' }).click();
    const challenge = await challengeFrame(page);
    // The intent comes back to Payrail's completion page for this origin, not to a page of the merchant.
    const waiting = await server.account.stripe.paymentIntents.retrieve(intent.id);
    assert.equal(waiting.status, 'requires_action');
    const returnUrl = new URL(waiting.next_action!.redirect_to_url!.return_url!);
    assert.equal(`${returnUrl.origin}${returnUrl.pathname}`, `${server.baseUrl}${challengeCompletePath}`);
    assert.equal(returnUrl.searchParams.get('origin'), merchant.url);
    assert.equal(returnUrl.searchParams.has('return_url'), false, 'confirmCardPayment was given none');
    // The dialog is modal and has the focus: its iframe (the challenge) is the active element of the page.
    assert.equal(await page.evaluate('document.activeElement.closest("[role=dialog]") !== null && document.activeElement.tagName'), 'IFRAME');
    assert.equal(await page.getByRole('dialog').getAttribute('aria-modal'), 'true');
    assert.equal(await page.getByRole('dialog').getByRole('button', { name: 'Close' }).isVisible(), true);
    // Keyboard only: Tab reaches the challenge's first button, Enter answers (and the dialog then removes the frame).
    await press(page, 'Tab');
    await waitInFrame(challenge, 'document.activeElement !== null && document.activeElement.textContent === "Complete authentication"');
    pressEndingTheChallenge(page, 'Enter');

    assert.equal(await result(page), `${intent.id} succeeded`);
    assert.equal(await page.getByRole('dialog').count(), 0, 'the dialog is gone');
    assert.equal(page.url(), url, 'the page never navigated');
    assert.deepEqual(navigations, [url]);
    assert.equal(await page.evaluate('document.activeElement.id'), 'submit', 'the focus is back on the Pay button');
    assert.equal((await server.account.stripe.paymentIntents.retrieve(intent.id)).status, 'succeeded');
    await page.close();
  });

  it('confirmPayment with redirect: \'if_required\': a failed challenge resolves { error } payment_intent_authentication_failure, the page stays', async () => {
    const intent = await server.account.stripe.paymentIntents.create({ amount: 1800, currency: 'eur' });
    const { page, frame, navigations, url } = await openCheckout({ secret: intent.client_secret!, element: 'payment', flow: 'payment' });
    await typeCard(page, frame, threeDSecureCard);
    await page.getByRole('button', { name: 'Pay' }).click();
    const challenge = await challengeFrame(page);
    await challenge.getByRole('button', { name: 'Fail authentication' }).click();
    assert.equal(await result(page), 'error: payment_intent_authentication_failure: intent requires_payment_method');
    assert.equal(await page.getByRole('dialog').count(), 0);
    assert.equal(page.url(), url);
    assert.deepEqual(navigations, [url]);
    const failed = await server.account.stripe.paymentIntents.retrieve(intent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure');
    await page.close();
  });

  it('Escape closes the dialog with { error } and the intent still waiting; handleNextAction shows the challenge again', async () => {
    const intent = await server.account.stripe.paymentIntents.create({ amount: 990, currency: 'usd' });
    const { page, frame, navigations, url } = await openCheckout({ secret: intent.client_secret! });
    await typeCard(page, frame, threeDSecureCard);
    await page.getByRole('button', { name: 'Pay' }).click();
    const challenge = await challengeFrame(page);
    // The focus is inside the challenge (a frame of another origin): its page passes the Escape on to the dialog
    // (challengePagePolicy). Ready means its script has run (the document is complete: the script is inline, before the
    // load) and the focus is in it (the dialog puts it there on load); never a wait for time.
    await waitInFrame(challenge, 'document.readyState === "complete" && document.hasFocus()');
    pressEndingTheChallenge(page, 'Escape');
    assert.equal(await result(page), 'error: payment_intent_authentication_failure: intent requires_action');
    assert.equal(await page.getByRole('dialog').count(), 0);
    assert.equal(await page.evaluate('document.activeElement.id'), 'submit', 'the focus is back where it was');
    assert.equal((await server.account.stripe.paymentIntents.retrieve(intent.id)).status, 'requires_action');
    assert.equal(page.url(), url);
    await page.close();

    // Later the merchant's page performs the waiting challenge (handleNextAction): the dialog again. Escape with the
    // focus on the dialog's own close button, then the close button itself, cancel; the third time, authenticated.
    const again = await openCheckout({ secret: intent.client_secret!, flow: 'next-action' });
    await again.page.getByRole('button', { name: 'Pay' }).click();
    await challengeFrame(again.page);
    await again.page.getByRole('dialog').getByRole('button', { name: 'Close' }).focus();
    await press(again.page, 'Escape');
    assert.equal(await result(again.page), 'error: payment_intent_authentication_failure: intent requires_action');
    await again.page.evaluate('document.getElementById("result").textContent = ""');
    await again.page.getByRole('button', { name: 'Pay' }).click();
    const challenge2 = await challengeFrame(again.page);
    // The close button cancels as well; then the shopper tries once more and authenticates.
    await again.page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    assert.equal(await result(again.page), 'error: payment_intent_authentication_failure: intent requires_action');
    assert.equal(challenge2.isDetached(), true);
    await again.page.evaluate('document.getElementById("result").textContent = ""');
    await again.page.getByRole('button', { name: 'Pay' }).click();
    await (await challengeFrame(again.page)).getByRole('button', { name: 'Complete authentication' }).click();
    assert.equal(await result(again.page), `${intent.id} succeeded`);
    assert.equal(again.page.url(), again.url);
    assert.deepEqual(again.navigations, [again.url]);
    assert.deepEqual(navigations, [url]);
    await again.page.close();
  });

  it('keeps focus inside the dialog: Tab and Shift+Tab cycle between the challenge and the close button (German)', async () => {
    const intent = await server.account.stripe.paymentIntents.create({ amount: 700, currency: 'eur' });
    const { page, frame } = await openCheckout({ secret: intent.client_secret!, locale: 'de' });
    await frame.getByLabel('Kartennummer').click();
    await page.keyboard.type(threeDSecureCard);
    await page.keyboard.type('1234');
    await page.keyboard.type('123');
    await page.getByRole('button', { name: 'Pay' }).click();
    const dialog = page.getByRole('dialog', { name: 'Zahlung bestätigen' });
    await dialog.waitFor();
    const close = dialog.getByRole('button', { name: 'Schließen' });
    await close.focus();
    // Shift+Tab from the close button goes round to the challenge; Tab from the challenge's last button to the close button.
    await press(page, 'Shift+Tab');
    assert.equal(await page.evaluate('document.activeElement.tagName'), 'IFRAME');
    await close.focus();
    await press(page, 'Tab');
    await press(page, 'Tab');
    await press(page, 'Tab');
    await page.waitForFunction('document.activeElement && document.activeElement.getAttribute("aria-label") === "Schließen"');
    assert.equal(await page.evaluate('document.activeElement.closest("[role=dialog]") !== null'), true, 'the focus never left the dialog');
    await close.click();
    assert.equal(await result(page), 'error: payment_intent_authentication_failure: intent requires_action');
    await page.close();
  });

  it('who may frame what: the challenge by the confirming page\'s origin only, its form token still required; the completion page tells only that origin', async () => {
    const stripe = server.account.stripe;
    const completion = new URL(`${server.baseUrl}${challengeCompletePath}`);
    assert.equal(challengeCompletePath, clientChallengeCompletePath, 'payrail.js and the server name the same page');
    completion.searchParams.set('origin', merchant.url);
    completion.searchParams.set('return_url', `${merchant.url}/done?order=5`);
    const intent = await stripe.paymentIntents.create({
      amount: 1100, currency: 'usd', payment_method: 'pm_card_authenticationRequired', confirm: true, return_url: completion.toString(),
    } as Parameters<typeof stripe.paymentIntents.create>[0]);
    assert.equal(intent.status, 'requires_action');
    const challengeUrl = intent.next_action!.redirect_to_url!.url!;

    const framed = await fetch(challengeUrl, { headers: { 'sec-fetch-dest': 'iframe' } });
    const html = await framed.text();
    assert.equal(framed.status, 200);
    assert.equal(framed.headers.get('x-frame-options'), null);
    const policy = framed.headers.get('content-security-policy') ?? '';
    assert.match(policy, new RegExp(`frame-ancestors ${merchant.url.replace(/[.]/g, '\\.')};`), policy);
    assert.doesNotMatch(policy, /frame-ancestors \*/);
    assert.match(policy, /script-src 'nonce-[A-Za-z0-9+/=]+'/);
    const token = challengeFormToken(html);

    // Without the token, or with another, the answer is refused, framed or not.
    const withoutToken: Record<string, string> = { action: 'complete' };
    const withAnotherToken: Record<string, string> = { action: 'complete', csrf_token: `${token}x` };
    for (const body of [withoutToken, withAnotherToken]) {
      const refused = await fetch(challengeUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-dest': 'iframe' }, body: new URLSearchParams(body).toString(), redirect: 'manual' });
      assert.equal(refused.status, 403);
    }
    assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'requires_action');

    // Answered in the whole window (a challenge that had to leave the dialog), the shopper goes on to the merchant's own return_url.
    const answered = await fetch(challengeUrl, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-dest': 'document' }, body: new URLSearchParams({ action: 'complete', csrf_token: token }).toString(), redirect: 'manual',
    });
    assert.equal(answered.status, 303);
    const back = new URL(answered.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, `${merchant.url}/done`);
    assert.equal(back.searchParams.get('order'), '5');
    assert.equal(back.searchParams.get('payment_intent'), intent.id);
    assert.equal(back.searchParams.get('redirect_status'), 'succeeded');

    // The completion page: in a frame, framed by that origin only and posting to it only; on its own, it goes nowhere.
    const query = `?origin=${encodeURIComponent(merchant.url)}&payment_intent=${intent.id}&redirect_status=succeeded`;
    const inFrame = await fetch(`${server.baseUrl}${challengeCompletePath}${query}`, { headers: { 'sec-fetch-dest': 'iframe' } });
    const inFrameHtml = await inFrame.text();
    assert.equal(inFrame.headers.get('x-frame-options'), null);
    assert.match(inFrame.headers.get('content-security-policy') ?? '', new RegExp(`frame-ancestors ${merchant.url.replace(/[.]/g, '\\.')};`));
    assert.ok(inFrameHtml.includes(`window.parent.postMessage({"tag":"payrail.v1","type":"challenge_complete","paymentIntent":"${intent.id}"}, "${merchant.url}")`), inFrameHtml);
    const alone = await fetch(`${server.baseUrl}${challengeCompletePath}${query}&return_url=${encodeURIComponent('https://evil.example/')}`, { headers: { 'sec-fetch-dest': 'document' }, redirect: 'manual' });
    assert.equal(alone.status, 200, 'no redirect to an address from the query');
    assert.equal(alone.headers.get('x-frame-options'), 'DENY');
    assert.doesNotMatch(await alone.text(), /<script/);
    const forgedOrigin = await fetch(`${server.baseUrl}${challengeCompletePath}?origin=${encodeURIComponent('javascript:alert(1)')}&payment_intent=${intent.id}`, { headers: { 'sec-fetch-dest': 'iframe' } });
    assert.equal(forgedOrigin.headers.get('x-frame-options'), 'DENY');
    assert.doesNotMatch(await forgedOrigin.text(), /<script/);

    // An intent with an ordinary return_url keeps its challenge unframeable.
    const ordinary = await stripe.paymentIntents.create({
      amount: 1100, currency: 'usd', payment_method: 'pm_card_authenticationRequired', confirm: true, return_url: `${merchant.url}/done`,
    } as Parameters<typeof stripe.paymentIntents.create>[0]);
    const unframed = await fetch(ordinary.next_action!.redirect_to_url!.url!, { headers: { 'sec-fetch-dest': 'iframe' } });
    assert.equal(unframed.headers.get('x-frame-options'), 'DENY');
    assert.match(unframed.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.doesNotMatch(await unframed.text(), /<script/);
  });
});
