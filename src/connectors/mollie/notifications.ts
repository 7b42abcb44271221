import type { ProviderNotification } from '../connector.ts';
import { attemptIdOf, customerCanceled, directDebitDecline, isPaymentStatus, methodDetailsOf, paymentFailed, payrailTypeOf, refundIdOf, refundResult, type MolliePayment, type MollieRefund } from './transformers.ts';

/**
 * What a payment fetched from Mollie (after its webhook named it) says, in Payrail's terms: one `authorization` when
 * the payment reached a final status, and one `refund` per refund of it. Each event key is the Mollie id with the
 * status, so a webhook repeated for the same state is a duplicate and a later change is a new event.
 */
export function mollieNotifications(payment: MolliePayment, refunds: readonly MollieRefund[]): ProviderNotification[] {
  const notifications: ProviderNotification[] = [];
  const paymentId = typeof payment.id === 'string' ? payment.id : null;
  const status = isPaymentStatus(payment.status) ? payment.status : null;
  const eventKey = `${paymentId ?? 'unknown'}:${status ?? String(payment.status)}`;
  const attemptId = attemptIdOf(payment);
  switch (status) {
    case 'authorized':
      // Authorized but not captured (Klarna): whether Payrail captures now or later depends on the intent, which only
      // the connector's own read (the customer's return, or the janitor's sync) acts on, capturing through Mollie first.
      notifications.push({ kind: 'other', eventKey, description: `Mollie payment ${paymentId ?? '?'} is authorized, to be captured` });
      break;
    case 'paid':
      notifications.push({ kind: 'authorization', eventKey, attemptId, processorReference: paymentId, result: { status: 'authorized', methodDetails: methodDetailsOf(payrailTypeOf(payment.method) ?? undefined, payment) } });
      break;
    case 'canceled':
    case 'expired':
    case 'failed':
      notifications.push({ kind: 'authorization', eventKey, attemptId, processorReference: paymentId, result: { status: 'declined', decline: status !== 'failed' ? customerCanceled : payment.method === 'directdebit' ? directDebitDecline(payment) : paymentFailed } });
      break;
    case 'open':
    case 'pending':
    case null:
      notifications.push({ kind: 'other', eventKey, description: `Mollie payment ${paymentId ?? '?'} is ${String(payment.status)}` });
      break;
  }
  for (const refund of refunds) {
    if (typeof refund.id !== 'string') continue;
    const result = refundResult(refund);
    notifications.push({
      kind: 'refund',
      eventKey: `${refund.id}:${String(refund.status)}`,
      refundId: refundIdOf(refund),
      processorReference: refund.id,
      status: result,
      reason: result === 'failed' ? 'declined' : null,
    });
  }
  return notifications;
}
