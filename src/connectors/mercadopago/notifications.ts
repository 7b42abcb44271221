import type { ProviderNotification } from '../connector.ts';
import { cardRejection, isCardPayment } from './cards.ts';
import { attemptIdOf, cancelledDecline, isPaymentStatus, methodDetailsOf, paymentRejected, refundIdOf, refundResult, type MercadoPagoPayment } from './transformers.ts';

/**
 * What a payment fetched from Mercado Pago (after its webhook named it) says, in Payrail's terms: one `authorization`
 * when the payment reached a final status, and one `refund` per refund of it. Each event key is the Mercado Pago id with
 * the status, so a webhook repeated for the same state is a duplicate and a later change is a new event.
 */
export function mercadoPagoNotifications(payment: MercadoPagoPayment): ProviderNotification[] {
  const notifications: ProviderNotification[] = [];
  const paymentId = typeof payment.id === 'number' ? String(payment.id) : null;
  const status = isPaymentStatus(payment.status) ? payment.status : null;
  const eventKey = `payment:${paymentId ?? 'unknown'}:${status ?? String(payment.status)}`;
  const attemptId = attemptIdOf(payment);
  switch (status) {
    case 'approved':
    case 'refunded':
    case 'charged_back':
      notifications.push({ kind: 'authorization', eventKey: `payment:${paymentId ?? 'unknown'}:paid`, attemptId, processorReference: paymentId, result: { status: 'authorized', methodDetails: methodDetailsOf(payment) } });
      break;
    case 'rejected':
      // A card's rejection says why (status_detail in Stripe's decline codes); a Pix or boleto's is generic.
      notifications.push({ kind: 'authorization', eventKey, attemptId, processorReference: paymentId, result: { status: 'declined', decline: isCardPayment(payment) ? cardRejection(payment) : paymentRejected } });
      break;
    case 'cancelled':
      notifications.push({ kind: 'authorization', eventKey, attemptId, processorReference: paymentId, result: { status: 'declined', decline: cancelledDecline(payment) } });
      break;
    case 'authorized':
      // A card authorized with capture: false after a review (in_process): held, as the intent's manual capture says.
      if (isCardPayment(payment)) {
        notifications.push({ kind: 'authorization', eventKey, attemptId, processorReference: paymentId, result: { status: 'authorized' } });
        break;
      }
      notifications.push({ kind: 'other', eventKey, description: `Mercado Pago payment ${paymentId ?? '?'} is authorized` });
      break;
    case 'pending':
    case 'in_process':
    case 'in_mediation':
    case null:
      notifications.push({ kind: 'other', eventKey, description: `Mercado Pago payment ${paymentId ?? '?'} is ${String(payment.status)}` });
      break;
  }
  for (const refund of payment.refunds ?? []) {
    if (typeof refund.id !== 'number') continue;
    const result = refundResult(refund);
    notifications.push({
      kind: 'refund',
      eventKey: `refund:${refund.id}:${String(refund.status)}`,
      refundId: refundIdOf(refund),
      processorReference: String(refund.id),
      status: result,
      reason: result === 'failed' ? 'declined' : null,
    });
  }
  return notifications;
}
