import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { isObject, type Answer } from './answer.ts';
import { createCardToken } from './card-tokens.ts';
import { boletoAmountMaxMinor, boletoCodes, isValidCnpj, isValidCpf, pixBrCode, unmaskDocument } from './brazil.ts';
import { causes, MercadoPagoError, paymentNotFound } from './errors.ts';
import { MercadoPagoRenderer, type RenderContext } from './render.ts';
import { type IdentificationRecord, type PayerRecord, type PaymentRecord, type PaymentStatus, type RefundRecord, type SandboxStore } from './store.ts';
import type { WebhookDispatcher } from './webhooks.ts';

/**
 * What the Mercado Pago sandbox does with each Payments API request, independent of HTTP. Field names follow
 * specs/mercadopago/spec3.json and the official `mercadopago` Node SDK (v2/v3).
 *
 * - Pix (`payment_method_id: pix`): `pending` / `pending_waiting_transfer` with `point_of_interaction.transaction_data`
 *   {qr_code (the BR Code), qr_code_base64 (its PNG), ticket_url}; expires after `date_of_expiration` (default 24
 *   hours, 30 minutes to 30 days ahead) to `cancelled` / `expired`.
 * - Boleto (`bolbradesco`): needs the payer's name, CPF or CNPJ and address; `pending` / `pending_waiting_payment` with
 *   the barcode, digitable line and `transaction_details.external_resource_url`; default due in 3 days, at most 30.
 * - A Pix or boleto is paid (`approved` / `accredited`) on the sandbox's ticket page or with
 *   POST /sandbox/admin/payments/{id}/pay.
 * - Cards (`visa`, `master`, `amex`, `elo`, debit `debvisa`, `debmaster`): a token from POST /v1/card_tokens; the
 *   outcome is chosen by the cardholder name as in Mercado Pago's test cards (APRO approved, CONT pending, OTHE, CALL,
 *   FUND, SECU, EXPI, FORM, INST, DUPL, LOCK, BLAC rejected with their status_detail); `capture: false` authorizes.
 * - PUT /v1/payments/{id}: `{capture: true[, transaction_amount]}` captures, `{status: "cancelled"}` cancels a pending,
 *   in-process or authorized payment, `{date_of_expiration}` moves a pending Pix or boleto's expiry.
 * - Refunds: partial or full, of approved payments, at most `refundsPerPaymentMax`.
 * Every change of a payment sends a webhook (payment.created on creation, payment.updated after).
 */

export interface ProcessorContext extends RenderContext {
  /** The sandbox merchant's Pix key and city (in the BR Code). */
  pixKey: string;
  merchantCity: string;
}

/** Mercado Pago's documented Pix expiry window and default; the boleto's default and longest due date. */
const pixExpiryMinMs = 30 * 60_000;
const pixExpiryMaxMs = 30 * 86_400_000;
const pixExpiryDefaultMs = 86_400_000;
const boletoExpiryDefaultMs = 3 * 86_400_000;
const boletoExpiryMaxMs = 30 * 86_400_000;
/** Mercado Pago's limits on caller fields (PaymentRequest in the spec). */
const externalReferenceLengthMax = 256;
const descriptionLengthMax = 600;
const statementDescriptorLengthMax = 22;
const notificationUrlLengthMax = 500;
const emailLengthMax = 254;
const installmentsMax = 12;
export const refundsPerPaymentMax = 20;
/** The largest amount the sandbox takes (R$ 99.999.999,99, the boleto barcode's limit). */
const amountMaxMinor = boletoAmountMaxMinor;

const cardMethods: Readonly<Record<string, { brand: string; type: 'credit_card' | 'debit_card' }>> = {
  visa: { brand: 'visa', type: 'credit_card' },
  master: { brand: 'master', type: 'credit_card' },
  amex: { brand: 'amex', type: 'credit_card' },
  elo: { brand: 'elo', type: 'credit_card' },
  debvisa: { brand: 'visa', type: 'debit_card' },
  debmaster: { brand: 'master', type: 'debit_card' },
};

