import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import QRCode from 'qrcode';
import Stripe from 'stripe';
import { payingCard, submitCheckoutPage } from './helpers/checkout-page.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { launchChromium, startMerchantSite, type MerchantSite } from './helpers/browser.ts';
import { sweepCheckoutSessions } from '../src/checkout/sweep.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// Payment Links through the official stripe SDK (create, retrieve, update, list, line items, events, bad input,
// tenancy, restricted keys) and, by raw HTTP as a browser without JavaScript, the link's pages: a visit makes a
// Checkout Session and sends the shopper to it, paying lands on the redirect or the hosted confirmation, the
// completion limit deactivates the link, an inactive link makes nothing, the QR code encodes the link's URL.

async function failsWith(call: Promise<unknown>, status: number, code: string, param?: string): Promise<Stripe.errors.StripeError> {
  const error = await stripeErrorOf(call);
  assert.equal(error.statusCode, status, error.message);
  assert.equal(error.code, code, error.message);
  if (param !== undefined) assert.equal(error.param, param, error.message);
  return error;
}

/** A visit to the link's URL, redirects not followed. */
async function visit(url: string, init: RequestInit = {}): Promise<{ status: number; location: string | null; text: string }> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

/** The dark modules of a qrcode SVG (its path of horizontal runs), as a size × size matrix. */
function modulesOfSvg(svg: string, margin: number): { size: number; dark: boolean[] } {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  assert.ok(viewBox, 'the SVG has a viewBox');
  const size = Number(viewBox[1]) - 2 * margin;
  const path = /<path stroke="#000000" d="([^"]+)"/.exec(svg)?.[1];
  assert.ok(path, 'the SVG has the dark modules path');
  const dark = new Array<boolean>(size * size).fill(false);
  let x = 0;
  let y = 0;
  for (const [, command, a, b] of path.matchAll(/([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    if (command === 'M') {
      x = Number(a);
      y = Number(b);
    } else if (command === 'm') {
      x += Number(a);
      y += Number(b);
    } else {
      for (let column = x; column < x + Number(a); column += 1) dark[Math.floor(y - margin) * size + (column - margin)] = true;
      x += Number(a);
    }
  }
  return { size, dark };
}

describe('Payment Links', () => {
  let server: TestServer;
  let stripe: Stripe;
  let shirt: Stripe.Price;
  let mug: Stripe.Price;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    shirt = await stripe.prices.create({ currency: 'usd', unit_amount: 2000, currency_options: { eur: { unit_amount: 1800 } }, product_data: { name: 'T-shirt' } });
    mug = await stripe.prices.create({ currency: 'usd', unit_amount: 1250, product_data: { name: 'Mug' } });
  });
  after(async () => {
    await server.close();
  });

  async function count(table: 'payment_links' | 'checkout_sessions'): Promise<number> {
    const result = await server.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE account_id = $1`, [server.account.accountId]);
    return result.rows[0].n;
  }

  async function eventsOf(type: string, id: string): Promise<Stripe.Event[]> {
    const events = await stripe.events.list({ type, limit: 100 });
    return events.data.filter((event) => (event.data.object as { id: string }).id === id);
  }

  /** Visits the link and answers the session it made (the page the shopper is sent to). */
  async function sessionFromVisit(link: Stripe.PaymentLink): Promise<Stripe.Checkout.Session> {
    const answer = await visit(link.url);
    assert.equal(answer.status, 303, answer.text);
    const id = /\/c\/pay\/(cs_[0-9A-Za-z]+)$/.exec(answer.location ?? '')?.[1];
    assert.ok(id, `redirected to a session's page: ${answer.location}`);
    return stripe.checkout.sessions.retrieve(id);
  }

  it('creates, retrieves, updates and lists links, with their line items and events', async () => {
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: shirt.id, quantity: 2 }, { price: mug.id, quantity: 1, adjustable_quantity: { enabled: true, minimum: 1, maximum: 5 } }],
      after_completion: { type: 'redirect', redirect: { url: 'https://shop.example/thanks?session={CHECKOUT_SESSION_ID}' } },
      metadata: { campaign: 'spring' },
      billing_address_collection: 'required',
      phone_number_collection: { enabled: true },
      payment_intent_data: { description: 'Spring sale', metadata: { source: 'link' }, capture_method: 'automatic' },
      submit_type: 'book',
    });
    assert.match(link.id, /^plink_[0-9A-Za-z]{24}$/);
    assert.equal(link.object, 'payment_link');
    assert.equal(link.active, true);
    assert.equal(link.url, `${server.baseUrl}/pl/${link.id}`);
    assert.equal(link.currency, 'usd');
    assert.deepEqual(link.after_completion, { type: 'redirect', redirect: { url: 'https://shop.example/thanks?session={CHECKOUT_SESSION_ID}' } });
    assert.deepEqual(link.metadata, { campaign: 'spring' });
    assert.equal(link.billing_address_collection, 'required');
    assert.deepEqual(link.phone_number_collection, { enabled: true });
    assert.equal(link.payment_intent_data?.description, 'Spring sale');
    assert.deepEqual(link.payment_intent_data?.metadata, { source: 'link' });
    assert.equal(link.restrictions, null);
    assert.equal(link.submit_type, 'book');
    assert.equal(link.payment_method_types, null);
    assert.equal(link.livemode, false);
    assert.deepEqual(await stripe.paymentLinks.retrieve(link.id), link);
    assert.equal((await eventsOf('payment_link.created', link.id)).length, 1);

    const items = await stripe.paymentLinks.listLineItems(link.id);
    assert.equal(items.data.length, 2);
    assert.equal(items.data[0].object, 'item');
    assert.equal(items.data[0].description, 'T-shirt');
    assert.equal(items.data[0].quantity, 2);
    assert.equal(items.data[0].amount_total, 4000);
    assert.equal(items.data[0].price?.id, shirt.id);
    assert.equal(items.data[1].description, 'Mug');
    const second = await stripe.paymentLinks.listLineItems(link.id, { limit: 1, starting_after: items.data[0].id });
    assert.equal(second.data[0].id, items.data[1].id);
    assert.equal(second.has_more, false);

    const updated = await stripe.paymentLinks.update(link.id, {
      active: false,
      metadata: { campaign: '', channel: 'newsletter' },
      after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: 'See you soon!' } },
      restrictions: { completed_sessions: { limit: 10 } },
      line_items: [{ id: items.data[0].id, quantity: 3 }],
      inactive_message: 'Sold out for now.',
    });
    assert.equal(updated.active, false);
    assert.deepEqual(updated.metadata, { channel: 'newsletter' });
    assert.deepEqual(updated.after_completion, { type: 'hosted_confirmation', hosted_confirmation: { custom_message: 'See you soon!' } });
    assert.deepEqual(updated.restrictions, { completed_sessions: { count: 0, limit: 10 } });
    assert.equal(updated.inactive_message, 'Sold out for now.');
    assert.equal((await stripe.paymentLinks.listLineItems(link.id)).data[0].quantity, 3);
    const [event] = await eventsOf('payment_link.updated', link.id);
    assert.ok(event, 'payment_link.updated');
    assert.equal((event.data.previous_attributes as { active?: boolean }).active, true);
    assert.deepEqual((event.data.previous_attributes as { metadata?: unknown }).metadata, { campaign: 'spring', channel: null });
    // The same update again changes nothing and records nothing.
    await stripe.paymentLinks.update(link.id, { active: false });
    assert.equal((await eventsOf('payment_link.updated', link.id)).length, 1);
    const restored = await stripe.paymentLinks.update(link.id, { active: true, restrictions: '', inactive_message: '' });
    assert.equal(restored.restrictions, null);
    assert.equal(restored.inactive_message, null);

    const other = await stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 1 }] });
    await stripe.paymentLinks.update(other.id, { active: false });
    const listed = await stripe.paymentLinks.list({ limit: 2 });
    assert.deepEqual(listed.data.map((entry) => entry.id), [other.id, link.id]);
    const active = await stripe.paymentLinks.list({ active: true, limit: 100 });
    assert.ok(active.data.some((entry) => entry.id === link.id));
    assert.ok(!active.data.some((entry) => entry.id === other.id));
    const inactive = await stripe.paymentLinks.list({ active: false, limit: 100 });
    assert.ok(inactive.data.every((entry) => !entry.active) && inactive.data.some((entry) => entry.id === other.id));
  });

  it('makes a Checkout Session at each visit, and pays through its page to the redirect', async () => {
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: shirt.id, quantity: 1 }, { price: mug.id, quantity: 2 }],
      after_completion: { type: 'redirect', redirect: { url: 'https://shop.example/thanks?session={CHECKOUT_SESSION_ID}' } },
      metadata: { campaign: 'summer' },
      payment_intent_data: { description: 'Summer link', metadata: { via: 'link' } },
    });
    const session = await sessionFromVisit(link);
    assert.equal(session.payment_link, link.id);
    assert.equal(session.status, 'open');
    assert.equal(session.amount_total, 2000 + 2 * 1250);
    assert.equal(session.currency, 'usd');
    assert.equal(session.success_url, 'https://shop.example/thanks?session={CHECKOUT_SESSION_ID}');
    assert.deepEqual(session.metadata, { campaign: 'summer' });
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    assert.deepEqual(items.data.map((item) => [item.price?.id, item.quantity]), [[shirt.id, 1], [mug.id, 2]]);
    const again = await sessionFromVisit(link);
    assert.notEqual(again.id, session.id);
    const filtered = await stripe.checkout.sessions.list({ payment_link: link.id });
    assert.deepEqual(filtered.data.map((entry) => entry.id), [again.id, session.id]);

    const paid = await submitCheckoutPage(session.url!, { ...payingCard, email: 'jenny@example.com' });
    assert.equal(paid.status, 303, paid.text);
    assert.equal(paid.location, `https://shop.example/thanks?session=${session.id}`);
    const completed = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    assert.equal(completed.status, 'complete');
    assert.equal(completed.payment_link, link.id);
    const intent = completed.payment_intent as Stripe.PaymentIntent;
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.description, 'Summer link');
    assert.deepEqual(intent.metadata, { via: 'link' });
    // Without a limit the link stays active, and the other session stays open.
    assert.equal((await stripe.paymentLinks.retrieve(link.id)).active, true);
    assert.equal((await stripe.checkout.sessions.retrieve(again.id)).status, 'open');
  });

  it('shows the hosted confirmation with its custom message after paying', async () => {
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: mug.id, quantity: 1 }],
      after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: 'Thank you! Your mug ships tomorrow.' } },
    });
    const session = await sessionFromVisit(link);
    const confirmation = `${server.baseUrl}/pl/${link.id}/complete?session_id=${session.id}`;
    assert.equal(session.success_url, `${server.baseUrl}/pl/${link.id}/complete?session_id={CHECKOUT_SESSION_ID}`);
    const early = await visit(confirmation);
    assert.match(early.text, /Payment not complete/);
    const paid = await submitCheckoutPage(session.url!, { ...payingCard, email: 'jenny@example.com' });
    assert.equal(paid.status, 303, paid.text);
    assert.equal(paid.location, confirmation);
    const page = await visit(paid.location!);
    assert.equal(page.status, 200);
    assert.match(page.text, /Thank you! Your mug ships tomorrow\./);
    // Another link's session, or an unknown one, is not shown on this link's page.
    const stranger = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: mug.id, quantity: 1 }] });
    assert.equal((await visit(`${server.baseUrl}/pl/${link.id}/complete?session_id=${stranger.id}`)).status, 404);
    assert.equal((await visit(`${server.baseUrl}/pl/${link.id}/complete?session_id=nonsense`)).status, 404);
  });

  it('deactivates the link when completed sessions reach the limit, and expires its sessions nobody started paying', async () => {
    const link = await stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 1 }], restrictions: { completed_sessions: { limit: 1 } } });
    assert.deepEqual(link.restrictions, { completed_sessions: { count: 0, limit: 1 } });
    const first = await sessionFromVisit(link);
    const waiting = await sessionFromVisit(link);
    // A shopper whose card was declined has a PaymentIntent waiting for another card.
    const declined = await sessionFromVisit(link);
    const decline = await submitCheckoutPage(declined.url!, { ...payingCard, card_number: '4000 0000 0000 0002', email: 'declined@example.com' });
    assert.equal(decline.status, 402, decline.text);
    const paid = await submitCheckoutPage(first.url!, { ...payingCard, email: 'jenny@example.com' });
    assert.equal(paid.status, 303, paid.text);
    assert.equal(paid.location, `${server.baseUrl}/pl/${link.id}/complete?session_id=${first.id}`, 'the default after_completion: the hosted confirmation');
    const after = await stripe.paymentLinks.retrieve(link.id);
    assert.equal(after.active, false);
    assert.deepEqual(after.restrictions, { completed_sessions: { count: 1, limit: 1 } });
    const [event] = await eventsOf('payment_link.updated', link.id);
    assert.ok(event, 'payment_link.updated');
    assert.equal((event.data.object as Stripe.PaymentLink).active, false);
    assert.equal((event.data.previous_attributes as { active?: boolean }).active, true);
    // The session waiting with no payment started is expired in the same transaction.
    assert.equal((await stripe.checkout.sessions.retrieve(waiting.id)).status, 'expired');
    assert.equal((await eventsOf('checkout.session.expired', waiting.id)).length, 1);
    // The declined shopper cannot retry past the limit: the session's PaymentIntent is canceled and the session expired.
    const closed = await stripe.checkout.sessions.retrieve(declined.id, { expand: ['payment_intent'] });
    assert.equal(closed.status, 'expired');
    assert.equal((closed.payment_intent as Stripe.PaymentIntent).status, 'canceled');
    assert.equal((closed.payment_intent as Stripe.PaymentIntent).cancellation_reason, 'abandoned');
    const retry = await submitCheckoutPage(declined.url!, { ...payingCard, email: 'declined@example.com' }).catch((error: Error) => ({ status: 0, location: null, text: error.message }));
    assert.doesNotMatch(retry.text, /Payment complete/);
    const late = await submitCheckoutPage(waiting.url!, { ...payingCard, email: 'late@example.com' }).catch((error: Error) => ({ status: 0, location: null, text: error.message }));
    assert.doesNotMatch(late.text, /Payment complete/);

    const sessions = await count('checkout_sessions');
    const refused = await visit(link.url);
    assert.equal(refused.status, 200);
    assert.match(refused.text, /no longer available/);
    assert.equal(await count('checkout_sessions'), sessions, 'a visit to an inactive link makes no session');
    await failsWith(stripe.paymentLinks.update(link.id, { active: true }), 400, 'invalid_value', 'active');
    await failsWith(stripe.paymentLinks.update(link.id, { active: true, restrictions: { completed_sessions: { limit: 1 } } }), 400, 'invalid_value', 'restrictions[completed_sessions][limit]');
    const reopened = await stripe.paymentLinks.update(link.id, { active: true, restrictions: { completed_sessions: { limit: 2 } } });
    assert.equal(reopened.active, true);
    assert.equal((await sessionFromVisit(reopened)).payment_link, link.id);
  });

  it('has the sweep close a full link\'s sessions that a crash left payable', async () => {
    const link = await stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 1 }], restrictions: { completed_sessions: { limit: 1 } } });
    const paying = await sessionFromVisit(link);
    const decline = await submitCheckoutPage(paying.url!, { ...payingCard, card_number: '4000 0000 0000 0002', email: 'crash@example.com' });
    assert.equal(decline.status, 402, decline.text);
    // As if the process died right after the completion that took the last slot committed (another session paid), before
    // closing this one: the link is full and inactive, this session still open with a PaymentIntent waiting for a card.
    await server.db.query('UPDATE payment_links SET completed_sessions_count = 1, active = false WHERE id = $1', [link.id]);
    const swept = await sweepCheckoutSessions(server.deps);
    assert.ok(swept.expired >= 1);
    const closed = await stripe.checkout.sessions.retrieve(paying.id, { expand: ['payment_intent'] });
    assert.equal(closed.status, 'expired');
    assert.equal((closed.payment_intent as Stripe.PaymentIntent).status, 'canceled');
    const retry = await submitCheckoutPage(paying.url!, { ...payingCard, email: 'crash@example.com' }).catch((error: Error) => ({ status: 0, location: null, text: error.message }));
    assert.doesNotMatch(retry.text, /Payment complete/);
  });

  it('lets three shoppers race for the last slot: payments already under way may all complete, the count stays exact, nothing is left payable', async () => {
    const link = await stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 1 }], restrictions: { completed_sessions: { limit: 1 } } });
    const sessions = await Promise.all([sessionFromVisit(link), sessionFromVisit(link), sessionFromVisit(link)]);
    const answers = await Promise.all(sessions.map((session, index) => submitCheckoutPage(session.url!, { ...payingCard, email: `racer${index}@example.com` })));
    const states = await Promise.all(sessions.map((session) => stripe.checkout.sessions.retrieve(session.id)));
    const completed = states.filter((state) => state.status === 'complete');
    const final = await stripe.paymentLinks.retrieve(link.id);
    assert.equal(final.active, false);
    assert.ok(completed.length >= 1, answers.map((answer) => answer.status).join());
    console.log(`race for the last slot: ${completed.length} of 3 completed (answers ${answers.map((answer) => answer.status).join(', ')})`);
    // Sessions whose shopper had already started paying when the limit was reached may complete (as at Stripe);
    // the count says exactly how many did, every other session was expired, and no payment is left to go through.
    assert.equal(final.restrictions?.completed_sessions.count, completed.length);
    for (const state of states) {
      assert.ok(state.status === 'complete' || state.status === 'expired', String(state.status));
      if (state.status === 'expired' && state.payment_intent) {
        const intent = await stripe.paymentIntents.retrieve(state.payment_intent as string);
        assert.equal(intent.status, 'canceled');
      }
    }
    const succeeded = await server.db.query("SELECT count(*)::int AS n FROM payment_intents p JOIN checkout_sessions s ON s.payment_intent_id = p.id WHERE s.payment_link_id = $1 AND p.status = 'succeeded'", [link.id]);
    assert.equal(succeeded.rows[0].n, completed.length, 'every succeeded payment belongs to a completed session');
  });

  it('refuses to sell through a deactivated link, and sells again once activated', async () => {
    const link = await stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 1 }], inactive_message: 'Back in June.' });
    await stripe.paymentLinks.update(link.id, { active: false });
    const sessions = await count('checkout_sessions');
    const page = await visit(link.url);
    assert.equal(page.status, 200);
    assert.match(page.text, /Back in June\./);
    assert.equal(page.location, null);
    assert.equal(await count('checkout_sessions'), sessions);
    await stripe.paymentLinks.update(link.id, { active: true });
    assert.equal((await sessionFromVisit(link)).payment_link, link.id);
    // A price archived after the link was made: the link stays, a visit cannot sell it and makes nothing.
    const seasonal = await stripe.prices.create({ currency: 'usd', unit_amount: 700, product_data: { name: 'Seasonal' } });
    const seasonalLink = await stripe.paymentLinks.create({ line_items: [{ price: seasonal.id, quantity: 1 }] });
    await stripe.prices.update(seasonal.id, { active: false });
    const before = await count('checkout_sessions');
    const unsellable = await visit(seasonalLink.url);
    assert.equal(unsellable.status, 409);
    assert.match(unsellable.text, /cannot be used right now/);
    assert.equal(await count('checkout_sessions'), before);
    assert.equal((await visit(`${server.baseUrl}/pl/plink_000000000000000000000000`)).status, 404);
    assert.equal((await visit(`${server.baseUrl}/pl/not-a-link`)).status, 404);
  });

  it('lets the shopper choose adjustable quantities within their bounds', async () => {
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: shirt.id, quantity: 1 }, { price: mug.id, quantity: 2, adjustable_quantity: { enabled: true, minimum: 1, maximum: 4 } }],
    });
    const [, mugItem] = (await stripe.paymentLinks.listLineItems(link.id)).data;
    const chooser = await visit(link.url);
    assert.equal(chooser.status, 200);
    assert.match(chooser.text, new RegExp(`name="quantity_${mugItem.id}"[^>]*min="1" max="4" value="2"`));
    assert.match(chooser.text, /\/share">Share this link/);
    const form = (quantity: string) => ({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ [`quantity_${mugItem.id}`]: quantity }).toString() });
    const sessions = await count('checkout_sessions');
    const tooMany = await visit(link.url, form('5'));
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.text, /from 1 to 4/);
    assert.equal(await count('checkout_sessions'), sessions);
    const chosen = await visit(link.url, form('4'));
    assert.equal(chosen.status, 303, chosen.text);
    const id = /(cs_[0-9A-Za-z]+)$/.exec(chosen.location ?? '')![1];
    const session = await stripe.checkout.sessions.retrieve(id);
    assert.equal(session.amount_total, 2000 + 4 * 1250);
  });

  it('serves a QR code of the link\'s URL and a share page showing it', async () => {
    const link = await stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 1 }] });
    const response = await fetch(`${link.url}/qr.svg`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    const svg = await response.text();
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>\s*$/s);
    // No QR decoder is installed: read the modules back from the SVG's path and compare them with the code of the
    // link's URL made independently; the module count is the version's for the URL's length at level M.
    const { size, dark } = modulesOfSvg(svg, 4);
    const expected = QRCode.create(link.url, { errorCorrectionLevel: 'M' });
    assert.equal(size, expected.modules.size);
    assert.equal(size, 17 + 4 * expected.version);
    const byteVersionCapacityM = [0, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213];
    assert.ok(byteVersionCapacityM[expected.version] >= Buffer.byteLength(link.url) && byteVersionCapacityM[expected.version - 1] < Buffer.byteLength(link.url), `version ${expected.version} is the smallest for ${Buffer.byteLength(link.url)} bytes`);
    assert.deepEqual(dark, Array.from(expected.modules.data, (bit) => bit === 1));
    // The three finder patterns: dark 7×7 rings at three corners.
    for (const [row, column] of [[0, 0], [0, size - 7], [size - 7, 0]]) {
      for (let offset = 0; offset < 7; offset += 1) {
        assert.ok(dark[row * size + column + offset] && dark[(row + 6) * size + column + offset], 'finder pattern edge');
      }
    }
    const share = await visit(`${link.url}/share`);
    assert.equal(share.status, 200);
    assert.ok(share.text.includes(`<img src="/pl/${link.id}/qr.svg"`));
    assert.ok(share.text.includes(link.url));
  });

  it('refuses bad input with Stripe\'s errors and writes nothing', async () => {
    const links = await count('payment_links');
    const yen = await stripe.prices.create({ currency: 'jpy', unit_amount: 1000, product_data: { name: 'Tea' } });
    const archived = await stripe.prices.create({ currency: 'usd', unit_amount: 900, product_data: { name: 'Old' } });
    await stripe.prices.update(archived.id, { active: false });
    const line = [{ price: mug.id, quantity: 1 }];
    await failsWith(stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 0 }] }), 400, 'invalid_value', 'line_items[0][quantity]');
    await failsWith(stripe.paymentLinks.create({ line_items: [{ price: archived.id, quantity: 1 }] }), 400, 'invalid_value', 'line_items[0][price]');
    await failsWith(stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 1 }, { price: yen.id, quantity: 1 }] }), 400, 'invalid_value', 'line_items[1][price]');
    await failsWith(stripe.paymentLinks.create({ line_items: [{ price: shirt.id, quantity: 1 }], currency: 'jpy' }), 400, 'invalid_value', 'line_items[0][price]');
    await failsWith(stripe.paymentLinks.create({ line_items: line, after_completion: { type: 'redirect', redirect: { url: 'javascript:alert(1)' } } }), 400, 'url_invalid', 'after_completion[redirect][url]');
    await failsWith(stripe.paymentLinks.create({ line_items: line, after_completion: { type: 'redirect', redirect: { url: 'ftp://shop.example/' } } }), 400, 'url_invalid', 'after_completion[redirect][url]');
    await failsWith(stripe.paymentLinks.create({ line_items: line, after_completion: { type: 'redirect' } }), 400, 'parameter_missing', 'after_completion[redirect]');
    await failsWith(stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 2, adjustable_quantity: { enabled: true, minimum: 5, maximum: 3 } }] }), 400, 'invalid_value', 'line_items[0][adjustable_quantity][minimum]');
    await failsWith(stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 9, adjustable_quantity: { enabled: true, minimum: 1, maximum: 3 } }] }), 400, 'invalid_value', 'line_items[0][quantity]');
    await failsWith(stripe.paymentLinks.create({ line_items: [] }), 400, 'parameter_missing', 'line_items');
    await failsWith(stripe.paymentLinks.create({ line_items: Array.from({ length: 21 }, () => ({ price: mug.id, quantity: 1 })) }), 400, 'invalid_value', 'line_items');
    await failsWith(stripe.paymentLinks.create({ line_items: [{ price: 'price_unknown', quantity: 1 }] }), 404, 'resource_missing', 'line_items[0][price]');
    await failsWith(stripe.paymentLinks.create({ line_items: line, restrictions: { completed_sessions: { limit: 0 } } }), 400, 'invalid_value', 'restrictions[completed_sessions][limit]');
    await failsWith(stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 1_000_000 }] }), 400, 'invalid_value', 'line_items[0][quantity]');
    await failsWith(stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 999_999 }] }), 400, 'amount_too_large', 'line_items[0][quantity]');
    assert.equal(await count('payment_links'), links);
    const link = await stripe.paymentLinks.create({ line_items: line });
    const [item] = (await stripe.paymentLinks.listLineItems(link.id)).data;
    await failsWith(stripe.paymentLinks.update(link.id, { line_items: [{ id: 'li_unknown', quantity: 2 }] }), 400, 'invalid_value', 'line_items[0][id]');
    await failsWith(stripe.paymentLinks.update(link.id, { line_items: [{ id: item.id, quantity: 0 }] }), 400, 'invalid_value', 'line_items[0][quantity]');
    await failsWith(stripe.paymentLinks.update(link.id, { after_completion: { type: 'redirect', redirect: { url: 'data:text/html,hi' } } }), 400, 'url_invalid', 'after_completion[redirect][url]');
    await failsWith(stripe.paymentLinks.retrieve('plink_unknown'), 404, 'resource_missing');
    assert.equal((await eventsOf('payment_link.updated', link.id)).length, 0);
  });

  it('keeps links to their account and mode, and to restricted keys with payment_link access', async () => {
    const link = await stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 1 }] });
    const other = await server.createAccount('Another merchant');
    await failsWith(other.stripe.paymentLinks.retrieve(link.id), 404, 'resource_missing');
    await failsWith(other.stripe.paymentLinks.update(link.id, { active: false }), 404, 'resource_missing');
    await failsWith(other.stripe.paymentLinks.listLineItems(link.id), 404, 'resource_missing');
    await failsWith(other.stripe.paymentLinks.create({ line_items: [{ price: mug.id, quantity: 1 }] }), 404, 'resource_missing', 'line_items[0][price]');
    assert.ok(!(await other.stripe.paymentLinks.list({ limit: 100 })).data.some((entry) => entry.id === link.id));
    assert.equal((await other.stripe.checkout.sessions.list({ payment_link: link.id })).data.length, 0);
    const live = await server.liveKeys(server.account.accountId);
    await failsWith(live.stripe.paymentLinks.retrieve(link.id), 404, 'resource_missing');
    assert.equal((await stripe.paymentLinks.retrieve(link.id)).active, true);

    const key = await server.request('POST', '/v1/payrail/api_keys', {
      key: server.account.secretKey, contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ type: 'restricted', 'permissions[payment_link]': 'read' }).toString(),
    });
    assert.equal(key.status, 200, key.text);
    const limited = server.stripeFor(key.json.secret);
    assert.equal((await limited.paymentLinks.retrieve(link.id)).id, link.id);
    assert.equal((await limited.paymentLinks.listLineItems(link.id)).data.length, 1);
    const refused = await failsWith(limited.paymentLinks.update(link.id, { active: false }), 403, 'insufficient_permissions');
    assert.match(refused.message, /rak_payment_link_write/);
  });
});

