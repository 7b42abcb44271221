import { requireActiveCapability, requireDirectChargeCapability } from '../connect/capabilities.ts';
import type { Queryable } from '../platform/db.ts';
import type { Scope } from '../platform/scope.ts';
import { transferDestination } from '../transfers/service.ts';
import type { IntentConnect } from './connect-charge.ts';

// Capabilities checked when a charge is made (create with confirm=true, confirm), as Stripe refuses a charge its
// accounts' capabilities do not allow: before anything is written, so a refused request leaves no intent, charge or
// attempt behind. Only Connect payments are checked, so an ordinary payment costs no query here:
// - a direct charge (the request acts as a connected account through the Stripe-Account header): the connected
//   account's `card_payments` must be active (400 `insufficient_capabilities_for_charge`);
// - a destination charge: its destination's `transfers` (400 `insufficient_capabilities_for_transfer`, the transfers'
//   own check), and with on_behalf_of its `card_payments` too, both checked again at confirm since they were checked
//   at creation (a capability may have become inactive since).
// An account acting with its own key (no Stripe-Account header) is not checked: a standalone account has no
// capabilities, and its payments are its own.

/** Whether confirming an intent in this context needs a capability check (and so a query). */
export function chargeNeedsCapabilityCheck(platformAccountId: string | undefined, connect: IntentConnect | null | undefined): boolean {
  return platformAccountId !== undefined || connect?.kind === 'destination';
}

/** Refuses the charge when an account it involves lacks the capability it needs (see above). */
export async function checkChargeCapabilities(db: Queryable, scope: Scope, platformAccountId: string | undefined, connect: IntentConnect | null | undefined): Promise<void> {
  if (platformAccountId !== undefined) await requireDirectChargeCapability(db, scope, platformAccountId);
  if (connect?.kind === 'destination' && connect.destination !== null) {
    const destination = await transferDestination(db, scope, connect.destination, 'transfer_data[destination]');
    if (connect.on_behalf_of !== null) requireActiveCapability(destination, 'card_payments', 'on_behalf_of');
  }
}