/** Mercado Pago's test cardholder names and the outcome each one gives. */
export const testCardholders: Readonly<Record<string, { status: PaymentStatus; statusDetail: string }>> = {
  APRO: { status: 'approved', statusDetail: 'accredited' },
  OTHE: { status: 'rejected', statusDetail: 'cc_rejected_other_reason' },
  CONT: { status: 'in_process', statusDetail: 'pending_contingency' },
  CALL: { status: 'rejected', statusDetail: 'cc_rejected_call_for_authorize' },
  FUND: { status: 'rejected', statusDetail: 'cc_rejected_insufficient_amount' },
  SECU: { status: 'rejected', statusDetail: 'cc_rejected_bad_filled_security_code' },
  EXPI: { status: 'rejected', statusDetail: 'cc_rejected_bad_filled_date' },
  FORM: { status: 'rejected', statusDetail: 'cc_rejected_bad_filled_other' },
  INST: { status: 'rejected', statusDetail: 'cc_rejected_invalid_installments' },
  DUPL: { status: 'rejected', statusDetail: 'cc_rejected_duplicated_payment' },
  LOCK: { status: 'rejected', statusDetail: 'cc_rejected_card_disabled' },
  BLAC: { status: 'rejected', statusDetail: 'cc_rejected_blacklist' },
};


/** A decimal amount in reais -> centavos; `undefined` when it is not a positive amount with at most two decimals. */
export function amountToMinor(value: number): number | undefined {
  const minor = Math.round(value * 100);
  if (!Number.isFinite(value) || value <= 0 || Math.abs(minor - value * 100) > 1e-6 || minor > amountMaxMinor) return undefined;
  return minor;
}

function optionalString(body: Record<string, unknown>, field: string, lengthMax: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > lengthMax) throw MercadoPagoError.badRequest(causes.paramsError, `${field} must be a string of at most ${lengthMax} characters`);
  return value;
}

function requiredText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw MercadoPagoError.badRequest(causes.payerMalformed, `${field} is required for this payment method`);
  return value;
}

export class MercadoPagoProcessor {
  readonly #store: SandboxStore;
  readonly #webhooks: WebhookDispatcher;
  readonly render: MercadoPagoRenderer;

  constructor(store: SandboxStore, webhooks: WebhookDispatcher) {
    this.#store = store;
    this.#webhooks = webhooks;
    this.render = new MercadoPagoRenderer(store);
  }

