import type { PaymentRecord, RefundRecord, SandboxStore } from './store.ts';

/**
 * Renders the sandbox's records as Mercado Pago's JSON (`Payment` and `Refund` in specs/mercadopago/spec3.json, with
 * the fields the official Node SDK's PaymentResponse and RefundResponse types name). Amounts become decimal reais;
 * dates are rendered as Mercado Pago does, with milliseconds and a UTC offset (Brasília's, -03:00). Absent values are
 * `null`, as Mercado Pago sends them.
 */

export interface RenderContext {
  /** The address payers and clients reach the sandbox at (ticket pages). */
  publicUrl: string;
  collectorId: number;
  merchantName: string;
}

const brasiliaOffsetMs = 3 * 3_600_000;

/** An instant as Mercado Pago writes it: `2024-01-15T10:30:00.000-03:00`. */
export function mercadoPagoDate(iso: string | undefined): string | null {
  if (iso === undefined) return null;
  const local = new Date(Date.parse(iso) - brasiliaOffsetMs).toISOString();
  return `${local.slice(0, 23)}-03:00`;
}

/** Centavos as Mercado Pago's decimal amount (10.5 for R$ 10,50). */
export function decimalAmount(minor: number): number {
  return Number((minor / 100).toFixed(2));
}

export function ticketUrl(context: RenderContext, payment: PaymentRecord): string {
  return `${context.publicUrl}/sandbox/mercadopago/payments/${payment.id}/ticket`;
}

export class MercadoPagoRenderer {
  readonly #store: SandboxStore;

  constructor(store: SandboxStore) {
    this.#store = store;
  }

  refund(refund: RefundRecord, context: RenderContext): Record<string, unknown> {
    return {
      id: refund.id,
      payment_id: refund.paymentId,
      amount: decimalAmount(refund.amountMinor),
      metadata: refund.metadata,
      source: { id: String(context.collectorId), name: context.merchantName, type: 'collector' },
      date_created: mercadoPagoDate(refund.dateCreated),
      unique_sequence_number: null,
      refund_mode: 'standard',
      adjustment_amount: 0,
      status: 'approved',
      reason: null,
      labels: [],
      amount_refunded_to_payer: decimalAmount(refund.amountMinor),
      partition_details: [],
    };
  }

  payment(payment: PaymentRecord, context: RenderContext): Record<string, unknown> {
    const paid = payment.status === 'approved' || payment.status === 'refunded';
    // A partial capture makes the payment's amount the captured one, so the amount is what the payer is charged.
    const chargedMinor = payment.amountMinor;
    const resourceUrl = payment.kind === 'boleto' ? ticketUrl(context, payment) : null;
    const installmentMinor = Math.round(chargedMinor / payment.installments);
    return {
      id: payment.id,
      date_created: mercadoPagoDate(payment.dateCreated),
      date_approved: mercadoPagoDate(payment.dateApproved),
      date_last_updated: mercadoPagoDate(payment.dateLastUpdated),
      date_of_expiration: mercadoPagoDate(payment.dateOfExpiration),
      money_release_date: mercadoPagoDate(payment.moneyReleaseDate),
      money_release_status: paid ? 'released' : null,
      operation_type: 'regular_payment',
      issuer_id: payment.kind === 'card' ? '25' : null,
      payment_method_id: payment.paymentMethodId,
      payment_type_id: payment.paymentTypeId,
      payment_method: { id: payment.paymentMethodId, type: payment.paymentTypeId, issuer_id: payment.kind === 'card' ? '25' : null },
      status: payment.status,
      status_detail: payment.statusDetail,
      currency_id: 'BRL',
      description: payment.description ?? null,
      live_mode: false,
      sponsor_id: null,
      authorization_code: payment.kind === 'card' && (payment.status === 'approved' || payment.status === 'authorized') ? String(payment.id).slice(-6) : null,
      collector_id: context.collectorId,
      payer: {
        id: null,
        type: null,
        email: payment.payer.email,
        first_name: payment.payer.firstName ?? null,
        last_name: payment.payer.lastName ?? null,
        identification: payment.payer.identification ?? { type: null, number: null },
        entity_type: null,
      },
      metadata: payment.metadata,
      additional_info: {},
      external_reference: payment.externalReference ?? null,
      transaction_amount: decimalAmount(payment.amountMinor),
      transaction_amount_refunded: decimalAmount(payment.refundedMinor),
      coupon_amount: 0,
      installments: payment.installments,
      transaction_details: {
        payment_method_reference_id: payment.boleto ? payment.boleto.barcode.slice(-11) : null,
        net_received_amount: paid ? decimalAmount(chargedMinor) : 0,
        total_paid_amount: decimalAmount(chargedMinor),
        overpaid_amount: 0,
        external_resource_url: resourceUrl,
        installment_amount: decimalAmount(installmentMinor),
        financial_institution: null,
        payable_deferral_period: null,
        acquirer_reference: null,
        ...(payment.boleto ? { barcode: { content: payment.boleto.barcode }, digitable_line: payment.boleto.digitableLine, verification_code: payment.boleto.barcode.slice(-11) } : {}),
      },
      ...(payment.boleto ? { barcode: { content: payment.boleto.barcode } } : {}),
      fee_details: [],
      charges_details: [],
      captured: payment.captured,
      binary_mode: false,
      statement_descriptor: payment.statementDescriptor ?? null,
      card: payment.card
        ? {
            id: null,
            first_six_digits: payment.card.firstSixDigits,
            last_four_digits: payment.card.lastFourDigits,
            expiration_month: payment.card.expirationMonth,
            expiration_year: payment.card.expirationYear,
            date_created: mercadoPagoDate(payment.dateCreated),
            date_last_updated: mercadoPagoDate(payment.dateCreated),
            cardholder: { name: payment.card.cardholderName, identification: payment.card.cardholderIdentification ?? { type: null, number: null } },
          }
        : {},
      notification_url: payment.notificationUrl ?? null,
      refunds: payment.refundIds.map((id) => this.refund(this.#store.refunds.get(id)!, context)),
      processing_mode: 'aggregator',
      point_of_interaction: payment.pix
        ? {
            type: 'OPENPLATFORM',
            sub_type: null,
            application_data: { name: null, version: null },
            transaction_data: {
              qr_code: payment.pix.qrCode,
              qr_code_base64: payment.pix.qrCodeBase64,
              ticket_url: ticketUrl(context, payment),
              transaction_id: payment.pix.endToEndId ?? null,
              e2e_id: payment.pix.endToEndId ?? null,
              bank_transfer_id: null,
              financial_institution: null,
              bank_info: {
                payer: { email: null, long_name: null, account_id: null },
                collector: { account_id: null, long_name: context.merchantName },
                is_same_bank_account_owner: null,
              },
            },
            business_info: { unit: 'online_payments', sub_unit: 'default' },
          }
        : { type: 'UNSPECIFIED', business_info: { unit: 'online_payments', sub_unit: 'default' } },
    };
  }
}
