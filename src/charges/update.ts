import { changedAttributes, recordEvent } from '../events/service.ts';
import type { Scope } from '../platform/scope.ts';
import { assert, missing } from '../platform/errors.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderCharge } from '../payments/render.ts';
import { findCharge, findPaymentIntent, updateCharge, type ChargeRow } from '../payments/repository.ts';
import { fullShipping, type ShippingInput } from '../customers/address.ts';

/** What POST /v1/charges/:id changes; `null` (sent as '') clears a field. */
export interface ChargeUpdate {
  description?: string | null;
  metadata?: MetadataUpdate;
  receipt_email?: string | null;
  shipping?: ShippingInput | null;
  fraud_details?: { user_report: 'fraudulent' | 'safe' } | null;
  transfer_group?: string | null;
}

/**
 * Updates a charge's descriptive fields (any charge, legacy or a PaymentIntent's). Under the PaymentIntent's lock,
 * the lock every change of a payment takes. Records `charge.updated` when something changed.
 */
export async function updateChargeFields(work: UnitOfWork, scope: Scope, id: string, input: ChargeUpdate): Promise<ChargeRow> {
  return work.finalTransaction(async (client) => {
    const found = await findCharge(client, scope, id);
    if (!found) throw missing('charge', id);
    await findPaymentIntent(client, scope, found.payment_intent_id, { forUpdate: true });
    const current = await findCharge(client, scope, id);
    assert(current, `charge ${id} exists`);
    const changes: Partial<ChargeRow> = { metadata: mergeMetadata(current.metadata, input.metadata) };
    if (input.description !== undefined) changes.description = input.description;
    if (input.receipt_email !== undefined) changes.receipt_email = input.receipt_email;
    if (input.shipping !== undefined) changes.shipping = input.shipping === null ? null : fullShipping(input.shipping);
    if (input.fraud_details !== undefined) changes.fraud_details = input.fraud_details === null ? {} : { user_report: input.fraud_details.user_report };
    if (input.transfer_group !== undefined) changes.transfer_group = input.transfer_group;
    const row = await updateCharge(client, current, changes);
    const after = renderCharge(row);
    const previous = changedAttributes(renderCharge(current), after);
    // An update that changes nothing is not a state change, so it records no event (as at Stripe).
    if (Object.keys(previous).length > 0) await recordEvent(client, scope, work, 'charge.updated', after, previous);
    return row;
  });
}
