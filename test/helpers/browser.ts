import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (CI installs it); PAYRAIL_CHROMIUM points elsewhere. */
export const chromiumPath = process.env.PAYRAIL_CHROMIUM ?? '/usr/bin/chromium';

/** Launches headless Chromium with the flags this machine needs; a generous bound for a loaded machine. */
export async function launchChromium(): Promise<Browser> {
  assert.ok(fs.existsSync(chromiumPath), `the browser test needs Chromium at ${chromiumPath} (apt-get install chromium, or set PAYRAIL_CHROMIUM)`);
  return chromium.launch({ executablePath: chromiumPath, timeout: 120_000, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** A merchant's site on an origin of its own (`http://localhost:<port>`, while Payrail listens on 127.0.0.1). */
export interface MerchantSite {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the merchant's pages: `page(path)` answers each GET with HTML (or, for a path it returns undefined for, a
 * plain page with one heading, `heading(path)`). Another origin than Payrail's, so frames and CORS are real.
 */
export async function startMerchantSite(pages: { html?: (path: string) => string | undefined; heading?: (path: string) => string; text?: (path: string) => string | undefined }): Promise<MerchantSite> {
  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    const text = pages.text?.(path);
    if (text !== undefined) {
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(text);
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    const html = pages.html?.(path);
    response.end(html ?? `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>${pages.heading?.(path) ?? 'Shop'}</h1></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Bound on one whole browser test (node:test's `timeout`): a backstop so that a step Playwright does not bound itself
 * (a key press, an evaluation, closing a page) fails the test with its name instead of stopping the run. Generous: it is
 * never a measure of speed, only of "stuck".
 */
export const browserTestTimeoutMs = 600_000;

/** Bound on one step that Playwright waits for without a timeout of its own (the machine may be busy). */
export const browserStepTimeoutMs = 60_000;

/**
 * Waits for `step` (a Playwright call with no timeout of its own, such as `page.keyboard.press`) at most `timeoutMs`;
 * past that, fails with `what` in the message instead of waiting forever.
 */
export async function within<T>(what: string, step: Promise<T>, timeoutMs = browserStepTimeoutMs): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the browser did not finish within ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([step, bound]);
  } finally {
    clearTimeout(timer);
  }
}
