import { orderNotApprovedForAuthorize, PayPalError } from './errors.ts';
import {
  newAccountId,
  newPayPalId,
  type AuthorizationRecord,
  type CaptureRecord,
  type Money,
  type OrderRecord,
  type PayerRecord,
  type RefundRecord,
  type SandboxStore,
} from './store.ts';
import type { WebhookDispatcher } from './webhooks.ts';
import { formatMinor, isObject, parseMoney, paypalCurrencyDecimals } from './money.ts';
import { PayPalRenderer, type ProcessorContext } from './render.ts';

/**
 * What the PayPal sandbox does with each Orders v2 / Payments v2 request, independent of HTTP. Field names follow
 * specs/paypal/checkout_orders_v2.json and payments_payment_v2.json. Unlike Adyen, PayPal answers captures,
 * authorizations, voids and refunds synchronously with their final status, and also sends webhooks for them.
 *
 * The order life cycle (developer.paypal.com/docs/api/orders/v2): create -> PAYER_ACTION_REQUIRED (when the request
 * names `payment_source.paypal`) or CREATED -> the buyer approves on PayPal -> APPROVED -> capture (intent CAPTURE) or
 * authorize (intent AUTHORIZE) -> COMPLETED; voiding the order's authorization makes the order VOIDED.
 * PayPal's JSON for the records is rendered in render.ts; money (currencies, decimal strings) is money.ts.
 */

/** PayPal's limits on caller-supplied purchase-unit fields (purchase_unit_request in the spec). */
const customIdLengthMax = 127;
const referenceIdLengthMax = 256;
/** How long an authorization can be captured: PayPal honours it for 3 days and keeps it capturable for 29. */
const authorizationValidityDays = 29;
const millisecondsPerDay = 86_400_000;

/** The buyer's choices on the sandbox's approval page. */
export const approvalDecisions = ['approve', 'approve_declined_funding', 'approve_echeck', 'cancel'] as const;
export type ApprovalDecision = (typeof approvalDecisions)[number];

export interface Answer {
  status: number;
  body: Record<string, unknown> | null;
}

function optionalString(body: Record<string, unknown>, key: string, field: string, lengthMax: number): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > lengthMax) {
    throw PayPalError.issue(400, 'INVALID_PARAMETER_VALUE', { field, value: String(value), location: 'body' });
  }
  return value;
}

function optionalUrl(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !URL.canParse(value)) throw PayPalError.issue(400, 'INVALID_PARAMETER_VALUE', { field, location: 'body' });
  return value;
}

export class PayPalProcessor {
  readonly #store: SandboxStore;
  readonly #webhooks: WebhookDispatcher;
  /** Renders the records as PayPal's JSON (also used by the server's GET routes). */
  readonly render: PayPalRenderer;

  constructor(store: SandboxStore, webhooks: WebhookDispatcher) {
    this.#store = store;
    this.#webhooks = webhooks;
    this.render = new PayPalRenderer(store);
  }

  // --- Orders ---------------------------------------------------------------------------------------------------

