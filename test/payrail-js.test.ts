import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { elementsFrameContentSecurityPolicy } from '../src/api/routes/payrail-js.ts';
import { browserTestTimeoutMs } from './helpers/browser.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const require = createRequire(import.meta.url);

/** Debian's chromium (CI installs it); PAYRAIL_CHROMIUM points elsewhere. */
const chromiumPath = process.env.PAYRAIL_CHROMIUM ?? '/usr/bin/chromium';
/** Generous: the machine may be busy with other test files (CI runs three at once on two cores). */
const launchTimeoutMs = 120_000;
/** Bound on any one wait for the page; waits end as soon as their condition holds. */
const conditionTimeoutMs = 60_000;

/**
 * The demo merchant's checkout, as Stripe's quick-start builds one: payrail.js from Payrail's origin, one element
 * mounted in a form, change events shown under it, and on submit a PaymentMethod (or, given a client secret, a
 * confirmed PaymentIntent). It also keeps what a curious merchant page could see: every message posted to it.
 */
const merchantScript = `
const params = new URLSearchParams(location.search);
const clientSecret = params.get('client_secret') || undefined;
const payrail = Payrail(params.get('key'));
const appearance = params.get('appearance') ? JSON.parse(params.get('appearance')) : undefined;
const elements = payrail.elements({ clientSecret, locale: params.get('locale') || 'en', appearance });
const card = elements.create(params.get('element') || 'card', { hidePostalCode: params.get('postal') !== '1' });
card.mount('#card-element');
window.card = card;

window.seen = { messages: [], changes: [], events: [] };
window.addEventListener('message', (event) => window.seen.messages.push({ origin: event.origin, data: JSON.stringify(event.data) }));
for (const name of ['ready', 'focus', 'blur']) card.on(name, (event) => window.seen.events.push(name + ':' + event.elementType));
card.on('change', (event) => {
  window.seen.changes.push(event);
  document.getElementById('card-errors').textContent = event.error ? event.error.message : '';
});

document.getElementById('payment-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = document.getElementById('result');
  const name = document.getElementById('name').value;
  if (clientSecret && params.get('flow') === 'card-payment') {
    const { error, paymentIntent } = await payrail.confirmCardPayment(clientSecret, { payment_method: { card, billing_details: { name } }, return_url: location.origin + '/done' });
    result.textContent = error ? 'error: ' + (error.code || error.type) + ': ' + error.message : paymentIntent.id + ' ' + paymentIntent.status;
    return;
  }
  if (clientSecret && params.get('flow') === 'payment-redirect') {
    // redirect: 'always' (the default): 3-D Secure, if asked, takes the whole window and ends at return_url.
    const { error } = await payrail.confirmPayment({ elements, confirmParams: { return_url: location.origin + '/done' } });
    result.textContent = 'error: ' + (error.code || error.type) + ': ' + error.message;
    return;
  }
  if (clientSecret) {
    const { error, paymentIntent } = await payrail.confirmPayment({
      elements, confirmParams: { return_url: location.origin + '/done', payment_method_data: { billing_details: { name } } }, redirect: 'if_required',
    });
    result.textContent = error ? 'error: ' + (error.code || error.type) + ': ' + error.message : paymentIntent.id + ' ' + paymentIntent.status;
    return;
  }
  const { error, paymentMethod } = await payrail.createPaymentMethod({ type: 'card', card, billing_details: { name } });
  result.textContent = error ? 'error: ' + error.code + ': ' + error.message : paymentMethod.id;
});
`;

