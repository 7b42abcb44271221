import type { MandateRow } from './repository.ts';

/**
 * Stripe's Mandate object. `payment_method_details.sepa_debit.reference` is the mandate reference the SEPA
 * pre-notification quotes; `url` its hosted page (page-url.ts). Stripe omits `online`, `offline`, `multi_use` and `single_use` when they do not apply.
 */
export function renderMandate(row: MandateRow, url: string): Record<string, unknown> {
  const acceptance = row.customer_acceptance;
  return {
    id: row.id,
    object: 'mandate',
    customer_acceptance: {
      accepted_at: acceptance.accepted_at,
      ...(acceptance.type === 'offline' ? { offline: {} } : {}),
      ...(acceptance.online ? { online: acceptance.online } : {}),
      type: acceptance.type,
    },
    livemode: row.livemode,
    ...(row.type === 'multi_use' ? { multi_use: {} } : {}),
    payment_method: row.payment_method_id,
    payment_method_details: {
      type: row.payment_method_type,
      [row.payment_method_type]: { reference: row.reference, url },
    },
    ...(row.single_use ? { single_use: row.single_use } : {}),
    status: row.status,
    type: row.type,
  };
}