  createOrder(body: Record<string, unknown>, context: ProcessorContext, representation: boolean): Answer {
    const intent = body.intent;
    if (intent === undefined) throw PayPalError.issue(400, 'MISSING_REQUIRED_PARAMETER', { field: '/intent', location: 'body' });
    if (intent !== 'CAPTURE' && intent !== 'AUTHORIZE') throw PayPalError.issue(400, 'INVALID_PARAMETER_VALUE', { field: '/intent', value: String(intent), location: 'body' });
    const units = body.purchase_units;
    if (!Array.isArray(units) || units.length === 0) throw PayPalError.issue(400, 'MISSING_REQUIRED_PARAMETER', { field: '/purchase_units', location: 'body' });
    // The sandbox models the single purchase unit every Payrail payment uses.
    if (units.length > 1 || !isObject(units[0])) throw PayPalError.issue(400, 'INVALID_PARAMETER_VALUE', { field: '/purchase_units', location: 'body' });
    const unit = units[0];
    const { money, minor } = parseMoney(unit.amount, '/purchase_units/@reference_id==\'default\'/amount');
    const paymentSource = body.payment_source;
    const paypal = isObject(paymentSource) && isObject(paymentSource.paypal) ? paymentSource.paypal : undefined;
    if (paymentSource !== undefined && paypal === undefined) throw PayPalError.issue(400, 'INVALID_PARAMETER_VALUE', { field: '/payment_source', location: 'body' });
    const experience = paypal && isObject(paypal.experience_context) ? paypal.experience_context : isObject(body.application_context) ? body.application_context : {};
    const now = new Date().toISOString();
    const order: OrderRecord = {
      id: newPayPalId(),
      intent,
      status: paypal ? 'PAYER_ACTION_REQUIRED' : 'CREATED',
      amount: money,
      minor,
      referenceId: optionalString(unit, 'reference_id', '/purchase_units/0/reference_id', referenceIdLengthMax) ?? 'default',
      customId: optionalString(unit, 'custom_id', '/purchase_units/0/custom_id', customIdLengthMax),
      invoiceId: optionalString(unit, 'invoice_id', '/purchase_units/0/invoice_id', customIdLengthMax),
      description: optionalString(unit, 'description', '/purchase_units/0/description', customIdLengthMax),
      paymentSourcePayPal: paypal !== undefined,
      returnUrl: optionalUrl(experience.return_url, '/payment_source/paypal/experience_context/return_url'),
      cancelUrl: optionalUrl(experience.cancel_url, '/payment_source/paypal/experience_context/cancel_url'),
      brandName: typeof experience.brand_name === 'string' ? experience.brand_name : undefined,
      captureIds: [],
      authorizationIds: [],
      createTime: now,
      updateTime: now,
    };
    this.#store.orders.set(order.id, order);
    return { status: 201, body: representation ? this.render.order(order, context) : this.render.minimalOrder(order, context) };
  }

  order(id: string): OrderRecord {
    const order = this.#store.orders.get(id);
    if (!order) throw PayPalError.issue(404, 'INVALID_RESOURCE_ID', { field: 'order_id', value: id, location: 'path' });
    return order;
  }

  getOrder(id: string, context: ProcessorContext): Answer {
    return { status: 200, body: this.render.order(this.order(id), context) };
  }

  /** The buyer's decision on the approval page. Returns where PayPal sends the buyer next. */
  approve(id: string, decision: ApprovalDecision, context: ProcessorContext): { redirect: string } | null {
    const order = this.#store.orders.get(id);
    if (!order || (order.status !== 'CREATED' && order.status !== 'PAYER_ACTION_REQUIRED' && order.status !== 'APPROVED')) return null;
    if (decision === 'cancel') {
      // PayPal leaves a cancelled checkout's order as it was; it simply expires later.
      const target = order.cancelUrl ?? order.returnUrl;
      if (!target) return { redirect: `${context.publicUrl}/sandbox/paypal/approve/${order.id}` };
      return { redirect: withQuery(target, { token: order.id }) };
    }
    if (order.status !== 'APPROVED') {
      order.status = 'APPROVED';
      order.payer = sandboxBuyer();
      order.funding = decision === 'approve_declined_funding' ? 'declined' : decision === 'approve_echeck' ? 'echeck' : 'ok';
      order.updateTime = new Date().toISOString();
      this.#webhooks.enqueue('CHECKOUT.ORDER.APPROVED', 'checkout-order', `An order has been approved by buyer`, this.render.order(order, context), order.id);
    }
    const target = order.returnUrl ?? `${context.publicUrl}/sandbox/paypal/approved`;
    return { redirect: withQuery(target, { token: order.id, PayerID: order.payer!.payerId }) };
  }

