import { assertNever, type AuthorizeInput, type AuthorizeOutput, type Decline, type DisplayDetails, type SimpleOutput } from '../connector.ts';
import { exponentOf } from '../../platform/money.ts';
import { customerCanceled, displayExpired, processingError } from '../shared/declines.ts';
import { cardRejection, isCardPayment } from './cards.ts';

// Pure mapping between Payrail's terms and Mercado Pago's Payments API (/v1/payments, specs/mercadopago/spec3.json):
// amounts, the payment request of a Pix or a boleto, what a payment's status means for an attempt, the voucher or QR
// code Payrail shows (the same `next_action` as the test processor's), and refunds. No I/O.

export { processingError };

/** Payrail's local method types the Mercado Pago connector carries, and Mercado Pago's `payment_method_id` of each. */
export const mercadoPagoMethods = { pix: 'pix', boleto: 'bolbradesco' } as const;
export type MercadoPagoCarriedType = keyof typeof mercadoPagoMethods;
export const mercadoPagoCarriedTypes = Object.keys(mercadoPagoMethods) as MercadoPagoCarriedType[];
/** Every payment method type the connector carries: the local methods above and cards (cards.ts). */
export const mercadoPagoPaymentMethodTypes: readonly string[] = [...mercadoPagoCarriedTypes, 'card'];

export function isCarriedType(type: string): type is MercadoPagoCarriedType {
  return Object.hasOwn(mercadoPagoMethods, type);
}

/** Payrail's type of a Mercado Pago `payment_method_id`, or null for one Payrail does not carry. */
export function payrailTypeOf(methodId: unknown): MercadoPagoCarriedType | null {
  return mercadoPagoCarriedTypes.find((type) => mercadoPagoMethods[type] === methodId) ?? null;
}

/** Minor units to Mercado Pago's decimal amount (`transaction_amount`: 10.5 for R$ 10,50). */
export function toDecimalAmount(amount: number, currency: string): number {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new Error(`amount must be a non-negative integer of minor units, not ${amount}`);
  const exponent = exponentOf(currency);
  return Number((amount / 10 ** exponent).toFixed(exponent));
}

/** Mercado Pago's payment statuses (the `status` enum of Payment in the spec). */
export const paymentStatuses = ['pending', 'approved', 'authorized', 'in_process', 'in_mediation', 'rejected', 'cancelled', 'refunded', 'charged_back'] as const;
export type MercadoPagoPaymentStatus = (typeof paymentStatuses)[number];

export function isPaymentStatus(value: unknown): value is MercadoPagoPaymentStatus {
  return (paymentStatuses as readonly unknown[]).includes(value);
}

export interface MercadoPagoRefund {
  id?: number;
  payment_id?: number;
  amount?: number;
  status?: string;
  metadata?: Record<string, unknown> | null;
}

export interface MercadoPagoPayment {
  id?: number;
  status?: string;
  status_detail?: string;
  payment_method_id?: string;
  /** `credit_card`, `debit_card` for cards; `bank_transfer` (Pix), `ticket` (boleto). */
  payment_type_id?: string;
  installments?: number;
  captured?: boolean;
  external_reference?: string | null;
  date_of_expiration?: string | null;
  transaction_amount?: number;
  payer?: { identification?: { type?: string | null; number?: string | null } | null } | null;
  point_of_interaction?: { transaction_data?: { qr_code?: string | null; qr_code_base64?: string | null; ticket_url?: string | null; e2e_id?: string | null; transaction_id?: string | null } | null } | null;
  transaction_details?: { external_resource_url?: string | null; digitable_line?: string | null; barcode?: { content?: string | null } | null } | null;
  refunds?: MercadoPagoRefund[] | null;
}

/** The X-Idempotency-Key of a Payrail operation: the operation and Payrail's attempt or refund id. */
export function idempotencyKey(operation: 'create-payment' | 'cancel-payment' | 'capture-payment' | 'refund', id: string): string {
  return `payrail-${operation}-${id}`;
}

