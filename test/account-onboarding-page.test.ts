import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import Stripe from 'stripe';
import { reviewDueAccounts } from '../src/connect/review.ts';
import { launchChromium, startMerchantSite, type MerchantSite } from './helpers/browser.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/*
 * The hosted onboarding page an Account Link opens, as a seller uses it in Debian's Chromium: the platform makes a
 * Custom US individual account and a link, the seller fills in what is due with Stripe's test values and lands on
 * the platform's return_url; after the connect sweep the account takes charges and payouts. A wrong field shows its
 * error and writes nothing; an expired or reused link goes to refresh_url; axe finds no serious violation; the id and
 * account numbers never come back in the page.
 */

const require = createRequire(import.meta.url);
const idNumber = '000000000';
const bankAccountNumber = '000123456789';

describe('the hosted onboarding page', () => {
  let server: TestServer;
  let stripe: Stripe;
  let browser: Browser;
  let platformSite: MerchantSite;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    // The platform's branding: the page wears it (its name is the account's, "Test account").
    await stripe.accounts.update(server.account.accountId, { settings: { branding: { primary_color: '#0a2540', secondary_color: '#f6f9fc' } } });
    platformSite = await startMerchantSite({ heading: (path) => (path.startsWith('/return') ? 'Welcome back' : path.startsWith('/reauth') ? 'Making a new link' : 'Platform') });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await platformSite?.close();
    await server.close();
  });

  async function newSeller(): Promise<Stripe.Account> {
    return stripe.accounts.create({ type: 'custom', country: 'US', business_type: 'individual', capabilities: { card_payments: { requested: true }, transfers: { requested: true } } });
  }

  async function newLink(account: string, extra: Partial<Stripe.AccountLinkCreateParams> = {}): Promise<Stripe.AccountLink> {
    return stripe.accountLinks.create({ account, type: 'account_onboarding', refresh_url: `${platformSite.url}/reauth?account=${account}`, return_url: `${platformSite.url}/return?account=${account}`, ...extra });
  }

  /** Opens a page that records every HTML body Payrail sends it. */
  async function openRecorded(url: string, options: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<{ page: Page; bodies: string[] }> {
    const page = await browser.newPage({ locale: options.locale ?? 'en-US', viewport: options.viewport ?? { width: 1200, height: 1000 } });
    const bodies: string[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(server.baseUrl)) void response.text().then((text) => bodies.push(text), () => undefined);
    });
    await page.goto(url);
    return { page, bodies };
  }

  async function fillSeller(page: Page, overrides: Partial<Record<string, string>> = {}): Promise<void> {
    const values: Record<string, string> = {
      'Industry': '5734', 'Business website': 'https://seller.example.com', 'First name': 'Jenny', 'Last name': 'Rosen', 'Email': 'jenny@example.com',
      'Phone number': '+1 555 555 0100', 'Day': '1', 'Month': '1', 'Year': '1901', 'Social Security number': idNumber, 'Address line 1': 'address_full_match',
      'City': 'San Francisco', 'Postal code': '94111', 'State': 'CA', 'Routing number': '110000000', 'Account number': bankAccountNumber, ...overrides,
    };
    for (const [label, value] of Object.entries(values)) {
      if (label === 'Industry') await page.getByLabel(label, { exact: true }).selectOption(value);
      else await page.getByLabel(label, { exact: true }).fill(value);
    }
    await page.getByRole('checkbox', { name: /I agree to the Payrail Services Agreement/ }).check();
  }

  async function finishVerifications(): Promise<void> {
    await server.db.query('UPDATE connected_accounts SET next_review_at = now() WHERE next_review_at IS NOT NULL');
    await reviewDueAccounts(server.deps);
  }

  it('onboards a Custom US individual: the seller fills what is due, lands on return_url, and after the sweep the account takes charges and payouts', async () => {
    const seller = await newSeller();
    assert.equal(seller.charges_enabled, false);
    const link = await newLink(seller.id);
    const { page, bodies } = await openRecorded(link.url);
    assert.match(await page.title(), /^Set up payments with /);
    await page.getByRole('heading', { level: 1 }).waitFor();
    // Exactly what is due: no company fields, the US's SSN, a bank account with a routing number.
    assert.equal(await page.getByLabel('Legal company name').count(), 0);
    assert.equal(await page.getByLabel('IBAN').count(), 0);
    await fillSeller(page);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(`${platformSite.url}/return?account=${seller.id}`);
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    const userAgent = await page.evaluate('navigator.userAgent') as string;
    await page.close();
    for (const body of bodies) {
      assert.ok(!body.includes(idNumber), 'the id number is never sent back in a page');
      assert.ok(!body.includes(bankAccountNumber), 'the account number is never sent back in a page');
    }

    const submitted = await stripe.accounts.retrieve(seller.id);
    assert.equal(submitted.details_submitted, true);
    assert.equal(submitted.individual?.first_name, 'Jenny');
    assert.deepEqual(submitted.individual?.dob, { day: 1, month: 1, year: 1901 });
    assert.equal(submitted.individual?.id_number_provided, true);
    assert.equal(submitted.business_profile?.mcc, '5734');
    assert.equal(submitted.tos_acceptance?.user_agent, userAgent);
    assert.ok(submitted.tos_acceptance?.ip, 'the client address is recorded');
    assert.ok(Math.abs((submitted.tos_acceptance?.date ?? 0) - Math.floor(Date.now() / 1000)) < 3600);
    assert.equal(submitted.external_accounts?.data.length, 1);
    assert.deepEqual(submitted.requirements?.currently_due, []);

    await finishVerifications();
    const onboarded = await stripe.accounts.retrieve(seller.id);
    assert.equal(onboarded.individual?.verification?.status, 'verified');
    assert.equal(onboarded.charges_enabled, true);
    assert.equal(onboarded.payouts_enabled, true);
    assert.deepEqual(onboarded.capabilities, { card_payments: 'active', transfers: 'active' });

    // The link was used: opening it again goes to refresh_url.
    const again = await browser.newPage();
    await again.goto(link.url);
    await again.waitForURL(`${platformSite.url}/reauth?account=${seller.id}`);
    await again.close();
  });

  it('shows a wrong field\'s error beside it, writes nothing, keeps what was typed (never the id number), and takes the corrected form', async () => {
    const seller = await newSeller();
    const link = await newLink(seller.id);
    const { page, bodies } = await openRecorded(link.url);
    await fillSeller(page, { 'Routing number': '123456789', 'Day': '31', 'Month': '2' });
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /Please correct the fields marked below/);
    const routing = page.getByLabel('Routing number', { exact: true });
    assert.equal(await routing.getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator(`#${await routing.getAttribute('aria-describedby')}`).innerText(), /routing number is invalid/);
    assert.match(await page.locator('#individual-dob-error').innerText(), /valid date of birth/);
    assert.equal(await page.getByLabel('First name').inputValue(), 'Jenny');
    assert.equal(await page.getByLabel('Social Security number').inputValue(), '');
    assert.equal(await page.getByLabel('Account number', { exact: true }).inputValue(), '');
    const unchanged = await stripe.accounts.retrieve(seller.id);
    assert.equal(unchanged.individual?.first_name ?? null, null);
    assert.equal(unchanged.external_accounts?.data.length, 0);
    assert.equal(unchanged.tos_acceptance?.date ?? null, null);

    // axe on the form with its errors.
    await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const audit = (await page.evaluate('axe.run(document).then((r) => ({ passes: r.passes.map((p) => p.id), violations: r.violations.map((v) => ({ id: v.id, impact: v.impact })) }))')) as { passes: string[]; violations: { id: string; impact: string }[] };
    assert.ok(audit.passes.includes('label') && audit.passes.includes('color-contrast'), `axe checked the labels and contrast: ${audit.passes.join(', ')}`);
    assert.deepEqual(audit.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'), []);

    await fillSeller(page);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(`${platformSite.url}/return?account=${seller.id}`);
    await page.close();
    for (const body of bodies) assert.ok(!body.includes(idNumber) && !body.includes(bankAccountNumber));
    assert.equal((await stripe.accounts.retrieve(seller.id)).details_submitted, true);
  });

  it('sends an expired link and a second visit to refresh_url; a forged form is refused the same way', async () => {
    const seller = await newSeller();
    const expired = await newLink(seller.id);
    await server.db.query('UPDATE account_links SET expires_at = $2 WHERE connected_account_id = $1', [seller.id, Math.floor(Date.now() / 1000) - 1]);
    const page = await browser.newPage();
    await page.goto(expired.url);
    await page.waitForURL(`${platformSite.url}/reauth?account=${seller.id}`);
    await page.getByRole('heading', { name: 'Making a new link' }).waitFor();
    await page.close();

    const link = await newLink(seller.id);
    const first = await fetch(link.url, { redirect: 'manual' });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-frame-options'), 'DENY');
    assert.match(first.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.match(first.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal(first.headers.get('cache-control'), 'no-store');
    await first.text();
    const second = await fetch(link.url, { redirect: 'manual' });
    assert.equal(second.status, 303);
    assert.equal(second.headers.get('location'), `${platformSite.url}/reauth?account=${seller.id}`);
    // A form posted without the page session's secret (another site's) changes nothing.
    const forged = await fetch(link.url, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'csrf_token=guess&individual[first_name]=Mallory' });
    assert.equal(forged.status, 303);
    assert.equal((await stripe.accounts.retrieve(seller.id)).individual?.first_name ?? null, null);
    const unknown = await fetch(`${server.baseUrl}/connect/onboarding/${'x'.repeat(32)}`, { redirect: 'manual' });
    assert.equal(unknown.status, 404);
  });

  it('asks the business type first when it is not known, speaks German to a German browser, and fits a phone', async () => {
    const seller = await stripe.accounts.create({ type: 'custom', country: 'US', capabilities: { card_payments: { requested: true }, transfers: { requested: true } } });
    const link = await newLink(seller.id);
    const { page } = await openRecorded(link.url, { locale: 'de-DE', viewport: { width: 390, height: 844 } });
    assert.match(await page.title(), /^Zahlungen mit .* einrichten$/);
    assert.equal(await page.evaluate('document.documentElement.lang'), 'de');
    assert.equal(await page.getByLabel('Vorname').count(), 0);
    await page.getByLabel('Art des Unternehmens').selectOption('individual');
    await page.getByRole('button', { name: 'Weiter' }).click();
    await page.getByLabel('Vorname').waitFor();
    const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(width <= 390, `the page is ${width} px wide on a 390 px phone`);
    await page.getByRole('button', { name: 'Absenden' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /Bitte korrigieren Sie die markierten Felder/);
    assert.match(await page.locator('#individual-first_name-error').innerText(), /Dieses Feld ist erforderlich/);
    await page.close();
    assert.equal((await stripe.accounts.retrieve(seller.id)).business_type, 'individual');
  });

  it('speaks each of its nine languages to a browser that asks for it, and English to one it does not know', async () => {
    const seller = await stripe.accounts.create({ type: 'custom', country: 'US', capabilities: { card_payments: { requested: true }, transfers: { requested: true } } });
    const titles: Record<string, RegExp> = { 'fr-FR,fr;q=0.9': /Configurer les paiements avec/, 'es-419': /Configura los pagos con/, 'it-IT': /Configura i pagamenti con/, 'nl-BE': /Betalingen instellen met/, 'pt-BR': /Configure os pagamentos com/, 'pl': /Skonfiguruj płatności z/, 'ja-JP': /で支払いを設定/, 'sv-SE': /Set up payments with/ };
    for (const [acceptLanguage, title] of Object.entries(titles)) {
      const link = await newLink(seller.id);
      const page = await fetch(link.url, { headers: { 'Accept-Language': acceptLanguage } });
      const html = await page.text();
      assert.equal(page.status, 200, acceptLanguage);
      const language = acceptLanguage === 'sv-SE' ? 'en' : acceptLanguage.slice(0, 2);
      assert.match(html, new RegExp(`<html lang="${language}">`), acceptLanguage);
      assert.match(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '', title, acceptLanguage);
    }
  });

  it('has no serious accessibility violation, and is usable with the keyboard (desktop screenshot for the docs)', async () => {
    const seller = await newSeller();
    const link = await newLink(seller.id);
    const { page } = await openRecorded(link.url, { viewport: { width: 1200, height: 900 } });
    await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const audit = (await page.evaluate('axe.run(document).then((r) => ({ passes: r.passes.map((p) => p.id), violations: r.violations.map((v) => ({ id: v.id, impact: v.impact })) }))')) as { passes: string[]; violations: { id: string; impact: string }[] };
    assert.ok(audit.passes.includes('label'), `axe checked the labels: ${audit.passes.join(', ')}`);
    assert.deepEqual(audit.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'), []);
    if (process.env.PAYRAIL_WRITE_SCREENSHOTS === '1') {
      await page.screenshot({ path: new URL('../docs/images/connect-onboarding-desktop.png', import.meta.url).pathname, fullPage: true });
    }
    // Keyboard: from the industry select, Tab reaches the website, then the description.
    await page.getByLabel('Industry').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.labels?.[0]?.textContent ?? ""'), 'Business website');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.labels?.[0]?.textContent ?? ""'), 'Product description');
    await page.close();
  });
});
