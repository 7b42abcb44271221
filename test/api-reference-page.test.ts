import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { referencePageContentSecurityPolicy } from '../src/api/routes/reference-page.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/** Debian's chromium (CI installs it); PAYRAIL_CHROMIUM points elsewhere. */
const chromiumPath = process.env.PAYRAIL_CHROMIUM ?? '/usr/bin/chromium';
const require = createRequire(import.meta.url);

/**
 * Redoc builds a model of every operation before it shows anything, all of it in the browser: about 20 s on an idle
 * 2-core machine for the document of 2026-12-06, more as the API grows (Products, Prices, Checkout and Payment Links
 * took a loaded run past 150 s). The bound only guards against a hang; the wait ends as soon as Redoc shows either
 * the document or its error page, so a broken document fails at once instead of at the bound.
 */
const firstRenderTimeoutMs = 600_000;
/** Once the document is rendered, everything awaited afterwards is already in the page (a loaded machine still paints slowly). */
const renderedTimeoutMs = 120_000;
const launchTimeoutMs = 60_000;

describe('API reference page (/docs)', () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    server = await startTestServer();
    assert.ok(fs.existsSync(chromiumPath), `the browser test needs Chromium at ${chromiumPath} (apt-get install chromium, or set PAYRAIL_CHROMIUM)`);
    browser = await chromium.launch({ executablePath: chromiumPath, timeout: launchTimeoutMs, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the page as HTML under a same-origin policy, referring only to local assets', async () => {
    const page = await server.request('GET', '/docs');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
    assert.equal(page.headers.get('content-security-policy'), referencePageContentSecurityPolicy);
    const references = [...page.text.matchAll(/\b(?:src|href|spec-url)="([^"]*)"/g)].map((match) => match[1]);
    assert.deepEqual(references.sort(), ['/docs/openapi.json', '/docs/redoc.standalone.js']);
    assert.doesNotMatch(page.text, /<script>[^<]/, 'no inline script (the policy would refuse it)');
  });

  it('serves Redoc\'s standalone bundle from node_modules as JavaScript', async () => {
    const script = await server.request('GET', '/docs/redoc.standalone.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^application\/javascript; charset=utf-8/);
    assert.equal(script.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(script.text, fs.readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'), 'utf8'));
  });

  it('gives the page the OpenAPI document with expandable fields as ids, the canonical document keeping them whole', async () => {
    const canonical = (await server.request('GET', '/v1/openapi.json')).json as { components: { schemas: Record<string, { properties: Record<string, { anyOf?: unknown[]; type?: unknown; description?: string }> }> } };
    const reference = (await server.request('GET', '/docs/openapi.json')).json as typeof canonical;
    const before = canonical.components.schemas.setup_intent.properties.latest_attempt;
    assert.ok(before.anyOf?.some((branch) => JSON.stringify(branch).includes('#/components/schemas/setup_attempt')), 'the canonical document can expand it');
    const after = reference.components.schemas.setup_intent.properties.latest_attempt;
    assert.ok(!JSON.stringify(after).includes('$ref'), 'the reference shows the id');
    assert.match(after.description ?? '', /Expandable: .*setup_attempt/);
    assert.deepEqual(Object.keys(reference.components.schemas).sort(), Object.keys(canonical.components.schemas).sort(), 'the same objects');
  });

  it('serves a document whose every $ref resolves (Redoc refuses to render the whole page otherwise)', async () => {
    const document = (await server.request('GET', '/v1/openapi.json')).json as { components: { schemas: Record<string, unknown> } };
    const references = new Set([...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1]));
    const broken = [...references].filter((reference) => !(reference.startsWith('#/components/schemas/') && reference.slice('#/components/schemas/'.length) in document.components.schemas));
    assert.deepEqual(broken, [], 'references to schemas the document lacks: re-record rendered-fields.json and regenerate the schemas (docs/testing.md)');
  });

  it('renders the OpenAPI document in Chromium: resources, operations and Stripe\'s field descriptions, all from this origin', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(renderedTimeoutMs);
    const requested: string[] = [];
    const blocked = new Map<string, string>();
    const pageErrors: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('requestfailed', (request) => blocked.set(request.url(), request.failure()?.errorText ?? ''));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text().split('\n', 1)[0]);
    });
    await page.goto(`${server.baseUrl}/docs`);
    // Redoc shows the document's title, or, when it cannot render it (a $ref to a missing schema), its error page.
    const outcome = page.getByRole('heading', { name: /^(Payrail API|Something went wrong)/ }).first();
    await outcome.waitFor({ timeout: firstRenderTimeoutMs });
    if (/Something went wrong/.test((await outcome.textContent()) ?? '')) {
      assert.fail(`Redoc could not render the document: ${await outcome.locator('..').innerText()}\n${pageErrors.join('\n')}`);
    }
    // The sidebar groups operations by resource tag; an operation opens with its summary as a heading.
    await page.getByText('PaymentIntents', { exact: true }).first().waitFor();
    await page.getByText('External accounts', { exact: true }).first().waitFor();
    await page.getByRole('heading', { name: 'Create a customer' }).first().waitFor();
    // Response schemas carry Stripe's own field descriptions.
    await page.getByText('Three-letter ISO currency code', { exact: false }).first().waitFor();
    // Redoc's sidebar always asks for the vendor's logo from its CDN; the page's policy refuses it before any network
    // request, so nothing leaves for another origin.
    const foreign = requested.filter((url) => !url.startsWith(server.baseUrl) && !url.startsWith('data:') && !url.startsWith('blob:'));
    for (const url of foreign) assert.match(blocked.get(url) ?? 'not blocked', /^csp$|BLOCKED_BY_CSP/, `${url} is refused by the Content-Security-Policy`);
    assert.ok(requested.includes(`${server.baseUrl}/docs/openapi.json`));
    await context.close();
  });
});