  captureOrder(id: string, context: ProcessorContext, representation: boolean): Answer {
    const order = this.order(id);
    if (order.intent !== 'CAPTURE') {
      // PayPal's answer; the spec documents this issue for /authorize only, so the description is the sandbox's.
      throw new PayPalError(422, [{ issue: 'ACTION_DOES_NOT_MATCH_INTENT', description: "Order was created with an intent to 'AUTHORIZE'. Please use v2/checkout/orders/order_id/authorize to complete the transaction or alternately Create an order with an intent of 'CAPTURE'." }]);
    }
    if (order.status === 'COMPLETED') throw PayPalError.issue(422, 'ORDER_ALREADY_CAPTURED');
    if (order.status !== 'APPROVED') throw PayPalError.issue(422, 'ORDER_NOT_APPROVED');
    // PayPal's "Handle funding failures": the buyer's funding source was refused; redirect the buyer back to PayPal.
    if (order.funding === 'declined') throw PayPalError.issue(422, 'INSTRUMENT_DECLINED');
    const capture = this.#newCapture(order, order.amount, order.minor, true);
    order.status = 'COMPLETED';
    order.updateTime = capture.createTime;
    if (order.funding === 'echeck') {
      // An eCheck: PayPal completes the order but holds the capture PENDING until the bank clears it (days).
      capture.status = 'PENDING';
      capture.pendingReason = 'ECHECK';
      this.#webhooks.enqueue('PAYMENT.CAPTURE.PENDING', 'capture', `Payment pending for ${capture.amount.value} ${capture.amount.currency_code}`, this.render.capture(capture, context), capture.id);
    } else {
      this.#webhooks.enqueue('PAYMENT.CAPTURE.COMPLETED', 'capture', `Payment completed for ${capture.amount.value} ${capture.amount.currency_code}`, this.render.capture(capture, context), capture.id);
    }
    return { status: 201, body: representation ? this.render.order(order, context) : this.render.completedOrder(order, context) };
  }

  authorizeOrder(id: string, context: ProcessorContext, representation: boolean): Answer {
    const order = this.order(id);
    if (order.intent !== 'AUTHORIZE') throw PayPalError.issue(422, 'ACTION_DOES_NOT_MATCH_INTENT');
    if (order.status === 'COMPLETED') throw PayPalError.issue(422, 'ORDER_ALREADY_AUTHORIZED');
    if (order.status === 'VOIDED') throw PayPalError.issue(422, 'ORDER_COMPLETED_OR_VOIDED');
    if (order.status !== 'APPROVED') throw PayPalError.issue(422, 'ORDER_NOT_APPROVED', {}, orderNotApprovedForAuthorize);
    if (order.funding === 'declined') throw PayPalError.issue(422, 'TRANSACTION_REFUSED');
    const now = new Date();
    const authorization: AuthorizationRecord = {
      id: newPayPalId(),
      orderId: order.id,
      amount: order.amount,
      minor: order.minor,
      capturedMinor: 0,
      status: 'CREATED',
      customId: order.customId,
      invoiceId: order.invoiceId,
      expirationTime: new Date(now.getTime() + authorizationValidityDays * millisecondsPerDay).toISOString(),
      createTime: now.toISOString(),
      updateTime: now.toISOString(),
    };
    this.#store.authorizations.set(authorization.id, authorization);
    order.authorizationIds.push(authorization.id);
    order.status = 'COMPLETED';
    order.updateTime = authorization.createTime;
    this.#webhooks.enqueue('PAYMENT.AUTHORIZATION.CREATED', 'authorization', `A payment authorization was created`, this.render.authorization(authorization, context), authorization.id);
    return { status: 201, body: representation ? this.render.order(order, context) : this.render.completedOrder(order, context) };
  }

  // --- Payments v2 ----------------------------------------------------------------------------------------------

  authorization(id: string): AuthorizationRecord {
    const authorization = this.#store.authorizations.get(id);
    if (!authorization) throw PayPalError.issue(404, 'INVALID_RESOURCE_ID', { field: 'authorization_id', value: id, location: 'path' });
    return authorization;
  }