describe('Payment Links in Chromium', () => {
  let server: TestServer;
  let stripe: Stripe;
  let browser: Browser;
  let merchant: MerchantSite;
  let merchantUrl: string;
  let price: Stripe.Price;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    price = await stripe.prices.create({ currency: 'usd', unit_amount: 1500, product_data: { name: 'Workshop seat' } });
    merchant = await startMerchantSite({ heading: () => 'Thanks for your order' });
    merchantUrl = merchant.url;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await server.close();
  });

  async function pay(page: Page): Promise<void> {
    await page.getByLabel('Email').fill('jenny@example.com');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('Expiration (MM / YY)').fill(payingCard.card_expiry);
    await page.getByLabel('Security code (CVC)').fill('123');
    await page.getByLabel('Name on card').fill('Jenny Rosen');
    await page.getByRole('button', { name: /^Pay / }).click();
  }

  it('a shopper opens the link, chooses a quantity, pays, and lands on the redirect', async () => {
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1, adjustable_quantity: { enabled: true, minimum: 1, maximum: 3 } }],
      after_completion: { type: 'redirect', redirect: { url: `${merchantUrl}/thanks?session_id={CHECKOUT_SESSION_ID}` } },
    });
    const page = await browser.newPage();
    await page.goto(link.url);
    await page.getByLabel(/Workshop seat/).fill('2');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForURL(/\/c\/pay\/cs_/);
    const sessionId = /(cs_[0-9A-Za-z]+)/.exec(page.url())![1];
    await page.getByText('Workshop seat').first().waitFor();
    await pay(page);
    await page.waitForURL(`${merchantUrl}/thanks?session_id=${sessionId}`);
    await page.getByRole('heading', { name: 'Thanks for your order' }).waitFor();
    await page.close();
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    assert.equal(session.status, 'complete');
    assert.equal(session.payment_link, link.id);
    assert.equal(session.amount_total, 3000);
  });

  it('shows the hosted confirmation, and the share page shows the QR code image', async () => {
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }],
      after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: 'See you at the workshop!' } },
      restrictions: { completed_sessions: { limit: 1 } },
    });
    const page = await browser.newPage();
    await page.goto(link.url);
    await page.waitForURL(/\/c\/pay\/cs_/);
    await pay(page);
    await page.getByRole('heading', { name: 'Thanks for your payment' }).waitFor();
    assert.match(await page.getByRole('status').innerText(), /See you at the workshop!/);
    // The limit of one is reached: the link now says so.
    await page.goto(link.url);
    await page.getByRole('heading', { name: 'Link no longer available' }).waitFor();
    await page.goto(`${link.url}/share`);
    const image = page.getByRole('img', { name: `QR code of ${link.url}` });
    await image.waitFor();
    assert.equal(await image.evaluate((element) => { const image = element as unknown as { complete: boolean; naturalWidth: number }; return image.complete && image.naturalWidth > 0; }), true, 'the QR code image loads under the page\'s policy');
    await page.close();
  });
});
