import { findApplicationFee } from '../application-fees/repository.ts';
import { feeRefundAmountOf, writeFeeRefund } from '../application-fees/service.ts';
import type { ChargeRow } from '../payments/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, assert } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { findTransfer } from '../transfers/repository.ts';
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

/**
 * Applies the flags for a refund (answers the id of the transfer reversal it made, if any) of `amount` of `charge` (`takesRest`: it refunds all that remained), in the caller's
 * transaction, which holds the PaymentIntent's lock. The transfer and the fee are locked here.
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
  now: number,
): Promise<string | undefined> {
  const connect = charge.connect;
  let reversalId: string | undefined;
  if (flags.reverse_transfer && connect?.transfer) {
    const transfer = await findTransfer(client, scope, connect.transfer, { forUpdate: true });
    assert(transfer, `the transfer ${connect.transfer} of charge ${charge.id} exists`);
    const reversal = proRata(transfer.amount, amount, charge.amount_captured, transfer.amount - transfer.amount_reversed, takesRest);
    if (reversal > 0) reversalId = (await writeReversal(client, work, scope, transfer, reversal, { metadata: {}, sourceRefundId: refundId, now })).id;
  }
  if (flags.refund_application_fee && connect?.application_fee) {
    const feeScope: Scope = connect.kind === 'direct' && connect.platform ? { accountId: connect.platform, livemode: scope.livemode } : scope;
    const fee = await findApplicationFee(client, feeScope, connect.application_fee, { forUpdate: true });
    assert(fee, `the application fee ${connect.application_fee} of charge ${charge.id} exists`);
    const refunded = feeRefundAmountOf(fee, proRata(fee.amount, amount, charge.amount_captured, fee.amount - fee.amount_refunded, takesRest));
    if (refunded > 0) await writeFeeRefund(client, work, feeScope, fee, refunded, { metadata: {}, now });
  }
  return reversalId;
}
