import type { Dependencies } from '../dependencies.ts';
import type { Scope } from '../platform/scope.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import { formatAmount } from '../platform/money.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { findCharge, findPaymentIntent, type ChargeRow } from '../payments/repository.ts';
import { capturePaymentIntent, type CaptureInput, type PaymentCaptureDependencies } from '../payments/capture.ts';

/** What capturing a charge uses: the database (the charge before and after), and what capturing its PaymentIntent needs. */
export type ChargeCaptureDependencies = Pick<Dependencies, 'db'> & PaymentCaptureDependencies;

/**
 * Captures an uncaptured charge (POST /v1/charges/:id/capture), in full or for `amount`: the capture of its
 * PaymentIntent, with the same provider call and ledger postings; the rest of a partial capture is released. A
 * Connect charge transfers and collects its fee at this capture, as its PaymentIntent's capture does (with the same
 * capture-time overrides, application_fee_amount and transfer_data[amount]).
 */
export async function captureCharge(
  work: UnitOfWork,
  deps: ChargeCaptureDependencies,
  scope: Scope,
  id: string,
  input: { amount?: number } & Pick<CaptureInput, 'application_fee_amount' | 'transfer_data'>,
): Promise<ChargeRow> {
  const charge = await findCharge(deps.db, scope, id);
  if (!charge) throw missing('charge', id);
  if (charge.captured) throw new ApiError('charge_already_captured', `Charge ${id} has already been captured.`, { param: 'charge' });
  const intent = await findPaymentIntent(deps.db, scope, charge.payment_intent_id);
  assert(intent, `charge ${id} has its PaymentIntent`);
  if (charge.status !== 'succeeded' || charge.released || intent.latest_charge_id !== id || intent.status !== 'requires_capture') {
    const why = charge.status === 'failed' ? 'it failed' : charge.released ? 'its authorization was released' : 'it is not an authorized charge';
    throw new ApiError('payment_intent_unexpected_state', `Charge ${id} cannot be captured: ${why}.`, { param: 'charge' });
  }
  if (input.amount !== undefined && input.amount > charge.amount) {
    throw new ApiError('amount_too_large', `The amount to capture (${formatAmount(input.amount, charge.currency)}) is greater than the charge's amount (${formatAmount(charge.amount, charge.currency)}).`, { param: 'amount' });
  }
  const reload = async (client: Parameters<Parameters<UnitOfWork['mapFinal']>[0]>[0]) => {
    const current = await findCharge(client, scope, id);
    assert(current, `charge ${id} exists`);
    return current;
  };
  await capturePaymentIntent(work.mapFinal((client) => reload(client)), deps, scope, intent.id, { amount_to_capture: input.amount, application_fee_amount: input.application_fee_amount, transfer_data: input.transfer_data });
  const captured = await findCharge(deps.db, scope, id);
  assert(captured, `charge ${id} exists`);
  return captured;
}
