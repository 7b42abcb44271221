import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  CardToken,
  MercadoPagoConfig,
  MPAuthenticationError,
  MPBadRequestError,
  MPServerError,
  Payment,
  PaymentRefund,
  WebhookSignatureValidator,
  type MercadoPagoError,
} from 'mercadopago';
// The SDK has no base-URL option: every request goes to `${AppConfig.BASE_URL}${path}` (dist/utils/restClient).
// AppConfig is the SDK's exported configuration class and BASE_URL a plain static property, so the tests set it to
// the sandbox's address, as a proxy or a DNS override would redirect api.mercadopago.com.
import { AppConfig } from 'mercadopago/dist/utils/config/index.js';
import { mercadoPagoSpec } from '../../../test/helpers/mercadopago-openapi.ts';
import { isValidCnpj, isValidCpf, boletoBarcodeIsValid, crc16, modulo10, parseEmv } from './brazil.ts';
import { startMercadoPagoSandbox, type MercadoPagoSandbox } from './server.ts';

/*
 * The Mercado Pago sandbox driven by the official `mercadopago` Node SDK (v3), every request and response checked
 * against Mercado Pago's published OpenAPI description (specs/mercadopago), and its webhooks verified by recomputing
 * their signature and with the SDK's own WebhookSignatureValidator.
 */

const spec = mercadoPagoSpec();
const payer = { email: 'comprador@payrail-sandbox.com.br', first_name: 'Maria', last_name: 'Silva', identification: { type: 'CPF', number: '12345678909' } };
const address = { zip_code: '01310-100', street_name: 'Av. Paulista', street_number: '1000', neighborhood: 'Bela Vista', city: 'São Paulo', federal_unit: 'SP' };

interface Received {
  url: string;
  headers: Record<string, string>;
  body: { id: number; type: string; action: string; data: { id: string }; live_mode: boolean };
}

/** Strips the SDK's `api_response` envelope, leaving the JSON the sandbox sent. */
function wire<T extends object>(result: T): Record<string, unknown> {
  const { api_response: _ignored, ...body } = result as Record<string, unknown>;
  return body;
}