function merchantPage(payrailBase: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Demo shop checkout</title><script src="${payrailBase}/v1/payrail.js"></script></head>
<body>
<h1>Demo shop</h1>
<form id="payment-form">
  <label for="name">Name on card</label> <input id="name" autocomplete="cc-name">
  <div id="card-element"></div>
  <div id="card-errors" role="alert"></div>
  <button id="submit" type="submit">Pay</button>
</form>
<p id="result" role="status"></p>
<script src="/shop.js"></script>
</body>
</html>`;
}

/** The merchant's site: another origin (another port) than Payrail's, so the iframe boundary is the browser's. */
async function startMerchant(payrailBase: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/shop.js') {
      response.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8' });
      response.end(merchantScript);
    } else if (path === '/docs-example') {
      // docs/payrail-js.md's integration, as written, with this run's addresses, key and client secret.
      const query = new URL(request.url ?? '/', 'http://merchant').searchParams;
      const html = /```html\n([\s\S]*?)```/.exec(fs.readFileSync(new URL('../docs/payrail-js.md', import.meta.url), 'utf8'))![1]
        .replace('https://payrail.example.com', payrailBase).replace("'pk_test_...'", JSON.stringify(query.get('key')))
        .replace('{{ CLIENT_SECRET }}', query.get('client_secret') ?? '').replace('https://shop.example.com/order/complete', `http://${request.headers.host}/done`);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Docs example</title></head><body>${html}</body></html>`);
    } else if (path === '/intruder') {
      // A page of a third origin, framed by the shop: it forges messages to the card frame and to the shop's page.
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><title>Intruder</title><script>
        const forged = (type, extra) => Object.assign({ tag: 'payrail.v1', type }, extra);
        for (let index = 0; index < window.parent.frames.length; index += 1) {
          window.parent.frames[index].postMessage(forged('request', { requestId: 'forged', request: { operation: 'createPaymentMethod' } }), '*');
          window.parent.frames[index].postMessage(forged('clear'), '*');
        }
        const frameId = new URLSearchParams(location.search).get('frame');
        window.parent.postMessage(forged('change', { frameId, state: { empty: false, complete: true, brand: 'visa', value: {} } }), '*');
        window.parent.postMessage(forged('response', { frameId, requestId: frameId + '_1', result: { paymentMethod: { id: 'pm_forged' } } }), '*');
        window.parent.postMessage('intruder-done', '*');
      </script>`);
    } else if (path === '/checkout' || path === '/done') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(path === '/done' ? '<!doctype html><title>Done</title><h1>Thank you</h1>' : merchantPage(payrailBase));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // "localhost" rather than 127.0.0.1: another site, not only another origin, as a real shop would be.
  return { origin: `http://localhost:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface SeenChange { elementType: string; empty: boolean; complete: boolean; brand: string; error?: { type: string; code: string; message: string }; value: Record<string, unknown> }

describe('payrail.js in Chromium: card fields in an iframe of Payrail\'s origin', { timeout: browserTestTimeoutMs }, () => {
  let server: TestServer;
  let merchant: { origin: string; close: () => Promise<void> };
  let browser: Browser;

  before(async () => {
    server = await startTestServer();
    merchant = await startMerchant(server.baseUrl);
    assert.ok(fs.existsSync(chromiumPath), `the browser test needs Chromium at ${chromiumPath} (apt-get install chromium, or set PAYRAIL_CHROMIUM)`);
    browser = await chromium.launch({ executablePath: chromiumPath, timeout: launchTimeoutMs, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await server?.close();
  });

  /** Opens the checkout and waits for the element's ready event; returns the page and the card frame. */
  async function openCheckout(query: Record<string, string> = {}): Promise<{ page: Page; frame: Frame; warnings: string[]; close: () => Promise<void> }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(conditionTimeoutMs);
    const errors: string[] = [];
    const warnings: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const refusedByPolicy: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
      // Chromium logs what a Content-Security-Policy refuses: the frame must work within its own policy.
      if (/Content Security Policy/i.test(message.text())) refusedByPolicy.push(message.text());
    });
    const search = new URLSearchParams({ key: server.account.publishableKey, ...query });
    await page.goto(`${merchant.origin}/checkout?${search}`);
    await page.waitForFunction('window.seen && window.seen.events.includes("ready:" + (new URLSearchParams(location.search).get("element") || "card"))');
    const frame = page.frames().find((candidate) => candidate.url().startsWith(`${server.baseUrl}/v1/elements/frame#`));
    assert.ok(frame, 'the element is an iframe of Payrail\'s origin');
    assert.deepEqual(errors, []);
    return {
      page, frame, warnings,
      close: async () => {
        await context.close();
        assert.deepEqual(refusedByPolicy, [], 'nothing the pages did was refused by a Content-Security-Policy');
      },
    };
  }

  const changes = (page: Page) => page.evaluate('window.seen.changes') as Promise<SeenChange[]>;
  const lastChange = async (page: Page) => (await changes(page)).at(-1);
  /** Waits until the last change event matches (the frame sends one per keystroke, then the parent relays it). */
  const waitForChange = async (page: Page, condition: string) => {
    try {
      await page.waitForFunction(`(() => { const change = window.seen.changes.at(-1); return change !== undefined && (${condition}); })()`);
    } catch (error) {
      // Say what the page did see: a timeout alone does not tell which state the fields were in.
      throw new Error(`no change event with ${condition}; the last: ${JSON.stringify((await changes(page).catch(() => [])).at(-1))}`, { cause: error });
    }
  };

  it('serves payrail.js, its types and the frame page with the right headers', async () => {
    const script = await server.request('GET', '/v1/payrail.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^application\/javascript; charset=utf-8/);
    assert.match(script.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);
    const etag = script.headers.get('etag');
    assert.ok(etag && /^"[A-Za-z0-9_-]+"$/.test(etag), 'an ETag');
    assert.match(script.text, /Payrail/);
    const again = await server.request('GET', '/v1/payrail.js', { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');

    const types = await server.request('GET', '/v1/payrail.d.ts');
    assert.equal(types.status, 200);
    assert.match(types.text, /export interface PayrailInstance/);

    const frame = await server.request('GET', '/v1/elements/frame');
    assert.equal(frame.status, 200);
    assert.match(frame.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
    assert.equal(frame.headers.get('content-security-policy'), elementsFrameContentSecurityPolicy);
    assert.match(elementsFrameContentSecurityPolicy, /frame-ancestors \*/);
    assert.match(elementsFrameContentSecurityPolicy, /script-src 'self';/);
    assert.match(elementsFrameContentSecurityPolicy, /connect-src 'self';/);
    assert.equal(frame.headers.get('x-frame-options'), null, 'merchant pages may frame it');
    assert.doesNotMatch(frame.text, /<script>|\son[a-z]+=/i, 'no inline script or handler');
    // Every other page stays unframeable.
    const other = await server.request('GET', '/3ds/auth_000000000000000000000000');
    assert.equal(other.headers.get('x-frame-options'), 'DENY');
  });

  it('a shopper types a test card: formatted, change events with brand visa and complete, a PaymentMethod the server knows', async () => {
    const { page, frame, close } = await openCheckout();
    await page.getByLabel('Name on card').fill('Jenny Rosen');
    const number = frame.getByLabel('Card number');
    await number.click();
    await page.keyboard.type('4242424242424242');
    assert.equal(await number.inputValue(), '4242 4242 4242 4242', 'grouped by four as typed');
    await waitForChange(page, "change.brand === 'visa' && !change.complete");
    // The number is complete: the expiry field has the focus without a Tab.
    await frame.waitForFunction('document.activeElement && document.activeElement.getAttribute("autocomplete") === "cc-exp"');
    await page.keyboard.type('1234');
    assert.equal(await frame.getByLabel('Expiration date').inputValue(), '12 / 34');
    await page.keyboard.type('123');
    await waitForChange(page, 'change.complete === true');
    const complete = (await lastChange(page))!;
    assert.deepEqual(complete, { elementType: 'card', empty: false, complete: true, brand: 'visa', value: {} });

    // The inputs carry what autofill and screen readers need.
    assert.equal(await number.getAttribute('autocomplete'), 'cc-number');
    assert.equal(await frame.getByLabel('Expiration date').getAttribute('autocomplete'), 'cc-exp');
    assert.equal(await frame.getByLabel('Security code').getAttribute('autocomplete'), 'cc-csc');

    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForFunction('/^(pm_|error)/.test(document.getElementById("result").textContent)');
    const id = (await page.locator('#result').textContent())!;
    assert.match(id, /^pm_/);
    const paymentMethod = await server.account.stripe.paymentMethods.retrieve(id);
    assert.equal(paymentMethod.type, 'card');
    assert.equal(paymentMethod.card?.brand, 'visa');
    assert.equal(paymentMethod.card?.last4, '4242');
    assert.equal(paymentMethod.card?.exp_month, 12);
    assert.equal(paymentMethod.card?.exp_year, 2034);
    assert.equal(paymentMethod.billing_details.name, 'Jenny Rosen');
    await close();
  });

  it('shows validation errors as the shopper types: a number that fails Luhn, an expiry in the past (English)', async () => {
    const { page, frame, close } = await openCheckout();
    await frame.getByLabel('Card number').click();
    await page.keyboard.type('4242424242424241');
    await page.keyboard.press('Tab');
    await waitForChange(page, "change.error && change.error.code === 'invalid_number'");
    assert.deepEqual((await lastChange(page))!.error, { type: 'validation_error', code: 'invalid_number', message: 'Your card number is invalid.' });
    assert.equal(await frame.getByRole('alert').textContent(), 'Your card number is invalid.');
    assert.equal(await frame.getByLabel('Card number').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#card-errors').textContent(), 'Your card number is invalid.');

    // A Mastercard number cannot grow past 16 digits: a Luhn failure is invalid at once.
    await frame.getByLabel('Card number').fill('');
    await frame.getByLabel('Card number').click();
    await page.keyboard.type('5555555555554443');
    await waitForChange(page, "change.error && change.error.code === 'invalid_number' && change.brand === 'mastercard'");

    await frame.getByLabel('Card number').fill('');
    await frame.getByLabel('Card number').click();
    await page.keyboard.type('4242424242424242');
    await page.keyboard.type('1220');
    await waitForChange(page, "change.error && change.error.code === 'invalid_expiry_year_past'");
    assert.equal((await lastChange(page))!.error!.message, "Your card's expiration year is in the past.");

    // Submitting what is wrong resolves { error } with the same code; nothing reaches the API.
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForFunction('document.getElementById("result").textContent.startsWith("error")');
    assert.equal(await page.locator('#result').textContent(), "error: invalid_expiry_year_past: Your card's expiration year is in the past.");
    await close();
  });

  it('speaks the shopper\'s language: labels and errors in German', async () => {
    const { page, frame, close } = await openCheckout({ locale: 'de' });
    assert.equal(await frame.evaluate('document.documentElement.lang'), 'de');
    await frame.getByLabel('Kartennummer').click();
    await page.keyboard.type('4242424242424241');
    await page.keyboard.press('Tab');
    await waitForChange(page, "change.error && change.error.code === 'invalid_number'");
    assert.equal((await lastChange(page))!.error!.message, 'Ihre Kartennummer ist ungültig.');
    await frame.getByLabel('Kartennummer').fill('');
    await frame.getByLabel('Kartennummer').click();
    await page.keyboard.type('4242424242424242');
    await page.keyboard.type('0120');
    await waitForChange(page, "change.error && change.error.code === 'invalid_expiry_year_past'");
    assert.equal(await frame.getByRole('alert').textContent(), 'Das Ablaufjahr Ihrer Karte liegt in der Vergangenheit.');
    // An incomplete security code, said once the shopper leaves it.
    await frame.getByLabel('Ablaufdatum').fill('');
    await frame.getByLabel('Ablaufdatum').click();
    await page.keyboard.type('1234');
    await page.keyboard.type('1');
    await page.keyboard.press('Tab');
    await waitForChange(page, "change.error && change.error.code === 'incomplete_cvc'");
    assert.equal((await lastChange(page))!.error!.message, 'Der Sicherheitscode Ihrer Karte ist unvollständig.');
    await close();
  });

  it('the merchant\'s page cannot read the card: no access to the frame\'s document, and no number in any message it receives', async () => {
    const { page, frame, close } = await openCheckout();
    await frame.getByLabel('Card number').click();
    await page.keyboard.type('4242424242424242');
    await page.keyboard.type('1234');
    await page.keyboard.type('123');
    await waitForChange(page, 'change.complete === true');

    // What a hostile script in the merchant's page tries, each from the merchant's origin.
    const attempts = (await page.evaluate(`(() => {
      const iframe = document.querySelector('#card-element iframe');
      const results = {};
      const attempt = (name, read) => { try { results[name] = String(read()); } catch (error) { results[name] = 'refused: ' + error.name; } };
      attempt('contentDocument', () => iframe.contentDocument);
      attempt('contentWindow.document', () => iframe.contentWindow.document.querySelector('input').value);
      attempt('frames[0].document', () => window.frames[0].document.body.innerHTML);
      attempt('contentWindow.location.href', () => iframe.contentWindow.location.href);
      attempt('outerHTML', () => document.documentElement.outerHTML.includes('4242'));
      return results;
    })()`)) as Record<string, string>;
    assert.equal(attempts.contentDocument, 'null');
    assert.equal(attempts['contentWindow.document'], 'refused: SecurityError');
    assert.equal(attempts['frames[0].document'], 'refused: SecurityError');
    assert.equal(attempts['contentWindow.location.href'], 'refused: SecurityError');
    assert.equal(attempts.outerHTML, 'false');
    // The card is there, in the frame (this test can look; the merchant's page cannot).
    assert.equal(await frame.getByLabel('Card number').inputValue(), '4242 4242 4242 4242');

    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForFunction('/^pm_/.test(document.getElementById("result").textContent)');
    const messages = (await page.evaluate('window.seen.messages')) as Array<{ origin: string; data: string }>;
    assert.ok(messages.length > 5, 'the frame did talk to the page');
    for (const message of messages) {
      assert.equal(message.origin, server.baseUrl, 'only Payrail\'s frames post to the page');
      assert.doesNotMatch(message.data, /4242\s?4242\s?4242\s?4242|"cvc"|"number"/, 'no card number, no security code');
    }
    assert.ok(messages.some((message) => message.data.includes('"last4":"4242"')), 'the PaymentMethod (last four digits only) crossed');
    await close();
  });

  it('keyboard only: Tab into the frame, between its fields and out to the Pay button', async () => {
    const { page, frame, close } = await openCheckout({ postal: '1' });
    const focusedInFrame = () => frame.evaluate('document.hasFocus() && document.activeElement ? (document.activeElement.labels[0] || {}).textContent : null') as Promise<string | null>;
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.id'), 'name');
    await page.keyboard.type('Jenny Rosen');
    await page.keyboard.press('Tab');
    await frame.waitForFunction('document.activeElement && document.activeElement.id === "field-number"');
    assert.equal(await focusedInFrame(), 'Card number');
    await page.waitForFunction('window.seen.events.includes("focus:card")');
    await page.keyboard.press('Tab');
    assert.equal(await focusedInFrame(), 'Expiration date');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focusedInFrame(), 'Card number');
    await page.keyboard.type('4242424242424242');
    await frame.waitForFunction('document.activeElement.id === "field-expiry"');
    await page.keyboard.type('1234');
    await frame.waitForFunction('document.activeElement.id === "field-cvc"');
    await page.keyboard.type('123');
    await frame.waitForFunction('document.activeElement.id === "field-postalCode"');
    assert.equal(await focusedInFrame(), 'Postal code');
    await page.keyboard.type('10115');
    await waitForChange(page, "change.complete === true && change.value.postalCode === '10115'");
    await page.keyboard.press('Tab');
    await page.waitForFunction('document.activeElement && document.activeElement.id === "submit"');
    await page.waitForFunction('window.seen.events.includes("blur:card")');
    await page.keyboard.press('Enter');
    await page.waitForFunction('/^(pm_|error)/.test(document.getElementById("result").textContent)');
    const id = (await page.locator('#result').textContent())!;
    assert.match(id, /^pm_/);
    const paymentMethod = await server.account.stripe.paymentMethods.retrieve(id);
    assert.equal(paymentMethod.billing_details.address?.postal_code, '10115');
    assert.equal(paymentMethod.billing_details.name, 'Jenny Rosen');
    await close();
  });

  it('confirms a PaymentIntent with its client secret from the payment element (confirmPayment, redirect: if_required)', async () => {
    const intent = await server.account.stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });
    const { page, frame, close } = await openCheckout({ element: 'payment', client_secret: intent.client_secret! });
    // The payment element shows its labels.
    assert.equal(await frame.getByText('Card number', { exact: true }).isVisible(), true);
    await frame.getByLabel('Card number').click();
    await page.keyboard.type('4242424242424242');
    await page.keyboard.type('1234');
    await page.keyboard.type('123');
    await waitForChange(page, "change.complete === true && change.elementType === 'payment' && change.value.type === 'card'");
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForFunction('/^(pi_|error)/.test(document.getElementById("result").textContent)');
    assert.equal(await page.locator('#result').textContent(), `${intent.id} succeeded`);
    const confirmed = await server.account.stripe.paymentIntents.retrieve(intent.id);
    assert.equal(confirmed.status, 'succeeded');
    assert.equal(confirmed.amount_received, 2000);

    // retrievePaymentIntent answers with what a publishable key may see.
    const retrieved = (await page.evaluate(`(async () => {
      const payrail = Payrail(new URLSearchParams(location.search).get('key'));
      const { paymentIntent, error } = await payrail.retrievePaymentIntent(${JSON.stringify(intent.client_secret)});
      return error ? { error } : { id: paymentIntent.id, status: paymentIntent.status };
    })()`)) as Record<string, unknown>;
    assert.deepEqual(retrieved, { id: intent.id, status: 'succeeded' });
    await close();
  });
  it('confirmCardPayment: a decline is told to the shopper, who retries with another card', async () => {
    const intent = await server.account.stripe.paymentIntents.create({ amount: 1500, currency: 'eur' });
    const { page, frame, close } = await openCheckout({ flow: 'card-payment', client_secret: intent.client_secret! });
    await frame.getByLabel('Card number').click();
    await page.keyboard.type('4000000000000002');
    await page.keyboard.type('1234');
    await page.keyboard.type('123');
    await waitForChange(page, 'change.complete === true');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForFunction('/^(pi_|error)/.test(document.getElementById("result").textContent)');
    assert.equal(await page.locator('#result').textContent(), 'error: card_declined: Your card was declined.');
    assert.equal((await server.account.stripe.paymentIntents.retrieve(intent.id)).status, 'requires_payment_method');

    await page.evaluate('document.getElementById("result").textContent = ""');
    await frame.getByLabel('Card number').fill('');
    await frame.getByLabel('Card number').click();
    await page.keyboard.type('4242424242424242');
    await waitForChange(page, 'change.complete === true');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForFunction('/^(pi_|error)/.test(document.getElementById("result").textContent)');
    assert.equal(await page.locator('#result').textContent(), `${intent.id} succeeded`);
    const paid = await server.account.stripe.paymentIntents.retrieve(intent.id, { expand: ['payment_method'] });
    assert.equal(paid.status, 'succeeded');
    assert.equal((paid.payment_method as { card?: { last4: string } }).card?.last4, '4242');
    await close();
  });

  it('3-D Secure with confirmPayment\'s redirect: \'always\' takes the whole window to the challenge page, which returns to return_url with Stripe\'s parameters', async () => {
    // (In a dialog over the page instead: test/payrail-js-3ds.test.ts.)
    const intent = await server.account.stripe.paymentIntents.create({ amount: 2500, currency: 'usd' });
    const { page, frame, close } = await openCheckout({ element: 'payment', flow: 'payment-redirect', client_secret: intent.client_secret! });
    await frame.getByLabel('Card number').click();
    await page.keyboard.type('4000002760003184');
    await page.keyboard.type('1234');
    await page.keyboard.type('123');
    await waitForChange(page, 'change.complete === true');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(`${server.baseUrl}/3ds/**`);
    // The page is loaded (a static page): it shows its buttons or, if something went wrong, says why; fail with that.
    const complete = page.getByRole('button', { name: 'Complete authentication' });
    if ((await complete.count()) === 0) assert.fail(`the challenge page shows: ${await page.locator('body').innerText()}`);
    await complete.click();
    await page.waitForURL(`${merchant.origin}/done?**`);
    const returned = new URL(page.url()).searchParams;
    assert.equal(returned.get('payment_intent'), intent.id);
    assert.equal(returned.get('payment_intent_client_secret'), intent.client_secret);
    assert.equal(returned.get('redirect_status'), 'succeeded');
    assert.equal((await server.account.stripe.paymentIntents.retrieve(intent.id)).status, 'succeeded');
    await close();
  });

  it('applies appearance variables inside the frame and drops values that are not CSS values of their kind', async () => {
    const appearance = { theme: 'night', variables: { colorPrimary: '#ff0000', borderRadius: '12px', colorBackground: 'red;} body{background:url(https://evil.example/x)}' } };
    const { frame, warnings, close } = await openCheckout({ appearance: JSON.stringify(appearance) });
    assert.deepEqual(warnings, ['payrail.js: appearance values ignored (not a theme, colour, length or font list): variables.colorBackground'], 'the merchant is told');
    const style = (await frame.evaluate(`(() => {
      const root = getComputedStyle(document.documentElement);
      const input = getComputedStyle(document.getElementById('field-number'));
      return { primary: root.getPropertyValue('--payrail-color-primary').trim(), background: root.getPropertyValue('--payrail-color-background').trim(), radius: input.borderTopLeftRadius, inputBackground: input.backgroundColor, theme: document.documentElement.dataset.theme };
    })()`)) as Record<string, string>;
    assert.deepEqual(style, { primary: '#ff0000', background: '#30313d', radius: '12px', inputBackground: 'rgb(48, 49, 61)', theme: 'night' });
    await close();
  });

  it('refuses what a browser library must refuse: a secret key, and a frame claiming another parent origin stays inert', async () => {
    const { page, close } = await openCheckout();
    const thrown = await page.evaluate(`(() => { try { Payrail(${JSON.stringify(server.account.secretKey)}); return 'no error'; } catch (error) { return error.name + ': ' + error.message; } })()`);
    assert.match(String(thrown), /^IntegrationError: You should not use your secret key/);

    // A page that frames Payrail's fields while naming another origin as their parent gets no fields and no messages.
    const before = ((await page.evaluate('window.seen.messages')) as unknown[]).length;
    const configuration = { id: 'forged', kind: 'card', parentOrigin: 'https://shop.example', publishableKey: server.account.publishableKey, options: {} };
    await page.evaluate(`new Promise((resolve) => {
      const iframe = document.createElement('iframe');
      iframe.id = 'forged';
      iframe.src = ${JSON.stringify(`${server.baseUrl}/v1/elements/frame#`)} + encodeURIComponent(${JSON.stringify(JSON.stringify(configuration))});
      iframe.addEventListener('load', () => resolve());
      document.body.append(iframe);
    })`);
    const forged = page.frames().find((candidate) => candidate.url().includes('forged'));
    assert.ok(forged);
    await forged.waitForFunction('document.readyState === "complete"');
    assert.equal(await forged.evaluate('document.querySelectorAll("input").length'), 0);
    assert.equal(((await page.evaluate('window.seen.messages')) as unknown[]).length, before);

    // Opened on its own (not framed), the frame page shows nothing either.
    const alone = await page.context().newPage();
    await alone.goto(`${server.baseUrl}/v1/elements/frame#${encodeURIComponent(JSON.stringify({ ...configuration, parentOrigin: merchant.origin }))}`);
    await alone.waitForFunction('document.readyState === "complete"');
    assert.equal(await alone.evaluate('document.querySelectorAll("input").length'), 0);
    await close();
  });
  it('docs/payrail-js.md\'s integration works as written: pay, then land on return_url', async () => {
    const intent = await server.account.stripe.paymentIntents.create({ amount: 4200, currency: 'usd' });
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(conditionTimeoutMs);
    await page.goto(`${merchant.origin}/docs-example?${new URLSearchParams({ key: server.account.publishableKey, client_secret: intent.client_secret! })}`);
    const frame = page.frameLocator('iframe[title="Secure payment input frame"]');
    await frame.getByLabel('Card number').click();
    await page.keyboard.type('4242424242424242');
    await page.keyboard.type('1234');
    await page.keyboard.type('123');
    await page.keyboard.press('Tab');
    await frame.getByLabel('Postal code').fill('10115');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(`${merchant.origin}/done?**`);
    const returned = new URL(page.url()).searchParams;
    assert.equal(returned.get('payment_intent'), intent.id);
    assert.equal(returned.get('redirect_status'), 'succeeded');
    const paid = await server.account.stripe.paymentIntents.retrieve(intent.id, { expand: ['payment_method'] });
    assert.equal(paid.status, 'succeeded');
    assert.equal((paid.payment_method as { billing_details: { address: { postal_code: string | null } | null } }).billing_details.address?.postal_code, '10115');
    await context.close();
  });
  it('ignores forged messages both ways: the frame hears only its parent\'s origin, payrail.js only Payrail\'s frames', async () => {
    const { page, frame, close } = await openCheckout();
    await frame.getByLabel('Card number').click();
    await page.keyboard.type('4242424242424242');
    await page.keyboard.type('1234');
    await page.keyboard.type('123');
    await waitForChange(page, 'change.complete === true');
    await page.getByLabel('Name on card').click();
    await page.waitForFunction('window.seen.events.includes("blur:card")');
    const changesBefore = (await changes(page)).length;
    const frameId = JSON.parse(decodeURIComponent(new URL(frame.url()).hash.slice(1))).id as string;
    // The same host by another name is another origin: http://127.0.0.1:port, framed by http://localhost:port.
    const intruder = `${merchant.origin.replace('localhost', '127.0.0.1')}/intruder?frame=${frameId}`;
    await page.evaluate(`new Promise((resolve) => {
      window.addEventListener('message', (event) => { if (event.data === 'intruder-done') resolve(); });
      const iframe = document.createElement('iframe');
      iframe.src = ${JSON.stringify(intruder)};
      document.body.append(iframe);
    })`);
    // A round trip through the frame after the forged messages: by its end they have been handled, or ignored.
    await page.evaluate('window.card.focus()');
    await page.waitForFunction('window.seen.events.filter((name) => name === "focus:card").length === 2');

    assert.equal(await frame.getByLabel('Card number').inputValue(), '4242 4242 4242 4242', 'the forged "clear" was ignored');
    const messages = (await page.evaluate('window.seen.messages')) as Array<{ origin: string; data: string }>;
    assert.ok(!messages.some((message) => message.origin === server.baseUrl && message.data.includes('"requestId":"forged"')), 'the forged request was never answered');
    assert.equal((await changes(page)).length, changesBefore, 'the forged change event was not relayed');
    assert.equal(await page.locator('#result').textContent(), '', 'nothing resolved from a forged response');
    await close();
  });

  it('has no serious accessibility violations inside the frame (axe-core), filled in or showing an error', async () => {
    const { page, frame, close } = await openCheckout({ element: 'payment', postal: '1' });
    // Evaluated through the browser's devtools protocol, which the frame's CSP does not govern (a <script> would be refused).
    await frame.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const serious = async () => {
      const result = (await frame.evaluate('axe.run(document).then((r) => ({ passes: r.passes.map((p) => p.id), violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })) }))')) as { passes: string[]; violations: Array<{ id: string; impact: string }> };
      // Proof that axe looked: the inputs' labels and the contrast of their text were checked and passed.
      assert.ok(result.passes.includes('label') && result.passes.includes('color-contrast'), `axe checked the fields: ${result.passes.join(', ')}`);
      return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    };
    assert.deepEqual(await serious(), []);
    await frame.getByLabel('Card number').click();
    await page.keyboard.type('4242424242424241');
    await page.keyboard.press('Tab');
    await waitForChange(page, "change.error && change.error.code === 'invalid_number'");
    assert.deepEqual(await serious(), []);
    await close();
  });
});
