import { formatMinor, paypalCurrencyDecimals } from './money.ts';
import type { AuthorizationRecord, CaptureRecord, Money, OrderRecord, RefundRecord, SandboxStore } from './store.ts';

// The JSON bodies PayPal answers with (orders, captures, authorizations, refunds, their HATEOAS links), from the
// sandbox's records. Split from processor.ts, which decides what a request does; both the API answers and the
// webhooks' resources are rendered here.

export interface ProcessorContext {
  /** Where buyers and API clients reach the sandbox (links). */
  publicUrl: string;
}

/** The sandbox merchant that every order pays (PayPal answers with the payee's merchant id and e-mail). */
const sandboxMerchantId = 'PAYRALSANDBX2';
const sandboxMerchantEmail = 'merchant@payrail-sandbox.example';

export class PayPalRenderer {
  readonly #store: SandboxStore;

  constructor(store: SandboxStore) {
    this.#store = store;
  }

  approvalUrl(order: OrderRecord, context: ProcessorContext): string {
    return `${context.publicUrl}/sandbox/paypal/approve/${order.id}`;
  }

  #orderLinks(order: OrderRecord, context: ProcessorContext): Record<string, string>[] {
    const self = `${context.publicUrl}/v2/checkout/orders/${order.id}`;
    const links = [{ href: self, rel: 'self', method: 'GET' }];
    if (order.status === 'CREATED' || order.status === 'PAYER_ACTION_REQUIRED') {
      // With payment_source.paypal PayPal names the buyer's link `payer-action`, otherwise `approve`.
      links.push({ href: this.approvalUrl(order, context), rel: order.paymentSourcePayPal ? 'payer-action' : 'approve', method: 'GET' });
      links.push({ href: self, rel: 'update', method: 'PATCH' });
    }
    if (order.status === 'APPROVED') links.push({ href: `${self}/${order.intent === 'CAPTURE' ? 'capture' : 'authorize'}`, rel: order.intent === 'CAPTURE' ? 'capture' : 'authorize', method: 'POST' });
    return links;
  }

  #paymentSource(order: OrderRecord): Record<string, unknown> | undefined {
    if (!order.paymentSourcePayPal && !order.payer) return undefined;
    if (!order.payer) return { paypal: {} };
    return {
      paypal: {
        email_address: order.payer.email,
        account_id: order.payer.payerId,
        account_status: 'VERIFIED',
        name: { given_name: order.payer.givenName, surname: order.payer.surname },
        address: { country_code: 'US' },
      },
    };
  }

  #payments(order: OrderRecord, context: ProcessorContext): Record<string, unknown> | undefined {
    const payments: Record<string, unknown> = {};
    if (order.authorizationIds.length > 0) payments.authorizations = order.authorizationIds.map((id) => this.authorization(this.#store.authorizations.get(id)!, context));
    if (order.captureIds.length > 0) payments.captures = order.captureIds.map((id) => this.capture(this.#store.captures.get(id)!, context));
    const refunds = [...this.#store.refunds.values()].filter((refund) => refund.orderId === order.id);
    if (refunds.length > 0) payments.refunds = refunds.map((refund) => this.refund(refund, context));
    return Object.keys(payments).length > 0 ? payments : undefined;
  }

  /** The full order (`Prefer: return=representation`, and GET). */
  order(order: OrderRecord, context: ProcessorContext): Record<string, unknown> {
    const unit: Record<string, unknown> = { reference_id: order.referenceId, amount: order.amount, payee: { merchant_id: sandboxMerchantId, email_address: sandboxMerchantEmail } };
    if (order.description) unit.description = order.description;
    if (order.customId) unit.custom_id = order.customId;
    if (order.invoiceId) unit.invoice_id = order.invoiceId;
    const payments = this.#payments(order, context);
    if (payments) unit.payments = payments;
    const body: Record<string, unknown> = { id: order.id, intent: order.intent, status: order.status, purchase_units: [unit], create_time: order.createTime, update_time: order.updateTime, links: this.#orderLinks(order, context) };
    const source = this.#paymentSource(order);
    if (source) body.payment_source = source;
    if (order.payer) body.payer = { name: { given_name: order.payer.givenName, surname: order.payer.surname }, email_address: order.payer.email, payer_id: order.payer.payerId, address: { country_code: 'US' } };
    return body;
  }

  /** PayPal's default (`return=minimal`) create answer: id, status, links (and the payment source named). */
  minimalOrder(order: OrderRecord, context: ProcessorContext): Record<string, unknown> {
    const body: Record<string, unknown> = { id: order.id, status: order.status, links: this.#orderLinks(order, context) };
    const source = this.#paymentSource(order);
    if (source) body.payment_source = source;
    return body;
  }

  /** PayPal's default capture / authorize answer: the order with its payments but without the amount breakdown. */
  completedOrder(order: OrderRecord, context: ProcessorContext): Record<string, unknown> {
    const full = this.order(order, context);
    const unit = (full.purchase_units as Record<string, unknown>[])[0];
    return { id: full.id, status: full.status, payment_source: full.payment_source, purchase_units: [{ reference_id: unit.reference_id, payments: unit.payments }], payer: full.payer, links: full.links };
  }

  capture(capture: CaptureRecord, context: ProcessorContext): Record<string, unknown> {
    const self = `${context.publicUrl}/v2/payments/captures/${capture.id}`;
    const links: Record<string, string>[] = [{ href: self, rel: 'self', method: 'GET' }];
    if (capture.status === 'COMPLETED' || capture.status === 'PARTIALLY_REFUNDED') links.push({ href: `${self}/refund`, rel: 'refund', method: 'POST' });
    links.push(
      capture.authorizationId
        ? { href: `${context.publicUrl}/v2/payments/authorizations/${capture.authorizationId}`, rel: 'up', method: 'GET' }
        : { href: `${context.publicUrl}/v2/checkout/orders/${capture.orderId}`, rel: 'up', method: 'GET' },
    );
    const body: Record<string, unknown> = {
      id: capture.id,
      status: capture.status,
      amount: capture.amount,
      ...(capture.status === 'PENDING' && capture.pendingReason ? { status_details: { reason: capture.pendingReason } } : {}),
      final_capture: capture.finalCapture,
      seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
      supplementary_data: { related_ids: { order_id: capture.orderId, ...(capture.authorizationId ? { authorization_id: capture.authorizationId } : {}) } },
      links,
      create_time: capture.createTime,
      update_time: capture.updateTime,
    };
    if (capture.customId) body.custom_id = capture.customId;
    if (capture.invoiceId) body.invoice_id = capture.invoiceId;
    return body;
  }

  authorization(authorization: AuthorizationRecord, context: ProcessorContext): Record<string, unknown> {
    const self = `${context.publicUrl}/v2/payments/authorizations/${authorization.id}`;
    const links: Record<string, string>[] = [{ href: self, rel: 'self', method: 'GET' }];
    if (authorization.status === 'CREATED' || authorization.status === 'PARTIALLY_CAPTURED') {
      links.push({ href: `${self}/capture`, rel: 'capture', method: 'POST' }, { href: `${self}/void`, rel: 'void', method: 'POST' });
    }
    links.push({ href: `${context.publicUrl}/v2/checkout/orders/${authorization.orderId}`, rel: 'up', method: 'GET' });
    const body: Record<string, unknown> = {
      id: authorization.id,
      status: authorization.status,
      amount: authorization.amount,
      seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
      supplementary_data: { related_ids: { order_id: authorization.orderId } },
      expiration_time: authorization.expirationTime,
      links,
      create_time: authorization.createTime,
      update_time: authorization.updateTime,
    };
    if (authorization.customId) body.custom_id = authorization.customId;
    if (authorization.invoiceId) body.invoice_id = authorization.invoiceId;
    return body;
  }

  refund(refund: RefundRecord, context: ProcessorContext): Record<string, unknown> {
    const body: Record<string, unknown> = {
      id: refund.id,
      status: refund.status,
      amount: refund.amount,
      seller_payable_breakdown: { gross_amount: refund.amount, net_amount: refund.amount, total_refunded_amount: this.#refundedOf(refund.captureId) },
      links: [
        { href: `${context.publicUrl}/v2/payments/refunds/${refund.id}`, rel: 'self', method: 'GET' },
        { href: `${context.publicUrl}/v2/payments/captures/${refund.captureId}`, rel: 'up', method: 'GET' },
      ],
      create_time: refund.createTime,
      update_time: refund.updateTime,
    };
    if (refund.invoiceId) body.invoice_id = refund.invoiceId;
    if (refund.customId) body.custom_id = refund.customId;
    if (refund.noteToPayer) body.note_to_payer = refund.noteToPayer;
    return body;
  }

  #refundedOf(captureId: string): Money {
    const capture = this.#store.captures.get(captureId)!;
    return { currency_code: capture.amount.currency_code, value: formatMinor(capture.refundedMinor, paypalCurrencyDecimals[capture.amount.currency_code]) };
  }
}
