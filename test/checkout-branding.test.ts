import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import Stripe from 'stripe';
import { launchChromium, startMerchantSite, type MerchantSite } from './helpers/browser.ts';
import { jpegBytes, solidPng } from './helpers/images.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

// An account's branding icon and logo (settings[branding][icon|logo], ids of its files) on its account object and on
// the pages its shoppers see: the hosted Checkout page, the embedded Checkout frame and the Payment Link pages, in
// Debian's Chromium (the image must actually load under each page's Content-Security-Policy).

const invalidRequest = Stripe.errors.StripeInvalidRequestError;
// A wide logo and a square icon, as accounts have them.
const logoPng = solidPng(192, [10, 37, 64], { height: 48 });
const iconPng = solidPng(64, [230, 57, 70]);

/** Whether an image element was drawn (loaded, and allowed by the page's policy). */
async function drawn(image: Locator): Promise<boolean> {
  return image.evaluate((element) => {
    const img = element as unknown as { complete: boolean; naturalWidth: number };
    return img.complete && img.naturalWidth > 0;
  });
}

describe('branding icon and logo', () => {
  let server: TestServer;
  let shop: TestAccount;
  let browser: Browser;
  let merchant: MerchantSite;
  let price: Stripe.Price;
  let logo: Stripe.File;
  let icon: Stripe.File;

  before(async () => {
    server = await startTestServer();
    shop = await server.createAccount('Branded Shop');
    price = await shop.stripe.prices.create({ currency: 'usd', unit_amount: 1500, product_data: { name: 'Poster' } });
    logo = await shop.stripe.files.create({ file: { data: logoPng, name: 'logo.png', type: 'image/png' }, purpose: 'business_logo' });
    icon = await shop.stripe.files.create({ file: { data: iconPng, name: 'icon.png', type: 'image/png' }, purpose: 'business_icon' });
    merchant = await startMerchantSite({ heading: () => 'Shop' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await server.close();
  });

  async function setBranding(branding: { icon?: string; logo?: string }): Promise<Stripe.Account> {
    return shop.stripe.accounts.update(shop.accountId, { settings: { branding } });
  }

  /** A page that reports every policy violation, so a blocked image fails the test by name. */
  async function watchedPage(): Promise<{ page: Page; violations: string[] }> {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    return { page, violations };
  }

  it('takes its own files of the right purpose as icon and logo, renders them as Stripe does, and clears them with an empty string', async () => {
    const updated = await setBranding({ icon: icon.id, logo: logo.id });
    assert.equal(updated.settings?.branding?.icon, icon.id);
    assert.equal(updated.settings?.branding?.logo, logo.id);
    assert.equal((await shop.stripe.accounts.retrieve(shop.accountId)).settings?.branding?.logo, logo.id);
    const [event] = (await shop.stripe.events.list({ type: 'account.updated', limit: 1 })).data;
    assert.equal((event.data.object as Stripe.Account).settings?.branding?.icon, icon.id);
    assert.deepEqual((event.data.previous_attributes as { settings: { branding: unknown } }).settings.branding, { icon: null, logo: null });

    const cleared = await setBranding({ icon: '', logo: '' });
    assert.equal(cleared.settings?.branding?.icon, null);
    assert.equal(cleared.settings?.branding?.logo, null);
  });

  it('refuses a file of another purpose, mode or account, an unknown one and a malformed id, naming the setting', async () => {
    const refused = (branding: { icon?: string; logo?: string }, param: string, code = 'invalid_value') =>
      expectStripeError(setBranding(branding), { class: invalidRequest, code, param, statusCode: 400 });
    await refused({ logo: icon.id }, 'settings[branding][logo]');
    await refused({ icon: logo.id }, 'settings[branding][icon]');
    const evidence = await shop.stripe.files.create({ file: { data: jpegBytes, name: 'receipt.jpg', type: 'image/jpeg' }, purpose: 'dispute_evidence' });
    await refused({ icon: evidence.id }, 'settings[branding][icon]');
    const other = await server.createAccount('Someone else');
    const theirs = await other.stripe.files.create({ file: { data: iconPng, name: 'icon.png', type: 'image/png' }, purpose: 'business_icon' });
    await refused({ icon: theirs.id }, 'settings[branding][icon]');
    const live = await server.liveKeys(shop.accountId);
    const liveIcon = await live.stripe.files.create({ file: { data: iconPng, name: 'icon.png', type: 'image/png' }, purpose: 'business_icon' });
    await refused({ icon: liveIcon.id }, 'settings[branding][icon]');
    await refused({ icon: 'file_doesnotexist' }, 'settings[branding][icon]');
    await refused({ logo: 'https://example.com/logo.png' }, 'settings[branding][logo]');
    // Nothing was changed by the refusals.
    const account = await shop.stripe.accounts.retrieve(shop.accountId);
    assert.deepEqual([account.settings?.branding?.icon, account.settings?.branding?.logo], [null, null]);
  });

  it('serves an account\'s current icon or logo to anyone at /c/branding/<file id>, and nothing else', async () => {
    const path = `/c/branding/${logo.id}`;
    assert.equal((await server.request('GET', path)).status, 404, 'a logo not (yet) in use is not public');
    await setBranding({ logo: logo.id });
    const response = await fetch(`${server.baseUrl}${path}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
    assert.equal(response.headers.get('cross-origin-resource-policy'), 'same-origin');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), logoPng);
    const evidence = await shop.stripe.files.create({ file: { data: jpegBytes, name: 'receipt.jpg', type: 'image/jpeg' }, purpose: 'dispute_evidence' });
    assert.equal((await server.request('GET', `/c/branding/${evidence.id}`)).status, 404);
    assert.equal((await server.request('GET', '/c/branding/not-an-id')).status, 404);
    await setBranding({ logo: '' });
    assert.equal((await server.request('GET', path)).status, 404, 'a logo the account stopped using is no longer served');
  });

  it('shows the logo (else the icon, else the name) at the top of the hosted Checkout page, named by the business name', async () => {
    const session = () => shop.stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: price.id, quantity: 1 }], success_url: `${merchant.url}/thanks` });
    await setBranding({ icon: icon.id, logo: logo.id });
    const { page, violations } = await watchedPage();
    await page.goto((await session()).url!);
    const heading = page.getByRole('heading', { level: 1, name: /Branded Shop/ });
    const image = heading.getByRole('img', { name: 'Branded Shop' });
    assert.equal(await image.getAttribute('src'), `/c/branding/${logo.id}`);
    assert.ok(await drawn(image), 'the logo is drawn');

    await setBranding({ logo: '' });
    await page.goto((await session()).url!);
    const iconImage = page.getByRole('img', { name: 'Branded Shop' });
    assert.equal(await iconImage.getAttribute('src'), `/c/branding/${icon.id}`);
    assert.ok(await drawn(iconImage), 'the icon is drawn');

    await setBranding({ icon: '' });
    await page.goto((await session()).url!);
    await page.getByRole('heading', { level: 1, name: /Branded Shop/ }).waitFor();
    assert.equal(await page.getByRole('img').count(), 0);
    assert.deepEqual(violations, []);
    await page.close();
  });

  it('shows the logo inside the embedded Checkout frame, framed by the merchant\'s page', async () => {
    await setBranding({ logo: logo.id });
    // The merchant's checkout page frames the session; the frame may be framed by the origin it names only.
    let frameUrl = '';
    const site = await startMerchantSite({ html: () => `<!doctype html><html lang="en"><head><title>Checkout</title></head><body><iframe title="Checkout" src="${frameUrl}" width="800" height="900"></iframe></body></html>` });
    const session = await shop.stripe.checkout.sessions.create({ mode: 'payment', ui_mode: 'embedded', line_items: [{ price: price.id, quantity: 1 }], return_url: `${site.url}/return` });
    frameUrl = `${server.baseUrl}/c/embed/${session.id}?client_secret=${encodeURIComponent(session.client_secret!)}&origin=${encodeURIComponent(site.url)}`;
    try {
      const { page, violations } = await watchedPage();
      await page.goto(site.url);
      const frame = page.frameLocator('iframe[title="Checkout"]');
      const image = frame.getByRole('img', { name: 'Branded Shop' });
      await image.waitFor();
      assert.ok(await drawn(image), 'the logo is drawn in the frame');
      assert.deepEqual(violations, []);
      await page.close();
    } finally {
      await site.close();
    }
    await setBranding({ logo: '' });
  });

  it('shows the logo on the Payment Link pages: choosing quantities, and sharing the link', async () => {
    await setBranding({ logo: logo.id });
    const link = await shop.stripe.paymentLinks.create({ line_items: [{ price: price.id, quantity: 1, adjustable_quantity: { enabled: true, maximum: 3 } }] });
    const { page, violations } = await watchedPage();
    await page.goto(link.url);
    const chooserImage = page.getByRole('heading', { level: 1 }).getByRole('img', { name: 'Branded Shop' });
    assert.ok(await drawn(chooserImage), 'the logo is drawn on the quantity page');
    await page.goto(`${link.url}/share`);
    assert.ok(await drawn(page.getByRole('img', { name: 'Branded Shop' })), 'the logo is drawn on the share page');
    assert.ok(await drawn(page.getByRole('img', { name: /QR code/ })), 'the QR code is still drawn');
    assert.deepEqual(violations, []);
    await page.close();
    await setBranding({ logo: '' });
  });
});
