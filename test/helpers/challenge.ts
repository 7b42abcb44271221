import assert from 'node:assert/strict';

/** The challenge token of a 3-D Secure page's form, read from the page as a browser would submit it. */
export function challengeFormToken(html: string): string {
  const token = /<input type="hidden" name="csrf_token" value="([^"]+)">/.exec(html)?.[1];
  assert.ok(token, 'the challenge page form carries its token');
  return token;
}

/**
 * A customer's browser on a 3-D Secure challenge page: opens the page, then submits its form with the chosen button
 * (and the form's hidden token), without following the redirect.
 */
export async function submitChallengePage(url: string, action: string): Promise<Response> {
  const page = await fetch(url);
  const html = await page.text();
  assert.equal(page.status, 200, `the challenge page answers: ${html.slice(0, 200)}`);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf_token: challengeFormToken(html), action }).toString(),
    redirect: 'manual',
  });
}