/** Mercado Pago's documented Pix expiry window (30 minutes to 30 days) and a boleto's longest due date (30 days). */
export const pixExpirySecondsMin = 1800;
export const pixExpirySecondsMax = 30 * 86_400;
export const boletoExpiryDaysMax = 30;
/** Stripe's defaults, as the test processor's: a Pix code for 24 hours, a boleto for 3 calendar days. */
const pixExpirySecondsDefault = 86_400;
const boletoExpiryDaysDefault = 3;
/** Brazil's time (America/Sao_Paulo): UTC-3, without daylight saving time since 2019. */
const saoPauloOffsetSeconds = -3 * 3600;

/** An instant as Mercado Pago's `date_of_expiration` takes it: `yyyy-MM-ddTHH:mm:ss.SSS-03:00` (Brasília time). */
export function mercadoPagoDate(seconds: number): string {
  const local = new Date((seconds + saoPauloOffsetSeconds) * 1000).toISOString();
  return `${local.slice(0, 23)}-03:00`;
}

/**
 * When the Pix code or boleto should expire, from the intent's `payment_method_options`: a Pix's
 * `expires_after_seconds` (held to Mercado Pago's 30 minutes to 30 days), a boleto's `expires_after_days` ending 23:59:59
 * in São Paulo that many calendar days from today, as Stripe counts them (at most 30).
 */
export function expirySeconds(type: MercadoPagoCarriedType, options: Record<string, unknown>, nowSeconds: number): number {
  if (type === 'pix') {
    const asked = typeof options.expires_after_seconds === 'number' ? options.expires_after_seconds : pixExpirySecondsDefault;
    return nowSeconds + Math.min(pixExpirySecondsMax, Math.max(pixExpirySecondsMin, asked));
  }
  const days = Math.min(boletoExpiryDaysMax, typeof options.expires_after_days === 'number' ? options.expires_after_days : boletoExpiryDaysDefault);
  const localDayStart = Math.floor((nowSeconds + saoPauloOffsetSeconds) / 86_400) * 86_400 - saoPauloOffsetSeconds;
  return localDayStart + (days + 1) * 86_400 - 1;
}

/** A CPF (11 digits) or CNPJ (14 digits), as Payrail keeps `boleto[tax_id]` (digits only, validated). */
function identificationOf(taxId: unknown): { type: 'CPF' | 'CNPJ'; number: string } | null {
  if (typeof taxId !== 'string') return null;
  const digits = taxId.replace(/\D/g, '');
  if (digits.length === 11) return { type: 'CPF', number: digits };
  if (digits.length === 14) return { type: 'CNPJ', number: digits };
  return null;
}

/** A billing name split as Mercado Pago's payer wants it: first name, and the rest as the last name. */
function splitName(name: string | null): { first_name: string; last_name: string } | null {
  const parts = (name ?? '').trim().split(/\s+/).filter((part) => part !== '');
  if (parts.length === 0) return null;
  return { first_name: parts[0], last_name: parts.length > 1 ? parts.slice(1).join(' ') : parts[0] };
}

/**
 * Stripe's address as Mercado Pago's boleto payer address. Stripe has no street-number field: the number is read from
 * the end of `line1` ("Av. Paulista, 1000"), else "S/N" (sem número), as Brazilian addresses write a missing number;
 * the neighbourhood (bairro) is `line2`, else the city.
 */
export function boletoAddress(address: NonNullable<NonNullable<AuthorizeInput['localMethod']>['billingDetails']['address']>): Record<string, string> {
  const line1 = (address.line1 ?? '').trim();
  const numbered = /^(.*?)[,\s]+(\d+[A-Za-z]?)$/.exec(line1);
  return {
    zip_code: (address.postalCode ?? '').replace(/\D/g, ''),
    street_name: numbered ? numbered[1] : line1,
    street_number: numbered ? numbered[2] : 'S/N',
    neighborhood: (address.line2 ?? '').trim() || (address.city ?? ''),
    city: address.city ?? '',
    federal_unit: (address.state ?? '').toUpperCase(),
  };
}

/**
 * The create-payment request (POST /v1/payments) of a Pix or a boleto. The attempt id travels as `external_reference`
 * and in `metadata`, so `sync` and the webhook can check that a payment is this attempt's.
 */