  /** POST /v1/card_tokens (see card-tokens.ts). */
  createCardToken(body: Record<string, unknown>): Answer {
    return createCardToken(this.#store, body);
  }

  // --- Payments ---------------------------------------------------------------------------------------------------

  async createPayment(body: Record<string, unknown>, context: ProcessorContext): Promise<Answer> {
    const amountMinor = this.#amount(body.transaction_amount, causes.transactionAmountRequired, causes.transactionAmountNotNumeric);
    const methodId = body.payment_method_id;
    if (methodId === undefined || methodId === null) throw MercadoPagoError.badRequest(causes.paymentMethodIdRequired);
    if (typeof methodId !== 'string') throw MercadoPagoError.badRequest(causes.invalidPaymentMethodId);
    const card = cardMethods[methodId];
    if (methodId !== 'pix' && methodId !== 'bolbradesco' && card === undefined) throw MercadoPagoError.badRequest(causes.notFoundPaymentMethod, 'Invalid payment_method_id');
    const kind = methodId === 'pix' ? 'pix' : methodId === 'bolbradesco' ? 'boleto' : 'card';
    const payer = this.#payer(body.payer, kind === 'boleto');
    const notificationUrl = body.notification_url;
    if (notificationUrl !== undefined && notificationUrl !== null) {
      if (typeof notificationUrl !== 'string' || !/^https?:\/\//.test(notificationUrl) || !URL.canParse(notificationUrl)) throw MercadoPagoError.badRequest(causes.notificationUrlInvalid);
      if (notificationUrl.length >= notificationUrlLengthMax) throw MercadoPagoError.badRequest(causes.notificationUrlTooLong);
    }
    if (body.metadata !== undefined && body.metadata !== null && !isObject(body.metadata)) throw MercadoPagoError.badRequest(causes.metadataNotJson);
    const now = new Date();
    const payment: PaymentRecord = {
      id: this.#store.paymentIds.next(),
      kind,
      paymentMethodId: methodId,
      paymentTypeId: kind === 'pix' ? 'bank_transfer' : kind === 'boleto' ? 'ticket' : card!.type,
      status: 'pending',
      statusDetail: kind === 'pix' ? 'pending_waiting_transfer' : 'pending_waiting_payment',
      amountMinor,
      refundedMinor: 0,
      capturedMinor: 0,
      captured: true,
      installments: 1,
      description: optionalString(body, 'description', descriptionLengthMax),
      externalReference: optionalString(body, 'external_reference', externalReferenceLengthMax),
      statementDescriptor: optionalString(body, 'statement_descriptor', statementDescriptorLengthMax),
      ...(typeof notificationUrl === 'string' ? { notificationUrl } : {}),
      metadata: isObject(body.metadata) ? body.metadata : {},
      payer,
      dateCreated: now.toISOString(),
      dateLastUpdated: now.toISOString(),
      refundIds: [],
    };
    if (kind === 'card') {
      this.#decideCard(payment, body, card!.brand);
    } else {
      const isPix = kind === 'pix';
      payment.dateOfExpiration = this.#expiry(body.date_of_expiration, now, isPix ? pixExpiryDefaultMs : boletoExpiryDefaultMs, isPix ? pixExpiryMinMs : 0, isPix ? pixExpiryMaxMs : boletoExpiryMaxMs);
      if (isPix) {
        const qrCode = pixBrCode({ pixKey: context.pixKey, amountMinor, merchantName: context.merchantName, merchantCity: context.merchantCity, transactionId: `mpqrinter${payment.id}` });
        const png = await QRCode.toBuffer(qrCode, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 256 });
        payment.pix = { qrCode, qrCodeBase64: png.toString('base64') };
      } else {
        payment.boleto = boletoCodes(payment.id, amountMinor, new Date(payment.dateOfExpiration));
      }
    }
    this.#store.payments.set(payment.id, payment);
    if (payment.dateOfExpiration !== undefined) this.#store.expiring.add(payment.id);
    this.#webhooks.enqueue('payment.created', payment.id, payment.notificationUrl);
    return { status: 201, body: this.render.payment(payment, context) };
  }

  payment(id: string): PaymentRecord {
    if (!/^\d{1,19}$/.test(id)) throw paymentNotFound();
    const payment = this.#store.payments.get(Number(id));
    if (!payment) throw paymentNotFound();
    return payment;
  }

  getPayment(id: string, context: ProcessorContext): Answer {
    return { status: 200, body: this.render.payment(this.payment(id), context) };
  }

  /** PUT /v1/payments/{id}: capture, cancel, or a new expiry date, one at a time. */
  updatePayment(id: string, body: Record<string, unknown>, context: ProcessorContext): Answer {
    const payment = this.payment(id);
    const now = new Date();
    if (body.capture === true) {
      if (payment.status !== 'authorized') throw MercadoPagoError.badRequest(causes.actionNotValidForState);
      let capturedMinor = payment.amountMinor;
      if (body.transaction_amount !== undefined && body.transaction_amount !== null) {
        capturedMinor = this.#amount(body.transaction_amount, causes.invalidTransactionAmountForUpdate, causes.invalidTransactionAmountForUpdate);
        if (capturedMinor > payment.amountMinor) throw MercadoPagoError.badRequest(causes.invalidTransactionAmountForUpdate);
      }
      // A partial capture releases the rest: the payment's amount becomes what was captured.
      payment.amountMinor = capturedMinor;
      payment.capturedMinor = capturedMinor;
      payment.captured = true;
      this.#approve(payment, now, now);
    } else if (body.status !== undefined) {
      if (body.status !== 'cancelled') throw MercadoPagoError.badRequest(causes.invalidStatusForUpdate);
      if (payment.status !== 'pending' && payment.status !== 'in_process' && payment.status !== 'authorized') throw MercadoPagoError.badRequest(causes.actionNotValidForState);
      payment.status = 'cancelled';
      payment.statusDetail = 'by_collector';
    } else if (body.date_of_expiration !== undefined) {
      if (payment.status !== 'pending' || payment.kind === 'card') throw MercadoPagoError.badRequest(causes.actionNotValidForState);
      const isPix = payment.kind === 'pix';
      payment.dateOfExpiration = this.#expiry(body.date_of_expiration, now, 0, isPix ? pixExpiryMinMs : 0, isPix ? pixExpiryMaxMs : boletoExpiryMaxMs);
      if (payment.boleto) payment.boleto = boletoCodes(payment.id, payment.amountMinor, new Date(payment.dateOfExpiration));
    } else {
      throw MercadoPagoError.badRequest(causes.paramsError, 'Nothing to update: send capture, status or date_of_expiration');
    }
    payment.dateLastUpdated = now.toISOString();
    this.#webhooks.enqueue('payment.updated', payment.id, payment.notificationUrl);
    return { status: 200, body: this.render.payment(payment, context) };
  }

  /** GET /v1/payments/search: filters, sort and criteria, limit and offset. */
  searchPayments(query: Record<string, string | undefined>, context: ProcessorContext): Answer {
    const limit = query.limit === undefined ? 30 : Number(query.limit);
    const offset = query.offset === undefined ? 0 : Number(query.offset);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw MercadoPagoError.badRequest(causes.paramsError, 'limit must be an integer from 1 to 1000');
    if (!Number.isInteger(offset) || offset < 0 || offset > 10_000) throw MercadoPagoError.badRequest(causes.paramsError, 'offset must be an integer from 0 to 10000');
    const sortFields: Record<string, (payment: PaymentRecord) => string | undefined> = {
      date_created: (payment) => payment.dateCreated,
      date_approved: (payment) => payment.dateApproved,
      date_last_updated: (payment) => payment.dateLastUpdated,
      money_release_date: (payment) => payment.moneyReleaseDate,
    };
    const sortKey = sortFields[query.sort ?? 'date_created'];
    if (!sortKey) throw MercadoPagoError.badRequest(causes.paramsError, `sort must be one of ${Object.keys(sortFields).join(', ')}`);
    const criteria = query.criteria ?? 'desc';
    if (criteria !== 'asc' && criteria !== 'desc') throw MercadoPagoError.badRequest(causes.paramsError, 'criteria must be asc or desc');
    const rangeKey = sortFields[query.range ?? 'date_created'];
    if (!rangeKey) throw MercadoPagoError.badRequest(causes.paramsError, `range must be one of ${Object.keys(sortFields).join(', ')}`);
    const begin = query.begin_date === undefined ? undefined : parseSearchDate(query.begin_date);
    const end = query.end_date === undefined ? undefined : parseSearchDate(query.end_date);
    const filters: [string, (payment: PaymentRecord) => string | undefined][] = [
      ['id', (payment) => String(payment.id)],
      ['external_reference', (payment) => payment.externalReference],
      ['status', (payment) => payment.status],
      ['payment_method_id', (payment) => payment.paymentMethodId],
      ['payment_type_id', (payment) => payment.paymentTypeId],
      ['payer.email', (payment) => payment.payer.email],
    ];
    const matches = [...this.#store.payments.values()].filter((payment) => {
      for (const [name, read] of filters) if (query[name] !== undefined && read(payment) !== query[name]) return false;
      if (begin !== undefined || end !== undefined) {
        const at = rangeKey(payment);
        if (at === undefined) return false;
        const time = Date.parse(at);
        if ((begin !== undefined && time < begin) || (end !== undefined && time > end)) return false;
      }
      return true;
    });
    const direction = criteria === 'asc' ? 1 : -1;
    matches.sort((left, right) => direction * ((sortKey(left) ?? '').localeCompare(sortKey(right) ?? '') || left.id - right.id));
    return {
      status: 200,
      body: { paging: { total: matches.length, limit, offset }, results: matches.slice(offset, offset + limit).map((payment) => this.render.payment(payment, context)) },
    };
  }

