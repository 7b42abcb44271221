import { ApiError } from '../platform/errors.ts';

/** A payout's life: pending (funds reserved) -> in_transit (sent to the bank) -> paid | failed; canceled from pending. */
export const payoutStatuses = ['pending', 'in_transit', 'paid', 'failed', 'canceled'] as const;
export type PayoutStatus = (typeof payoutStatuses)[number];

export type PayoutOperation = 'cancel' | 'submit' | 'settle';

/**
 * For each operation, the states it may start from. Cancel is an API call and gets `payout_unexpected_state` from any
 * other state; submit and settle are job steps that only ever run from their one state (by compare-and-set).
 */
export const payoutAllowedFrom: Record<PayoutOperation, readonly PayoutStatus[]> = {
  cancel: ['pending'],
  submit: ['pending'],
  settle: ['in_transit'],
};

export function assertPayoutTransition(operation: PayoutOperation, status: PayoutStatus): void {
  if ((payoutAllowedFrom[operation] as readonly string[]).includes(status)) return;
  const message = operation === 'cancel'
    ? `Payouts can only be canceled while they are pending; this payout is ${status}.`
    : `This payout's status is ${status}, but it can only ${operation} from: ${payoutAllowedFrom[operation].join(', ')}.`;
  throw new ApiError('payout_unexpected_state', message);
}
