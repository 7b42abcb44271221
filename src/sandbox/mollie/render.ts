import type { Amount, CaptureRecord, CustomerRecord, MandateRecord, PaymentRecord, RefundRecord, SandboxStore } from './store.ts';
import { formatMinor } from './amounts.ts';

/**
 * Mollie's HAL JSON for the sandbox's records (components.schemas.payment-response, refund-response, customer-response
 * and mandate-response in Mollie's OpenAPI description, github.com/mollie/openapi): `resource`, `id`, `mode`, the fields, and `_links` of
 * `{href, type}` objects. Absolute links point at the sandbox (its public URL), so the official client's pagination
 * helpers, which follow `_links.next.href`, reach it.
 */

export interface RenderContext {
  /** The sandbox's base URL as clients reach it (no trailing slash). */
  publicUrl: string;
  profileId: string;
}

const hal = 'application/hal+json';
const html = 'text/html';

function link(href: string, type = hal): { href: string; type: string } {
  return { href, type };
}

function documentation(page: string): { href: string; type: string } {
  return link(`https://docs.mollie.com/reference/${page}`, html);
}

/** The statuses a payment is in for good; the checkout page is no longer offered. */
const finalStatuses = new Set(['paid', 'canceled', 'expired', 'failed']);

export class MollieRenderer {
  readonly #store: SandboxStore;

  constructor(store: SandboxStore) {
    this.#store = store;
  }

  /** Whether the payment can still be canceled (Mollie's `isCancelable`): open ones, and direct debits still pending. */
  static isCancelable(payment: PaymentRecord): boolean {
    return payment.status === 'open' || (payment.status === 'pending' && payment.method === 'directdebit');
  }

  /** Whether the shopper still has something to do on the hosted checkout (no mandate does it for them). */
  static hasCheckout(payment: PaymentRecord): boolean {
    return payment.status === 'open' && payment.sequenceType !== 'recurring' && payment.method !== 'directdebit';
  }

