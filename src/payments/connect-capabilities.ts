import { requireActiveCapability, requireDirectChargeCapability } from '../connect/capabilities.ts';
import type { Dependencies } from '../dependencies.ts';
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
// A charge on a connected account is a direct charge however it is made: through the Stripe-Account header, with
// the connected account's own key, or from a page its intent or session belongs to (Checkout, Payment Links,
// payrail.js with the client secret). Without the header its platform comes from the routing cache (one primary-key
// lookup per account per process, then remembered; routing reads the same entry for every payment), so an ordinary
// payment of a standalone account costs a map lookup here.

/** Refuses the charge when an account it involves lacks the capability it needs (see above). */
export async function checkChargeCapabilities(db: Queryable, deps: Pick<Dependencies, 'routing'>, scope: Scope, platformAccountId: string | undefined, connect: IntentConnect | null | undefined): Promise<void> {
  const platform = platformAccountId ?? (await deps.routing.platformOf(db, scope)) ?? undefined;
  if (platform !== undefined) await requireDirectChargeCapability(db, scope, platform);
  if (connect?.kind === 'destination' && connect.destination !== null) {
    const destination = await transferDestination(db, scope, connect.destination, 'transfer_data[destination]');
    if (connect.on_behalf_of !== null) requireActiveCapability(destination, 'card_payments', 'on_behalf_of');
  }
}