describe('Mercado Pago sandbox through the official mercadopago SDK', () => {
  let sandbox: MercadoPagoSandbox;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  /** Answers the receiver gives before 200, per path (to exercise retries). */
  const failuresBeforeSuccess = new Map<string, number>();
  let config: MercadoPagoConfig;
  let payments: Payment;
  const originalBaseUrl = AppConfig.BASE_URL;

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url!.split('?')[0];
        const failures = failuresBeforeSuccess.get(path) ?? 0;
        received.push({ url: request.url!, headers: request.headers as Record<string, string>, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        if (failures > 0) {
          failuresBeforeSuccess.set(path, failures - 1);
          response.writeHead(500).end();
          return;
        }
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    sandbox = await startMercadoPagoSandbox({ webhookRetryDelaysMs: [20, 20] });
    // Declared `static readonly` in the SDK's typings, assigned like any property at run time.
    Object.assign(AppConfig, { BASE_URL: sandbox.url });
    // No SDK retries: the fault tests see each answer the sandbox gives.
    config = new MercadoPagoConfig({ accessToken: sandbox.accessToken, options: { maxRetries: 0 } });
    payments = new Payment(config);
  });
  after(async () => {
    Object.assign(AppConfig, { BASE_URL: originalBaseUrl });
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });
  afterEach(() => sandbox.setFaults({ outage: false, errorRate: 0, status5xxRate: 0, webhookDuplicate: false }));

  /**
   * Creates a payment with a fresh X-Idempotency-Key unless one is given. (The SDK merges `requestOptions` into its
   * shared config for good, so a key given once is sent again by later calls that name none.)
   */
  async function createPayment(body: Parameters<Payment['create']>[0]['body'], idempotencyKey: string = randomUUID()) {
    spec.assertRequest('POST /v1/payments', body);
    const payment = await payments.create({ body, requestOptions: { idempotencyKey } });
    spec.assertResponse('POST /v1/payments', 201, wire(payment));
    return payment;
  }

  async function getPayment(id: number) {
    const payment = await payments.get({ id });
    spec.assertResponse('GET /v1/payments/{id}', 200, wire(payment));
    return payment;
  }

  async function cardToken(cardholderName: string, cardNumber = '5031433215406351'): Promise<string> {
    // The SDK's CardTokenCreateBody type leaves out `cardholder`, which the API takes (MercadoPago.js sends it).
    const body = { card_number: cardNumber, expiration_month: '11', expiration_year: '2030', security_code: '123', cardholder: { name: cardholderName, identification: { type: 'CPF', number: '12345678909' } } };
    const token = await new CardToken(config).create({ body: body as Parameters<CardToken['create']>[0]['body'] });
    assert.match(token.id!, /^[0-9a-f]{32}$/);
    assert.equal(token.last_four_digits, cardNumber.slice(-4));
    return token.id!;
  }

  /** The SDK types `causes` as unknown[]; Mercado Pago's are `{code, description, data}`. */
  type Rejection = Omit<MercadoPagoError, 'causes'> & { causes: { code: number; description: string }[] };

  async function rejection(promise: Promise<unknown>): Promise<Rejection> {
    try {
      await promise;
    } catch (error) {
      const failure = error as Rejection;
      // Every error answer, 4xx or a fault's 5xx, has Mercado Pago's documented Error shape.
      assert.deepEqual(spec.validateComponent('Error', { message: failure.message, error: failure.error, status: failure.status, cause: failure.causes }), []);
      return failure;
    }
    assert.fail('the request was expected to fail');
  }

  function webhooksFor(paymentId: number): Received[] {
    return received.filter((notification) => notification.body.data.id === String(paymentId));
  }

  it('Pix: a pending payment with a BR Code and its QR PNG, paid on the ticket page, approved, with signed webhooks', async () => {
    const created = await createPayment({
      transaction_amount: 10.5,
      payment_method_id: 'pix',
      description: 'Pedido 1001',
      external_reference: 'pix-1001',
      notification_url: `${receiverUrl}/pix`,
      metadata: { order: '1001' },
      payer,
    });
    assert.equal(created.status, 'pending');
    assert.equal(created.status_detail, 'pending_waiting_transfer');
    assert.equal(created.payment_type_id, 'bank_transfer');
    assert.equal(created.transaction_amount, 10.5);
    assert.equal(created.currency_id, 'BRL');
    // Default expiry: 24 hours.
    const hours = (Date.parse(created.date_of_expiration!) - Date.parse(created.date_created!)) / 3_600_000;
    assert.ok(Math.abs(hours - 24) < 0.01, `expires in ${hours} hours`);
    const data = created.point_of_interaction!.transaction_data!;
    const fields = parseEmv(data.qr_code!);
    assert.equal(fields.get('00'), '01');
    assert.equal(fields.get('53'), '986');
    assert.equal(fields.get('54'), '10.50');
    assert.equal(fields.get('58'), 'BR');
    assert.match(fields.get('26')!, /^0014br\.gov\.bcb\.pix01\d{2}/);
    assert.equal(crc16('123456789'), '29B1', 'CRC-16/CCITT-FALSE check value');
    // The static BR Code example of Banco Central's Pix manual, whose CRC it gives as 1D3D.
    const manualExample = '00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***6304';
    assert.equal(crc16(manualExample), '1D3D');
    assert.equal(fields.get('63'), crc16(data.qr_code!.slice(0, -4)));
    assert.deepEqual([...Buffer.from(data.qr_code_base64!, 'base64').subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    const ticket = await fetch(data.ticket_url!);
    assert.equal(ticket.status, 200);
    const page = await ticket.text();
    assert.ok(page.includes(data.qr_code!.replace(/&/g, '&#38;')));
    const pay = await fetch(`${sandbox.url}/sandbox/mercadopago/payments/${created.id}/pay`, { method: 'POST', redirect: 'manual' });
    assert.equal(pay.status, 303);

    const paid = await getPayment(created.id!);
    assert.equal(paid.status, 'approved');
    assert.equal(paid.status_detail, 'accredited');
    assert.ok(paid.date_approved);
    assert.match(String(paid.point_of_interaction!.transaction_data!.transaction_id), /^E10573521\d{12}[A-Z0-9]{11}$/);

    await sandbox.webhooksIdle();
    const notifications = webhooksFor(created.id!);
    assert.deepEqual(notifications.map((notification) => notification.body.action), ['payment.created', 'payment.updated']);
    for (const notification of notifications) {
      spec.validateComponent('WebhookNotification', notification.body);
      assert.equal(notification.body.type, 'payment');
      assert.equal(notification.url, `/pix?data.id=${created.id}&type=payment`);
      // The signature, recomputed as Mercado Pago documents it, and checked by the SDK's own validator.
      const [ts, v1] = notification.headers['x-signature'].split(',').map((part) => part.split('=')[1]);
      const manifest = `id:${created.id};request-id:${notification.headers['x-request-id']};ts:${ts};`;
      assert.equal(v1, createHmac('sha256', sandbox.webhookSecret).update(manifest).digest('hex'));
      WebhookSignatureValidator.validate({
        xSignature: notification.headers['x-signature'],
        xRequestId: notification.headers['x-request-id'],
        dataId: notification.body.data.id,
        secret: sandbox.webhookSecret,
        toleranceSeconds: 300,
      });
      assert.throws(() =>
        WebhookSignatureValidator.validate({ xSignature: notification.headers['x-signature'], xRequestId: notification.headers['x-request-id'], dataId: '1', secret: sandbox.webhookSecret }),
      );
    }
  });

  it('Pix: expiry cancels a pending payment (expired); an expiry closer than 30 minutes is refused', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString().replace('Z', '+00:00');
    const created = await createPayment({ transaction_amount: 5, payment_method_id: 'pix', date_of_expiration: inAnHour, payer: { email: payer.email } });
    assert.equal(Date.parse(created.date_of_expiration!), Date.parse(inAnHour));
    assert.equal(sandbox.expire(created.id!), true);
    const expired = await getPayment(created.id!);
    assert.deepEqual([expired.status, expired.status_detail], ['cancelled', 'expired']);
    const tooSoon = new Date(Date.now() + 60_000).toISOString();
    const error = await rejection(createPayment({ transaction_amount: 5, payment_method_id: 'pix', date_of_expiration: tooSoon, payer: { email: payer.email } }));
    assert.ok(error instanceof MPBadRequestError);
    assert.equal(error.causes[0].code, 23);
  });

  it('boleto: the barcode and digitable line with valid check digits for a CPF or a CNPJ; bad documents are refused with 2067', async () => {
    for (const identification of [
      { type: 'CPF', number: '123.456.789-09' },
      { type: 'CNPJ', number: '11222333000181' },
      { type: 'CNPJ', number: '12ABC34501DE35' },
    ]) {
      const boleto = await createPayment({ transaction_amount: 150.75, payment_method_id: 'bolbradesco', payer: { ...payer, identification, address } });
      assert.deepEqual([boleto.status, boleto.status_detail, boleto.payment_type_id], ['pending', 'pending_waiting_payment', 'ticket']);
      const details = boleto.transaction_details!;
      assert.ok(boletoBarcodeIsValid(details.barcode!.content!), details.barcode!.content);
      assert.equal(details.barcode!.content!.slice(0, 3), '237');
      assert.equal(details.barcode!.content!.slice(9, 19), '0000015075');
      const line = details.digitable_line!;
      assert.match(line, /^\d{47}$/);
      assert.equal(modulo10(line.slice(0, 9)), Number(line[9]));
      assert.equal(modulo10(line.slice(10, 20)), Number(line[20]));
      assert.equal(modulo10(line.slice(21, 31)), Number(line[31]));
      assert.equal(line.slice(33), details.barcode!.content!.slice(5, 19));
      assert.equal((await fetch(details.external_resource_url!)).status, 200);
      assert.deepEqual(boleto.payer!.identification, { type: identification.type, number: identification.number.replace(/[.\-/]/g, '') });
    }
    for (const identification of [
      { type: 'CPF', number: '12345678900' },
      { type: 'CPF', number: '11111111111' },
      { type: 'CNPJ', number: '11222333000182' },
    ]) {
      const error = await rejection(createPayment({ transaction_amount: 20, payment_method_id: 'bolbradesco', payer: { ...payer, identification, address } }));
      assert.equal(error.message, 'Invalid user identification number');
      assert.deepEqual(error.causes.map((cause) => cause.code), [2067]);
      assert.ok(error instanceof MPBadRequestError);
    }
    const noAddress = await rejection(createPayment({ transaction_amount: 20, payment_method_id: 'bolbradesco', payer }));
    assert.equal(noAddress.causes[0].code, 4006);
    assert.match(noAddress.message, /payer\.address\.zip_code/);
    assert.ok(isValidCpf('12345678909') && !isValidCpf('12345678919') && isValidCnpj('11222333000181') && !isValidCnpj('11222333000191'));
    // A published Bradesco boleto (the usual test vector of boleto validators): its check digits, computed here.
    const publishedLine = '23793381286000782713695000063305975520000370000';
    assert.ok(boletoBarcodeIsValid('23799755200003700003381260007827139500006330'));
    assert.ok(!boletoBarcodeIsValid('23799755200003700003381260007827139500006331'));
    assert.deepEqual([9, 20, 31].map((at, field) => modulo10(publishedLine.slice(field === 0 ? 0 : at - 10, at))), [9, 20, 31].map((at) => Number(publishedLine[at])));
  });

  it('boleto: paid through the admin endpoint, money released later', async () => {
    const boleto = await createPayment({ transaction_amount: 42, payment_method_id: 'bolbradesco', payer: { ...payer, address } });
    const paid = await fetch(`${sandbox.url}/sandbox/admin/payments/${boleto.id}/pay`, { method: 'POST' });
    assert.equal(paid.status, 200);
    const after = await getPayment(boleto.id!);
    assert.deepEqual([after.status, after.status_detail], ['approved', 'accredited']);
    assert.ok(Date.parse(after.money_release_date!) > Date.parse(after.date_approved!));
    assert.equal((await fetch(`${sandbox.url}/sandbox/admin/payments/${boleto.id}/pay`, { method: 'POST' })).status, 409);
  });

  it("cards: approved or rejected by Mercado Pago's test cardholder names, with installments", async () => {
    const expected: Record<string, [string, string]> = {
      APRO: ['approved', 'accredited'],
      OTHE: ['rejected', 'cc_rejected_other_reason'],
      CONT: ['in_process', 'pending_contingency'],
      CALL: ['rejected', 'cc_rejected_call_for_authorize'],
      FUND: ['rejected', 'cc_rejected_insufficient_amount'],
      SECU: ['rejected', 'cc_rejected_bad_filled_security_code'],
      EXPI: ['rejected', 'cc_rejected_bad_filled_date'],
      FORM: ['rejected', 'cc_rejected_bad_filled_other'],
    };
    for (const [name, [status, detail]] of Object.entries(expected)) {
      const payment = await createPayment({ transaction_amount: 300, payment_method_id: 'master', token: await cardToken(name), installments: 3, payer: { email: payer.email } });
      assert.deepEqual([payment.status, payment.status_detail], [status, detail], name);
      assert.equal(payment.installments, 3);
      assert.equal(payment.transaction_details!.installment_amount, 100);
      assert.equal(payment.card!.last_four_digits, '6351');
      assert.equal(payment.card!.cardholder!.name, name);
    }
    const visaToken = await cardToken('APRO', '4235647728025682');
    const visa = await createPayment({ transaction_amount: 10, payment_method_id: 'visa', token: visaToken, installments: 1, payer: { email: payer.email } });
    assert.equal(visa.status, 'approved');
    // A token is single use; an unknown token is not found; a Visa token is not a Mastercard.
    const reused = await rejection(createPayment({ transaction_amount: 10, payment_method_id: 'visa', token: visaToken, installments: 1, payer: { email: payer.email } }));
    assert.equal(reused.causes[0].code, 3003);
    const unknown = await rejection(createPayment({ transaction_amount: 10, payment_method_id: 'visa', token: 'f'.repeat(32), installments: 1, payer: { email: payer.email } }));
    assert.equal(unknown.causes[0].code, 2006);
    const mismatch = await rejection(createPayment({ transaction_amount: 10, payment_method_id: 'master', token: await cardToken('APRO', '4235647728025682'), installments: 1, payer: { email: payer.email } }));
    assert.equal(mismatch.causes[0].code, 3028);
  });

  it('cards: an authorization captured in part, another cancelled', async () => {
    const authorized = await createPayment({ transaction_amount: 200, payment_method_id: 'master', token: await cardToken('APRO'), installments: 1, capture: false, payer: { email: payer.email } });
    assert.deepEqual([authorized.status, authorized.status_detail, authorized.captured], ['authorized', 'pending_capture', false]);
    const captured = await payments.capture({ id: authorized.id!, transaction_amount: 150, requestOptions: { idempotencyKey: randomUUID() } });
    spec.assertResponse('PUT /v1/payments/{id}', 200, wire(captured));
    assert.deepEqual([captured.status, captured.status_detail, captured.captured, captured.transaction_amount], ['approved', 'accredited', true, 150]);
    const again = await rejection(payments.capture({ id: authorized.id!, requestOptions: { idempotencyKey: randomUUID() } }));
    assert.equal(again.causes[0].code, 2018);

    const second = await createPayment({ transaction_amount: 80, payment_method_id: 'master', token: await cardToken('APRO'), installments: 1, capture: false, payer: { email: payer.email } });
    const cancelled = await payments.cancel({ id: second.id!, requestOptions: { idempotencyKey: randomUUID() } });
    assert.deepEqual([cancelled.status, cancelled.status_detail], ['cancelled', 'by_collector']);
  });

  it('refunds: partial, then the rest, listed and read; more than the balance is refused', async () => {
    const payment = await createPayment({ transaction_amount: 100, payment_method_id: 'master', token: await cardToken('APRO'), installments: 1, payer: { email: payer.email }, notification_url: `${receiverUrl}/refunds` });
    const refunds = new PaymentRefund(config);
    const partial = await refunds.create({ payment_id: payment.id!, body: { amount: 30.25 }, requestOptions: { idempotencyKey: randomUUID() } });
    spec.assertResponse('POST /v1/payments/{id}/refunds', 201, wire(partial));
    assert.deepEqual([partial.amount, partial.payment_id, partial.status], [30.25, payment.id, 'approved']);
    let current = await getPayment(payment.id!);
    assert.deepEqual([current.status, current.status_detail, current.transaction_amount_refunded], ['approved', 'partially_refunded', 30.25]);
    const tooMuch = await rejection(refunds.create({ payment_id: payment.id!, body: { amount: 70 }, requestOptions: { idempotencyKey: randomUUID() } }));
    assert.ok(tooMuch instanceof MPBadRequestError);
    const rest = await refunds.create({ payment_id: payment.id!, requestOptions: { idempotencyKey: randomUUID() } });
    assert.equal(rest.amount, 69.75);
    current = await getPayment(payment.id!);
    assert.deepEqual([current.status, current.status_detail, current.transaction_amount_refunded], ['refunded', 'refunded', 100]);
    assert.deepEqual(current.refunds!.map((refund) => refund.amount), [30.25, 69.75]);
    const listed = await refunds.list({ payment_id: payment.id! });
    assert.deepEqual(listed.map((refund) => refund.id), [partial.id, rest.id]);
    const read = await refunds.get({ payment_id: payment.id!, refund_id: partial.id! });
    spec.assertResponse('GET /v1/payments/{id}/refunds/{refund_id}', 200, wire(read));
    assert.equal(read.amount, 30.25);
    const pending = await createPayment({ transaction_amount: 5, payment_method_id: 'pix', payer: { email: payer.email } });
    assert.equal((await rejection(refunds.create({ payment_id: pending.id!, requestOptions: { idempotencyKey: randomUUID() } }))).causes[0].code, 2018);
    await sandbox.webhooksIdle();
    assert.deepEqual(webhooksFor(payment.id!).map((notification) => notification.body.action), ['payment.created', 'payment.updated', 'payment.updated']);
  });

  it('search: by external_reference, sorted, paged', async () => {
    const reference = `search-${randomUUID()}`;
    const ids: number[] = [];
    for (const amount of [1, 2, 3]) ids.push((await createPayment({ transaction_amount: amount, payment_method_id: 'pix', external_reference: reference, payer: { email: payer.email } })).id!);
    const page = await payments.search({ options: { external_reference: reference, sort: 'date_created', criteria: 'asc', limit: 2, offset: 0 } });
    spec.assertResponse('GET /v1/payments/search', 200, wire(page));
    assert.equal(page.paging!.total, 3);
    assert.deepEqual(page.results!.map((result) => Number(result.id)), ids.slice(0, 2));
    const all: number[] = [];
    for await (const result of payments.searchAll({ options: { external_reference: reference, sort: 'date_created', criteria: 'desc' } })) all.push(Number(result.id));
    assert.deepEqual(all, [...ids].reverse());
    const none = await payments.search({ options: { external_reference: reference, status: 'approved' } });
    assert.equal(none.paging!.total, 0);
  });

  it('errors: an unknown token, a bad amount, an unknown payment method and payment, in Mercado Pago\'s error shape', async () => {
    const stranger = new Payment(new MercadoPagoConfig({ accessToken: 'TEST-not-this-sandbox', options: { maxRetries: 0 } }));
    const unauthorized = await rejection(stranger.get({ id: 1 }));
    assert.ok(unauthorized instanceof MPAuthenticationError);
    assert.equal(unauthorized.status, 401);
    const amount = await rejection(createPayment({ transaction_amount: 10.555, payment_method_id: 'pix', payer: { email: payer.email } }));
    assert.deepEqual([amount.message, amount.causes[0].code], ['Invalid transaction_amount', 4037]);
    const method = await rejection(createPayment({ transaction_amount: 10, payment_method_id: 'oxxo', payer: { email: payer.email } }));
    assert.equal(method.causes[0].code, 3011);
    // (The request breaks the spec's `format: email`, so it goes without the request check.)
    const email = await rejection(payments.create({ body: { transaction_amount: 10, payment_method_id: 'pix', payer: { email: 'not-an-email' } }, requestOptions: { idempotencyKey: randomUUID() } }));
    assert.equal(email.causes[0].code, 4050);
    const missing = await rejection(payments.get({ id: 1 }));
    assert.deepEqual([missing.status, missing.error, missing.causes[0].code], [404, 'not_found', 2000]);
  });

  it('X-Idempotency-Key: a retry gets the first answer and creates nothing', async () => {
    const key = randomUUID();
    const body = { transaction_amount: 7, payment_method_id: 'pix', payer: { email: payer.email } };
    const first = await createPayment(body, key);
    const second = await createPayment(body, key);
    assert.equal(second.id, first.id);
    assert.equal(sandbox.records().payments.filter((payment) => payment.id === first.id).length, 1);
  });

  it('faults: an outage and errors before processing create nothing; a 500 after processing is resolved by the same key', async () => {
    const before = sandbox.records().payments.length;
    sandbox.setFaults({ outage: true });
    const outage = await rejection(createPayment({ transaction_amount: 3, payment_method_id: 'pix', payer: { email: payer.email } }));
    assert.ok(outage instanceof MPServerError);
    assert.equal(outage.status, 503);
    sandbox.setFaults({ outage: false, errorRate: 1 });
    assert.equal((await rejection(createPayment({ transaction_amount: 3, payment_method_id: 'pix', payer: { email: payer.email } }))).status, 500);
    assert.equal(sandbox.records().payments.length, before);

    sandbox.setFaults({ errorRate: 0, status5xxRate: 1 });
    const key = randomUUID();
    const body = { transaction_amount: 3, payment_method_id: 'pix', external_reference: `fault-${key}`, payer: { email: payer.email } };
    const ambiguous = await rejection(createPayment(body, key));
    assert.equal(ambiguous.status, 500);
    const made = sandbox.records().payments.filter((payment) => payment.externalReference === `fault-${key}`);
    assert.equal(made.length, 1);
    sandbox.setFaults({ status5xxRate: 0 });
    const retried = await createPayment(body, key);
    assert.equal(retried.id, made[0].id);
  });

  it('webhooks: retried until the receiver answers 200; duplicated with the webhookDuplicate fault', async () => {
    failuresBeforeSuccess.set('/flaky', 1);
    const flaky = await createPayment({ transaction_amount: 4, payment_method_id: 'pix', notification_url: `${receiverUrl}/flaky`, payer: { email: payer.email } });
    await sandbox.webhooksIdle();
    const record = sandbox.records().webhooks.find((webhook) => webhook.paymentId === flaky.id)!;
    assert.deepEqual([record.attempts, record.delivered, record.requestIds.length], [2, true, 2]);
    assert.notEqual(record.requestIds[0], record.requestIds[1]);

    sandbox.setFaults({ webhookDuplicate: true });
    const twice = await createPayment({ transaction_amount: 4, payment_method_id: 'pix', notification_url: `${receiverUrl}/twice`, payer: { email: payer.email } });
    await sandbox.webhooksIdle();
    const deliveries = webhooksFor(twice.id!);
    assert.equal(deliveries.length, 2);
    assert.equal(deliveries[0].body.id, deliveries[1].body.id);
  });

  it("webhooks: a payment without notification_url waits for the application's URL, then is sent there", async () => {
    sandbox.setWebhookUrl(undefined);
    const quiet = await createPayment({ transaction_amount: 6, payment_method_id: 'pix', payer: { email: payer.email } });
    await sandbox.webhooksIdle();
    const queued = sandbox.records().webhooks.filter((webhook) => webhook.paymentId === quiet.id);
    assert.deepEqual(queued.map((webhook) => [webhook.action, webhook.attempts]), [['payment.created', 0]]);
    const set = await fetch(`${sandbox.url}/sandbox/admin/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${receiverUrl}/application` }) });
    assert.equal(set.status, 200);
    await sandbox.webhooksIdle();
    assert.ok(webhooksFor(quiet.id!).some((notification) => notification.url === `/application?data.id=${quiet.id}&type=payment`));
  });
});