  captureAuthorization(id: string, body: Record<string, unknown>, context: ProcessorContext): Answer {
    const authorization = this.authorization(id);
    if (authorization.status === 'VOIDED') throw PayPalError.issue(422, 'AUTHORIZATION_VOIDED');
    if (authorization.status === 'CAPTURED') throw PayPalError.issue(422, 'AUTHORIZATION_ALREADY_CAPTURED');
    let money = authorization.amount;
    let minor = authorization.minor - authorization.capturedMinor;
    if (body.amount !== undefined) {
      const parsed = parseMoney(body.amount, '/amount');
      if (parsed.money.currency_code !== authorization.amount.currency_code) throw PayPalError.issue(422, 'AUTH_CAPTURE_CURRENCY_MISMATCH');
      money = parsed.money;
      minor = parsed.minor;
    } else {
      money = { currency_code: authorization.amount.currency_code, value: formatMinor(minor, paypalCurrencyDecimals[authorization.amount.currency_code]) };
    }
    // PayPal allows captures up to 115% of the authorization with account approval; the sandbox allows 100%.
    if (authorization.capturedMinor + minor > authorization.minor) throw PayPalError.issue(422, 'MAX_CAPTURE_AMOUNT_EXCEEDED');
    if (body.final_capture !== undefined && typeof body.final_capture !== 'boolean') throw PayPalError.issue(400, 'INVALID_PARAMETER_VALUE', { field: '/final_capture', location: 'body' });
    const order = this.order(authorization.orderId);
    authorization.capturedMinor += minor;
    const final = body.final_capture === true || authorization.capturedMinor === authorization.minor;
    const capture = this.#newCapture(order, money, minor, final, authorization.id, optionalString(body, 'invoice_id', '/invoice_id', customIdLengthMax));
    authorization.status = final ? 'CAPTURED' : 'PARTIALLY_CAPTURED';
    authorization.updateTime = capture.createTime;
    this.#webhooks.enqueue('PAYMENT.CAPTURE.COMPLETED', 'capture', `Payment completed for ${capture.amount.value} ${capture.amount.currency_code}`, this.render.capture(capture, context), capture.id);
    return { status: 201, body: this.render.capture(capture, context) };
  }