  // --- Refunds ----------------------------------------------------------------------------------------------------

  createRefund(id: string, body: Record<string, unknown>, context: ProcessorContext): Answer {
    const payment = this.payment(id);
    if (payment.status !== 'approved') throw MercadoPagoError.badRequest(causes.actionNotValidForState);
    if (payment.refundIds.length >= refundsPerPaymentMax) throw MercadoPagoError.badRequest(causes.maxRefunds);
    const remaining = payment.amountMinor - payment.refundedMinor;
    let amountMinor = remaining;
    if (body.amount !== undefined && body.amount !== null) {
      amountMinor = this.#amount(body.amount, causes.refundAmountNotNumeric, causes.refundAmountNotNumeric);
      if (amountMinor > remaining) throw MercadoPagoError.badRequest(causes.invalidTransactionAmount, 'The refund amount exceeds the amount left to refund');
    }
    const now = new Date();
    const refund: RefundRecord = { id: this.#store.refundIds.next(), paymentId: payment.id, amountMinor, metadata: isObject(body.metadata) ? body.metadata : {}, dateCreated: now.toISOString() };
    this.#store.refunds.set(refund.id, refund);
    payment.refundIds.push(refund.id);
    payment.refundedMinor += amountMinor;
    if (payment.refundedMinor === payment.amountMinor) {
      payment.status = 'refunded';
      payment.statusDetail = 'refunded';
    } else {
      payment.statusDetail = 'partially_refunded';
    }
    payment.dateLastUpdated = now.toISOString();
    this.#webhooks.enqueue('payment.updated', payment.id, payment.notificationUrl);
    return { status: 201, body: this.render.refund(refund, context) };
  }

  listRefunds(id: string, context: ProcessorContext): Answer {
    const payment = this.payment(id);
    return { status: 200, body: payment.refundIds.map((refundId) => this.render.refund(this.#store.refunds.get(refundId)!, context)) };
  }

  getRefund(id: string, refundId: string, context: ProcessorContext): Answer {
    const payment = this.payment(id);
    const refund = /^\d{1,19}$/.test(refundId) ? this.#store.refunds.get(Number(refundId)) : undefined;
    if (!refund || refund.paymentId !== payment.id) throw new MercadoPagoError(404, 'Refund not found', []);
    return { status: 200, body: this.render.refund(refund, context) };
  }

  // --- The payer's side (ticket page, admin) ----------------------------------------------------------------------

  /** The payer pays a pending Pix or boleto, or the issuer clears a card payment in process. Null: nothing to pay. */
  pay(payment: PaymentRecord): PaymentRecord | null {
    if (payment.status !== 'pending' && payment.status !== 'in_process') return null;
    const now = new Date();
    if (payment.pix) payment.pix.endToEndId = endToEndId(now);
    // A boleto's money is released two business days later; Pix and cards at once in the sandbox.
    this.#approve(payment, now, payment.kind === 'boleto' ? new Date(now.getTime() + 2 * 86_400_000) : now);
    payment.dateLastUpdated = now.toISOString();
    this.#webhooks.enqueue('payment.updated', payment.id, payment.notificationUrl);
    return payment;
  }

  /** Cancels (`expired`) a pending Pix or boleto whose expiry has passed, or at once when `force`. */
  expire(payment: PaymentRecord, now: number, force = false): boolean {
    if (payment.status !== 'pending' || payment.kind === 'card' || payment.dateOfExpiration === undefined) return false;
    if (!force && Date.parse(payment.dateOfExpiration) > now) return false;
    payment.status = 'cancelled';
    payment.statusDetail = 'expired';
    payment.dateLastUpdated = new Date(now).toISOString();
    this.#webhooks.enqueue('payment.updated', payment.id, payment.notificationUrl);
    return true;
  }

  /** Expires every pending Pix and boleto past its date (run before each request and on a timer). */
  expireDue(now: number = Date.now()): void {
    for (const id of this.#store.expiring) {
      const payment = this.#store.payments.get(id);
      if (payment === undefined || payment.status !== 'pending') this.#store.expiring.delete(id);
      else if (this.expire(payment, now)) this.#store.expiring.delete(id);
    }
  }

  // --- Parts ------------------------------------------------------------------------------------------------------

  #approve(payment: PaymentRecord, now: Date, releaseAt: Date): void {
    payment.status = 'approved';
    payment.statusDetail = 'accredited';
    payment.dateApproved = now.toISOString();
    payment.moneyReleaseDate = releaseAt.toISOString();
    payment.capturedMinor = payment.amountMinor;
  }

  #amount(value: unknown, missing: (typeof causes)[keyof typeof causes], notNumeric: (typeof causes)[keyof typeof causes]): number {
    if (value === undefined || value === null) throw MercadoPagoError.badRequest(missing);
    if (typeof value !== 'number') throw MercadoPagoError.badRequest(notNumeric);
    const minor = amountToMinor(value);
    if (minor === undefined) throw MercadoPagoError.badRequest(causes.invalidTransactionAmount);
    return minor;
  }

  #expiry(value: unknown, now: Date, defaultMs: number, minMs: number, maxMs: number): string {
    if (value === undefined || value === null) return new Date(now.getTime() + defaultMs).toISOString();
    // Mercado Pago's format: yyyy-MM-dd'T'HH:mm:ss.SSSz, with an explicit offset.
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
      throw MercadoPagoError.badRequest(causes.dateOfExpirationFormat);
    }
    const at = Date.parse(value);
    if (at < now.getTime() + minMs || at > now.getTime() + maxMs) {
      throw MercadoPagoError.badRequest(causes.dateOfExpirationFormat, `date_of_expiration must be between ${minMs / 60_000} minutes and ${maxMs / 86_400_000} days from now`);
    }
    return new Date(at).toISOString();
  }

