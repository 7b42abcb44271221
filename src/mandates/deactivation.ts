import type { AuthorizeOutput } from '../connectors/connector.ts';
import type { NewEvent } from '../events/service.ts';
import type { Queryable } from '../platform/db.ts';
import type { SecretBox } from '../platform/crypto.ts';
import type { Scope } from '../platform/scope.ts';
import { mandatePageUrl } from './page-url.ts';
import { renderMandate } from './render.ts';
import { findMandate } from './repository.ts';

/*
 * A debit the bank refuses because the mandate can no longer be used (the account was closed or blocked for direct
 * debits, or the customer told the bank the debit was not authorized) makes the mandate `inactive`, as at Stripe:
 * `mandate.updated` is recorded in the same statement as the failed payment, and later payments under it are refused
 * with `payment_intent_mandate_invalid` (plan.ts). A refusal about the debit itself (insufficient funds, a limit)
 * leaves the mandate active: the next debit may well succeed.
 */

/** Stripe's SEPA failure codes that end the mandate (its Bacs `revocation_reason`s use the same names). */
export const mandateEndingCodes: ReadonlySet<string> = new Set(['account_closed', 'bank_account_restricted', 'debit_not_authorized']);

/** What a failed debit does to its mandate: the mandate to mark inactive and its event. */
export interface MandateDeactivation {
  id: string;
  events: NewEvent[];
}

/** Whether an answer ends the mandate: a decline with one of `mandateEndingCodes`. Pure. */
export function endsMandate(output: AuthorizeOutput): boolean {
  return output.status === 'declined' && mandateEndingCodes.has(output.decline.declineCode);
}

/** The mandate a charge debited under (`payment_method_details.<type>.mandate`), if any. */
export function mandateIdOf(paymentMethodDetails: Record<string, unknown>): string | null {
  const type = paymentMethodDetails.type;
  const hash = typeof type === 'string' ? paymentMethodDetails[type] : undefined;
  const mandate = hash && typeof hash === 'object' ? (hash as Record<string, unknown>).mandate : undefined;
  return typeof mandate === 'string' ? mandate : null;
}

/**
 * Reads what deactivating the charge's mandate needs, when the answer ends it and the mandate is still active: its
 * id, and `mandate.updated` with the mandate as it will be. Undefined otherwise.
 */
export async function mandateDeactivationOf(
  db: Queryable,
  deps: { secretBox: SecretBox; publicUrl: string },
  scope: Scope,
  charge: { payment_method_details: Record<string, unknown> },
  output: AuthorizeOutput,
): Promise<MandateDeactivation | undefined> {
  if (!endsMandate(output)) return undefined;
  const id = mandateIdOf(charge.payment_method_details);
  if (id === null) return undefined;
  const mandate = await findMandate(db, scope, id);
  if (!mandate || mandate.status !== 'active') return undefined;
  return { id, events: [{ type: 'mandate.updated', object: renderMandate({ ...mandate, status: 'inactive' }, mandatePageUrl(deps, id)) }] };
}