export function toPaymentRequest(input: AuthorizeInput, context: { notificationUrl: string | null; nowSeconds: number }): Record<string, unknown> {
  const method = input.localMethod;
  const type = method?.type ?? '';
  if (!method || !isCarriedType(type)) throw new Error(`the Mercado Pago connector does not carry ${type || 'this'} payments`);
  const billing = method.billingDetails;
  const payer: Record<string, unknown> = {};
  if (billing.email !== null) payer.email = billing.email;
  const name = splitName(billing.name);
  if (name !== null) Object.assign(payer, name);
  const identification = identificationOf(method.details.tax_id);
  if (identification !== null) payer.identification = identification;
  if (type === 'boleto' && billing.address) payer.address = boletoAddress(billing.address);
  const request: Record<string, unknown> = {
    transaction_amount: toDecimalAmount(input.amount, input.currency),
    description: `Payment ${input.attemptId}`,
    payment_method_id: mercadoPagoMethods[type],
    payer,
    external_reference: input.attemptId,
    metadata: { payrail_attempt: input.attemptId },
    date_of_expiration: mercadoPagoDate(expirySeconds(type, method.options, context.nowSeconds)),
  };
  if (context.notificationUrl !== null) request.notification_url = context.notificationUrl;
  return request;
}

/** The attempt a payment was made for: its `external_reference` (Payrail's attempt id). */
export function attemptIdOf(payment: MercadoPagoPayment): string | null {
  return typeof payment.external_reference === 'string' && payment.external_reference !== '' ? payment.external_reference : null;
}

export function refundIdOf(refund: MercadoPagoRefund): string | null {
  const value = refund.metadata?.payrail_refund;
  return typeof value === 'string' ? value : null;
}

/**
 * Mercado Pago requires `payer.email` on every payment (PaymentRequest in its spec), while a Pix PaymentMethod may have
 * none: such a payment is declined before anything is sent, naming the field the merchant should give.
 */
export const payerEmailMissing: Decline = {
  code: 'payment_method_invalid_parameter',
  declineCode: 'invalid_email',
  message: 'Mercado Pago needs the payer\'s e-mail: give billing_details[email] with the PaymentMethod.',
  blocked: false,
  networkStatus: 'not_sent_to_network',
};

export const paymentRejected: Decline = {
  code: 'payment_method_provider_decline',
  declineCode: 'generic_decline',
  message: 'Mercado Pago rejected the payment.',
  blocked: false,
  networkStatus: 'declined_by_network',
};

/** Where Payrail serves a Pix QR code's images (drawn from the BR Code), by attempt id. */
export type PixImageUrl = (attemptId: string, format: 'png' | 'svg') => string;

/**
 * What Payrail shows for a pending Pix or boleto: Stripe's `pix_display_qr_code` (the BR Code as `data`, Payrail's own
 * links to its QR image, since Mercado Pago sends the PNG inline rather than a link, and Mercado Pago's ticket page as
 * the instructions) or
 * `boleto_display_details` (the 47-digit digitable line, the voucher page), expiring when Mercado Pago says.
 * Null when the payment lacks them.
 */
export function displayOf(payment: MercadoPagoPayment, imageUrl: PixImageUrl): DisplayDetails | null {
  const expiresAt = typeof payment.date_of_expiration === 'string' ? Date.parse(payment.date_of_expiration) : Number.NaN;
  if (Number.isNaN(expiresAt)) return null;
  const expires = { at: Math.floor(expiresAt / 1000) };
  if (payment.payment_method_id === mercadoPagoMethods.pix) {
    const data = payment.point_of_interaction?.transaction_data;
    const attemptId = attemptIdOf(payment);
    if (typeof data?.qr_code !== 'string' || attemptId === null) return null;
    return {
      type: 'pix_display_qr_code',
      details: {
        data: data.qr_code,
        hosted_instructions_url: data.ticket_url ?? null,
        image_url_png: imageUrl(attemptId, 'png'),
        image_url_svg: imageUrl(attemptId, 'svg'),
      },
      expires,
    };
  }
  const details = payment.transaction_details;
  const line = (details?.digitable_line ?? '').replace(/\D/g, '');
  if (line === '' || typeof details?.external_resource_url !== 'string') return null;
  return { type: 'boleto_display_details', details: { number: line, hosted_voucher_url: details.external_resource_url, pdf: null }, expires };
}

