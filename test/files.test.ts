import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { jpegBytes, pdfBytes, solidPng } from './helpers/images.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;

/** A multipart body as a browser or curl -F sends it, for what the SDK will not send. */
function multipart(parts: ({ name: string; value: string } | { name: string; filename: string; type: string; data: Buffer })[]): { body: Buffer; contentType: string } {
  const boundary = `----payrail${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = 'filename' in part ? `form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type}` : `form-data; name="${part.name}"`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`), 'data' in part ? part.data : Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('files through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  const icon = solidPng(64, [10, 37, 64]);
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  it('uploads an icon as Stripe does (multipart, the SDK configured with host and port only) and retrieves it', async () => {
    const file = await stripe.files.create({ file: { data: icon, name: 'icon.png', type: 'application/octet-stream' }, purpose: 'business_icon' });
    assert.match(file.id, /^file_[0-9A-Za-z]{24}$/);
    assert.equal(file.object, 'file');
    assert.equal(file.purpose, 'business_icon');
    assert.equal(file.size, icon.length);
    // The type comes from the bytes, not from the Content-Type the client gave the part.
    assert.equal(file.type, 'png');
    assert.equal(file.filename, 'icon.png');
    assert.equal(file.title, null);
    assert.equal(file.expires_at, null);
    assert.deepEqual(file.links, { object: 'list', data: [], has_more: false, url: `/v1/file_links?file=${file.id}` });
    assert.equal(file.url, `${server.baseUrl}/v1/files/${file.id}/contents`);
    assert.ok(Math.abs(file.created - Date.now() / 1000) < 60);
    assert.deepEqual(await stripe.files.retrieve(file.id), file);
  });

  it('serves the contents to the secret key only, with the type found at upload', async () => {
    const file = await stripe.files.create({ file: { data: icon, name: 'brand icon ü.png', type: 'image/png' }, purpose: 'business_icon' });
    const response = await fetch(file.url!, { headers: { authorization: `Bearer ${server.account.secretKey}` } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('content-disposition'), "attachment; filename*=UTF-8''brand%20icon%20%C3%BC.png");
    assert.match(response.headers.get('content-security-policy') ?? '', /sandbox/);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), icon);

    const path = new URL(file.url!).pathname;
    assert.equal((await server.request('GET', path)).status, 401);
    const publishable = await server.request('GET', path, { key: server.account.publishableKey });
    assert.equal(publishable.status, 401);
    assert.equal(publishable.json.error.code, 'secret_key_required');
    const unknown = await server.request('GET', '/v1/files/file_missing/contents', { key: server.account.secretKey });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'resource_missing');
  });

  it('lists files newest first, by purpose and creation time, a page at a time', async () => {
    const other = await server.createAccount('lister');
    const logo = await other.stripe.files.create({ file: { data: solidPng(32, [200, 0, 0]), name: 'logo.png', type: 'image/png' }, purpose: 'business_logo' });
    const evidence = await other.stripe.files.create({ file: { data: jpegBytes, name: 'receipt.jpg', type: 'image/jpeg' }, purpose: 'dispute_evidence' });
    const pdf = await other.stripe.files.create({ file: { data: pdfBytes, name: 'letter.pdf', type: 'application/pdf' }, purpose: 'dispute_evidence' });
    assert.equal(evidence.type, 'jpg');
    assert.equal(pdf.type, 'pdf');

    const all = await other.stripe.files.list();
    assert.deepEqual(all.data.map((file) => file.id), [pdf.id, evidence.id, logo.id]);
    assert.equal(all.url, '/v1/files');
    assert.deepEqual((await other.stripe.files.list({ purpose: 'dispute_evidence' })).data.map((file) => file.id), [pdf.id, evidence.id]);
    assert.deepEqual((await other.stripe.files.list({ purpose: 'business_icon' })).data, []);
    const first = await other.stripe.files.list({ limit: 2 });
    assert.equal(first.has_more, true);
    const second = await other.stripe.files.list({ limit: 2, starting_after: first.data[1].id });
    assert.deepEqual(second.data.map((file) => file.id), [logo.id]);
    assert.equal(second.has_more, false);
    const paged: string[] = [];
    for await (const file of other.stripe.files.list({ limit: 1 })) paged.push(file.id);
    assert.deepEqual(paged, [pdf.id, evidence.id, logo.id]);
    assert.deepEqual((await other.stripe.files.list({ created: { gt: logo.created + 3600 } })).data, []);
    assert.equal((await other.stripe.files.list({ created: { gte: logo.created } })).data.length, 3);
    await expectStripeError(other.stripe.files.list({ purpose: 'selfie' } as unknown as Stripe.FileListParams), { class: invalidRequest, code: 'invalid_value', param: 'purpose', statusCode: 400 });
  });

  it("keeps files to their account and mode: another account's or mode's key cannot see them", async () => {
    const file = await stripe.files.create({ file: { data: icon, name: 'icon.png', type: 'image/png' }, purpose: 'business_icon' });
    const stranger = await server.createAccount('stranger');
    await expectStripeError(stranger.stripe.files.retrieve(file.id), { class: invalidRequest, code: 'resource_missing', param: 'id', statusCode: 404 });
    assert.ok(!(await stranger.stripe.files.list({ limit: 100 })).data.some((listed) => listed.id === file.id));
    const contents = await server.request('GET', `/v1/files/${file.id}/contents`, { key: stranger.secretKey });
    assert.equal(contents.status, 404);
    assert.equal(contents.json.error.code, 'resource_missing');
    await expectStripeError(stranger.stripe.files.list({ starting_after: file.id }), { class: invalidRequest, code: 'resource_missing', param: 'starting_after', statusCode: 404 });

    const live = await server.liveKeys(server.account.accountId);
    await expectStripeError(live.stripe.files.retrieve(file.id), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    assert.equal((await server.request('GET', `/v1/files/${file.id}/contents`, { key: live.secretKey })).status, 404);
  });

  it('does not serve identity documents back (url null, contents missing), as Stripe does not', async () => {
    const document = await stripe.files.create({ file: { data: pdfBytes, name: 'passport.pdf', type: 'application/pdf' }, purpose: 'identity_document' });
    assert.equal(document.url, null);
    const contents = await server.request('GET', `/v1/files/${document.id}/contents`, { key: server.account.secretKey });
    assert.equal(contents.status, 404);
    assert.equal(contents.json.error.code, 'resource_missing');
  });

  it('replays an upload with the same idempotency key, and refuses the key with another file', async () => {
    const first = await stripe.files.create({ file: { data: icon, name: 'icon.png', type: 'image/png' }, purpose: 'business_icon' }, { idempotencyKey: 'upload-once' });
    const again = await stripe.files.create({ file: { data: icon, name: 'icon.png', type: 'image/png' }, purpose: 'business_icon' }, { idempotencyKey: 'upload-once' });
    assert.equal(again.id, first.id);
    await expectStripeError(
      stripe.files.create({ file: { data: solidPng(64, [1, 2, 3]), name: 'icon.png', type: 'image/png' }, purpose: 'business_icon' }, { idempotencyKey: 'upload-once' }),
      { class: Stripe.errors.StripeIdempotencyError, code: 'idempotency_key_reused', statusCode: 400 },
    );
  });

  it('refuses bad uploads with a 400 naming the parameter, and stores nothing', async () => {
    const before = (await stripe.files.list({ limit: 100 })).data.length;
    const create = (params: Record<string, unknown>) => stripe.files.create(params as unknown as Stripe.FileCreateParams);
    // The SDK will not send an upload without a file; curl -F purpose=business_icon would.
    const noFile = multipart([{ name: 'purpose', value: 'business_icon' }]);
    const missingFile = await server.request('POST', '/v1/files', { key: server.account.secretKey, body: noFile.body, contentType: noFile.contentType });
    assert.equal(missingFile.status, 400);
    assert.deepEqual([missingFile.json.error.code, missingFile.json.error.param], ['parameter_missing', 'file']);
    await expectStripeError(create({ file: { data: icon, name: 'icon.png', type: 'image/png' } }), { class: invalidRequest, code: 'parameter_missing', param: 'purpose', statusCode: 400 });
    await expectStripeError(create({ file: { data: icon, name: 'icon.png', type: 'image/png' }, purpose: 'wallpaper' }), { class: invalidRequest, code: 'invalid_value', param: 'purpose', statusCode: 400 });
    // A purpose Stripe has and Payrail does not take yet.
    await expectStripeError(create({ file: { data: icon, name: 'icon.png', type: 'image/png' }, purpose: 'customer_signature' }), { class: invalidRequest, code: 'invalid_value', param: 'purpose', statusCode: 400 });
    // 512 KB is the limit of an icon: a valid PNG one byte over it is refused; a bigger PDF is fine as dispute evidence.
    const big = solidPng(8, [0, 0, 0], { padding: 512 * 1024 });
    const tooBig = await expectStripeError(create({ file: { data: big, name: 'big.png', type: 'image/png' }, purpose: 'business_icon' }), { class: invalidRequest, code: 'invalid_value', param: 'file', statusCode: 400 });
    assert.match(tooBig.message, /512 KB/);
    // HTML (or SVG, which can carry script) labelled as a PNG is refused: the type is read from the bytes.
    const html = Buffer.from('<!doctype html><script>alert(1)</script>');
    const wrongType = await expectStripeError(create({ file: { data: html, name: 'icon.png', type: 'image/png' }, purpose: 'business_icon' }), { class: invalidRequest, code: 'invalid_value', param: 'file', statusCode: 400 });
    assert.match(wrongType.message, /PNG, JPG, GIF/);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    await expectStripeError(create({ file: { data: svg, name: 'logo.svg', type: 'image/svg+xml' }, purpose: 'business_logo' }), { class: invalidRequest, code: 'invalid_value', param: 'file', statusCode: 400 });
    await expectStripeError(create({ file: { data: pdfBytes, name: 'logo.pdf', type: 'application/pdf' }, purpose: 'business_logo' }), { class: invalidRequest, code: 'invalid_value', param: 'file', statusCode: 400 });
    await expectStripeError(create({ file: { data: Buffer.alloc(0), name: 'empty.png', type: 'image/png' }, purpose: 'business_icon' }), { class: invalidRequest, code: 'invalid_value', param: 'file', statusCode: 400 });
    await expectStripeError(create({ file: { data: icon, name: 'icon.png', type: 'image/png' }, purpose: 'business_icon', file_link_data: { create: true } }), { class: invalidRequest, code: 'invalid_value', param: 'file_link_data[create]', statusCode: 400 });
    await expectStripeError(create({ file: { data: icon, name: 'icon.png', type: 'image/png' }, purpose: 'business_icon', title: 'x' }), { class: invalidRequest, code: 'parameter_unknown', param: 'title', statusCode: 400 });
    assert.equal((await stripe.files.list({ limit: 100 })).data.length, before);
  });

  it('refuses what is not a file upload: a form body, a text field named file, two files, a file over every limit, multipart elsewhere', async () => {
    const key = server.account.secretKey;
    const form = await server.request('POST', '/v1/files', { key, body: 'purpose=business_icon&file=abc', contentType: 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 400);
    assert.equal(form.json.error.param, 'file');
    const textField = multipart([{ name: 'purpose', value: 'business_icon' }, { name: 'file', value: 'not a file' }]);
    const text = await server.request('POST', '/v1/files', { key, body: textField.body, contentType: textField.contentType });
    assert.equal(text.status, 400);
    assert.equal(text.json.error.param, 'file');
    const twoFiles = multipart([{ name: 'purpose', value: 'business_icon' }, { name: 'file', filename: 'a.png', type: 'image/png', data: icon }, { name: 'file', filename: 'b.png', type: 'image/png', data: icon }]);
    const two = await server.request('POST', '/v1/files', { key, body: twoFiles.body, contentType: twoFiles.contentType });
    assert.equal(two.status, 400);
    assert.equal(two.json.error.param, 'file');
    const huge = multipart([{ name: 'purpose', value: 'dispute_evidence' }, { name: 'file', filename: 'huge.pdf', type: 'application/pdf', data: Buffer.concat([pdfBytes, Buffer.alloc(17 * 1024 * 1024)]) }]);
    const tooLarge = await server.request('POST', '/v1/files', { key, body: huge.body, contentType: huge.contentType });
    assert.equal(tooLarge.status, 400);
    assert.equal(tooLarge.json.error.param, 'file');
    const broken = await server.request('POST', '/v1/files', { key, body: Buffer.from('--x\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbusiness_icon'), contentType: 'multipart/form-data; boundary=x' });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error.type, 'invalid_request_error');
    const elsewhere = multipart([{ name: 'name', value: 'Ada' }]);
    const customers = await server.request('POST', '/v1/customers', { key, body: elsewhere.body, contentType: elsewhere.contentType });
    assert.equal(customers.status, 415);
    assert.equal(customers.json.error.code, 'unsupported_media_type');
    // Nobody unauthenticated gets a file read at all.
    const anonymous = await server.request('POST', '/v1/files', { body: textField.body, contentType: textField.contentType });
    assert.equal(anonymous.status, 401);
  });

  it('lets restricted keys upload and read files with the file permission only', async () => {
    const created = await stripe.rawRequest('POST', '/v1/payrail/api_keys', { type: 'restricted', name: 'files', permissions: { file: 'write' } }) as unknown as { secret: string };
    const restricted = server.stripeFor(created.secret);
    const file = await restricted.files.create({ file: { data: icon, name: 'icon.png', type: 'image/png' }, purpose: 'business_icon' });
    assert.equal((await restricted.files.retrieve(file.id)).id, file.id);
    const other = await stripe.rawRequest('POST', '/v1/payrail/api_keys', { type: 'restricted', name: 'customers', permissions: { customer: 'write' } }) as unknown as { secret: string };
    await expectStripeError(server.stripeFor(other.secret).files.retrieve(file.id), { class: Stripe.errors.StripePermissionError, code: 'insufficient_permissions', statusCode: 403 });
  });
});