  payment(payment: PaymentRecord, context: RenderContext): Record<string, unknown> {
    const self = `${context.publicUrl}/v2/payments/${payment.id}`;
    const remaining = payment.minor - payment.refundedMinor;
    const body: Record<string, unknown> = {
      resource: 'payment',
      id: payment.id,
      mode: 'test',
      createdAt: payment.createdAt,
      amount: payment.amount,
      description: payment.description,
      metadata: payment.metadata ?? null,
      status: payment.status,
      isCancelable: MollieRenderer.isCancelable(payment),
      profileId: context.profileId,
      sequenceType: payment.sequenceType,
      redirectUrl: payment.redirectUrl,
      webhookUrl: payment.webhookUrl,
    };
    // Mollie leaves `method` out until one is chosen (its examples; the spec's enum has no null).
    if (payment.method !== null) body.method = payment.method;
    if (payment.cancelUrl !== null) body.cancelUrl = payment.cancelUrl;
    if (payment.locale !== null) body.locale = payment.locale;
    if (payment.expiresAt !== null && !finalStatuses.has(payment.status)) body.expiresAt = payment.expiresAt;
    for (const key of ['paidAt', 'authorizedAt', 'canceledAt', 'expiredAt', 'failedAt'] as const) if (payment[key] !== undefined) body[key] = payment[key];
    if (payment.status === 'paid') {
      body.amountRefunded = amountOf(payment.amount.currency, payment.refundedMinor);
      body.amountRemaining = amountOf(payment.amount.currency, remaining);
    }
    if (payment.customerId !== null) body.customerId = payment.customerId;
    if (payment.mandateId !== null) body.mandateId = payment.mandateId;
    if (payment.details !== null) body.details = payment.details;
    const links: Record<string, unknown> = { self: link(self) };
    if (MollieRenderer.hasCheckout(payment)) links.checkout = link(`${context.publicUrl}/sandbox/mollie/checkout/${payment.id}`, html);
    // Mollie's test mode gives recurring and direct-debit payments this link instead of a checkout: a page where the
    // tester sets the final status (docs.mollie.com, Get payment: `_links.changePaymentState`).
    if (payment.status === 'pending' || (payment.status === 'open' && !MollieRenderer.hasCheckout(payment))) {
      links.changePaymentState = link(`${context.publicUrl}/sandbox/mollie/checkout/${payment.id}`, html);
    }
    links.dashboard = link(`${context.publicUrl}/sandbox/admin/records#${payment.id}`, html);
    if (this.#store.paymentIdsWithRefunds.has(payment.id)) links.refunds = link(`${self}/refunds`);
    if (payment.customerId !== null) links.customer = link(`${context.publicUrl}/v2/customers/${payment.customerId}`);
    if (payment.mandateId !== null && payment.customerId !== null) links.mandate = link(`${context.publicUrl}/v2/customers/${payment.customerId}/mandates/${payment.mandateId}`);
    links.documentation = documentation('get-payment');
    body._links = links;
    return body;
  }

  /** Mollie's capture-response: the captured amount of an authorized payment. */
  capture(capture: CaptureRecord, context: RenderContext): Record<string, unknown> {
    return {
      resource: 'capture',
      id: capture.id,
      mode: 'test',
      description: capture.description,
      amount: capture.amount,
      status: capture.status,
      metadata: capture.metadata ?? null,
      paymentId: capture.paymentId,
      createdAt: capture.createdAt,
      _links: {
        self: link(`${context.publicUrl}/v2/payments/${capture.paymentId}/captures/${capture.id}`),
        payment: link(`${context.publicUrl}/v2/payments/${capture.paymentId}`),
        documentation: documentation('get-capture'),
      },
    };
  }

  refund(refund: RefundRecord, context: RenderContext): Record<string, unknown> {
    return {
      resource: 'refund',
      id: refund.id,
      mode: 'test',
      amount: refund.amount,
      status: refund.status,
      createdAt: refund.createdAt,
      description: refund.description,
      metadata: refund.metadata ?? null,
      paymentId: refund.paymentId,
      _links: {
        self: link(`${context.publicUrl}/v2/payments/${refund.paymentId}/refunds/${refund.id}`),
        payment: link(`${context.publicUrl}/v2/payments/${refund.paymentId}`),
        documentation: documentation('get-refund'),
      },
    };
  }

  customer(customer: CustomerRecord, context: RenderContext): Record<string, unknown> {
    const self = `${context.publicUrl}/v2/customers/${customer.id}`;
    const links: Record<string, unknown> = { self: link(self), dashboard: link(`${context.publicUrl}/sandbox/admin/records#${customer.id}`, html) };
    if ([...this.#store.mandates.values()].some((mandate) => mandate.customerId === customer.id)) links.mandates = link(`${self}/mandates`);
    if ([...this.#store.payments.values()].some((payment) => payment.customerId === customer.id)) links.payments = link(`${self}/payments`);
    links.documentation = documentation('get-customer');
    return {
      resource: 'customer',
      id: customer.id,
      mode: 'test',
      name: customer.name,
      email: customer.email,
      locale: customer.locale,
      metadata: customer.metadata ?? null,
      createdAt: customer.createdAt,
      _links: links,
    };
  }

  mandate(mandate: MandateRecord, context: RenderContext): Record<string, unknown> {
    return {
      resource: 'mandate',
      id: mandate.id,
      mode: 'test',
      status: mandate.status,
      method: mandate.method,
      details: mandate.details,
      mandateReference: mandate.mandateReference,
      signatureDate: mandate.signatureDate,
      customerId: mandate.customerId,
      createdAt: mandate.createdAt,
      _links: {
        self: link(`${context.publicUrl}/v2/customers/${mandate.customerId}/mandates/${mandate.id}`),
        customer: link(`${context.publicUrl}/v2/customers/${mandate.customerId}`),
        documentation: documentation('get-mandate'),
      },
    };
  }
}

function amountOf(currency: string, minor: number): Amount {
  return { currency, value: formatMinor(currency, minor) };
}

/** One page of a list (docs.mollie.com "Pagination"): `count`, `_embedded.<name>`, and self/previous/next links. */
export function renderPage(
  name: string,
  page: { items: Record<string, unknown>[]; limit: number; previousFrom: string | null; nextFrom: string | null; fromId: string | null },
  path: string,
  context: RenderContext,
  documentationPage: string,
): Record<string, unknown> {
  const url = (from: string | null) => {
    const query = new URLSearchParams();
    if (from !== null) query.set('from', from);
    query.set('limit', String(page.limit));
    return `${context.publicUrl}${path}?${query.toString()}`;
  };
  return {
    count: page.items.length,
    _embedded: { [name]: page.items },
    _links: {
      self: link(url(page.fromId)),
      previous: page.previousFrom === null ? null : link(url(page.previousFrom)),
      next: page.nextFrom === null ? null : link(url(page.nextFrom)),
      documentation: documentation(documentationPage),
    },
  };
}