/** What Mercado Pago reports of a paid Pix or boleto, in Stripe's words for `payment_method_details.<type>`. */
export function methodDetailsOf(payment: MercadoPagoPayment): Record<string, unknown> {
  switch (payrailTypeOf(payment.payment_method_id)) {
    case 'pix': {
      const data = payment.point_of_interaction?.transaction_data;
      return { bank_transaction_id: data?.e2e_id ?? data?.transaction_id ?? null };
    }
    case 'boleto':
      return { tax_id: payment.payer?.identification?.number ?? null };
    case null:
      return {};
  }
}

/** What each Mercado Pago status means for the attempt. */
type StatusKind = 'awaiting_payer' | 'processing' | 'held' | 'paid' | 'rejected' | 'cancelled';
const statusKinds: Record<MercadoPagoPaymentStatus, StatusKind> = {
  pending: 'awaiting_payer',
  in_process: 'processing',
  in_mediation: 'processing',
  // Cards only: authorized with `capture: false`, held until captured (PUT capture) or cancelled.
  authorized: 'held',
  approved: 'paid',
  // A refund or a chargeback comes after the payment was paid: the attempt itself was paid.
  refunded: 'paid',
  charged_back: 'paid',
  rejected: 'rejected',
  cancelled: 'cancelled',
};

/** The decline of a cancelled payment: expired unpaid (`status_detail: expired`), else canceled. */
export function cancelledDecline(payment: MercadoPagoPayment): Decline {
  if (payment.status_detail !== 'expired') return customerCanceled;
  return displayExpired(payment.payment_method_id === mercadoPagoMethods.pix ? 'Pix QR code' : 'boleto voucher');
}

/**
 * What a Mercado Pago payment's state means for an attempt: pending shows the QR code or voucher
 * (`requires_authentication` with `display`) until paid or expired; approved is authorized and captured; rejected and
 * cancelled are declined. Unknown statuses are ambiguous (`pending`).
 */
export function fromPayment(payment: MercadoPagoPayment, imageUrl: PixImageUrl): AuthorizeOutput {
  if (typeof payment.id !== 'number' || !isPaymentStatus(payment.status)) return { status: 'pending' };
  const reference = String(payment.id);
  const kind = statusKinds[payment.status];
  switch (kind) {
    case 'awaiting_payer': {
      const display = displayOf(payment, imageUrl);
      return display === null ? { status: 'processing', processorReference: reference } : { status: 'requires_authentication', processorReference: reference, display };
    }
    case 'processing':
      return { status: 'processing', processorReference: reference };
    case 'held':
      return { status: 'authorized', captured: false, processorReference: reference, riskScore: 0 };
    case 'paid':
      return { status: 'authorized', captured: true, processorReference: reference, riskScore: 0, methodDetails: methodDetailsOf(payment) };
    case 'rejected':
      // A card's rejection says why (status_detail, in Stripe's decline codes); a Pix or boleto's is generic.
      return { status: 'declined', decline: isCardPayment(payment) ? cardRejection(payment) : paymentRejected, processorReference: reference, riskScore: 0 };
    case 'cancelled':
      return { status: 'declined', decline: cancelledDecline(payment), processorReference: reference, riskScore: 0 };
    default:
      return assertNever(kind);
  }
}

/** Mercado Pago's refund statuses: `approved` is done; `in_process` waits; `rejected` and `cancelled` failed. */
export function refundResult(refund: MercadoPagoRefund): 'succeeded' | 'failed' | 'pending' {
  switch (refund.status) {
    case 'approved':
      return 'succeeded';
    case 'rejected':
    case 'cancelled':
      return 'failed';
    default:
      return 'pending';
  }
}

export function fromRefund(refund: MercadoPagoRefund): SimpleOutput {
  if (typeof refund.id !== 'number') return { status: 'pending' };
  const result = refundResult(refund);
  if (result === 'failed') return { status: 'failed', reason: 'declined' };
  const reference = String(refund.id);
  return result === 'succeeded' ? { status: 'succeeded', processorReference: reference } : { status: 'pending', processorReference: reference };
}