  voidAuthorization(id: string, context: ProcessorContext, representation: boolean): Answer {
    const authorization = this.authorization(id);
    if (authorization.status === 'VOIDED') throw PayPalError.issue(422, 'PREVIOUSLY_VOIDED');
    if (authorization.status === 'CAPTURED') throw PayPalError.issue(422, 'PREVIOUSLY_CAPTURED');
    authorization.status = 'VOIDED';
    authorization.updateTime = new Date().toISOString();
    const order = this.order(authorization.orderId);
    if (order.authorizationIds.every((other) => this.#store.authorizations.get(other)?.status === 'VOIDED')) {
      order.status = 'VOIDED';
      order.updateTime = authorization.updateTime;
    }
    this.#webhooks.enqueue('PAYMENT.AUTHORIZATION.VOIDED', 'authorization', 'A payment authorization was voided', this.render.authorization(authorization, context), authorization.id);
    return representation ? { status: 200, body: this.render.authorization(authorization, context) } : { status: 204, body: null };
  }

  capture(id: string): CaptureRecord {
    const capture = this.#store.captures.get(id);
    if (!capture) throw PayPalError.issue(404, 'INVALID_RESOURCE_ID', { field: 'capture_id', value: id, location: 'path' });
    return capture;
  }

  /**
   * The sandbox's bank clears (COMPLETED) or refuses (DECLINED) a PENDING capture, as PayPal does days after an
   * eCheck, with PAYMENT.CAPTURE.COMPLETED or PAYMENT.CAPTURE.DENIED. Answers the capture, or null when it is not
   * pending (nothing changes).
   */
  settleCapture(id: string, status: 'COMPLETED' | 'DECLINED', context: ProcessorContext): Record<string, unknown> | null {
    const capture = this.capture(id);
    if (capture.status !== 'PENDING') return null;
    capture.status = status;
    delete capture.pendingReason;
    capture.updateTime = new Date().toISOString();
    const rendered = this.render.capture(capture, context);
    if (status === 'COMPLETED') {
      this.#webhooks.enqueue('PAYMENT.CAPTURE.COMPLETED', 'capture', `Payment completed for ${capture.amount.value} ${capture.amount.currency_code}`, rendered, capture.id);
    } else {
      this.#webhooks.enqueue('PAYMENT.CAPTURE.DENIED', 'capture', `A ${capture.amount.value} ${capture.amount.currency_code} payment was denied`, rendered, capture.id);
    }
    return rendered;
  }

  refundCapture(id: string, body: Record<string, unknown>, context: ProcessorContext): Answer {
    const capture = this.capture(id);
    const remaining = capture.minor - capture.refundedMinor;
    if (remaining === 0) throw PayPalError.issue(422, 'CAPTURE_FULLY_REFUNDED');
    let money: Money;
    let minor: number;
    if (body.amount !== undefined) {
      const parsed = parseMoney(body.amount, '/amount');
      if (parsed.money.currency_code !== capture.amount.currency_code) throw PayPalError.issue(422, 'REFUND_CAPTURE_CURRENCY_MISMATCH');
      if (parsed.minor > remaining) throw PayPalError.issue(422, 'REFUND_AMOUNT_EXCEEDED');
      ({ money, minor } = parsed);
    } else {
      minor = remaining;
      money = { currency_code: capture.amount.currency_code, value: formatMinor(minor, paypalCurrencyDecimals[capture.amount.currency_code]) };
    }
    const now = new Date().toISOString();
    const refund: RefundRecord = {
      id: newPayPalId(),
      captureId: capture.id,
      orderId: capture.orderId,
      amount: money,
      minor,
      status: 'COMPLETED',
      invoiceId: optionalString(body, 'invoice_id', '/invoice_id', customIdLengthMax),
      customId: optionalString(body, 'custom_id', '/custom_id', customIdLengthMax),
      noteToPayer: optionalString(body, 'note_to_payer', '/note_to_payer', 255),
      createTime: now,
      updateTime: now,
    };
    this.#store.refunds.set(refund.id, refund);
    capture.refundedMinor += minor;
    capture.status = capture.refundedMinor === capture.minor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    capture.updateTime = now;
    this.#webhooks.enqueue('PAYMENT.CAPTURE.REFUNDED', 'refund', `A ${money.value} ${money.currency_code} capture payment was refunded`, this.render.refund(refund, context), refund.id);
    return { status: 201, body: this.render.refund(refund, context) };
  }

  refund(id: string): RefundRecord {
    const refund = this.#store.refunds.get(id);
    if (!refund) throw PayPalError.issue(404, 'INVALID_RESOURCE_ID', { field: 'refund_id', value: id, location: 'path' });
    return refund;
  }

  #newCapture(order: OrderRecord, amount: Money, minor: number, finalCapture: boolean, authorizationId?: string, invoiceId?: string): CaptureRecord {
    const now = new Date().toISOString();
    const capture: CaptureRecord = {
      id: newPayPalId(),
      orderId: order.id,
      ...(authorizationId ? { authorizationId } : {}),
      amount,
      minor,
      refundedMinor: 0,
      status: 'COMPLETED',
      finalCapture,
      invoiceId: invoiceId ?? order.invoiceId,
      customId: order.customId,
      createTime: now,
      updateTime: now,
    };
    this.#store.captures.set(capture.id, capture);
    order.captureIds.push(capture.id);
    return capture;
  }
}

function sandboxBuyer(): PayerRecord {
  return { payerId: newAccountId(), email: 'buyer@payrail-sandbox.example', givenName: 'Sandbox', surname: 'Buyer' };
}

function withQuery(url: string, parameters: Record<string, string>): string {
  const target = new URL(url);
  for (const [key, value] of Object.entries(parameters)) target.searchParams.set(key, value);
  return target.toString();
}
