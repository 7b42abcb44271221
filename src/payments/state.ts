import { ApiError } from '../platform/errors.ts';

export const paymentIntentStatuses = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'succeeded',
  'canceled',
] as const;
export type PaymentIntentStatus = (typeof paymentIntentStatuses)[number];

export type PaymentIntentOperation = 'update' | 'confirm' | 'capture' | 'cancel' | 'authenticate' | 'refund' | 'increment_authorization';

/**
 * For each operation, the states it may start from. Everything else gets `payment_intent_unexpected_state`, as at
 * Stripe. `processing` allows nothing: an attempt is in flight and only its outcome may move the intent.
 */
export const allowedFrom: Record<PaymentIntentOperation, readonly PaymentIntentStatus[]> = {
  update: ['requires_payment_method', 'requires_confirmation', 'requires_action'],
  confirm: ['requires_payment_method', 'requires_confirmation', 'requires_action'],
  capture: ['requires_capture'],
  cancel: ['requires_payment_method', 'requires_confirmation', 'requires_action', 'requires_capture'],
  authenticate: ['requires_action'],
  refund: ['succeeded'],
  increment_authorization: ['requires_capture'],
};

export function assertTransition(operation: PaymentIntentOperation, status: PaymentIntentStatus, extra: Record<string, unknown> = {}): void {
  if ((allowedFrom[operation] as readonly string[]).includes(status)) return;
  throw new ApiError(
    'payment_intent_unexpected_state',
    `This PaymentIntent's status is ${status}, but you can only ${operation} a PaymentIntent with one of the following statuses: ${allowedFrom[operation].join(', ')}.`,
    { extra },
  );
}
