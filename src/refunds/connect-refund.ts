import { findApplicationFee } from '../application-fees/repository.ts';
import { feeRefundAmountOf, writeFeeRefund } from '../application-fees/service.ts';
import type { ChargeRow } from '../payments/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, assert } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { newId } from '../platform/ids.ts';
import { findTransfer, type TransferRow } from '../transfers/repository.ts';
import { writeReversal } from '../transfers/reversals.ts';

// A refund's Connect flags (Stripe's reverse_transfer and refund_application_fee on POST /v1/refunds), in the
// refund's own transaction under the PaymentIntent's lock: the destination charge's transfer is reversed, and the
// application fee refunded, in proportion to the amount refunded (all that remains when the refund takes the rest).

export interface ConnectRefundFlags {
  reverse_transfer?: boolean;
  refund_application_fee?: boolean;
  /** The caller's platform when it acts as a connected account (Stripe-Account): who may refund a direct charge's fee. */
  platformAccountId?: string;
}

/** Refuses flags the charge cannot take, before anything moves (Stripe's rules per charge type). */
export function checkConnectRefundFlags(charge: ChargeRow, flags: ConnectRefundFlags): void {
  const connect = charge.connect;
  if (flags.reverse_transfer && !(connect?.kind === 'destination' && connect.transfer)) {
    throw new ApiError('invalid_value', `reverse_transfer applies to a destination charge's transfer: charge ${charge.id} has none.`, { param: 'reverse_transfer' });
  }
  if (flags.refund_application_fee) {
    if (!connect?.application_fee) {
      throw new ApiError('invalid_value', `Charge ${charge.id} has no application fee to refund.`, { param: 'refund_application_fee' });
    }
    if (connect.kind === 'direct' && flags.platformAccountId !== connect.platform) {
      throw new ApiError('invalid_value', 'An application fee can be refunded only by the application that created the charge: make the refund as the platform, with the Stripe-Account header.', { param: 'refund_application_fee' });
    }
  }
}

/** Pro rata: `part` of `whole` applied to `total`, rounded; everything left when the refund takes the rest of the charge. */
export function proRata(total: number, part: number, whole: number, remaining: number, takesRest: boolean): number {
  return Math.min(remaining, takesRest ? remaining : Math.round((total * part) / whole));
}

/** The transfer reversal a refund with reverse_transfer makes: its id is chosen before the refund is written. */
export interface RefundReversalPlan {
  id: string;
  transfer: TransferRow;
  amount: number;
}

/**
 * The reversal of the destination charge's transfer that a refund of `amount` of `charge` makes (`takesRest`: it
 * refunds all that remained), if any: the transfer is locked (after the PaymentIntent, which the caller holds), so
 * the refund and its events can name the reversal before either is written.
 */
export async function planRefundReversal(client: Queryable, scope: Scope, charge: ChargeRow, amount: number, takesRest: boolean, flags: ConnectRefundFlags): Promise<RefundReversalPlan | undefined> {
  const transferId = charge.connect?.transfer;
  if (!flags.reverse_transfer || !transferId) return undefined;
  const transfer = await findTransfer(client, scope, transferId, { forUpdate: true });
  assert(transfer, `the transfer ${transferId} of charge ${charge.id} exists`);
  const reversal = proRata(transfer.amount, amount, charge.amount_captured, transfer.amount - transfer.amount_reversed, takesRest);
  return reversal > 0 ? { id: newId('trr'), transfer, amount: reversal } : undefined;
}

/**
 * Applies the flags for a refund of `amount` of `charge` (`takesRest`: it refunds all that remained), in the caller's
 * transaction, which holds the PaymentIntent's lock: writes the planned reversal, and refunds the application fee
 * (locked here).
 */
export async function applyConnectRefundFlags(
  client: Queryable,
  work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'>,
  scope: Scope,
  charge: ChargeRow,
  refundId: string,
  amount: number,
  takesRest: boolean,
  flags: ConnectRefundFlags,
  reversal: RefundReversalPlan | undefined,
  now: number,
): Promise<void> {
  const connect = charge.connect;
  if (reversal) await writeReversal(client, work, scope, reversal.transfer, reversal.amount, { id: reversal.id, metadata: {}, sourceRefundId: refundId, now });
  if (flags.refund_application_fee && connect?.application_fee) {
    const feeScope: Scope = connect.kind === 'direct' && connect.platform ? { accountId: connect.platform, livemode: scope.livemode } : scope;
    const fee = await findApplicationFee(client, feeScope, connect.application_fee, { forUpdate: true });
    assert(fee, `the application fee ${connect.application_fee} of charge ${charge.id} exists`);
    const refunded = feeRefundAmountOf(fee, proRata(fee.amount, amount, charge.amount_captured, fee.amount - fee.amount_refunded, takesRest));
    if (refunded > 0) await writeFeeRefund(client, work, feeScope, fee, refunded, { metadata: {}, now });
  }
}