  #payer(value: unknown, boleto: boolean): PayerRecord {
    if (!isObject(value)) throw MercadoPagoError.badRequest(causes.payerMalformed);
    const email = value.email;
    if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw MercadoPagoError.badRequest(causes.payerEmailInvalid);
    if (email.length >= emailLengthMax) throw MercadoPagoError.badRequest(causes.payerEmailTooLong);
    const payer: PayerRecord = { email };
    if (typeof value.first_name === 'string') payer.firstName = value.first_name;
    if (typeof value.last_name === 'string') payer.lastName = value.last_name;
    if (value.identification !== undefined && value.identification !== null) payer.identification = identificationOf(value.identification);
    if (boleto) {
      payer.firstName = requiredText(value.first_name, 'payer.first_name');
      payer.lastName = requiredText(value.last_name, 'payer.last_name');
      if (!payer.identification) throw MercadoPagoError.badRequest(causes.payerMalformed, 'payer.identification is required for this payment method');
      const address = isObject(value.address) ? value.address : {};
      const zipCode = requiredText(address.zip_code, 'payer.address.zip_code').replace('-', '');
      if (!/^\d{8}$/.test(zipCode)) throw MercadoPagoError.badRequest(causes.payerMalformed, 'payer.address.zip_code must be a CEP of 8 digits');
      const federalUnit = requiredText(address.federal_unit, 'payer.address.federal_unit').toUpperCase();
      if (!/^[A-Z]{2}$/.test(federalUnit)) throw MercadoPagoError.badRequest(causes.payerMalformed, 'payer.address.federal_unit must be a state abbreviation (2 letters)');
      payer.address = {
        zipCode,
        streetName: requiredText(address.street_name, 'payer.address.street_name'),
        streetNumber: requiredText(typeof address.street_number === 'number' ? String(address.street_number) : address.street_number, 'payer.address.street_number'),
        neighborhood: requiredText(address.neighborhood, 'payer.address.neighborhood'),
        city: requiredText(address.city, 'payer.address.city'),
        federalUnit,
      };
    }
    return payer;
  }

  #decideCard(payment: PaymentRecord, body: Record<string, unknown>, brand: string): void {
    const tokenId = body.token;
    if (tokenId === undefined || tokenId === null || tokenId === '') throw MercadoPagoError.badRequest(causes.cardRequired);
    if (typeof tokenId !== 'string') throw MercadoPagoError.badRequest(causes.invalidCardTokenId);
    const token = this.#store.cardTokens.get(tokenId);
    if (!token) throw MercadoPagoError.badRequest(causes.cardTokenNotFound);
    if (token.used || Date.parse(token.dateDue) < Date.now()) throw MercadoPagoError.badRequest(causes.invalidCardTokenId);
    if (token.brand !== brand) throw MercadoPagoError.badRequest(causes.invalidPaymentMethodId, `The card's BIN is not a ${payment.paymentMethodId} card`);
    const installments = body.installments;
    if (installments === undefined || installments === null) throw MercadoPagoError.badRequest(causes.installmentsRequired);
    if (typeof installments !== 'number' || !Number.isInteger(installments) || installments < 1) throw MercadoPagoError.badRequest(causes.installmentsNotNumeric);
    if (body.capture !== undefined && typeof body.capture !== 'boolean') throw MercadoPagoError.badRequest(causes.paramsError, 'capture must be a boolean');
    token.used = true;
    payment.card = token.card;
    payment.installments = installments;
    const holder = token.card.cardholderName.split(/\s+/)[0].toUpperCase();
    let outcome = testCardholders[holder] ?? testCardholders.APRO;
    // Debit cards take one installment only; credit cards up to installmentsMax.
    if (installments > (payment.paymentTypeId === 'debit_card' ? 1 : installmentsMax)) outcome = testCardholders.INST;
    payment.status = outcome.status;
    payment.statusDetail = outcome.statusDetail;
    if (outcome.status === 'approved') {
      const now = new Date(payment.dateCreated);
      if (body.capture === false) {
        payment.status = 'authorized';
        payment.statusDetail = 'pending_capture';
        payment.captured = false;
      } else {
        this.#approve(payment, now, now);
      }
    }
  }
}

