import { ApiError } from '../platform/errors.ts';
import type { SetupIntentStatus } from './types.ts';

export type SetupIntentOperation = 'update' | 'confirm' | 'cancel';

/**
 * For each operation, the states it may start from (Stripe's SetupIntent state machine); everything else gets
 * `setup_intent_unexpected_state`. `processing` allows nothing: a verification is in flight and only its outcome may
 * move the SetupIntent. `succeeded` and `canceled` are final.
 */
export const allowedFrom: Record<SetupIntentOperation, readonly SetupIntentStatus[]> = {
  update: ['requires_payment_method', 'requires_confirmation', 'requires_action'],
  confirm: ['requires_payment_method', 'requires_confirmation', 'requires_action'],
  cancel: ['requires_payment_method', 'requires_confirmation', 'requires_action'],
};

export function assertSetupTransition(operation: SetupIntentOperation, status: SetupIntentStatus, extra: Record<string, unknown> = {}): void {
  if ((allowedFrom[operation] as readonly string[]).includes(status)) return;
  throw new ApiError(
    'setup_intent_unexpected_state',
    `This SetupIntent's status is ${status}, but you can only ${operation} a SetupIntent with one of the following statuses: ${allowedFrom[operation].join(', ')}.`,
    { extra },
  );
}
