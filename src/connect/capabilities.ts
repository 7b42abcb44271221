import type { Queryable } from '../platform/db.ts';
import { ApiError, assert } from '../platform/errors.ts';
import type { Scope } from '../platform/scope.ts';
import { findConnectedAccountCapabilities } from './repository.ts';
import type { CapabilityName, ConnectedAccountRow } from './types.ts';

// What a connected account may do depends on its capabilities, as at Stripe: `transfers` to receive transfers (POST
// /v1/transfers, destination charges), `card_payments` to take card payments (direct charges, and on_behalf_of where
// it is the settlement merchant). A capability must be `active`; `pending`, `inactive` and never requested all refuse,
// in test mode too (test-mode accounts get their capabilities with Stripe's test verification values). This file is
// the one rule: every check of a capability goes through `requireActiveCapability`.

/** What a capability check reads of an account. */
type Capable = Pick<ConnectedAccountRow, 'id' | 'capabilities'>;

function statusOf(account: Capable, name: CapabilityName): string {
  const status = account.capabilities[name]?.status;
  return status === undefined || status === 'unrequested' ? 'not requested' : status;
}

/**
 * Throws Stripe's answer when `account`'s capability `name` is not active: 400 `insufficient_capabilities_for_transfer`
 * for `transfers`, 400 `insufficient_capabilities_for_charge` for `card_payments` (Stripe answers an
 * invalid_request_error naming the capability; Payrail gives it a code of its own). Nothing has been written when it throws.
 */
export function requireActiveCapability(account: Capable, name: CapabilityName, param?: string): void {
  if (account.capabilities[name]?.status === 'active') return;
  const status = statusOf(account, name);
  const options = param ? { param } : {};
  if (name === 'transfers') {
    throw new ApiError(
      'insufficient_capabilities_for_transfer',
      `Your destination account needs to have the transfers capability active to receive transfers: ${account.id}'s is ${status}.`,
      options,
    );
  }
  throw new ApiError(
    'insufficient_capabilities_for_charge',
    `The connected account ${account.id} cannot take card payments: its card_payments capability is ${status}, and a charge on a connected account needs it active.`,
    options,
  );
}

/**
 * A direct charge: `scope` is a connected account acting through its platform `platformAccountId` (the Stripe-Account
 * header), and it must have `card_payments` active. The account is read scoped to its platform and the key's mode
 * (the header was checked already, so it exists).
 */
export async function requireDirectChargeCapability(db: Queryable, scope: Scope, platformAccountId: string): Promise<void> {
  const account = await findConnectedAccountCapabilities(db, { accountId: platformAccountId, livemode: scope.livemode }, scope.accountId);
  assert(account, `connected account ${scope.accountId} of platform ${platformAccountId} exists (the Stripe-Account header was checked)`);
  requireActiveCapability(account, 'card_payments');
}