function identificationOf(value: unknown): IdentificationRecord {
  if (!isObject(value) || (value.type !== 'CPF' && value.type !== 'CNPJ')) throw MercadoPagoError.badRequest(causes.payerMalformed, 'payer.identification.type must be CPF or CNPJ');
  if (typeof value.number !== 'string') throw MercadoPagoError.badRequest(causes.invalidUserIdentificationNumber);
  const number = unmaskDocument(value.number).toUpperCase();
  const valid = value.type === 'CPF' ? isValidCpf(number) : isValidCnpj(number);
  if (!valid) throw MercadoPagoError.badRequest(causes.invalidUserIdentificationNumber);
  return { type: value.type, number };
}

/** A Pix end-to-end id: E, an ISPB (8; Mercado Pago's), yyyyMMddHHmm, and 11 letters and digits. */
function endToEndId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 12);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let suffix = '';
  for (const byte of randomBytes(11)) suffix += alphabet[byte % alphabet.length];
  return `E10573521${stamp}${suffix}`.slice(0, 32);
}

/** A search date: ISO 8601, or Mercado Pago's relative `NOW`, `NOW-<n>MINUTES|HOURS|DAYS|MONTHS`. */
function parseSearchDate(value: string): number {
  const relative = /^NOW(?:-(\d{1,5})(MINUTES|HOURS|DAYS|MONTHS))?$/.exec(value);
  if (relative) {
    const units: Record<string, number> = { MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000, MONTHS: 30 * 86_400_000 };
    return Date.now() - (relative[1] ? Number(relative[1]) * units[relative[2]] : 0);
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw MercadoPagoError.badRequest(causes.paramsError, "Date format must be yyyy-MM-dd'T'HH:mm:ss.SSSZ or NOW-<n>DAYS");
  return at;
}
