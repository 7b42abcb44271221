/** The form token of a hosted Checkout page, read as a browser would from the page. */
export async function checkoutFormToken(url: string): Promise<string> {
  const page = await fetch(url);
  const html = await page.text();
  const token = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no form token on ${url} (status ${page.status}): ${html.slice(0, 300)}`);
  return token;
}

/** Posts a hosted Checkout page's form; redirects are not followed, so the caller sees where the page sends the shopper. */
export async function postCheckoutForm(url: string, token: string, fields: Record<string, string>): Promise<{ status: number; location: string | null; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf_token: token, ...fields }).toString(),
  });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

/** Pays a hosted Checkout page as a browser without JavaScript would: reads the page for its form token, then posts the form. */
export async function submitCheckoutPage(url: string, fields: Record<string, string>): Promise<{ status: number; location: string | null; text: string }> {
  return postCheckoutForm(url, await checkoutFormToken(url), fields);
}

/** The fields of a test card that pays at once. */
export const payingCard = { card_number: '4242 4242 4242 4242', card_expiry: `12 / ${String((new Date().getUTCFullYear() + 3) % 100).padStart(2, '0')}`, card_cvc: '123', name: 'Jenny Rosen' };
